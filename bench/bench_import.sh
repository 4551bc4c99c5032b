#!/usr/bin/env bash
# bench/bench_import.sh: `pheu import contacts` of a CSV of N demo
# contacts (default 1,000,000; Vietnamese names from `pheu demo --csv`)
# into an empty database: seconds, rows/s and peak RSS (SPEC §14: 1M rows
# < 15 s, < 256 MB, dedupe and search index included).
# Usage: bench/bench_import.sh [ROWS] [--db postgres://…/db]
# Environment: BENCH_OUT appends a Markdown block.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=bench/lib.sh
source bench/lib.sh

rows=${1:-1000000}
db=
if [ "${2:-}" = "--db" ]; then db=${3:?--db needs a URL}; fi
case $rows in '' | *[!0-9]*) bench_die "ROWS must be a number" ;; esac
[ -x ./pheu ] || bench_die "./pheu not built (run make)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
./pheu demo --csv "$tmp/csv" --contacts "$rows" >/dev/null
[ -n "$db" ] || db=$tmp/import.db
./pheu init --db "$db" >/dev/null
./pheu demo --org-only --contacts "$rows" --db "$db" >/dev/null
now_ns t0
# company_id names demo companies this database does not have (84% of
# the rows failed with "no such company" until 2026-11-29), and importing
# the 200,000 companies of 1M rows first takes ~10 minutes: ignored
/usr/bin/time -f "%M" -o "$tmp/rss" ./pheu import contacts \
    "$tmp/csv/contacts.csv" --map company_id=ignore --db "$db" \
    >"$tmp/out.txt"
now_ns t1
ms=$(( (t1 - t0) / 1000000 ))
rss=$(( $(cat "$tmp/rss") / 1024 ))
rps=$(awk -v n="$rows" -v ms="$ms" 'BEGIN { printf "%.0f", n / (ms / 1000) }')
engine=sqlite
case $db in postgres*) engine=postgres ;; esac
line="import contacts ($engine, load $(cut -d' ' -f1-3 /proc/loadavg)): $rows rows in ${ms} ms = $rps rows/s, peak RSS ${rss} MB ($(tr -d '\n' <"$tmp/out.txt"))"
echo "$line"
bench_md "bench_import.sh" "data: $rows demo contacts (CSV); $(machine_line)" \
    "$line"
