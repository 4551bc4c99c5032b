#!/usr/bin/env bash
# bench/bench_funnel.sh: the funnel targets of issue 5 (SPEC §14) on a demo
# database of BENCH_CONTACTS contacts (default 1,000,000) whose stage
# history is padded to about BENCH_STAGE_CHANGES rows (default 5,000,000:
# the demo's own history plus re-entries of a contact's current stage a
# second later, which change no first entry):
#   - GET /api/v1/reports/funnel, cohort over every contact: < 500 ms;
#   - the same grouped by source: < 1 s;
#   - a one-month period funnel (mode=period): < 200 ms, for last month
#     and (not a target of its own) the same month a year earlier;
#   each BENCH_REPEAT times (default 11) after one warm-up, one request at
#   a time: median and max;
#   - moving one contact's stage: its database part alone (bench/stagetime:
#     the same library calls without HTTP, one move every 5 ms), then
#     PATCH lifecycle_stage (random contact,
#     random stage): p99 < 2 ms, at a steady pace (one connection, a
#     pause of 1000 / BENCH_MOVE_RATE ms after each answer, default 200:
#     155-160 moves/s at 1M; bench/wrk_stage_paced.lua) and at
#     saturation (bench/wrk_stage.lua, wrk -t1 -c1, with the bare
#     baseline at one connection in the same run).
# Usage: bench/bench_funnel.sh [--db PATH|URL]
#   --db PATH   database to use; made with `pheu init` + `pheu demo` when
#               it has no contacts yet (kept afterwards). Default: a
#               temporary SQLite file, removed. A postgres:// URL names an
#               existing (maybe empty) database.
# Environment: BENCH_CONTACTS, BENCH_STAGE_CHANGES, BENCH_REPEAT,
# BENCH_SECONDS (default 10) for wrk, BENCH_WORKERS (2), BENCH_OUT
# (append a Markdown block).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=bench/lib.sh
source bench/lib.sh

bench_db_args bench_funnel "$@"

for f in ./pheu bench/baseline bench/stagetime; do
    [ -x "$f" ] || bench_die "$f not built (make pheu bench/baseline bench/stagetime)"
done
command -v wrk >/dev/null || bench_die "wrk not installed"
contacts=${BENCH_CONTACTS:-1000000}
want_changes=${BENCH_STAGE_CHANGES:-5000000}
repeat=${BENCH_REPEAT:-11}
workers=${BENCH_WORKERS:-2}
bench_start_tmp

[ -n "$db" ] || db=$tmp/funnel.db
engine=sqlite
[[ $db == postgres* ]] && engine=postgres

# ---- the data ----
./pheu init --db "$db" >"$tmp/init.log" 2>&1 ||
    bench_die "pheu init failed: $(cat "$tmp/init.log")"
if [ "$(bench_sql 'SELECT COUNT(*) FROM contacts')" = 0 ]; then
    echo "bench_funnel: pheu demo --contacts $contacts (may take minutes)" >&2
    ./pheu demo --db "$db" --contacts "$contacts" >"$tmp/demo.log" 2>&1 ||
        bench_die "pheu demo failed: $(cat "$tmp/demo.log")"
    grep -E '^demo data' "$tmp/demo.log" || true
fi
have=$(bench_sql 'SELECT COUNT(*) FROM stage_changes')
while [ "$have" -lt "$want_changes" ]; do
    # one more re-entry per contact with a stage, up to the target
    bench_sql "INSERT INTO stage_changes (contact_id, from_stage, to_stage, at,
         by_user, reason) SELECT id, lifecycle_stage, lifecycle_stage,
         updated_at + 1000, NULL, 'bench re-entry' FROM contacts WHERE
         lifecycle_stage IS NOT NULL AND id <= (SELECT MIN(id) FROM contacts)
         + $want_changes - $have" >/dev/null
    now=$(bench_sql 'SELECT COUNT(*) FROM stage_changes')
    [ "$now" -gt "$have" ] || bench_die "cannot pad the stage history"
    have=$now
done
[ "$engine" = postgres ] && bench_sql 'VACUUM ANALYZE contacts' >/dev/null
ncontacts=$(bench_sql 'SELECT COUNT(*) FROM contacts')
nchanges=$(bench_sql 'SELECT COUNT(*) FROM stage_changes')
maxid=$(bench_sql 'SELECT MAX(id) FROM contacts')
line="data: $ncontacts contacts, $nchanges stage changes ($engine); workers=$workers; $(bench_warm); load average $(cut -d' ' -f1-3 /proc/loadavg)"
BENCH_LINES+=("$line")
echo "$line"

# ---- the database part of a stage move (no HTTP, no client) ----
line=$(bench/stagetime "$db" 2000 5000) || bench_die "bench/stagetime failed"
BENCH_LINES+=("$line")
echo "$line"

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

# ---- the reports ----
today=$(date -u +%Y-%m-%d)
last_month_from=$(date -u -d "$(date -u +%Y-%m-01) -1 month" +%Y-%m-%d)
last_month_to=$(date -u -d "$(date -u +%Y-%m-01) -1 day" +%Y-%m-%d)
# the same month a year earlier: a period SQLite cannot narrow to the
# contacts active since (decision 0010), for comparison
old_month_from=$(date -u -d "$last_month_from -1 year" +%Y-%m-%d)
old_month_to=$(date -u -d "$(date -u +%Y-%m-01) -1 year -1 day" +%Y-%m-%d)
# report NAME QUERY TARGET_MS: times the report; prints its line.
report() {
    local name=$1 q=$2 target=$3 t med max
    t=$(time_get "$api/reports/funnel?$q" "$auth" "$repeat") ||
        bench_die "report $name failed"
    med=${t% *}
    max=${t#* }
    local counted
    counted=$(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(d["contacts"], len(d["groups"]))' "$tmp/r.json")
    line="funnel_$name median=${med}ms max=${max}ms over $repeat (contacts, groups = $counted) target<${target}ms"
    BENCH_LINES+=("$line")
    echo "$line"
}
report cohort_all "from=2000-01-01&to=$today" 500
report cohort_by_source "from=2000-01-01&to=$today&group_by=source" 1000
report period_one_month \
    "from=$last_month_from&to=$last_month_to&mode=period" 200
report period_one_month_a_year_earlier \
    "from=$old_month_from&to=$old_month_to&mode=period" 200
report cohort_one_month "from=$last_month_from&to=$last_month_to" 200

# ---- moving one contact's stage ----
# The reports took a minute: read the database in again, so that the
# moves time the database and not the disk on a machine that drops file
# pages nobody read for a few seconds (this VM's DAMON pageout, RESULTS
# "A cold page cache"); BENCH_COLD=1 skips it as it skips the first.
line="stage moves: $(bench_warm)"
BENCH_LINES+=("$line")
echo "$line"
# paced: one connection, a pause of 1000 / BENCH_MOVE_RATE ms after each
# answer; the bare baseline the same way, for the floor of the client and
# the loopback at that pace
pause=$((1000 / ${BENCH_MOVE_RATE:-200}))
WRK_CONNECTIONS=1 WRK_STAGE_DELAY_MS=$pause run_wrk baseline_paced \
    "http://127.0.0.1:$port1/" -s bench/wrk_stage_paced.lua
WRK_CONNECTIONS=1 WRK_STAGE_DELAY_MS=$pause WRK_IDS_N=$maxid \
    run_wrk stage_move_paced "$api/contacts/1" -H "$auth" \
    -s bench/wrk_stage_paced.lua
WRK_CONNECTIONS=1 run_wrk baseline_c1 "http://127.0.0.1:$port1/"
WRK_CONNECTIONS=1 WRK_IDS_N=$maxid run_wrk stage_move_c1 "$api/contacts/1" \
    -H "$auth" -s bench/wrk_stage.lua
r="ratio stage_move_c1/baseline_c1=$(ratio stage_move_c1 baseline_c1)"
BENCH_LINES+=("$r")
echo "$r"

bench_md "bench_funnel.sh ($engine, $ncontacts contacts, $nchanges stage changes)" "${BENCH_LINES[@]}"
