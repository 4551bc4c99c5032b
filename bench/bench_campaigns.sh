#!/usr/bin/env bash
# bench/bench_campaigns.sh: the campaign performance target of issue 6
# (SPEC §14 / issue 6 "Performance"): GET /api/v1/reports/campaigns for
# 500 campaigns over 1,000,000 contacts, with touchpoints and won deals,
# in < 1 s. Data: `pheu demo --contacts BENCH_CONTACTS` (default
# 1,000,000), its own marketing data taken out (bench/campaigns_clear.sql),
# then bench/campaigns_data.sql (500 campaigns, 6,000 cost
# entries, two contacts in five with one as original campaign, 2,000,000
# touchpoints, 20,000 won deals). The whole of 2026 with the linear and
# the time-decay model, one channel, and one sales rep's view, each
# BENCH_REPEAT times (default 5) after one warm-up, one request at a
# time: median and max, and the server's peak RSS.
# Usage: bench/bench_campaigns.sh [--db PATH|URL]
#   --db PATH   database to use; made with `pheu init`, `pheu demo` and
#               bench/campaigns_data.sql when it has no bench campaigns
#               yet (kept afterwards). Default: a temporary SQLite file,
#               removed. A postgres:// URL names an existing (maybe
#               empty) database.
# Environment: BENCH_CONTACTS, BENCH_REPEAT, BENCH_WORKERS (2), BENCH_OUT
# (append a Markdown block).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=bench/lib.sh
source bench/lib.sh

bench_db_args bench_campaigns "$@"

[ -x ./pheu ] || bench_die "./pheu not built (make pheu)"
repeat=${BENCH_REPEAT:-5}
workers=${BENCH_WORKERS:-2}
contacts=${BENCH_CONTACTS:-1000000}
bench_start_tmp

[ -n "$db" ] || db=$tmp/campaigns.db
engine=sqlite
[[ $db == postgres* ]] && engine=postgres

# ---- the data ----
./pheu init --db "$db" >"$tmp/init.log" 2>&1 ||
    bench_die "pheu init failed: $(cat "$tmp/init.log")"
if [ "$(bench_sql 'SELECT COUNT(*) FROM contacts')" = 0 ]; then
    echo "bench_campaigns: pheu demo --contacts $contacts (may take minutes)" >&2
    ./pheu demo --db "$db" --contacts "$contacts" >"$tmp/demo.log" 2>&1 ||
        bench_die "pheu demo failed: $(cat "$tmp/demo.log")"
fi
if [ "$(bench_sql "SELECT COUNT(*) FROM campaigns WHERE name = 'Bench perf campaign 1'")" = 0 ]
then
    bench_load_sql bench_campaigns bench/campaigns_clear.sql
    # campaigns_data.sql numbers its campaigns from the largest id left
    # (none now): the id generator must start over as well
    if [ "$engine" = postgres ]; then
        bench_sql "SELECT setval(pg_get_serial_sequence('campaigns', 'id'), 1, false)" >/dev/null
    else
        bench_sql "DELETE FROM sqlite_sequence WHERE name = 'campaigns'" >/dev/null
    fi
    bench_load_sql bench_campaigns bench/campaigns_data.sql
fi
ncamp=$(bench_sql 'SELECT COUNT(*) FROM campaigns')
ncont=$(bench_sql 'SELECT COUNT(*) FROM contacts')
nsrc=$(bench_sql 'SELECT COUNT(*) FROM contacts WHERE source_campaign_id IS NOT NULL')
ntp=$(bench_sql 'SELECT COUNT(*) FROM touchpoints')
won=$(bench_sql "SELECT COUNT(*) FROM deals WHERE status = 'won' AND closed_at >= 1767225600000")
line="data: $ncamp campaigns, $ncont contacts ($nsrc with an original campaign), $ntp touchpoints, $won deals won in 2026 ($engine); workers=$workers; load average $(cut -d' ' -f1-3 /proc/loadavg)"
BENCH_LINES+=("$line")
echo "$line"

bench_tokens
bench_serve
api=http://127.0.0.1:$port/api/v1/reports/campaigns

# report NAME TOKEN QUERY: times the report; prints its line.
report() {
    bench_report "campaigns_$1" "$2" "$api?$3" 1000 '"rows=%d \
touchpoints=%d leads=%d deals=%d revenue=%d" % (len(d["rows"]), \
d["totals"]["touchpoints"], d["totals"]["leads"], d["totals"]["deals"], \
d["totals"]["revenue"])'
}
period="from=2026-01-01&to=2026-12-31"
report linear "$admin" "$period&model=linear"
report time_decay "$admin" "$period&model=time_decay"
report one_channel "$admin" "$period&model=linear&channel=email"
report one_month "$admin" "from=2026-06-01&to=2026-06-30&model=linear"
report one_rep "$rep" "$period&model=linear"
rss=$(awk '/^VmHWM/ { print $2 }' "/proc/$pheu_pid/status")
line="server peak RSS ${rss} kB"
BENCH_LINES+=("$line")
echo "$line"

bench_md "bench_campaigns.sh ($engine, $ncamp campaigns, $ncont contacts, $ntp touchpoints)" "${BENCH_LINES[@]}"
