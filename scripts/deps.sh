#!/bin/sh
# Installs the Debian packages Phễu needs that are missing.
# usage: scripts/deps.sh run|check|bench|fuzz
# As root it runs apt-get; otherwise it prints the exact command and fails.
set -eu

build="gcc make pkg-config libmicrohttpd-dev libsqlite3-dev libjansson-dev
libsodium-dev libutf8proc-dev libpq-dev libcsv-dev curl"
check="$build cppcheck libcriterion-dev python3 python3-pytest python3-requests
python3-psycopg2 postgresql-client
chromium sqlite3 postgresql postgresql-contrib"
bench="$build wrk curl sqlite3 postgresql postgresql-client"
fuzz="$build clang libclang-rt-14-dev"

case "${1:-run}" in
run) want=$build ;;
check) want=$check ;;
bench) want=$bench ;;
fuzz) want=$fuzz ;;
*) echo "usage: scripts/deps.sh run|check|bench|fuzz" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
        grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
# Node.js and npm may come from Debian or, as on the project machines,
# preinstalled from elsewhere: ask for the commands, not the packages.
if [ "${1:-run}" = check ]; then
    command -v node >/dev/null 2>&1 || missing="$missing nodejs"
    command -v npm >/dev/null 2>&1 || missing="$missing npm"
fi
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ]; then
    echo "installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing
else
    echo "missing Debian packages:$missing" >&2
    echo "run: sudo apt-get update && sudo apt-get install -y$missing" >&2
    exit 1
fi
