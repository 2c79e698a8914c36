#!/usr/bin/env bash
# Issue #9, point 4: the server's resident memory across eight failed 60 MB imports.
# Usage: bench/import_memory.sh [path/to/gongjiang]  (default target/release/gongjiang)
# Writes a 60 MB orgs CSV whose every row has a bad credit code, starts `serve --demo`
# on a temporary data dir, uploads it eight times one after the other (each job waits
# to finish) and prints VmRSS after each. docs/performance.md has the figures.
set -euo pipefail
BIN=${1:-target/release/gongjiang}
DIR=$(mktemp -d)
PORT=${PORT:-18181}
python3 - "$DIR/bad.csv" <<'PY'
import sys
with open(sys.argv[1], 'w') as f:
    f.write("单位名称,统一社会信用代码,单位类型,所属区划代码,上级单位信用代码,行业代码,经济类型,是否链主企业\n")
    i = 0
    while f.tell() < 60 * 1024 * 1024:
        f.write(f"测试企业{i}有限公司,91320402MA1X{i % 100000:05d}0,企业,320402,,C38,民营,否\n")
        i += 1
PY
"$BIN" --data-dir "$DIR/data" serve --demo --addr 127.0.0.1:$PORT > "$DIR/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; rm -rf "$DIR"' EXIT
for _ in $(seq 1 120); do curl -sf http://127.0.0.1:$PORT/health >/dev/null 2>&1 && break; sleep 1; done
TOK=$(curl -s -X POST http://127.0.0.1:$PORT/api/v1/auth/login -H 'content-type: application/json' \
  -d '{"username":"city","password":"gongjiang-demo"}' | python3 -c 'import sys,json;print(json.load(sys.stdin)["token"])')
rss() { awk '/VmRSS/ {printf "%.0f MiB", $2/1024}' /proc/$PID/status; }
echo "start: $(rss)"
for n in 1 2 3 4 5 6 7 8; do
  ID=$(curl -s -X POST http://127.0.0.1:$PORT/api/v1/imports -H "authorization: Bearer $TOK" \
    -F kind=orgs -F file=@"$DIR/bad.csv" | python3 -c 'import sys,json;print(json.load(sys.stdin)["id"])')
  while curl -s http://127.0.0.1:$PORT/api/v1/imports/$ID -H "authorization: Bearer $TOK" \
    | python3 -c 'import sys,json;sys.exit(0 if json.load(sys.stdin)["status"]=="running" else 1)'; do sleep 2; done
  sleep 2
  echo "after failed upload $n: $(rss)"
done
