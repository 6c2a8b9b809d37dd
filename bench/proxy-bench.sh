#!/usr/bin/env bash
# proxy-bench.sh: soapbridge against nginx pass-through, on this machine.
#
# A private nginx (its own prefix, configuration, pid file and log in a
# temporary folder, on free 127.0.0.1 ports chosen at run time) plays the
# legacy backend, answering every POST with the recorded ~1 KB
# GetOrderStatus SOAP response; the same nginx also proxy_passes the SOAP
# request to that backend unchanged (keep-alive upstream). wrk then
# measures, in interleaved rounds:
#   nginx       POST of the SOAP envelope to nginx's pass-through
#   soapbridge  POST {"order_id":"A1001"} to
#               /v1/capabilities/get_order_status, translated to SOAP,
#               sent to the same backend, and the answer back to JSON
# and prints requests/s, p50 and p99 of both, their ratio and the p99
# soapbridge adds. Other modes: worker scaling, and the memory of idle
# keep-alive connections. Run `bench/proxy-bench.sh --help`.
#
# Needs nginx, wrk, curl and python3 (bench/install-deps.sh installs
# them on Debian 12) and a built soapbridge. Installs nothing; starts
# nothing but its own processes, and stops them by PID on exit.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
srcdir=$(cd "$here/.." && pwd)
self=${0##*/}

usage() {
    cat <<EOF
usage: $self [MODE] [OPTIONS]

MODE (default: compare)
  compare     nginx pass-through and soapbridge in alternating rounds:
              requests/s, p50, p99, the throughput ratio, the added p99
  scaling     soapbridge at each worker count of --scaling (all started
              at once, measured in alternating rounds): requests/s each
  idle        RSS growth of soapbridge holding --idle-connections idle
              keep-alive connections
  all         compare, scaling and idle
  passthrough nginx pass-through alone (checks nginx and wrk; needs no
              soapbridge)

OPTIONS (each also read from the environment variable named)
  --soapbridge PATH     the binary [\$SOAPBRIDGE, else ./soapbridge, else
                        the checkout's soapbridge, else soapbridge in PATH]
  --workers N           soapbridge workers [\$BENCH_WORKERS, 2]
  --nginx-workers N     nginx worker processes [\$BENCH_NGINX_WORKERS,
                        as --workers]
  --rounds N            measured rounds per side [\$BENCH_ROUNDS, 3]
  --duration SECONDS    length of one round [\$BENCH_DURATION, 10]
  --warmup SECONDS      unmeasured run per side first, 0 for none
                        [\$BENCH_WARMUP, 3]
  --connections N       wrk connections [\$BENCH_CONNECTIONS, 64]; with
                        --connections 1 --threads 1 the latencies are
                        those of one request at a time, without queueing
  --threads N           wrk threads [\$BENCH_THREADS, 2]
  --scaling "N M ..."   worker counts of the scaling mode
                        [\$BENCH_SCALING, "1 2"]
  --idle-connections N  connections of the idle mode
                        [\$BENCH_IDLE_CONNECTIONS, 1000]
  --strict              exit 2 when a target is missed
  --keep                keep the temporary folder (logs, wrk output)
  -h, --help            this text

The configuration soapbridge serves is this checkout's (wsdl/, mappings/,
xslt/) with a small soapbridge.yaml of the harness's own: access log off,
ShippingService at the private nginx backend. Targets checked: soapbridge
reaches at least 60% of nginx's pass-through requests/s and adds at most
1 ms to its p99; throughput grows near-linearly with workers up to the
cores; 1,000 idle keep-alive connections cost under 64 MB of RSS.
EOF
}

die() {
    printf '%s: %s\n' "$self" "$*" >&2
    exit 1
}

# ---- options ----

mode=compare
soapbridge=${SOAPBRIDGE:-}
workers=${BENCH_WORKERS:-2}
nginx_workers=${BENCH_NGINX_WORKERS:-}
rounds=${BENCH_ROUNDS:-3}
duration=${BENCH_DURATION:-10}
warmup=${BENCH_WARMUP:-3}
connections=${BENCH_CONNECTIONS:-64}
threads=${BENCH_THREADS:-2}
scaling=${BENCH_SCALING:-"1 2"}
idle_connections=${BENCH_IDLE_CONNECTIONS:-1000}
strict=0
keep=${BENCH_KEEP:-0}

need_value() {
    [ $# -ge 2 ] || die "$1 needs a value (see --help)"
}
while [ $# -gt 0 ]; do
    case $1 in
    compare|scaling|idle|all|passthrough) mode=$1 ;;
    --soapbridge) need_value "$@"; soapbridge=$2; shift ;;
    --workers) need_value "$@"; workers=$2; shift ;;
    --nginx-workers) need_value "$@"; nginx_workers=$2; shift ;;
    --rounds) need_value "$@"; rounds=$2; shift ;;
    --duration) need_value "$@"; duration=$2; shift ;;
    --warmup) need_value "$@"; warmup=$2; shift ;;
    --connections) need_value "$@"; connections=$2; shift ;;
    --threads) need_value "$@"; threads=$2; shift ;;
    --scaling) need_value "$@"; scaling=$2; shift ;;
    --idle-connections) need_value "$@"; idle_connections=$2; shift ;;
    --strict) strict=1 ;;
    --keep) keep=1 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 64 ;;
    esac
    shift
done
nginx_workers=${nginx_workers:-$workers}

positive() {
    [[ $2 =~ ^[1-9][0-9]*$ ]] || die "$1 must be a positive integer, not '$2'"
}
positive --workers "$workers"
positive --nginx-workers "$nginx_workers"
positive --rounds "$rounds"
positive --duration "$duration"
[[ $warmup =~ ^[0-9]+$ ]] || die "--warmup must be a whole number, not '$warmup'"
positive --connections "$connections"
positive --threads "$threads"
positive --idle-connections "$idle_connections"
for w in $scaling; do positive --scaling "$w"; done
[ -n "${scaling// /}" ] || die "--scaling names no worker count"
[ "$threads" -le "$connections" ] || die "--threads must not exceed --connections"

# ---- prerequisites ----

missing=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
    die "missing: ${missing[*]}. On Debian 12: apt-get install" \
        "--no-install-recommends ${missing[*]} (or run bench/install-deps.sh;" \
        "Debian's nginx-light works as well as nginx)"
fi
nginx_bin=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)

if [ "$mode" != passthrough ]; then
    if [ -z "$soapbridge" ]; then
        for candidate in ./soapbridge "$srcdir/soapbridge"; do
            if [ -x "$candidate" ] && [ ! -d "$candidate" ]; then
                soapbridge=$candidate
                break
            fi
        done
    fi
    if [ -z "$soapbridge" ]; then
        soapbridge=$(command -v soapbridge 2>/dev/null) ||
            die "no soapbridge binary: build it (./configure && make) and run" \
                "from the build folder, or give --soapbridge PATH"
    fi
    [ -x "$soapbridge" ] || die "$soapbridge: not an executable"
    case $soapbridge in /*) ;; *) soapbridge=$(pwd)/${soapbridge#./} ;; esac
fi

capability=get_order_status
service=ShippingService
operation=GetOrderStatus
request_json=$srcdir/tests/fixtures/demo/get_order_status.request.json
response_xml=$srcdir/tests/fixtures/demo/GetOrderStatus.response.xml
wsdl=$srcdir/wsdl/shipping.wsdl
helper=$here/proxy-bench-helper.py
for f in "$request_json" "$response_xml" "$wsdl" "$helper" \
         "$here/proxy-bench.lua" "$here/nginx.conf.in"; do
    [ -r "$f" ] || die "$f: missing (run from a complete checkout)"
done

# Room for the idle connections, wrk's and nginx's sockets.
hard=$(ulimit -Hn)
want=$((idle_connections + 4096))
if [ "$hard" != unlimited ] && [ "$hard" -lt "$want" ]; then
    want=$hard
fi
[ "$(ulimit -Sn)" != unlimited ] && [ "$(ulimit -Sn)" -lt "$want" ] &&
    ulimit -Sn "$want"

# ---- the temporary folder and clean-up ----

work=$(mktemp -d "${TMPDIR:-/tmp}/proxy-bench.XXXXXX")
# nginx's workers run as nobody when it is started as root.
chmod 755 "$work"
pids=()
idle_pid=""

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    local pid
    for pid in $idle_pid "${pids[@]}"; do
        if ours "$pid"; then
            kill -TERM "$pid" 2>/dev/null || true
        fi
    done
    for pid in "${pids[@]}" $idle_pid; do
        wait "$pid" 2>/dev/null || true
    done
    if [ "$keep" = 1 ]; then
        echo "$self: kept $work" >&2
    else
        rm -rf "$work"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

forget_pid() {
    local kept=() pid
    for pid in "${pids[@]}"; do
        [ "$pid" = "$1" ] || kept+=("$pid")
    done
    pids=("${kept[@]}")
}

show_log() {
    if [ -s "$1" ]; then
        echo "--- last lines of $1 (--keep keeps it):" >&2
        tail -n 20 "$1" >&2
    fi
}

# start_logged NAME PATTERN COMMAND...: runs COMMAND in the background
# with its standard error through a FIFO and returns once a line of it
# contains PATTERN (STARTED_PID, STARTED_LINE); the rest of that output
# goes on into $work/NAME.log. Fails if COMMAND exits (or goes silent
# for 60 s) first.
start_logged() {
    local name=$1 pattern=$2
    shift 2
    local fifo=$work/$name.fifo log=$work/$name.log fd line found=""
    rm -f "$fifo"
    mkfifo "$fifo"
    "$@" </dev/null >/dev/null 2>"$fifo" &
    STARTED_PID=$!
    pids+=("$STARTED_PID")
    exec {fd}<"$fifo"
    while IFS= read -r -t 60 -u "$fd" line; do
        printf '%s\n' "$line" >>"$log"
        if [[ $line == *"$pattern"* ]]; then
            found=$line
            break
        fi
    done
    if [ -z "$found" ]; then
        exec {fd}<&-
        rm -f "$fifo"
        return 1
    fi
    cat <&"$fd" >>"$log" &
    pids+=($!)
    exec {fd}<&-
    rm -f "$fifo"
    STARTED_LINE=$found
}

# ours PID: PID is still a child of this script (not a reused number).
ours() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    # shellcheck disable=SC2086  # the fields, split
    set -- ${stat##*) }
    [ "$2" = "$$" ]
}

# stop_pid PID: TERM, then wait.
stop_pid() {
    if ours "$1"; then
        kill -TERM "$1" 2>/dev/null || true
    fi
    wait "$1" 2>/dev/null || true
    forget_pid "$1"
}

# ---- measuring helpers ----

clk_tck=$(getconf CLK_TCK)

# cpu_ticks PID...: user+system clock ticks of these processes (all
# their threads) and their children listed in /proc.
cpu_ticks() {
    local total=0 pid stat rest kids child
    for pid in "$@"; do
        kids=""
        [ -r "/proc/$pid/task/$pid/children" ] &&
            kids=$(cat "/proc/$pid/task/$pid/children" 2>/dev/null || true)
        for child in $pid $kids; do
            stat=$(cat "/proc/$child/stat" 2>/dev/null) || continue
            rest=${stat##*) }
            # fields after "(comm) ": state is 3, utime 14, stime 15
            # shellcheck disable=SC2086  # the fields, split
            set -- $rest
            total=$((total + ${12} + ${13}))
        done
    done
    echo "$total"
}

# busy_jiffies: "BUSY TOTAL IRQ" clock ticks of all CPUs, from
# /proc/stat (IRQ: hard and soft interrupts, which loopback traffic
# costs without being any process's time).
busy_jiffies() {
    awk '/^cpu / { t = 0; for (i = 2; i <= 9; i++) t += $i;
                   print t - $5 - $6, t, $7 + $8; exit }' /proc/stat
}

# waited_ticks: clock ticks of this script's children that it has waited
# for (wrk, once it has ended).
waited_ticks() {
    local stat
    stat=$(cat "/proc/$$/stat")
    # shellcheck disable=SC2086  # the fields, split
    set -- ${stat##*) }
    # fields after "(comm) ": cutime is 16, cstime 17
    echo $((${14} + ${15}))
}

rss_kb() {
    awk '/^VmRSS:/ { print $2; exit }' "/proc/$1/status"
}

median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
        END { if (NR % 2) print v[(NR + 1) / 2];
              else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

calc() {
    awk "BEGIN { printf \"$1\", ($2) }"
}

# run_wrk LABEL URL BODY CONTENT-TYPE SOAPACTION SECONDS CPU-PIDS...
# Sets W_RPS W_P50 W_P99 (ms) W_REQ W_CPU (CPU seconds of CPU-PIDS)
# W_NGX (of nginx), W_BUSY (the machine's busy fraction) and W_OTHER
# (the fraction of the machine busy with anything else than wrk, nginx
# and CPU-PIDS: other load that makes the round noisy). Fails on any
# answer that is not 2xx.
wrk_runs=0
run_wrk() {
    local label=$1 url=$2 body=$3 ctype=$4 action=$5 secs=$6
    shift 6
    local out=$work/wrk-$((++wrk_runs))-$label.txt line
    local cpu0 ngx0 cpu1 ngx1 b0 b1 t0 t1 i0 i1 wrk0 wrk1
    cpu0=$(cpu_ticks "$@")
    ngx0=$(cpu_ticks "$nginx_pid")
    wrk0=$(waited_ticks)
    b0=$(busy_jiffies)
    # In the background, so that a signal stops the run at once.
    BENCH_BODY_FILE=$body BENCH_CONTENT_TYPE=$ctype \
        BENCH_SOAPACTION=$action \
        wrk -t "$threads" -c "$connections" -d "${secs}s" --timeout 10s \
            --latency -s "$here/proxy-bench.lua" "$url" >"$out" 2>&1 &
    local wrk_pid=$!
    pids+=("$wrk_pid")
    if ! wait "$wrk_pid"; then
        forget_pid "$wrk_pid"
        cat "$out" >&2
        die "wrk failed against $url"
    fi
    forget_pid "$wrk_pid"
    b1=$(busy_jiffies)
    wrk1=$(waited_ticks)
    cpu1=$(cpu_ticks "$@")
    ngx1=$(cpu_ticks "$nginx_pid")
    line=$(grep '^BENCH-RESULT ' "$out" | tail -n 1) || {
        cat "$out" >&2
        die "wrk printed no result against $url"
    }
    local requests=0 rps=0 p50_us=0 p99_us=0 connect=0 read=0 write=0
    local status=0 timeout=0 kv
    for kv in ${line#BENCH-RESULT }; do
        case ${kv%%=*} in
        requests|rps|p50_us|p99_us|connect|read|write|status|timeout)
            printf -v "${kv%%=*}" '%s' "${kv#*=}" ;;
        esac
    done
    if [ "$requests" -eq 0 ] || [ "$status" -ne 0 ]; then
        cat "$out" >&2
        die "$label: $status of $requests answers were not 2xx: the" \
            "measurement would time errors, not the proxy"
    fi
    if [ $((connect + read + write + timeout)) -ne 0 ]; then
        echo "$self: warning: $label: socket errors: connect $connect," \
             "read $read, write $write, timeout $timeout" >&2
    fi
    W_REQ=$requests
    W_RPS=$rps
    W_P50=$(calc %.3f "$p50_us / 1000")
    W_P99=$(calc %.3f "$p99_us / 1000")
    W_CPU=$(calc %.3f "($cpu1 - $cpu0) / $clk_tck")
    W_NGX=$(calc %.3f "($ngx1 - $ngx0) / $clk_tck")
    read -r b0 t0 i0 <<<"$b0"
    read -r b1 t1 i1 <<<"$b1"
    W_BUSY=$(calc %.3f "($t1 > $t0) ? ($b1 - $b0) / ($t1 - $t0) : 0")
    local ours=$(((wrk1 - wrk0) + (ngx1 - ngx0) + (i1 - i0)))
    [ "$1" = "$nginx_pid" ] || ours=$((ours + cpu1 - cpu0))
    local free=$((b1 - b0 - ours))
    W_OTHER=$(calc %.3f "($t1 > $t0 && $free > 0) ? $free / ($t1 - $t0) : 0")
}

pct() {
    calc %.0f "$1 * 100"
}

# machine_load SECONDS: the fraction of the machine busy meanwhile.
machine_load() {
    local b0 t0 b1 t1 _
    read -r b0 t0 _ <<<"$(busy_jiffies)"
    sleep "$1"
    read -r b1 t1 _ <<<"$(busy_jiffies)"
    calc %.3f "($t1 > $t0) ? ($b1 - $b0) / ($t1 - $t0) : 0"
}

# note_other_load FRACTION...: warns when the median other load is high.
note_other_load() {
    local m
    m=$(median "$@")
    if [ "$(calc %d "$m > 0.05")" = 1 ]; then
        echo "$self: warning: other processes kept $(pct "$m")% of the" \
             "machine busy (median of the rounds): these numbers are noisy;" \
             "measure on a quiet machine" >&2
    fi
}

# ---- nginx ----

nginx_pid=""
backend_port=""
pass_port=""

# The response inlined as an nginx single-quoted string: \ and ' escaped,
# $ through the $bench_dollar variable.
nginx_quote() {
    local s
    s=$(cat "$1"; printf x)
    s=${s%x}
    s=${s//\\/\\\\}
    s=${s//\'/\\\'}
    s=${s//\$/\$\{bench_dollar\}}
    printf '%s' "$s"
}

start_nginx() {
    local prefix=$work/nginx conf ports
    mkdir -p "$prefix"
    local body
    body=$(nginx_quote "$response_xml"; printf x)
    body=${body%x}
    for _ in 1 2 3; do
        ports=$(python3 "$helper" free-ports 2) || die "cannot pick free ports"
        read -r backend_port pass_port <<<"$ports"
        conf=$(cat "$here/nginx.conf.in")
        conf=${conf//@WORKDIR@/"$prefix"}
        conf=${conf//@WORKERS@/"$nginx_workers"}
        conf=${conf//@BACKEND_PORT@/"$backend_port"}
        conf=${conf//@PASS_PORT@/"$pass_port"}
        conf=${conf//@KEEPALIVE@/"$connections"}
        conf=${conf//@SOAP_RESPONSE@/"$body"}
        printf '%s\n' "$conf" >"$prefix/nginx.conf"
        : >"$work/nginx.log"
        if start_logged nginx "start worker process" \
               "$nginx_bin" -e stderr -p "$prefix/" -c "$prefix/nginx.conf"; then
            nginx_pid=$STARTED_PID
            return 0
        fi
        stop_pid "$STARTED_PID"
        grep -q 'Address already in use' "$work/nginx.log" || break
    done
    show_log "$work/nginx.log"
    die "nginx did not start"
}

# ---- soapbridge ----

make_config() {
    local conf=$work/conf d
    mkdir -p "$conf"
    for d in wsdl mappings xslt; do
        ln -s "$srcdir/$d" "$conf/$d"
    done
    # The access log is off (a line a request would time the log, not
    # the proxy), and the keep-alive pool to the backend may hold as many
    # connections as wrk opens, like nginx's upstream keepalive (the pool
    # caps connections per worker; a request beyond it waits).
    cat >"$conf/soapbridge.yaml" <<EOF
# Written by bench/proxy-bench.sh for one run.
listen:
  - address: 127.0.0.1:0
logging:
  access_log: "off"
  level: warn
upstreams:
  $service:
    url: http://127.0.0.1:$backend_port/shipping
    pool_size: $((connections > 1024 ? 1024 : connections))
EOF
}

# start_soapbridge NAME WORKERS: sets SB_PID and SB_URL.
start_soapbridge() {
    local name=$1 n=$2
    if ! start_logged "$name" "listening on " \
             "$soapbridge" serve -c "$work/conf" \
             --endpoint "$service=http://127.0.0.1:$backend_port/shipping" \
             --listen 127.0.0.1:0 --workers "$n"; then
        show_log "$work/$name.log"
        die "soapbridge serve did not start (no 'listening on' line)"
    fi
    SB_PID=$STARTED_PID
    SB_URL=${STARTED_LINE##*listening on }
    SB_URL=${SB_URL%%[[:space:]]*}
    SB_URL=${SB_URL%/}
}

# ---- the requests, and checking them once ----

envelope=$work/envelope.xml
soap_ctype="text/xml; charset=utf-8"
json_ctype="application/json"
soapaction=$(python3 "$helper" soapaction "$wsdl" "$operation") ||
    die "no soapAction for $operation in $wsdl"
soapaction_header="\"$soapaction\""

make_requests() {
    "$soapbridge" translate "$srcdir" "$capability" --request "$request_json" \
        >"$envelope" 2>"$work/translate.err" || {
        cat "$work/translate.err" >&2
        die "soapbridge translate --request failed"
    }
    "$soapbridge" translate "$srcdir" "$capability" --response "$response_xml" \
        >"$work/expected.json" 2>"$work/translate.err" || {
        cat "$work/translate.err" >&2
        die "soapbridge translate --response failed"
    }
}

check_passthrough() {
    local code
    code=$(curl -sS -o "$work/check-pass.out" -w '%{http_code}' \
               -H "Content-Type: $soap_ctype" \
               -H "SOAPAction: $soapaction_header" \
               --data-binary @"$1" "http://127.0.0.1:$pass_port/shipping") ||
        die "nginx pass-through: curl failed"
    [ "$code" = 200 ] || die "nginx pass-through answered HTTP $code, not 200"
    cmp -s "$work/check-pass.out" "$response_xml" || {
        head -c 600 "$work/check-pass.out" >&2
        die "nginx pass-through did not answer the recorded SOAP response"
    }
}

# check_soapbridge URL: one call answers 200, "ok":true and the data that
# `soapbridge translate --response` makes of the recorded answer.
check_soapbridge() {
    local code expected
    code=$(curl -sS -o "$work/check-sb.out" -w '%{http_code}' \
               -H "Content-Type: $json_ctype" \
               --data-binary @"$request_json" \
               "$1/v1/capabilities/$capability") ||
        die "soapbridge: curl failed"
    if [ "$code" != 200 ] || ! grep -q '"ok":true' "$work/check-sb.out"; then
        head -c 800 "$work/check-sb.out" >&2
        echo >&2
        die "soapbridge answered HTTP $code without \"ok\":true (above)"
    fi
    expected=$(cat "$work/expected.json")
    if ! grep -qF -- "\"data\":$expected" "$work/check-sb.out"; then
        head -c 800 "$work/check-sb.out" >&2
        echo >&2
        die "soapbridge's data differs from \`soapbridge translate" \
            "--response\` of the recorded answer"
    fi
}

# ---- reports ----

# verdict MET: VERDICT is "met" for 1, else "NOT met", and the run has
# then missed a target (--strict).
targets_missed=0
verdict() {
    if [ "$1" = 1 ]; then
        VERDICT="met"
    else
        targets_missed=1
        VERDICT="NOT met"
    fi
}

machine_line() {
    local model
    model=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
    printf 'machine: %s CPU(s), %s, Linux %s, %s, %s\n' "$(nproc)" \
        "${model:-unknown CPU}" "$(uname -r)" \
        "$("$nginx_bin" -v 2>&1 | sed 's/^nginx version: //')" \
        "$(wrk -v 2>&1 | head -n 1 | awk '{ print "wrk " $2 }')"
}

# ---- modes ----

pass_url() { echo "http://127.0.0.1:$pass_port/shipping"; }

mode_passthrough() {
    echo
    echo "== nginx pass-through: $rounds round(s) x ${duration}s," \
         "$connections connections, $threads wrk threads"
    check_passthrough "$envelope"
    if [ "$warmup" -gt 0 ]; then
        run_wrk warmup-nginx "$(pass_url)" "$envelope" "$soap_ctype" \
            "$soapaction_header" "$warmup" "$nginx_pid"
    fi
    local r all_rps=() all_p50=() all_p99=() other=()
    printf '%-6s %10s %9s %9s %6s %6s\n' round "req/s" "p50 ms" "p99 ms" \
        busy other
    for ((r = 1; r <= rounds; r++)); do
        run_wrk nginx "$(pass_url)" "$envelope" "$soap_ctype" \
            "$soapaction_header" "$duration" "$nginx_pid"
        all_rps+=("$W_RPS"); all_p50+=("$W_P50"); all_p99+=("$W_P99")
        other+=("$W_OTHER")
        printf '%-6s %10.0f %9.3f %9.3f %5s%% %5s%%\n' "$r" "$W_RPS" \
            "$W_P50" "$W_P99" "$(pct "$W_BUSY")" "$(pct "$W_OTHER")"
    done
    printf '%-6s %10.0f %9.3f %9.3f\n' median "$(median "${all_rps[@]}")" \
        "$(median "${all_p50[@]}")" "$(median "${all_p99[@]}")"
    note_other_load "${other[@]}"
}

mode_compare() {
    echo
    echo "== compare: $rounds round(s) x ${duration}s per side, interleaved;" \
         "$connections connections, $threads wrk threads; soapbridge" \
         "$workers worker(s), nginx $nginx_workers worker(s)"
    start_soapbridge soapbridge "$workers"
    local sb_pid=$SB_PID sb_url=$SB_URL
    check_passthrough "$envelope"
    check_soapbridge "$sb_url"
    echo "checked: nginx pass-through returns the recorded SOAP response;" \
         "soapbridge returns 200 \"ok\":true with the translated data"
    local cap_url=$sb_url/v1/capabilities/$capability
    if [ "$warmup" -gt 0 ]; then
        run_wrk warmup-nginx "$(pass_url)" "$envelope" "$soap_ctype" \
            "$soapaction_header" "$warmup" "$nginx_pid"
        run_wrk warmup-soapbridge "$cap_url" "$request_json" "$json_ctype" "" \
            "$warmup" "$sb_pid"
    fi
    local r side order other=()
    local n_rps=() n_p50=() n_p99=() n_ngx=()
    local s_rps=() s_p50=() s_p99=() s_cpu=() s_ngx=()
    echo "(sb/nginx us/req: CPU time of soapbridge and of all nginx processes" \
         "per request; busy: the machine's CPUs; other: of that, processes" \
         "not in the benchmark)"
    printf '%-6s %-11s %10s %9s %9s %10s %13s %6s %6s\n' round side "req/s" \
        "p50 ms" "p99 ms" "sb us/req" "nginx us/req" busy other
    for ((r = 1; r <= rounds; r++)); do
        if ((r % 2)); then order="nginx soapbridge"; else order="soapbridge nginx"; fi
        for side in $order; do
            if [ "$side" = nginx ]; then
                run_wrk nginx "$(pass_url)" "$envelope" "$soap_ctype" \
                    "$soapaction_header" "$duration" "$nginx_pid"
                n_rps+=("$W_RPS"); n_p50+=("$W_P50"); n_p99+=("$W_P99")
                n_ngx+=("$(calc %.1f "$W_NGX * 1e6 / $W_REQ")")
                printf '%-6s %-11s %10.0f %9.3f %9.3f %10s %13.1f %5s%% %5s%%\n' \
                    "$r" nginx "$W_RPS" "$W_P50" "$W_P99" - "${n_ngx[-1]}" \
                    "$(pct "$W_BUSY")" "$(pct "$W_OTHER")"
            else
                run_wrk soapbridge "$cap_url" "$request_json" "$json_ctype" "" \
                    "$duration" "$sb_pid"
                s_rps+=("$W_RPS"); s_p50+=("$W_P50"); s_p99+=("$W_P99")
                s_cpu+=("$(calc %.1f "$W_CPU * 1e6 / $W_REQ")")
                s_ngx+=("$(calc %.1f "$W_NGX * 1e6 / $W_REQ")")
                printf '%-6s %-11s %10.0f %9.3f %9.3f %10.1f %13.1f %5s%% %5s%%\n' \
                    "$r" soapbridge "$W_RPS" "$W_P50" "$W_P99" "${s_cpu[-1]}" \
                    "${s_ngx[-1]}" "$(pct "$W_BUSY")" "$(pct "$W_OTHER")"
            fi
            other+=("$W_OTHER")
        done
    done
    local nr np50 np99 nngx sr sp50 sp99 scpu sngx ratio added
    nr=$(median "${n_rps[@]}"); np50=$(median "${n_p50[@]}")
    np99=$(median "${n_p99[@]}"); nngx=$(median "${n_ngx[@]}")
    sr=$(median "${s_rps[@]}"); sp50=$(median "${s_p50[@]}")
    sp99=$(median "${s_p99[@]}"); scpu=$(median "${s_cpu[@]}")
    sngx=$(median "${s_ngx[@]}")
    ratio=$(calc %.3f "$sr / $nr")
    added=$(calc %.3f "$sp99 - $np99")
    echo
    printf '%-28s %10s %9s %9s\n' "median of $rounds round(s)" "req/s" \
        "p50 ms" "p99 ms"
    printf '%-28s %10.0f %9.3f %9.3f\n' "nginx pass-through" "$nr" "$np50" "$np99"
    printf '%-28s %10.0f %9.3f %9.3f\n' "soapbridge $capability" "$sr" \
        "$sp50" "$sp99"
    verdict "$(calc %d "$ratio >= 0.6")"
    printf 'throughput ratio soapbridge/nginx: %.2f (target >= 0.60: %s)\n' \
        "$ratio" "$VERDICT"
    verdict "$(calc %d "$added <= 1.0")"
    printf 'added p99: %+.3f ms (target <= 1 ms: %s)\n' "$added" "$VERDICT"
    printf 'CPU per request: soapbridge %.1f us, plus %.1f us of its nginx' \
        "$scpu" "$sngx"
    printf ' backend; nginx pass-through with its backend %.1f us\n' "$nngx"
    note_other_load "${other[@]}"
    stop_pid "$sb_pid"
}

mode_scaling() {
    local counts w i r
    read -r -a counts <<<"$scaling"
    echo
    echo "== scaling: soapbridge at ${counts[*]} worker(s), all started at" \
         "once, $rounds round(s) x ${duration}s each, interleaved;" \
         "$connections connections, $threads wrk threads; nginx" \
         "$nginx_workers worker(s); $(nproc) CPU(s)"
    local sb_pids=() sb_urls=()
    for w in "${counts[@]}"; do
        start_soapbridge "soapbridge-w$w-$((${#sb_pids[@]} + 1))" "$w"
        check_soapbridge "$SB_URL"
        sb_pids+=("$SB_PID")
        sb_urls+=("$SB_URL/v1/capabilities/$capability")
    done
    if [ "$warmup" -gt 0 ]; then
        for i in "${!counts[@]}"; do
            run_wrk "warmup-w${counts[i]}" "${sb_urls[i]}" "$request_json" \
                "$json_ctype" "" "$warmup" "${sb_pids[i]}"
        done
    fi
    local -A rps p99 cores busy
    local order other=()
    for ((r = 1; r <= rounds; r++)); do
        order=("${!counts[@]}")
        if ! ((r % 2)); then
            order=()
            for ((i = ${#counts[@]} - 1; i >= 0; i--)); do order+=("$i"); done
        fi
        for i in "${order[@]}"; do
            run_wrk "scaling-w${counts[i]}" "${sb_urls[i]}" "$request_json" \
                "$json_ctype" "" "$duration" "${sb_pids[i]}"
            rps[$i]+=" $W_RPS"
            p99[$i]+=" $W_P99"
            cores[$i]+=" $(calc %.3f "$W_CPU / $duration")"
            busy[$i]+=" $W_BUSY"
            other+=("$W_OTHER")
        done
    done
    echo "(sb CPUs: CPUs' worth of time soapbridge used; req/CPU-s: requests" \
         "per second of soapbridge CPU time, flat when workers do not"
    echo " contend; busy: the machine's CPUs, shared with wrk and the nginx" \
         "backend)"
    printf '%-8s %10s %9s %9s %11s %8s %11s %6s\n' workers "req/s" "p99 ms" \
        speed-up "of linear" "sb CPUs" "req/CPU-s" busy
    local base="" base_w="" mr mp99 mc mb speedup eff verdict_scaling=met
    local ncpu
    ncpu=$(nproc)
    for i in "${!counts[@]}"; do
        w=${counts[i]}
        # shellcheck disable=SC2086  # lists of numbers
        { mr=$(median ${rps[$i]}); mp99=$(median ${p99[$i]})
          mc=$(median ${cores[$i]}); mb=$(median ${busy[$i]}); }
        if [ -z "$base" ]; then base=$mr; base_w=$w; fi
        speedup=$(calc %.2f "$mr / $base")
        eff=$(calc %.2f "$speedup * $base_w / $w")
        printf '%-8s %10.0f %9.3f %8sx %10s%% %8.2f %11.0f %5s%%\n' "$w" \
            "$mr" "$mp99" "$speedup" "$(pct "$eff")" "$mc" \
            "$(calc %.0f "($mc > 0) ? $mr / $mc : 0")" "$(pct "$mb")"
        if [ "$w" -le "$ncpu" ] && [ "$w" != "$base_w" ] &&
           [ "$(calc %d "$eff >= 0.8")" != 1 ]; then
            if [ "$(calc %d "$mb >= 0.9")" = 1 ]; then
                [ "$verdict_scaling" = "NOT met" ] || verdict_scaling=inconclusive
            else
                verdict_scaling="NOT met"
            fi
        fi
    done
    case $verdict_scaling in
    met) echo "near-linear up to the cores (within 80% of linear): met" ;;
    inconclusive)
        echo "near-linear up to the cores (within 80% of linear): not" \
             "measurable here: the machine's $ncpu CPU(s) were saturated by" \
             "soapbridge, wrk and the nginx backend together; compare" \
             "req/CPU-s across the rows instead" ;;
    *) targets_missed=1
       echo "near-linear up to the cores (within 80% of linear): NOT met" ;;
    esac
    note_other_load "${other[@]}"
    for i in "${!sb_pids[@]}"; do stop_pid "${sb_pids[i]}"; done
}

mode_idle() {
    local n=$idle_connections
    echo
    echo "== idle: $n idle keep-alive connections to soapbridge" \
         "($workers worker(s))"
    start_soapbridge soapbridge-idle "$workers"
    local sb_pid=$SB_PID sb_url=$SB_URL host port
    check_soapbridge "$sb_url"
    # A few requests first, so that what the first requests allocate
    # is in the baseline.
    [ "$warmup" -gt 0 ] &&
        run_wrk warmup-idle "$sb_url/v1/capabilities/$capability" \
            "$request_json" "$json_ctype" "" 1 "$sb_pid"
    local before fds_before after fds_after line still
    before=$(rss_kb "$sb_pid")
    fds_before=$(ls "/proc/$sb_pid/fd" | wc -l)
    host=${sb_url#http://}; port=${host##*:}; host=${host%:*}
    coproc IDLE { exec python3 "$helper" idle "$host" "$port" "$n"; }
    idle_pid=$IDLE_PID
    local in=${IDLE[0]} out=${IDLE[1]}
    if ! IFS= read -r -t 120 -u "$in" line || [ "$line" != "open $n" ]; then
        die "the idle connections could not be opened (${line:-no answer})"
    fi
    after=$(rss_kb "$sb_pid")
    fds_after=$(ls "/proc/$sb_pid/fd" | wc -l)
    check_soapbridge "$sb_url"
    echo check >&"$out"
    IFS= read -r -t 60 -u "$in" line || die "the idle helper did not answer"
    still=${line#still-open }
    echo close >&"$out"
    wait "$idle_pid" || true
    idle_pid=""
    local growth
    growth=$(calc %.1f "($after - $before) / 1024")
    printf 'RSS before %.1f MB, with %d idle connections %.1f MB:' \
        "$(calc %.1f "$before / 1024")" "$n" "$(calc %.1f "$after / 1024")"
    printf ' +%.1f MB (%.1f KB each)\n' "$growth" \
        "$(calc %.1f "($after - $before) / $n")"
    echo "soapbridge's open descriptors: $fds_before before, $fds_after with" \
         "the connections; $still of $n still open after the check call"
    [ "$still" = "$n" ] ||
        echo "$self: warning: soapbridge closed $((n - still)) idle connection(s)" >&2
    local scaled
    scaled=$(calc %.1f "($after - $before) / 1024 * 1000 / $n")
    verdict "$(calc %d "$scaled < 64")"
    printf '1,000 idle keep-alive connections: %.1f MB (target < 64 MB: %s)\n' \
        "$scaled" "$VERDICT"
    stop_pid "$sb_pid"
}

# ---- the run ----

echo "$self: $(date -u '+%Y-%m-%dT%H:%M:%SZ')"
machine_line
[ "$mode" = passthrough ] || echo "soapbridge: $soapbridge"
load=$(machine_load 1)
echo "machine busy before the run: $(pct "$load")%"
if [ "$(calc %d "$load > 0.1")" = 1 ]; then
    echo "$self: warning: the machine is already $(pct "$load")% busy:" \
         "other load makes the numbers noisy" >&2
fi

start_nginx
echo "nginx: backend 127.0.0.1:$backend_port, pass-through" \
     "127.0.0.1:$pass_port (pid $nginx_pid, $nginx_workers worker(s))"

if [ "$mode" = passthrough ]; then
    # Without soapbridge: the envelope as the README prints it.
    printf '%s' '<?xml version="1.0" encoding="UTF-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><n1:GetOrderStatus xmlns:n1="http://shipping.example.com/ws/2007"><OrderNo>A1001</OrderNo></n1:GetOrderStatus></soap:Body></soap:Envelope>
' >"$envelope"
    mode_passthrough
else
    make_config
    make_requests
    case $mode in
    compare) mode_compare ;;
    scaling) mode_scaling ;;
    idle) mode_idle ;;
    all) mode_compare; mode_scaling; mode_idle ;;
    esac
fi

stop_pid "$nginx_pid"
nginx_pid=""
if [ "$strict" = 1 ] && [ "$targets_missed" = 1 ]; then
    exit 2
fi
exit 0
