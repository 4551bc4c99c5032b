#!/usr/bin/env bash
# bench/bench_attribution.sh: the attribution target of issue 6 (SPEC
# §14): GET /api/v1/reports/attribution over 100,000 won deals and
# 2,000,000 touchpoints in < 3 s for any model (bench/attribution_data.sql
# makes them: 300 campaigns, 150,000 contacts, 150,000 deal contacts).
# Every model by campaign, linear and time_decay by channel, and one
# sales rep's view (the deals they own), each BENCH_REPEAT times (default
# 5) after one warm-up, one request at a time: median and max, and the
# server's peak RSS.
# Usage: bench/bench_attribution.sh [--db PATH|URL]
#   --db PATH   database to use; made with `pheu init`, `pheu demo
#               --org-only` and bench/attribution_data.sql when it has no
#               bench deals yet (kept afterwards). Default: a temporary
#               SQLite file, removed. A postgres:// URL names an existing
#               (maybe empty) database.
# Environment: BENCH_REPEAT, BENCH_WORKERS (2), BENCH_OUT (append a
# Markdown block).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=bench/lib.sh
source bench/lib.sh

bench_db_args bench_attribution "$@"

[ -x ./pheu ] || bench_die "./pheu not built (make pheu)"
repeat=${BENCH_REPEAT:-5}
workers=${BENCH_WORKERS:-2}
bench_start_tmp

[ -n "$db" ] || db=$tmp/attribution.db
engine=sqlite
[[ $db == postgres* ]] && engine=postgres

# ---- the data ----
./pheu init --db "$db" >"$tmp/init.log" 2>&1 ||
    bench_die "pheu init failed: $(cat "$tmp/init.log")"
if [ "$(bench_sql 'SELECT COUNT(*) FROM users')" = 0 ]; then
    ./pheu demo --db "$db" --org-only >"$tmp/demo.log" 2>&1 ||
        bench_die "pheu demo failed: $(cat "$tmp/demo.log")"
fi
if [ "$(bench_sql "SELECT COUNT(*) FROM deals WHERE name = 'Bench deal 1'")" = 0 ]
then
    bench_load_sql bench_attribution bench/attribution_data.sql
fi
won=$(bench_sql "SELECT COUNT(*) FROM deals WHERE status = 'won'")
ntp=$(bench_sql 'SELECT COUNT(*) FROM touchpoints')
ndc=$(bench_sql 'SELECT COUNT(*) FROM deal_contacts')
line="data: $won won deals, $ntp touchpoints, $ndc deal contacts ($engine); workers=$workers; load average $(cut -d' ' -f1-3 /proc/loadavg)"
BENCH_LINES+=("$line")
echo "$line"

bench_tokens
bench_serve
api=http://127.0.0.1:$port/api/v1/reports/attribution

# report NAME TOKEN QUERY: times the report; prints its line.
report() {
    bench_report "attribution_$1" "$2" "$api?$3" 3000 '"deals=%d rows=%d \
unattributed=%d" % (d["deals"], len(d["rows"]), d["unattributed"]["deals"])'
}
period="won_from=2025-01-01&won_to=2025-12-31"
for m in first_touch last_touch linear u_shaped w_shaped full_path \
    time_decay; do
    report "${m}_by_campaign" "$admin" "model=$m&by=campaign&$period"
done
report linear_by_channel "$admin" "model=linear&by=channel&$period"
report time_decay_by_channel "$admin" "model=time_decay&by=channel&$period"
report w_shaped_one_rep "$rep" "model=w_shaped&by=campaign&$period"
rss=$(awk '/^VmHWM/ { print $2 }' "/proc/$pheu_pid/status")
line="server peak RSS ${rss} kB"
BENCH_LINES+=("$line")
echo "$line"

bench_md "bench_attribution.sh ($engine, $won won deals, $ntp touchpoints)" "${BENCH_LINES[@]}"
