#!/usr/bin/env bash
# bench/bench_track_api.sh: does a tracking load slow the API? (issue 6:
# "writes batched so that tracking load does not slow the API"). One
# `pheu serve` on a demo database; bench/mixed_latency.py measures the
# API's latency from one keep-alive connection (GET /healthz, GET
# /contacts/{id} and a lifecycle stage move, ~65/s each) first alone,
# then while wrk sends page views to /t.gif at a steady rate
# (bench/wrk_track_paced.lua, BENCH_TRACK_RATES, default "1000 4000"
# page views a second), and prints the p50/p99 of each and the page
# views written. wrk's saturating runs (bench_tracking.sh) show the
# throughput; this shows what a business's steady traffic does to the
# CRM's users. The same client against the bare baseline server
# (bench/baseline, every answer a constant) first gives the floor of the
# client, the loopback and the HTTP library in the same run.
# Usage: bench/bench_track_api.sh [--db PATH]   (default: a temporary
# SQLite file with `pheu demo --contacts BENCH_CONTACTS`, 100,000)
# Environment: BENCH_API_ROUNDS (1500, about 25 s), BENCH_TRACK_SECONDS
# (35: each tracking run outlasts the API's measure).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=bench/lib.sh
source bench/lib.sh

bench_db_args bench_track_api "$@"
for f in ./pheu bench/baseline; do
    [ -x "$f" ] || bench_die "$f not built (make pheu bench/baseline)"
done
command -v wrk >/dev/null || bench_die "wrk not installed"
bench_start_tmp
[ -n "$db" ] || db=$tmp/track_api.db
./pheu init --db "$db" >/dev/null
if [ "$(bench_sql 'SELECT COUNT(*) FROM contacts')" = 0 ]; then
    ./pheu demo --db "$db" --contacts "${BENCH_CONTACTS:-100000}" >/dev/null
fi
ncontacts=$(bench_sql "SELECT MAX(id) FROM contacts")
token=$(bench_token "$db")
port=$(free_port)
# one client address sends every page view: lift its rate limit
PHEU_TRACK_RATE=1000000 PHEU_TRACK_BURST=1000000 PHEU_LOG=warn ./pheu serve \
    --db "$db" --listen "127.0.0.1:$port" --workers "${BENCH_WORKERS:-2}" \
    >"$tmp/serve.log" 2>&1 &
pheu_pid=$!
wait_http "http://127.0.0.1:$port/healthz" 30 || bench_die "pheu did not start"
curl -fsS -X PATCH -H "Authorization: Bearer $token" \
    -H "Content-Type: application/json" \
    -d '{"tracking_origins":["https://shop.example.vn"]}' \
    "http://127.0.0.1:$port/api/v1/settings" >/dev/null ||
    bench_die "PATCH /api/v1/settings failed"
rounds=${BENCH_API_ROUNDS:-1500}

bport=$(free_port)
bench/baseline "$bport" "${BENCH_WORKERS:-2}" 2>"$tmp/baseline.log" &
base_pid=$!
wait_http "http://127.0.0.1:$bport/" ||
    bench_die "baseline did not start: $(cat "$tmp/baseline.log")"
echo "the bare baseline, same client (load $(cut -d' ' -f1-3 /proc/loadavg)):"
python3 bench/mixed_latency.py "$bport" none $(( rounds / 5 + 1 )) "$ncontacts"
stop_pid "$base_pid"

echo "API alone (load $(cut -d' ' -f1-3 /proc/loadavg)):"
python3 bench/mixed_latency.py "$port" "$token" "$rounds" "$ncontacts"
for rate in ${BENCH_TRACK_RATES:-1000 4000}; do
    conns=$(( rate / 100 ))
    [ "$conns" -ge 1 ] || conns=1
    before=$(bench_sql "SELECT COUNT(*) FROM touchpoints")
    WRK_TRACK_DELAY_MS=10 wrk -t1 -c"$conns" -d"${BENCH_TRACK_SECONDS:-35}s" \
        -s bench/wrk_track_paced.lua "http://127.0.0.1:$port/" \
        >"$tmp/wrk.txt" 2>&1 &
    wrk_pid=$!
    sleep 2
    echo "API beside $rate page views/s (load $(cut -d' ' -f1-3 /proc/loadavg)):"
    python3 bench/mixed_latency.py "$port" "$token" "$rounds" "$ncontacts"
    wait "$wrk_pid" || bench_die "wrk failed: $(cat "$tmp/wrk.txt")"
    sleep 2
    after=$(bench_sql "SELECT COUNT(*) FROM touchpoints")
    sent=$(awk '/requests in/ {sub(",", "", $4); printf "%d in %s = %.0f/s", $1, $4, $1 / $4}' "$tmp/wrk.txt")
    echo "page views sent: $sent; written by now: $(( after - before ))"
done
