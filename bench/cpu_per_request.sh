#!/usr/bin/env bash
# bench/cpu_per_request.sh: CPU microseconds per request of `pheu serve`
# and, on PostgreSQL, of the server's backends, for GET
# /api/v1/contacts/{id} with random ids (bench/wrk_ids.lua) or a PATCH of
# a contact's title (bench/wrk_patch.lua). Throughput on the shared
# 2-core machine moves with the neighbours' load; the CPU a request costs
# moves much less, so it is what tells the engines apart (issue 3: CRUD
# on PostgreSQL within 2 x of SQLite). Each round also sends the same
# requests to the bare baseline server (bench/baseline) and prints
# pheu's req/s as a ratio of its, and its CPU per request.
# Usage: bench/cpu_per_request.sh DB [PGDATA] [get|patch]
#   DB      a database with demo contacts (`pheu demo --contacts N`):
#           a SQLite path, or a postgres:// URL (TCP, or a Unix socket:
#           postgres://USER@/DB?host=SOCKETDIR&port=PORT)
#   PGDATA  the PostgreSQL data directory (tests/pg.sh makes DIR/data):
#           its postmaster's children are the backends counted
# Environment: BENCH_SECONDS (5), BENCH_ROUNDS (3), BENCH_WORKERS (2).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=bench/lib.sh
source bench/lib.sh

db=${1:?usage: bench/cpu_per_request.sh DB [PGDATA] [get|patch]}
pgdata=${2:-}
what=${3:-get}
case $what in
get) script=bench/wrk_ids.lua ;;
patch) script=bench/wrk_patch.lua ;;
*) bench_die "the request is get or patch" ;;
esac
for f in ./pheu bench/baseline; do
    [ -x "$f" ] || bench_die "$f not built (make pheu bench/baseline)"
done
command -v wrk >/dev/null || bench_die "wrk not installed"
bench_start_tmp
ncontacts=$(bench_sql "SELECT MAX(id) FROM contacts")
token=$(bench_token "$db")
port=$(free_port)
PHEU_LOG=warn ./pheu serve --db "$db" --listen "127.0.0.1:$port" \
    --workers "${BENCH_WORKERS:-2}" >"$tmp/serve.log" 2>&1 &
pheu_pid=$!
wait_http "http://127.0.0.1:$port/healthz" || bench_die "pheu did not start"
bport=$(free_port)
bench/baseline "$bport" "${BENCH_WORKERS:-2}" 2>"$tmp/baseline.log" &
base_pid=$!
wait_http "http://127.0.0.1:$bport/" ||
    bench_die "baseline did not start: $(cat "$tmp/baseline.log")"
pm=
[ -n "$pgdata" ] && pm=$(head -n 1 "$pgdata/postmaster.pid")

# ticks PID...: user + system clock ticks (1/100 s) of the processes
ticks() {
    local s=0 p
    for p in "$@"; do
        [ -r "/proc/$p/stat" ] && s=$((s + $(awk '{print $14 + $15}' "/proc/$p/stat")))
    done
    echo "$s"
}

# backends: the postmaster and its children now (none on SQLite)
backends() {
    [ -n "$pm" ] && echo "$pm $(pgrep -d' ' -P "$pm" || true)"
    return 0
}

# load PORT: wrk's output for the requests sent to PORT for BENCH_SECONDS
load() {
    WRK_IDS_N=$ncontacts wrk -t1 -c32 -d"${BENCH_SECONDS:-5}s" \
        -H "Authorization: Bearer $token" -s "$script" \
        "http://127.0.0.1:$1/api/v1/contacts/1"
}

for r in $(seq "${BENCH_ROUNDS:-3}"); do
    t=$(ticks "$base_pid")
    out=$(load "$bport")
    t2=$(ticks "$base_pid")
    bn=$(awk '/requests in/ {print $1}' <<<"$out")
    brps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    read -ra procs <<<"$(backends)"
    a=$(ticks "$pheu_pid")
    b=$(ticks "${procs[@]}")
    out=$(load "$port")
    read -ra procs <<<"$(backends)"
    a2=$(ticks "$pheu_pid")
    b2=$(ticks "${procs[@]}")
    n=$(awk '/requests in/ {print $1}' <<<"$out")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    echo "$what round $r: $rps req/s, $n requests; CPU per request: pheu" \
        "$(( (a2 - a) * 10000 / n )) us, PostgreSQL $(( (b2 - b) * 10000 / n ))" \
        "us (load $(cut -d' ' -f1-3 /proc/loadavg))"
    echo "$what round $r: baseline $brps req/s, CPU per request" \
        "$(( (t2 - t) * 10000 / bn )) us; ratio pheu/baseline" \
        "$(ratio "$rps" "$brps")"
done
stop_pid "$pheu_pid"
stop_pid "$base_pid"
