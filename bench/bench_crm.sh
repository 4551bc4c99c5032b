#!/usr/bin/env bash
# bench/bench_crm.sh: the CRM read targets of issue 4 (SPEC §14) on a demo
# database of BENCH_CONTACTS contacts (default 1,000,000, with 200,000
# companies):
#   - pheu demo itself (the load time it prints, when it makes the data);
#   - GET /api/v1/contacts/{id}, random ids (bench/wrk_ids.lua), against
#     the bare baseline in the same run: >= 0.9 x and >= 16,000 req/s,
#     p99 < 5 ms;
#   - a filtered, sorted list page (lifecycle_stage=lead&owner_id=…&
#     sort=-created_at&limit=50) and its next page by cursor: p99 < 20 ms;
#   - search q=nguyen van and q=0912: p99 < 30 ms, the database part
#     (bench/sqltime, the same library calls without HTTP) < 5 ms;
#   - export of every contact as CSV over HTTP and with pheu export:
#     < 10 s, memory that does not grow with the rows (peak anonymous RSS
#     at 10,000 rows and at all of them);
#   - writes (issue 3, CRUD on both engines): PATCH of a contact's title
#     (bench/wrk_patch.lua), a lifecycle stage move (bench/wrk_stage.lua)
#     and POST of a new contact (bench/wrk_post.lua), after the reads of
#     each round (they add contacts and history to the data).
# Usage: bench/bench_crm.sh [--db PATH|URL]
#   --db PATH   database to use; made with `pheu init` + `pheu demo
#               --contacts BENCH_CONTACTS` when it has no demo yet (kept
#               afterwards). Default: a temporary SQLite file, removed. A
#               postgres:// URL names an existing (maybe empty) database.
# Environment: BENCH_CONTACTS, BENCH_SECONDS (default 10) per wrk run,
# BENCH_WARMUP (1), BENCH_ROUNDS (1) interleaved rounds reported as
# medians, BENCH_WORKERS (2), BENCH_OUT (append a Markdown block),
# BENCH_EXPORTS=0 skips the exports, BENCH_WRITES=0 the writes,
# BENCH_READS=0 the lists and searches (contact by id stays).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=bench/lib.sh
source bench/lib.sh

bench_db_args bench_crm "$@"

for f in ./pheu bench/baseline bench/sqltime; do
    [ -x "$f" ] || bench_die "$f not built (make pheu bench/baseline bench/sqltime)"
done
command -v wrk >/dev/null || bench_die "wrk not installed"
[ -x /usr/bin/time ] || bench_die "GNU time (/usr/bin/time) not installed"

contacts=${BENCH_CONTACTS:-1000000}
workers=${BENCH_WORKERS:-2}
rounds=${BENCH_ROUNDS:-1}
case $rounds in
'' | *[!0-9]* | 0) bench_die "BENCH_ROUNDS must be a positive integer" ;;
esac
bench_start_tmp

[ -n "$db" ] || db=$tmp/crm.db
engine=sqlite
[[ $db == postgres* ]] && engine=postgres

# ---- the data ----
./pheu init --db "$db" >"$tmp/init.log" 2>&1 ||
    bench_die "pheu init failed: $(cat "$tmp/init.log")"
echo "bench_crm: pheu demo --contacts $contacts on $db (may take minutes)" >&2
./pheu demo --db "$db" --contacts "$contacts" --verbose >"$tmp/demo.log" \
    2>&1 || bench_die "pheu demo failed: $(cat "$tmp/demo.log")"
demo_line=$(grep -E '^demo data' "$tmp/demo.log" || true)
BENCH_LINES+=("$demo_line")
echo "$demo_line"
if grep -q '^demo: ' "$tmp/demo.log"; then
    while IFS= read -r l; do
        BENCH_LINES+=("$l")
        echo "$l"
    done < <(grep '^demo: ' "$tmp/demo.log")
fi

token=$(bench_token "$db")

port1=$(free_port)
bench/baseline "$port1" "$workers" 2>"$tmp/baseline.log" &
base_pid=$!
port2=$(free_port)
./pheu serve --db "$db" --listen "127.0.0.1:$port2" --workers "$workers" \
    >"$tmp/serve.log" 2>&1 &
pheu_pid=$!
wait_http "http://127.0.0.1:$port1/" ||
    bench_die "baseline did not start: $(cat "$tmp/baseline.log")"
wait_http "http://127.0.0.1:$port2/healthz" 30 ||
    bench_die "pheu serve did not start: $(cat "$tmp/serve.log")"

api=http://127.0.0.1:$port2/api/v1
auth="Authorization: Bearer $token"
# api_get PATH: the body of an authenticated GET, or die.
api_get() {
    curl -fsS -H "$auth" "$api$1" || bench_die "GET $1 failed"
}
json_field() {
    python3 -c 'import json, sys; d = json.load(sys.stdin)
v = d
for k in sys.argv[1:]:
    v = v[int(k)] if isinstance(v, list) else v[k]
print("" if v is None else v)' "$@"
}

ncontacts=$(api_get "/contacts?sort=-id&limit=1" | json_field data 0 id)
# the rep with the most leads among the first page of leads
owner=$(api_get "/contacts?lifecycle_stage=lead&limit=1" |
    json_field data 0 owner_id)
list="/contacts?lifecycle_stage=lead&owner_id=$owner&sort=-created_at&limit=50"
cursor=$(api_get "$list" | json_field next_cursor)
[ -n "$cursor" ] || bench_die "the list of owner $owner has one page only"
nleads=$(./pheu export contacts --db "$db" --filter \
    "lifecycle_stage=lead&owner_id=$owner" | tail -n +2 | wc -l)

echo "data: $ncontacts contacts ($engine); owner $owner has $nleads leads;" \
    "wrk -t1 -c32 -d${BENCH_SECONDS:-10}s; rounds=$rounds; workers=$workers"
BENCH_LINES+=("data: $ncontacts contacts; engine $engine; owner $owner has $nleads leads; wrk -t1 -c32 -d${BENCH_SECONDS:-10}s; rounds=$rounds; workers=$workers")

# ---- exports (first: reading every contact also warms the server's
# mapping of the database file for the reads that follow) ----
# Memory is the anonymous resident set (RssAnon), sampled while the
# export runs: file pages the kernel maps for reading are not memory the
# export holds.
# sample_anon PID OUT: writes the largest RssAnon (kB) of PID seen every
# 20 ms into OUT until OUT.stop exists or PID ends.
sample_anon() {
    local pid=$1 out=$2 max=0 v
    while [ ! -e "$out.stop" ] && kill -0 "$pid" 2>/dev/null; do
        v=$(awk '/^RssAnon:/ { print $2 }' "/proc/$pid/status" 2>/dev/null ||
            echo 0)
        [ "${v:-0}" -gt "$max" ] && max=$v
        echo "$max" >"$out"
        sleep 0.02
    done
}
# export_http NAME QUERY: one streamed CSV export; prints its line.
export_http() {
    local out secs bytes rows before
    before=$(awk '/^RssAnon:/ { print $2 }' "/proc/$pheu_pid/status")
    rm -f "$tmp/anon" "$tmp/anon.stop"
    sample_anon "$pheu_pid" "$tmp/anon" &
    local sampler=$!
    out=$(curl -fsS -o "$tmp/export.csv" -H "$auth" \
        -w '%{time_total} %{size_download}' "$api/exports/contacts$2") ||
        bench_die "export $1 failed"
    touch "$tmp/anon.stop"
    wait "$sampler" 2>/dev/null || true
    read -r secs bytes <<<"$out"
    rows=$(($(wc -l <"$tmp/export.csv") - 1))
    rm -f "$tmp/export.csv"
    l="export_http $1 rows=$rows bytes=$bytes time=${secs}s server_rss_anon_before=${before}kB peak_during=$(cat "$tmp/anon")kB"
    BENCH_LINES+=("$l")
    echo "$l"
}
if [ "${BENCH_EXPORTS:-1}" != 0 ]; then
export_http 10k "?id%5Blte%5D=10000"
export_http all ""
fi
# export_cli NAME ARGS...: pheu export to /dev/null, timed, its RssAnon
# sampled.
export_cli() {
    local name=$1 t0 t1 pid
    shift
    rm -f "$tmp/anon" "$tmp/anon.stop"
    now_ns t0
    ./pheu export contacts --db "$db" "$@" >/dev/null &
    pid=$!
    sample_anon "$pid" "$tmp/anon"
    wait "$pid" || bench_die "pheu export $name failed"
    now_ns t1
    l="export_cli $name time=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')s peak_rss_anon=$(cat "$tmp/anon")kB"
    BENCH_LINES+=("$l")
    echo "$l"
}
if [ "${BENCH_EXPORTS:-1}" != 0 ]; then
export_cli 10k --filter 'id[lte]=10000'
export_cli 100k --filter 'id[lte]=100000'
export_cli all
export_cli json_all --format json
fi

# ---- HTTP ----
# measure SUFFIX: one round over the targets, names ending SUFFIX. Lists
# and searches run twice: with 32 connections (throughput; the latency
# then includes waiting behind 31 others on two workers) and with one
# (the latency of a request alone).
measure() {
    local c
    BENCH_LINES+=("loadavg$1 $(cut -d' ' -f1-3 /proc/loadavg)")
    echo "${BENCH_LINES[-1]}"
    run_wrk "baseline$1" "http://127.0.0.1:$port1/"
    WRK_IDS_N=$ncontacts run_wrk "contact_by_id$1" "$api/contacts/1" \
        -H "$auth" -s bench/wrk_ids.lua
    if [ "${BENCH_WRITES:-1}" != 0 ]; then
        WRK_IDS_N=$ncontacts run_wrk "patch_title$1" "$api/contacts/1" \
            -H "$auth" -s bench/wrk_patch.lua
        WRK_IDS_N=$ncontacts run_wrk "patch_stage$1" "$api/contacts/1" \
            -H "$auth" -s bench/wrk_stage.lua
        run_wrk "post_contact$1" "$api/contacts" -H "$auth" \
            -s bench/wrk_post.lua
    fi
    [ "${BENCH_READS:-1}" = 0 ] && return 0
    for c in 32 1; do
        WRK_CONNECTIONS=$c run_wrk "list_page_c$c$1" "$api$list" -H "$auth"
        WRK_CONNECTIONS=$c run_wrk "list_next_page_c$c$1" \
            "$api$list&cursor=$cursor" -H "$auth"
        WRK_CONNECTIONS=$c run_wrk "search_nguyen_van_c$c$1" \
            "$api/contacts?q=nguyen%20van&limit=50" -H "$auth"
        WRK_CONNECTIONS=$c run_wrk "search_0912_c$c$1" \
            "$api/contacts?q=0912&limit=50" -H "$auth"
    done
}
names="baseline contact_by_id"
[ "${BENCH_WRITES:-1}" != 0 ] && names="$names patch_title patch_stage post_contact"
for c in 32 1; do
    [ "${BENCH_READS:-1}" = 0 ] && break
    names="$names list_page_c$c list_next_page_c$c search_nguyen_van_c$c"
    names="$names search_0912_c$c"
done
if [ "$rounds" -eq 1 ]; then
    measure ""
else
    for i in $(seq 1 "$rounds"); do
        measure ".$i"
    done
    for n in $names; do
        wrk_median "$n" "$rounds"
    done
fi
BENCH_LINES+=("loadavg.end $(cut -d' ' -f1-3 /proc/loadavg)")
echo "${BENCH_LINES[-1]}"
r="ratio contact_by_id/baseline=$(ratio contact_by_id baseline)"
BENCH_LINES+=("$r")
echo "$r"

# ---- the database part alone ----
while IFS= read -r l; do
    BENCH_LINES+=("$l")
    echo "$l"
done < <(bench/sqltime "$db" "$owner" 200)

bench_md "bench_crm.sh ($engine, $ncontacts contacts)" "${BENCH_LINES[@]}"
