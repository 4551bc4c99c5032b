#!/usr/bin/env bash
# bench/bench_startup.sh: start-up time and idle memory of `pheu serve` on
# an existing demo database (SPEC §14: < 50 ms; < 15 MB RSS excluding
# mapped database pages).
# Usage: bench/bench_startup.sh [--db PATH] [--runs N]
#   --db PATH   database to serve; created with `pheu init` + `pheu demo`
#               when it does not exist. Default: a temporary demo database.
#   --runs N    start-up samples (default 10); the median is reported.
# Environment: BENCH_OUT appends a Markdown block; PHEU_DEMO_ARGS extra
# `pheu demo` flags; BENCH_WORKERS (default 2).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=bench/lib.sh
source bench/lib.sh

usage="usage: $0 [--db PATH] [--runs N]"
db=
runs=10
while [ $# -gt 0 ]; do
    case $1 in
    --db | --runs)
        [ $# -ge 2 ] || { echo "$usage" >&2; exit 2; }
        if [ "$1" = --db ]; then db=$2; else runs=$2; fi
        shift 2
        ;;
    -h | --help)
        echo "$usage"
        exit 0
        ;;
    *)
        echo "bench_startup: unknown option '$1'" >&2
        echo "$usage" >&2
        exit 2
        ;;
    esac
done
case $runs in
'' | *[!0-9]* | 0) echo "bench_startup: --runs must be a positive integer" >&2
    exit 2 ;;
esac

[ -x ./pheu ] || bench_die "./pheu not built (run make)"

workers=${BENCH_WORKERS:-2}
tmp=$(mktemp -d)
pid=

# Stops the server if one is running and removes the temporary
# directory; on failure shows the end of the server log first.
cleanup() {
    local rc=$?
    if [ "$rc" -ne 0 ] && [ -s "$tmp/serve.log" ]; then
        echo "--- last lines of the server log:" >&2
        tail -n 20 "$tmp/serve.log" >&2
    fi
    stop_pid "$pid"
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -z "$db" ]; then
    db=$tmp/bench.db
fi
if [ ! -e "$db" ]; then
    echo "bench_startup: creating demo database $db" >&2
    ./pheu init --db "$db" >"$tmp/init.log" 2>&1 ||
        bench_die "pheu init failed: $(cat "$tmp/init.log")"
    # shellcheck disable=SC2086 # PHEU_DEMO_ARGS is a list of flags
    ./pheu demo --db "$db" ${PHEU_DEMO_ARGS:-} >"$tmp/demo.log" 2>&1 ||
        bench_die "pheu demo failed: $(cat "$tmp/demo.log")"
fi

# start_server KIND PORT: start `pheu serve` (KIND pheu) or bench/baseline
# (KIND baseline) in the background on PORT; the pid goes to $pid.
start_server() {
    if [ "$1" = pheu ]; then
        ./pheu serve --db "$db" --listen "127.0.0.1:$2" --workers "$workers" \
            >>"$tmp/serve.log" 2>&1 &
    else
        bench/baseline "$2" "$workers" >>"$tmp/serve.log" 2>&1 &
    fi
    pid=$!
}

# first_answer PORT PATH T0: probe PATH on PORT until it answers 2xx (10 s
# at most) and print the ms elapsed since T0 (ns from now_ns).
first_answer() {
    local port=$1 path=$2 t0=$3 deadline now
    deadline=$((t0 + 10000000000))
    while :; do
        if http_probe 127.0.0.1 "$port" "$path"; then
            now_ns now
            awk -v d=$((now - t0)) 'BEGIN { printf "%.1f\n", d / 1e6 }'
            return 0
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            return 1
        fi
        now_ns now
        [ "$now" -lt "$deadline" ] || return 1
    done
}

# startup_runs KIND PATH FILE: $runs cold starts of KIND, one figure in ms
# per line of FILE.
startup_runs() {
    local kind=$1 path=$2 file=$3 i port t0
    : >"$file"
    for i in $(seq 1 "$runs"); do
        port=$(free_port)
        now_ns t0
        start_server "$kind" "$port"
        first_answer "$port" "$path" "$t0" >>"$file" ||
            bench_die "$kind run $i: no $path answer: $(tail -n 20 "$tmp/serve.log")"
        stop_pid "$pid"
        pid=
    done
}

# status_kb FIELD: print FIELD (kB) from /proc/$pid/status, 0 if absent.
status_kb() {
    awk -v f="$1:" '$1 == f { print $2; found = 1 } END {
        if (!found) print 0 }' "/proc/$pid/status"
}

# kb_mb KB: print KB as megabytes with one decimal.
kb_mb() {
    awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'
}

# The cost of one successful probe bounds the resolution of the start-up
# figure; measure it on a running server.
port=$(free_port)
start_server pheu "$port"
wait_http "http://127.0.0.1:$port/healthz" ||
    bench_die "pheu serve did not start: $(tail -n 20 "$tmp/serve.log")"
for _ in $(seq 1 10); do
    now_ns t0
    first_answer "$port" /healthz "$t0"
done >"$tmp/probe"
probe=$(median <"$tmp/probe")

# Idle memory after 1 s without requests.
sleep 1
vmrss=$(status_kb VmRSS)
anon=$(status_kb RssAnon)
file=$(status_kb RssFile)
shmem=$(status_kb RssShmem)
stop_pid "$pid"
pid=

startup_runs pheu /healthz "$tmp/startup"
startup=$(median <"$tmp/startup")
samples=$(sort -n "$tmp/startup" | tr '\n' ' ')

# The bare server's cold start is the floor set by process creation and
# loading libmicrohttpd on this machine.
floor="n/a (bench/baseline not built)"
if [ -x bench/baseline ]; then
    startup_runs baseline / "$tmp/floor"
    floor="median $(median <"$tmp/floor") ms"
fi

lines=(
    "database: $db ($(du -h "$db" | cut -f1))"
    "start-up to first /healthz: median ${startup} ms over $runs runs (samples ms: ${samples% })"
    "bench/baseline start-up to first answer (floor): $floor"
    "probe cost (one request, server already up): median ${probe} ms"
    "idle RSS excluding mapped database pages (RssAnon + RssShmem): $(kb_mb $((anon + shmem))) MB ($((anon + shmem)) kB)"
    "idle VmRSS: $(kb_mb "$vmrss") MB ($vmrss kB; RssAnon $anon kB, RssFile $file kB, RssShmem $shmem kB)"
)
printf '%s\n' "${lines[@]}"
bench_md "bench_startup.sh" "workers=$workers" "${lines[@]}"
