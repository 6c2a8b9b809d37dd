#!/usr/bin/env bash
# The main job: start the four demo legacy services on 127.0.0.1:8081..8084
# (the addresses the bundled soapbridge.yaml names) and the proxy on
# 127.0.0.1:8080 with the bundled configuration, print how to call it, and
# run until Ctrl-C (or SIGTERM), then stop everything it started.
#   usage: tests/legacy/run-demo.sh [BUILDDIR]   (default: the current folder)
# Environment: SB_DEMO_EXIT=1 stops right after printing (for a smoke run).
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-.}" && pwd)
pids=()
work=$(mktemp -d)

stop() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap stop EXIT
trap 'exit 0' INT TERM

# Start "$@" with its output going to a fifo, and wait for the line that
# says it is ready (no sleeping); the rest of its output goes on to $log.
start() {
    local name=$1 ready=$2 log=$3; shift 3
    local fifo="$work/$name.fifo"
    mkfifo "$fifo"
    "$@" >"$fifo" 2>&1 &
    pids+=($!)
    exec {fd}<"$fifo"
    local line found=0
    while IFS= read -r -u "$fd" line; do
        echo "$line" >>"$log"
        case $line in *"$ready"*) found=1; break ;; esac
    done
    [ $found = 1 ] || { echo "run-demo: $name did not start:"; cat "$log"; exit 1; }
    cat <&"$fd" >>"$log" &
    echo "run-demo: $name: $line"
}

for svc in sales:8081 billing:8082 shipping:8083 ticket:8084; do
    name=${svc%%:*}
    start "$name-service" ready "$work/$name.log" \
        "$build/tests/legacy/$name-service" --port "${svc##*:}"
done
start soapbridge "listening on" "$work/soapbridge.log" \
    "$build/soapbridge" serve -c "$src"

cat <<'EOF'

soapbridge is serving the demo capabilities on http://127.0.0.1:8080
(access log and messages: the proxy's output below). Try:

  curl -s http://127.0.0.1:8080/v1/capabilities | head -c 600; echo
  curl -s -H 'Content-Type: application/json' -d '{"order_id":"A1001"}' \
       http://127.0.0.1:8080/v1/capabilities/get_order_status
  curl -s -H 'Content-Type: application/json' -d '{"customer_id":"K-004711"}' \
       http://127.0.0.1:8080/v1/capabilities/get_customer
  curl -s -H 'Content-Type: application/json' -d '{"order_id":"Z9999"}' \
       http://127.0.0.1:8080/v1/capabilities/get_order_status
  curl -s -H 'Content-Type: application/json' -d '{"OrderNo":"A1001"}' \
       http://127.0.0.1:8080/v1/services/ShippingService/GetOrderStatus
  curl -s http://127.0.0.1:8080/metrics | grep soapbridge_requests_total

Ctrl-C stops the proxy and the demo services.
EOF
[ "${SB_DEMO_EXIT:-0}" = 1 ] && exit 0
tail -n +1 -f "$work/soapbridge.log" &
pids+=($!)
wait "${pids[4]}"
