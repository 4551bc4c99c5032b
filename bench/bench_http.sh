#!/usr/bin/env bash
# bench/bench_http.sh: HTTP throughput of pheu against the bare
# libmicrohttpd baseline, measured in the same run (SPEC §14).
# Usage: bench/bench_http.sh [--db PATH|URL]
#   --db PATH   use this database; created with `pheu init` + `pheu demo`
#               when it does not exist (kept afterwards). Without --db a
#               temporary database is made and removed. A postgres:// URL
#               names an existing (possibly empty) PostgreSQL database:
#               the schema and demo data are added when missing.
# Environment: BENCH_SECONDS (default 10) per wrk run, after BENCH_WARMUP
# (default 1) seconds of warm-up; BENCH_ROUNDS (default 1) interleaved
# rounds, reported with their medians when > 1; BENCH_OUT appends a
# Markdown block to that file; PHEU_DEMO_ARGS extra `pheu demo` flags
# (e.g. "--contacts 1000000"); BENCH_WORKERS (default 2) for both servers.
# pheu's own settings pass through (PHEU_LOG=warn drops the per-request
# log line, which goes to a file here).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=bench/lib.sh
source bench/lib.sh

bench_db_args bench_http "$@"

[ -x ./pheu ] || bench_die "./pheu not built (run make)"
[ -x bench/baseline ] || bench_die "bench/baseline not built (run make)"
command -v wrk >/dev/null || bench_die "wrk not installed"

workers=${BENCH_WORKERS:-2}
rounds=${BENCH_ROUNDS:-1}
case $rounds in
'' | *[!0-9]* | 0) bench_die "BENCH_ROUNDS must be a positive integer" ;;
esac
bench_start_tmp

if [ -z "$db" ]; then
    db=$tmp/bench.db
fi
if [ ! -e "$db" ] || [[ $db == postgres* ]]; then
    echo "bench_http: creating demo database $db" >&2
    ./pheu init --db "$db" >"$tmp/init.log" 2>&1 ||
        bench_die "pheu init failed: $(cat "$tmp/init.log")"
    # shellcheck disable=SC2086 # PHEU_DEMO_ARGS is a list of flags
    ./pheu demo --db "$db" ${PHEU_DEMO_ARGS:-} >"$tmp/demo.log" 2>&1 ||
        bench_die "pheu demo failed: $(cat "$tmp/demo.log")"
fi

token=$(bench_token "$db")

users=$(./pheu user list --db "$db" 2>"$tmp/users.err" | wc -l) ||
    bench_die "pheu user list failed: $(cat "$tmp/users.err")"

port1=$(free_port)
bench/baseline "$port1" "$workers" 2>"$tmp/baseline.log" &
base_pid=$!
port2=$(free_port)
./pheu serve --db "$db" --listen "127.0.0.1:$port2" --workers "$workers" \
    >"$tmp/serve.log" 2>&1 &
pheu_pid=$!

wait_http "http://127.0.0.1:$port1/" ||
    bench_die "baseline did not start: $(cat "$tmp/baseline.log")"
wait_http "http://127.0.0.1:$port2/healthz" ||
    bench_die "pheu serve did not start: $(cat "$tmp/serve.log")"

# Check the authenticated route answers 200 before measuring it, so a bad
# token is reported instead of benchmarked.
code=$(curl -s -o "$tmp/me.json" -w '%{http_code}' \
    -H "Authorization: Bearer $token" "http://127.0.0.1:$port2/api/v1/me")
[ "$code" = 200 ] ||
    bench_die "GET /api/v1/me answered $code: $(head -c 300 "$tmp/me.json")"

engine=sqlite
[[ $db == postgres* ]] && engine=postgres
echo "data: $users users in $db ($engine); wrk -t1 -c32 -d${BENCH_SECONDS:-10}s;" \
    "rounds=$rounds; workers=$workers; $(machine_line)"
# measure SUFFIX: one round over the three targets, names ending SUFFIX.
measure() {
    BENCH_LINES+=("loadavg$1 $(cut -d' ' -f1-3 /proc/loadavg)")
    echo "${BENCH_LINES[-1]}"
    run_wrk "baseline$1" "http://127.0.0.1:$port1/"
    run_wrk "healthz$1" "http://127.0.0.1:$port2/healthz"
    run_wrk "me$1" "http://127.0.0.1:$port2/api/v1/me" \
        -H "Authorization: Bearer $token"
    run_wrk "user$1" "http://127.0.0.1:$port2/api/v1/users/2" \
        -H "Authorization: Bearer $token"
}

if [ "$rounds" -eq 1 ]; then
    measure ""
else
    # Interleaved rounds: drift on a shared machine hits all three alike.
    for i in $(seq 1 "$rounds"); do
        measure ".$i"
    done
    for n in baseline healthz me user; do
        wrk_median "$n" "$rounds"
    done
fi

r_health="healthz/baseline=$(ratio healthz baseline)"
r_me="me/baseline=$(ratio me baseline)"
r_user="user/baseline=$(ratio user baseline)"
echo "ratio $r_health $r_me $r_user"

bench_md "bench_http.sh" \
    "data: $users users; engine $engine; wrk -t1 -c32 -d${BENCH_SECONDS:-10}s; rounds=$rounds; workers=$workers" \
    "${BENCH_LINES[@]}" "ratio $r_health $r_me $r_user"
