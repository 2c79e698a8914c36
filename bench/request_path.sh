#!/usr/bin/env bash
# The request path (issue #11): gongjiang's reads against a bare axum "hello world"
# (crates/web/examples/hello.rs: same axum, tokio and release profile) in the same run,
# with wrk on the same machine. Prints a table and the issue's ratios.
#
#   bash bench/request_path.sh                 # SQLite demo, 32 connections, 8 s each
#   DURATION=4s CONNS=32 bash bench/request_path.sh
#   PG_URL=postgres://postgres@127.0.0.1:5432/gj_bench bash bench/request_path.sh
#   NO_BUILD=1 bash bench/request_path.sh      # use the binaries already built
#
# Needs wrk (apt-get install wrk). Figures and what they mean: docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-8s}"
CONNS="${CONNS:-32}"
THREADS="${THREADS:-2}"
PORT_HELLO=18081
PORT_GJ=18082
WORK="${WORK:-target/bench-request}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 2; }
if [ -z "${NO_BUILD:-}" ]; then
  cargo build --release -q -p gongjiang
  cargo build --release -q -p gongjiang-web --example hello
fi
BIN=target/release/gongjiang
HELLO=target/release/examples/hello
rm -rf "$WORK" && mkdir -p "$WORK"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

if [ -n "${PG_URL:-}" ]; then
  db="${PG_URL##*/}"; admin="${PG_URL%/*}/postgres"
  psql "$admin" -qc "DROP DATABASE IF EXISTS $db" -qc "CREATE DATABASE $db" >/dev/null
  export GONGJIANG_DATABASE_URL="$PG_URL"
else
  export GONGJIANG_DATA_DIR="$WORK/data"
fi
GONGJIANG_LOG=warn "$BIN" demo >/dev/null
GONGJIANG_LOG=warn "$BIN" serve --addr "127.0.0.1:$PORT_GJ" >"$WORK/server.log" 2>&1 &
pids+=($!)
"$HELLO" "127.0.0.1:$PORT_HELLO" &
pids+=($!)
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$PORT_GJ/healthz" >/dev/null && curl -sf "http://127.0.0.1:$PORT_HELLO/" >/dev/null && break
  sleep 0.2
done
TOKEN=$(curl -sf -H 'content-type: application/json' \
  -d '{"username":"city","password":"gongjiang-demo"}' \
  "http://127.0.0.1:$PORT_GJ/api/v1/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
YEAR=$(( $(date +%Y) - 1 ))

# name | url (the token goes in a header for gongjiang's API)
targets=(
  "bare axum hello|http://127.0.0.1:$PORT_HELLO/"
  "/healthz|http://127.0.0.1:$PORT_GJ/healthz"
  "orgs?per_page=20|http://127.0.0.1:$PORT_GJ/api/v1/orgs?per_page=20"
  "indicators (city)|http://127.0.0.1:$PORT_GJ/api/v1/indicators?org=320400&period=$YEAR"
  "indicators by=child|http://127.0.0.1:$PORT_GJ/api/v1/indicators?org=320400&period=$YEAR&by=child"
)
printf '%-22s %12s %10s %10s\n' "route" "requests/s" "p50" "p99"
declare -A rps
for t in "${targets[@]}"; do
  name="${t%%|*}"; url="${t#*|}"
  # Warm up, then measure.
  wrk -t"$THREADS" -c"$CONNS" -d1s -H "authorization: Bearer $TOKEN" "$url" >/dev/null
  out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -H "authorization: Bearer $TOKEN" "$url")
  if echo "$out" | grep -q "Non-2xx"; then echo "$name: non-2xx answers" >&2; echo "$out" >&2; exit 1; fi
  r=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  rps["$name"]=$r
  printf '%-22s %12s %10s %10s\n' "$name" "$r" "$p50" "$p99"
done
base=${rps["bare axum hello"]}
echo
for n in "/healthz" "orgs?per_page=20" "indicators (city)" "indicators by=child"; do
  python3 -c "import sys; r=float(sys.argv[1]); b=float(sys.argv[2]); print(f'{sys.argv[3]:<22} {100*r/b:5.1f} % of bare axum')" "${rps[$n]}" "$base" "$n"
done
python3 -c "import sys; r=float(sys.argv[1]); print('targets: reads >= 10 % of bare axum; drill-down >= 2,000/s (' + ('met' if r>=2000 else 'NOT met') + f': {r:,.0f}/s)')" "${rps["indicators by=child"]}"
