#!/usr/bin/env bash
# Build and run the unit tests of some modules alone, while other modules
# are unfinished:  tests/unit/build-one.sh OUTDIR MODULE [MODULE...]
# Compiles proxy/error.c, proxy/MODULE.c (plus EXTRA_SOURCES) and
# tests/unit/test_MODULE.c with the project's warning flags.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$1; shift
mkdir -p "$out"
pkgs="libxml-2.0 libxslt libexslt yajl yaml-0.1 check openssl libcurl libevent libevent_openssl"
srcs=("$top/proxy/error.c"); only=""
for m in "$@"; do
    [ "$m" = error ] || [ ! -f "$top/proxy/$m.c" ] || srcs+=("$top/proxy/$m.c")
    srcs+=("$top/tests/unit/test_$m.c"); only="$only X($m)"
done
for s in ${EXTRA_SOURCES:-}; do srcs+=("$top/$s"); done
srcs+=("$top/tests/unit/testutil.c")
# shellcheck disable=SC2046
gcc -std=gnu11 -g -O1 -Wall -Wextra -Werror ${SB_SAN:-} -I"$top/proxy" \
    -DTOP_SRCDIR="\"$top\"" "-DSB_ONLY_SUITES(X)=$only" \
    $(pkg-config --cflags $pkgs) -o "$out/unit" "${srcs[@]}" \
    "$top/tests/unit/runner.c" $(pkg-config --libs $pkgs) -lm
"$out/unit"
