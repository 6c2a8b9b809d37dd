#!/usr/bin/env bash
# Command-line tests as data: one folder per case under tests/cli/cases/
#   args            the arguments, one per line; @SRC@ is the source tree
#   status          the expected exit status
#   stdout.contains lines that must each appear in stdout (optional)
#   stderr.contains lines that must each appear in stderr (optional)
#   stdout.golden   the exact expected stdout (optional; rewritten when
#                   SB_UPDATE_GOLDEN=1)
# usage: tests/cli/run.sh path/to/soapbridge SRCDIR
set -u
bin=$1
src=$2
passed=0
failed=0
out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

for case in "$src"/tests/cli/cases/*/; do
    name=$(basename "$case")
    mapfile -t args < <(sed "s|@SRC@|$src|g" "$case/args")
    "$bin" "${args[@]}" >"$out" 2>"$err"
    status=$?
    ok=1
    why=""
    want=$(cat "$case/status")
    if [ "$status" != "$want" ]; then ok=0; why="exit status $status, want $want"; fi
    for stream in stdout stderr; do
        file="$case/$stream.contains"
        [ -f "$file" ] || continue
        actual=$out; [ $stream = stderr ] && actual=$err
        while IFS= read -r line; do
            line=${line//@SRC@/$src}
            if ! grep -qF -- "$line" "$actual"; then
                ok=0; why="$why; $stream lacks: $line"
            fi
        done <"$file"
    done
    if [ -f "$case/stdout.golden" ]; then
        if [ "${SB_UPDATE_GOLDEN:-0}" = 1 ]; then
            cp "$out" "$case/stdout.golden"
        elif ! cmp -s "$out" "$case/stdout.golden"; then
            ok=0; why="$why; stdout differs from stdout.golden:
$(diff "$case/stdout.golden" "$out" | head -20)"
        fi
    fi
    if [ $ok = 1 ]; then
        passed=$((passed + 1)); echo "PASS $name"
    else
        failed=$((failed + 1)); echo "FAIL $name: $why"
        echo "--- stdout"; head -20 "$out"; echo "--- stderr"; head -20 "$err"
    fi
done
echo "cli: $passed passed, $failed failed"
[ "$failed" = 0 ]
