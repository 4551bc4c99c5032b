#!/usr/bin/env bash
# bench/bench_tracking.sh: the tracking target of SPEC §14 and issue 6
# (decision 0016): /t.gif and /t/collect page views against the bare
# libmicrohttpd baseline in the same run (>= 0.9 x, p99 < 5 ms), each
# request a new visitor on a different page with UTM tags
# (bench/wrk_track.lua), while the writer thread stores every hit:
#   - req/s, latencies and the ratio to the baseline;
#   - rows written per second over the run and its drain, the queue's
#     high-water mark, hits dropped (queue full), from
#     GET /api/v1/tracking/stats, and the count in the table;
#   - CPU seconds of the HTTP threads and of the writer thread
#     (/proc/PID/task), as microseconds per hit: what the request path
#     and the write each cost;
#   - GET /api/v1/contacts/{id} (wrk -c8) alone and with tracking load
#     (wrk -c8 on /t.gif) at the same time: what tracking does to the API;
#   - t.gif_nowait: /t.gif on a second server started with
#     --track-defer-ms 0, whose writer stores hits while the burst is
#     answered (decision 0016, "Bursts"): what a burst longer than the
#     writer's wait (30 s, or half the queue's memory) costs, i.e. the
#     sustained rate.
# Usage: bench/bench_tracking.sh [--db PATH|URL]
#   --db PATH   database (kept): made with `pheu init` + `pheu demo` when
#               new; a postgres:// URL names an existing (maybe empty)
#               database. Default: a temporary SQLite file.
# Environment: BENCH_SECONDS (10) per wrk run after BENCH_WARMUP (1),
# BENCH_ROUNDS (1) interleaved rounds (medians when > 1), BENCH_WORKERS
# (2), BENCH_OUT (append a Markdown block), PHEU_DEMO_ARGS.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=bench/lib.sh
source bench/lib.sh

bench_db_args bench_tracking "$@"

[ -x ./pheu ] || bench_die "./pheu not built (run make)"
[ -x bench/baseline ] || bench_die "bench/baseline not built (make bench/baseline)"
command -v wrk >/dev/null || bench_die "wrk not installed"

workers=${BENCH_WORKERS:-2}
rounds=${BENCH_ROUNDS:-1}
secs=${BENCH_SECONDS:-10}
case $rounds in
'' | *[!0-9]* | 0) bench_die "BENCH_ROUNDS must be a positive integer" ;;
esac
bench_start_tmp

[ -n "$db" ] || db=$tmp/bench.db
engine=sqlite
[[ $db == postgres* ]] && engine=postgres
if [ ! -e "$db" ] || [ "$engine" = postgres ]; then
    ./pheu init --db "$db" >"$tmp/init.log" 2>&1 ||
        bench_die "pheu init failed: $(cat "$tmp/init.log")"
    if ! ./pheu user list --db "$db" 2>/dev/null | grep -q admin@demo.pheu.vn; then
        # shellcheck disable=SC2086 # PHEU_DEMO_ARGS is a list of flags
        ./pheu demo --db "$db" ${PHEU_DEMO_ARGS:-} >"$tmp/demo.log" 2>&1 ||
            bench_die "pheu demo failed: $(cat "$tmp/demo.log")"
    fi
fi
token=$(bench_token "$db")

port1=$(free_port)
bench/baseline "$port1" "$workers" 2>"$tmp/baseline.log" &
base_pid=$!
port2=$(free_port)
# One client address sends everything here: lift its rate limit.
PHEU_TRACK_RATE=1000000 PHEU_TRACK_BURST=1000000 ./pheu serve --db "$db" \
    --listen "127.0.0.1:$port2" --workers "$workers" >"$tmp/serve.log" 2>&1 &
pheu_pid=$!
port3=$(free_port)
PHEU_TRACK_DEFER_MS=0 PHEU_TRACK_RATE=1000000 PHEU_TRACK_BURST=1000000 \
    ./pheu serve --db "$db" --listen "127.0.0.1:$port3" \
    --workers "$workers" >"$tmp/serve2.log" 2>&1 &
pheu2_pid=$!
wait_http "http://127.0.0.1:$port1/" ||
    bench_die "baseline did not start: $(cat "$tmp/baseline.log")"
wait_http "http://127.0.0.1:$port2/healthz" 30 ||
    bench_die "pheu serve did not start: $(cat "$tmp/serve.log")"
wait_http "http://127.0.0.1:$port3/healthz" 30 ||
    bench_die "pheu serve (2) did not start: $(cat "$tmp/serve2.log")"

api=http://127.0.0.1:$port2/api/v1
auth="Authorization: Bearer $token"
curl -fsS -X PATCH -H "$auth" -H "Content-Type: application/json" \
    -d '{"tracking_origins":["https://shop.example.vn"]}' \
    "$api/settings" >/dev/null || bench_die "PATCH /api/v1/settings failed"

# tstat KEY: one counter of GET /api/v1/tracking/stats ("refused": the
# sum over every reason).
tstat() {
    curl -fsS -H "$auth" "${tapi:-$api}/tracking/stats" | python3 -c '
import json, sys
v = json.load(sys.stdin)[sys.argv[1]]
print(sum(v.values()) if isinstance(v, dict) else v)' "$1"
}
# rows: touchpoints in the table.
rows() {
    bench_sql "SELECT count(*) FROM touchpoints"
}
# cpu_ticks PATTERN: CPU ticks (user + system) of pheu's threads whose
# name matches PATTERN.
cpu_ticks() {
    local t sum=0 v
    for t in /proc/"${tpid:-$pheu_pid}"/task/*; do
        if grep -qE "$1" "$t/comm" 2>/dev/null; then
            v=$(awk '{ print $14 + $15 }' "$t/stat" 2>/dev/null || echo 0)
            sum=$((sum + v))
        fi
    done
    echo "$sum"
}
# wait_drained: until the writer's queue is empty (at most 120 s).
wait_drained() {
    local i
    for i in $(seq 1 1200); do
        [ "$(tstat queue_length)" = 0 ] && return 0
        sleep 0.1
    done
    bench_die "the tracking queue did not drain in 120 s"
}

hz=$(getconf CLK_TCK)
ncontacts=$(curl -fsS -H "$auth" "$api/contacts?sort=-id&limit=1" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["data"][0]["id"])')
echo "data: $ncontacts contacts ($engine); wrk -t1 -c32 -d${secs}s;" \
    "rounds=$rounds; workers=$workers; $(machine_line)"

# track NAME PATH METHOD [PORT PID]: a wrk run of page views on the
# server at PORT (default the first), then the writer's figures for it
# (the drain after the run included; waited: the time it deferred).
track() {
    local name=$1 w0 h0 q0 d0 r0 x0 t0 t1 w1 h1 q1 d1 r1 x1 ms line
    local tport=${4:-$port2} tpid=${5:-$pheu_pid}
    local tapi=http://127.0.0.1:$tport/api/v1
    w0=$(cpu_ticks '^pheu-track$')
    h0=$(cpu_ticks '^MHD-worker')
    q0=$(tstat queued)
    d0=$(tstat written)
    r0=$(tstat refused)
    x0=$(tstat deferred_ms)
    now_ns t0
    WRK_TRACK_PATH=$2 WRK_TRACK_METHOD=$3 run_wrk "$name" \
        "http://127.0.0.1:$tport/" -s bench/wrk_track.lua
    wait_drained
    now_ns t1
    w1=$(cpu_ticks '^pheu-track$')
    h1=$(cpu_ticks '^MHD-worker')
    q1=$(tstat queued)
    d1=$(tstat written)
    r1=$(tstat refused)
    x1=$(tstat deferred_ms)
    ms=$(((t1 - t0) / 1000000))
    line=$(awk -v q=$((q1 - q0)) -v d=$((d1 - d0)) -v r=$((r1 - r0)) \
        -v ms="$ms" -v w=$((w1 - w0)) -v h=$((h1 - h0)) -v hz="$hz" \
        -v x=$((x1 - x0)) -v hw="$(tstat queue_high_water)" -v n="$name" \
        'BEGIN {
        tot = q + r
        printf "%s writer: queued=%d written=%d refused=%d in %.1f s " \
            "(run + drain) = %.0f rows/s; waited %.1f s; queue " \
            "high-water=%d; cpu us/hit: http=%.1f writer=%.1f", n, q, d, r,
            ms / 1000, d * 1000 / ms, x / 1000, hw,
            tot ? h * 1e6 / hz / tot : 0, d ? w * 1e6 / hz / d : 0 }')
    BENCH_LINES+=("$line")
    echo "$line"
}

# measure SUFFIX: one round.
measure() {
    BENCH_LINES+=("loadavg$1 $(cut -d' ' -f1-3 /proc/loadavg)")
    echo "${BENCH_LINES[-1]}"
    # The baseline gets the very requests of each tracking run (same
    # script, same bytes): the ratio is the server's own cost, not wrk's.
    # baseline_plain (GET /, no script) is the figure of the other benches.
    run_wrk "baseline_plain$1" "http://127.0.0.1:$port1/"
    WRK_TRACK_PATH=/t.gif WRK_TRACK_METHOD=GET run_wrk "baseline$1" \
        "http://127.0.0.1:$port1/" -s bench/wrk_track.lua
    track "t.gif$1" /t.gif GET
    WRK_TRACK_PATH=/t/collect WRK_TRACK_METHOD=POST run_wrk \
        "baseline_post$1" "http://127.0.0.1:$port1/" -s bench/wrk_track.lua
    track "collect$1" /t/collect POST
    track "t.gif_nowait$1" /t.gif GET "$port3" "$pheu2_pid"
    WRK_IDS_N=$ncontacts WRK_CONNECTIONS=8 run_wrk "contact$1" \
        "$api/contacts/1" -H "$auth" -s bench/wrk_ids.lua
    WRK_TRACK_PATH=/t.gif wrk -t1 -c8 -d$((secs + 2))s \
        -s bench/wrk_track.lua "http://127.0.0.1:$port2/" \
        >"$tmp/bg.out" 2>&1 &
    local bg=$!
    sleep 1
    WRK_IDS_N=$ncontacts BENCH_WARMUP=0 WRK_CONNECTIONS=8 run_wrk \
        "contact_with_tracking$1" "$api/contacts/1" -H "$auth" \
        -s bench/wrk_ids.lua
    wait "$bg" || true
    BENCH_LINES+=("tracking load beside it:$(grep -E 'Requests/sec' \
        "$tmp/bg.out" | sed 's/Requests\/sec:/ req\/s=/')")
    echo "${BENCH_LINES[-1]}"
    wait_drained
}

bench_rounds measure "$rounds" baseline_plain baseline t.gif baseline_post \
    collect t.gif_nowait contact contact_with_tracking
written=$(rows)
r="t.gif/baseline=$(ratio t.gif baseline) collect/baseline=$(ratio collect baseline_post) t.gif_nowait/baseline=$(ratio t.gif_nowait baseline)"
echo "ratio $r; touchpoints in the table: $written"
bench_md "bench_tracking.sh" \
    "data: $ncontacts contacts; engine $engine; wrk -t1 -c32 -d${secs}s; rounds=$rounds; workers=$workers" \
    "${BENCH_LINES[@]}" "ratio $r; touchpoints in the table: $written"
