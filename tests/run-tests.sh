#!/usr/bin/env bash
# Runs every test of the project and ends with one line:
#   N passed, N failed
# usage: tests/run-tests.sh BUILDDIR SRCDIR
# SB_VALGRIND=1 runs the unit tests under valgrind as well, and the
# integration tests' proxies under valgrind.
set -u
build=${1:-.}
src=${2:-.}
passed=0
failed=0

count() { # "unit: 12 passed, 0 failed" -> add to the totals
    local line
    line=$(grep -E '^[a-z]+: [0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
    if [ -z "$line" ]; then
        echo "no summary line in $1: counted as one failure"
        failed=$((failed + 1))
        return
    fi
    passed=$((passed + $(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')))
    failed=$((failed + $(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')))
}

log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "== unit tests"
"$build/tests/unit/unit" 2>&1 | tee "$log"
count "$log"

if [ "${SB_VALGRIND:-0}" = 1 ]; then
    echo "== unit tests under valgrind"
    CK_FORK=no valgrind -q --leak-check=full --errors-for-leak-kinds=definite \
        --error-exitcode=99 "$build/tests/unit/unit" >"$log" 2>&1
    rc=$?
    tail -n 3 "$log"
    if [ $rc = 0 ]; then passed=$((passed + 1)); echo "valgrind: clean";
    else failed=$((failed + 1)); echo "valgrind: errors (exit $rc)"; grep -E '==[0-9]+==' "$log" | head -40; fi
fi

echo "== command-line tests"
"$src/tests/cli/run.sh" "$build/soapbridge" "$src" 2>&1 | tee "$log"
count "$log"

echo "== demo legacy services (gSOAP, tests/legacy)"
"$src/tests/legacy/test-services.sh" "$build" "$src" 2>&1 | tee "$log"
count "$log"

echo "== integration: the proxy against the demo services"
python3 "$src/tests/integration/run.py" "$build" "$src" 2>&1 | tee "$log"
count "$log"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
