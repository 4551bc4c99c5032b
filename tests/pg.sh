#!/bin/sh
# Starts or stops a throwaway PostgreSQL for the tests (Debian's
# postgresql package): initdb into DIR, a Unix socket in DIR and a TCP
# port on 127.0.0.1, trust authentication, fsync off (a crash of the
# server processes still loses no committed transaction; only an OS crash
# would, and the tests never cause one).
#   tests/pg.sh start DIR   prints the server URL (postgres://...:PORT)
#   tests/pg.sh stop DIR    stops it (safe to call twice) and removes DIR
#   tests/pg.sh restart DIR stops and starts it again on the same port
# Runs the server as the postgres user when invoked as root.
set -eu
cmd=${1:?usage: tests/pg.sh start|stop|restart DIR}
dir=${2:?usage: tests/pg.sh start|stop|restart DIR}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bin" ] || { echo "pg.sh: PostgreSQL is not installed" >&2; exit 1; }

as_pg() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

start_server() {
    port=$(cat "$dir/port")
    as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 30 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off \
-c full_page_writes=off -c max_connections=200" \
        start >/dev/null
}

case "$cmd" in
start)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    as_pg "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 \
        --locale=C.UTF-8 >/dev/null
    free_port > "$dir/port"
    start_server
    echo "postgres://postgres@127.0.0.1:$(cat "$dir/port")"
    ;;
stop)
    if [ -d "$dir/data" ]; then
        as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop \
            >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
restart)
    as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null
    start_server
    ;;
*)
    echo "usage: tests/pg.sh start|stop|restart DIR" >&2
    exit 2
    ;;
esac
