#!/usr/bin/env bash
# bench/bench_callgrind.sh: user-space instructions per request (valgrind
# callgrind) for the bare baseline and pheu's hot routes. Counts do not
# depend on machine noise, so they show what the code itself costs.
# Usage: bench/bench_callgrind.sh [REQUESTS]   (default 5000)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=bench/lib.sh
source bench/lib.sh

n=${1:-5000}
[ -x ./pheu ] && [ -x bench/baseline ] || bench_die "make pheu bench/baseline"
command -v valgrind >/dev/null || bench_die "valgrind not installed"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
./pheu init --db "$tmp/cg.db" >/dev/null
./pheu demo --db "$tmp/cg.db" >/dev/null
token=$(./pheu token create --email admin@demo.pheu.vn --name cg \
    --db "$tmp/cg.db")

# A keep-alive client sending N GETs of PATH, with an optional token.
cat >"$tmp/req.py" <<'PY'
import http.client, sys
port, path, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
hdr = {"Authorization": "Bearer " + sys.argv[4]} if len(sys.argv) > 4 else {}
c = http.client.HTTPConnection("127.0.0.1", port)
for _ in range(n):
    c.request("GET", path, headers=hdr)
    r = c.getresponse()
    r.read()
    assert r.status == 200, r.status
PY

# measure NAME PATH TOKEN CMD...: instructions per request of CMD (where
# the argument @PORT@ becomes a free port) serving PATH, counting only the
# N measured requests (zeroed after a warm-up).
measure() {
    local name=$1 path=$2 tok=$3 port pid f a
    shift 3
    port=$(free_port)
    local argv=()
    for a in "$@"; do argv+=("${a//@PORT@/$port}"); done
    valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.$name.%p" \
        "${argv[@]}" >/dev/null 2>"$tmp/$name.err" &
    pid=$!
    for _ in $(seq 1 100); do
        python3 "$tmp/req.py" "$port" "$path" 1 "$tok" 2>/dev/null && break
        sleep 0.1
    done
    python3 "$tmp/req.py" "$port" "$path" 200 "$tok"
    callgrind_control -z "$pid" >/dev/null 2>&1
    python3 "$tmp/req.py" "$port" "$path" "$n" "$tok"
    callgrind_control -d "$pid" >/dev/null 2>&1
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    f=$(ls "$tmp"/cg."$name".*.1)
    callgrind_annotate "$f" | awk -v n="$n" -v name="$name" \
        '/PROGRAM TOTALS/ { gsub(",", "", $1);
          printf "%s: %.0f instructions/request\n", name, $1 / n; exit }'
}

pheu=(./pheu serve --db "$tmp/cg.db" --listen 127.0.0.1:@PORT@)
measure baseline / "" bench/baseline @PORT@ 2
measure healthz /healthz "" "${pheu[@]}"
measure me /api/v1/me "$token" "${pheu[@]}"
measure user /api/v1/users/2 "$token" "${pheu[@]}"
measure contact /api/v1/contacts/1 "$token" "${pheu[@]}"
