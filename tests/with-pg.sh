#!/bin/sh
# Runs a command with a throwaway PostgreSQL server (tests/pg.sh) whose
# URL is in PHEU_TEST_PG_URL; the server is stopped afterwards, whatever
# the command's outcome. usage: tests/with-pg.sh COMMAND [ARG...]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d /tmp/pheu-pg.XXXXXX)
trap '"$here/pg.sh" stop "$dir"' EXIT INT TERM
PHEU_TEST_PG_URL=$("$here/pg.sh" start "$dir")
PHEU_TEST_PG_DIR=$dir
export PHEU_TEST_PG_URL PHEU_TEST_PG_DIR
"$@"
