# shellcheck shell=bash
# bench/lib.sh: helpers sourced by bench/bench_*.sh (bash).
# free_port, wait_http, run_wrk (one summary line per run, req/s kept in
# BENCH_RPS[NAME]), ratio, and the machine line for bench/RESULTS.md.

# Requests/s of every run_wrk NAME, for ratio; the printed lines, for
# the Markdown block bench_md writes.
declare -gA BENCH_RPS=() BENCH_P50=() BENCH_P90=() BENCH_P99=()
declare -ga BENCH_LINES=()

# bench_die MSG: print "bench: MSG" to stderr and exit 1.
bench_die() {
    echo "bench: $*" >&2
    exit 1
}

# free_port: print a TCP port on 127.0.0.1 that nothing listens on now.
free_port() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
        return
    fi
    local p
    for _ in $(seq 1 100); do
        p=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"
            return
        fi
    done
    bench_die "no free port found"
}

# wait_http URL [SECONDS]: poll URL with curl until it answers 2xx or
# SECONDS (default 10) pass; returns 1 on timeout.
wait_http() {
    local url=$1 secs=${2:-10} deadline
    deadline=$(($(date +%s%N) + secs * 1000000000))
    while [ "$(date +%s%N)" -lt "$deadline" ]; do
        if curl -fs -o /dev/null --max-time 1 "$url"; then
            return 0
        fi
        sleep 0.05
    done
    echo "bench: $url did not answer within ${secs}s" >&2
    return 1
}

# http_probe HOST PORT PATH: one GET over bash's /dev/tcp (no process is
# started, so a refused connection costs microseconds, not a curl launch);
# returns 0 when the status line is 2xx.
http_probe() {
    local fd line
    { exec {fd}<>"/dev/tcp/$1/$2"; } 2>/dev/null || return 1
    printf 'GET %s HTTP/1.1\r\nHost: %s:%s\r\nConnection: close\r\n\r\n' \
        "$3" "$1" "$2" >&"$fd" || { exec {fd}>&-; return 1; }
    IFS= read -r -t 2 line <&"$fd" || line=
    exec {fd}>&-
    [[ $line == HTTP/1.?" 2"* ]]
}

# now_ns VAR: set VAR to the wall clock in nanoseconds. Uses bash's
# EPOCHREALTIME when present (no fork at all); otherwise date +%s%N, which
# costs a few ms of fork and exec per call.
now_ns() {
    local t=${EPOCHREALTIME:-}
    if [ -n "$t" ]; then
        t=${t/[.,]/}
        printf -v "$1" '%s' $((10#$t * 1000))
    else
        printf -v "$1" '%s' "$(date +%s%N)"
    fi
}

# wrk_parse: read wrk --latency output on stdin and print
# "RPS P50 P90 P99 NON2XX ERRORS" with latencies in ms.
wrk_parse() {
    awk '
    function ms(v,   n, u) {
        n = v + 0
        u = v
        sub(/^[0-9.]+/, "", u)
        if (u == "us") return n / 1000
        if (u == "ms") return n
        if (u == "s") return n * 1000
        if (u == "m") return n * 60000
        if (u == "h") return n * 3600000
        return n
    }
    /^ *50%/ { p50 = ms($2) }
    /^ *90%/ { p90 = ms($2) }
    /^ *99%/ { p99 = ms($2) }
    /^Requests\/sec:/ { rps = $2 }
    /Non-2xx or 3xx responses:/ { non2xx = $NF }
    /Socket errors:/ {
        # "Socket errors: connect 0, read 0, write 0, timeout 0"
        for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) errs += $i + 0
    }
    END {
        if (rps == "") exit 1
        printf "%.2f %.3f %.3f %.3f %d %d\n", rps, p50, p90, p99,
               non2xx + 0, errs + 0
    }'
}

# run_wrk NAME URL [wrk args...]: warm up for BENCH_WARMUP seconds
# (default 1, 0 to skip; the figures are discarded), then run wrk -t1 -c32
# (-cWRK_CONNECTIONS when set) for BENCH_SECONDS (default 10) and print
# "NAME req/s=… p50=…ms p90=…ms p99=…ms"; warns on the same line when
# some answers were not 2xx/3xx or sockets failed.
# shellcheck disable=SC2034 # BENCH_P* are read via a nameref
run_wrk() {
    local name=$1 url=$2 out parsed rps p50 p90 p99 non2xx errs line
    shift 2
    if [ "${BENCH_WARMUP:-1}" != 0 ]; then
        out=$(wrk -t1 -c"${WRK_CONNECTIONS:-32}" -d"${BENCH_WARMUP:-1}"s \
            "$@" "$url" 2>&1) ||
            bench_die "wrk warm-up failed for $name: $out"
    fi
    out=$(wrk -t1 -c"${WRK_CONNECTIONS:-32}" -d"${BENCH_SECONDS:-10}"s \
        --latency "$@" "$url" 2>&1) ||
        bench_die "wrk failed for $name: $out"
    parsed=$(printf '%s\n' "$out" | wrk_parse) ||
        bench_die "cannot parse wrk output for $name: $out"
    read -r rps p50 p90 p99 non2xx errs <<<"$parsed"
    BENCH_RPS[$name]=$rps
    BENCH_P50[$name]=$p50
    BENCH_P90[$name]=$p90
    BENCH_P99[$name]=$p99
    line="$name req/s=$rps p50=${p50}ms p90=${p90}ms p99=${p99}ms"
    [ "$non2xx" -gt 0 ] && line="$line WARNING non-2xx=$non2xx"
    [ "$errs" -gt 0 ] && line="$line WARNING socket-errors=$errs"
    BENCH_LINES+=("$line")
    echo "$line"
}

# wrk_median NAME N: after run_wrk NAME.1 … NAME.N, print
# "NAME median of N: req/s=… p50=… p90=… p99=…" (each figure the median
# over the rounds) and keep that req/s as BENCH_RPS[NAME].
wrk_median() {
    local name=$1 n=$2 i f rps p50 p90 p99 line
    for f in RPS P50 P90 P99; do
        local -n arr="BENCH_$f"
        local v
        v=$(for i in $(seq 1 "$n"); do echo "${arr[$name.$i]}"; done |
            sort -n | awk '{ v[NR] = $1 } END {
                if (NR % 2) print v[(NR + 1) / 2]
                else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
        case $f in
        RPS) rps=$v ;;
        P50) p50=$v ;;
        P90) p90=$v ;;
        P99) p99=$v ;;
        esac
        unset -n arr
    done
    BENCH_RPS[$name]=$rps
    line="$name median of $n: req/s=$rps p50=${p50}ms p90=${p90}ms"
    line="$line p99=${p99}ms"
    BENCH_LINES+=("$line")
    echo "$line"
}

# ratio A B: print A/B with two decimals; A and B are run_wrk names or
# plain numbers.
ratio() {
    local a=${BENCH_RPS[$1]:-$1} b=${BENCH_RPS[$2]:-$2}
    awk -v a="$a" -v b="$b" 'BEGIN {
        if (b + 0 == 0) { print "n/a"; exit }
        printf "%.2f\n", a / b
    }'
}

# median: print the median of the numbers on stdin, one per line.
median() {
    sort -n | awk '{ v[NR] = $1 } END {
        if (NR == 0) exit 1
        if (NR % 2) printf "%.1f\n", v[(NR + 1) / 2]
        else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2
    }'
}

# machine_line: "nproc=N kernel=R cpu=MODEL" for result headers.
machine_line() {
    local model
    model=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
    echo "nproc=$(nproc) kernel=$(uname -r) cpu=${model:-unknown}"
}

# bench_md TITLE LINE...: append a dated Markdown block to $BENCH_OUT when
# it is set; does nothing otherwise.
bench_md() {
    [ -n "${BENCH_OUT:-}" ] || return 0
    local title=$1 l
    shift
    {
        echo
        echo "### $title — $(date -u '+%Y-%m-%d %H:%M UTC')"
        echo
        echo "Machine: $(machine_line)"
        echo
        echo '```'
        for l in "$@"; do
            echo "$l"
        done
        echo '```'
    } >>"$BENCH_OUT"
}

# stop_pid PID: SIGTERM PID, wait up to 5 s for it, then SIGKILL.
stop_pid() {
    local pid=$1
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "bench: pid $pid ignored SIGTERM for 5s, killing" >&2
        kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null || true
    return 0
}

# bench_db_args NAME ARGS...: reads the options of a bench that runs on
# one database, [--db PATH|URL] and -h/--help, into the global db (empty
# when not given). Prints the usage and exits 0 on --help; exits 2 on
# bad usage, naming NAME.
bench_db_args() {
    local name=$1 usage="usage: $0 [--db PATH|URL]"
    shift
    db=
    while [ $# -gt 0 ]; do
        case $1 in
        --db)
            [ $# -ge 2 ] || { echo "$usage" >&2; exit 2; }
            db=$2
            shift 2
            ;;
        -h | --help)
            echo "$usage"
            exit 0
            ;;
        *)
            echo "$name: unknown option '$1'" >&2
            echo "$usage" >&2
            exit 2
            ;;
        esac
    done
}

# bench_start_tmp: makes the run's temporary directory, $tmp, and traps
# EXIT with bench_cleanup (and INT/TERM with exit 130). The servers the
# bench starts go in the globals pheu_pid, pheu2_pid and base_pid.
bench_start_tmp() {
    tmp=$(mktemp -d)
    pheu_pid=
    pheu2_pid=
    base_pid=
    trap bench_cleanup EXIT
    trap 'exit 130' INT TERM
}

# bench_cleanup: on failure shows the end of $tmp/serve.log, then stops
# $pheu_pid, $pheu2_pid and $base_pid (when set) and removes $tmp.
bench_cleanup() {
    local rc=$?
    if [ "$rc" -ne 0 ] && [ -s "$tmp/serve.log" ]; then
        echo "--- last lines of the server log:" >&2
        tail -n 20 "$tmp/serve.log" >&2
    fi
    stop_pid "${pheu_pid:-}"
    stop_pid "${pheu2_pid:-}"
    stop_pid "${base_pid:-}"
    rm -rf "$tmp"
}

# bench_sql QUERY: runs QUERY on $db (psql for a postgres:// URL, else
# sqlite3) and prints the result.
bench_sql() {
    if [[ $db == postgres* ]]; then
        psql -qtA "$db" -c "$1"
    else
        sqlite3 "$db" "$1"
    fi
}

# bench_warm: reads the database's files into the OS page cache, unless
# BENCH_COLD=1, and prints what it did. This VM's kernel pages out file
# pages nobody touched for a few seconds (DAMON "pageout": 1.5 of a 2.9 GB
# SQLite file cached with 17 GB free), so a cold run times disk reads of
# random pages (2-13 ms each in strace) rather than the code; a server
# with the memory keeps its database cached. PostgreSQL: pg_prewarm
# (postgresql-contrib) of every table and index, 'read' mode (OS cache).
bench_warm() {
    if [ "${BENCH_COLD:-0}" = 1 ]; then
        echo "warm: no (BENCH_COLD=1)"
    elif [[ $db == postgres* ]]; then
        if psql -qtA "$db" -c "CREATE EXTENSION IF NOT EXISTS pg_prewarm" \
            >/dev/null 2>&1; then
            echo "warm: $(bench_sql "SELECT sum(pg_prewarm(c.oid::regclass,
                'read')) FROM pg_class c WHERE c.relkind IN ('r', 'i') AND
                c.relnamespace = 'public'::regnamespace") blocks read (pg_prewarm)"
        else
            echo "warm: no (pg_prewarm unavailable)"
        fi
    else
        cat "$db" "$db-wal" >/dev/null 2>&1 || true
        echo "warm: $(du -h "$db" | cut -f1) read into the page cache"
    fi
}

# time_get URL HEADER N: GETs URL with HEADER once (the answer kept in
# $tmp/r.json), then N times, one at a time; prints "MEDIAN MAX" of the
# N in ms (client time, curl's time_total). Fails on any non-2xx.
time_get() {
    local url=$1 header=$2 n=$3 i t times=()
    curl -fsS -o "$tmp/r.json" -H "$header" "$url" || return 1
    for i in $(seq 1 "$n"); do
        t=$(curl -fsS -o /dev/null -w '%{time_total}' -H "$header" \
            "$url") || return 1
        times+=("$(awk -v t="$t" 'BEGIN { printf "%.1f", t * 1000 }')")
    done
    echo "$(printf '%s\n' "${times[@]}" | median)" \
        "$(printf '%s\n' "${times[@]}" | sort -n | tail -1)"
}

# bench_token DB [EMAIL]: prints a new API token of the user EMAIL (the
# demo admin by default), or fails naming why (uses $tmp, see
# bench_start_tmp).
bench_token() {
    local t
    t=$(./pheu token create --email "${2:-admin@demo.pheu.vn}" --name bench \
        --db "$1" 2>"$tmp/token.err") ||
        bench_die "pheu token create failed: $(cat "$tmp/token.err")"
    t=$(printf '%s' "$t" | tr -d '\r\n')
    [ -n "$t" ] || bench_die "pheu token create printed nothing"
    printf '%s' "$t"
}

# bench_rounds FN N NAME...: runs FN once with suffix "" when N is 1,
# else N times with ".1" .. ".N" and prints the medians of the run_wrk
# NAMEs.
bench_rounds() {
    local fn=$1 n=$2 i
    shift 2
    if [ "$n" -eq 1 ]; then
        "$fn" ""
        return
    fi
    for i in $(seq 1 "$n"); do
        "$fn" ".$i"
    done
    for i in "$@"; do
        wrk_median "$i" "$n"
    done
}

# bench_load_sql NAME FILE: loads the SQL script FILE into $db (psql or
# sqlite3, stopping at the first error; the log in $tmp/data.log), says
# how long it took on standard error, then refreshes the planner's
# statistics. Fails naming why.
bench_load_sql() {
    local name=$1 file=$2 t0='' t1=''
    echo "$name: loading $file" >&2
    now_ns t0
    if [[ $db == postgres* ]]; then
        psql -q -v ON_ERROR_STOP=1 "$db" -f "$file" >"$tmp/data.log" 2>&1
    else
        sqlite3 -bail "$db" <"$file" >"$tmp/data.log" 2>&1
    fi || bench_die "loading the data failed: $(cat "$tmp/data.log")"
    now_ns t1
    echo "$name: loaded in $(((t1 - t0) / 1000000)) ms" >&2
    if [[ $db == postgres* ]]; then
        bench_sql 'VACUUM ANALYZE' >/dev/null
    else
        bench_sql 'ANALYZE' >/dev/null
    fi
}

# bench_serve: starts `./pheu serve` on $db with $workers workers on a
# free port, in the background; sets port and pheu_pid (stopped by
# bench_cleanup) and waits until it answers, or fails naming why.
bench_serve() {
    port=$(free_port)
    # shellcheck disable=SC2154 # workers: the calling bench's setting
    ./pheu serve --db "$db" --listen "127.0.0.1:$port" --workers "$workers" \
        >"$tmp/serve.log" 2>&1 &
    pheu_pid=$!
    wait_http "http://127.0.0.1:$port/healthz" 30 ||
        bench_die "pheu serve did not start: $(cat "$tmp/serve.log")"
}

# bench_tokens: sets admin (an API token of the demo admin) and rep (one
# of the first sales rep by id) for $db.
# shellcheck disable=SC2034 # admin and rep: for the calling bench
bench_tokens() {
    local email
    admin=$(bench_token "$db")
    email=$(bench_sql "SELECT email FROM users WHERE role = 'sales_rep'
                       ORDER BY id LIMIT 1")
    rep=$(bench_token "$db" "$email")
}

# bench_report NAME TOKEN URL TARGET_MS SUMMARY: times GET URL with the
# bearer TOKEN (time_get, $repeat times after one warm-up), sums the
# answer up with the Python expression SUMMARY over d (the JSON
# document), and prints and keeps in BENCH_LINES "NAME median=…ms
# max=…ms over N (SUMMARY) target<TARGET_MSms".
bench_report() {
    local name=$1 token=$2 url=$3 target=$4 summary=$5 t counted line
    # shellcheck disable=SC2154 # repeat: the calling bench's setting
    t=$(time_get "$url" "Authorization: Bearer $token" "$repeat") ||
        bench_die "report $name failed"
    counted=$(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(eval(sys.argv[2]))' "$tmp/r.json" "$summary")
    line="$name median=${t% *}ms max=${t#* }ms over $repeat ($counted) target<${target}ms"
    BENCH_LINES+=("$line")
    echo "$line"
}
