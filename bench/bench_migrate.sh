#!/usr/bin/env bash
# bench/bench_migrate.sh: `pheu migrate-data` from SQLite to PostgreSQL
# (COPY on the PostgreSQL side), on a demo database whose audit_log is
# filled with N synthetic rows (default 1,000,000), the largest table
# Phễu has today. Prints rows/s and the time.
# Usage: tests/with-pg.sh bench/bench_migrate.sh [ROWS]
# (needs PHEU_TEST_PG_URL: a PostgreSQL server URL without a database).
# Environment: BENCH_OUT appends a Markdown block.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=bench/lib.sh
source bench/lib.sh

rows=${1:-1000000}
case $rows in '' | *[!0-9]*) bench_die "ROWS must be a number" ;; esac
[ -n "${PHEU_TEST_PG_URL:-}" ] || bench_die "run under tests/with-pg.sh"
[ -x ./pheu ] || bench_die "./pheu not built (run make)"
command -v sqlite3 >/dev/null || bench_die "sqlite3 not installed"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
src=$tmp/src.db
./pheu init --db "$src" >/dev/null
./pheu demo --db "$src" >/dev/null
# Synthetic audit rows with realistic widths (JSON old/new values).
sqlite3 "$src" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1
  FROM n WHERE i < $rows)
  INSERT INTO audit_log (at, user_id, action, object, object_id,
    old_values, new_values)
  SELECT 1767225600000 + i * 1000, 1 + i % 20, 'update', 'user', 1 + i % 20,
    '{\"name\":\"Nguyễn Văn An\",\"locale\":\"vi\"}',
    '{\"name\":\"Nguyễn Văn An ' || i || '\",\"locale\":\"en\"}' FROM n;"
total=$(sqlite3 "$src" "SELECT COUNT(*) FROM audit_log")
psql -q "$PHEU_TEST_PG_URL/postgres" -c "CREATE DATABASE bench_migrate"
now_ns t0
./pheu migrate-data --from "$src" --to "$PHEU_TEST_PG_URL/bench_migrate" \
    >"$tmp/out.txt"
now_ns t1
ms=$(( (t1 - t0) / 1000000 ))
rps=$(awk -v n="$total" -v ms="$ms" 'BEGIN { printf "%.0f", n / (ms / 1000) }')
line="migrate-data sqlite->postgres: $total audit rows (+ demo tables) in ${ms} ms = $rps rows/s"
echo "$line"
bench_md "bench_migrate.sh" "data: $total audit_log rows; $(machine_line)" \
    "$line"
