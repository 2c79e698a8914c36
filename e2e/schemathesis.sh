#!/usr/bin/env bash
# Schemathesis over the whole OpenAPI document, as CI runs it (`.ci/run`), against the
# debug binary with the demo data on a throwaway SQLite data directory:
#   1. openapi-spec-validator checks the served document (OpenAPI 3.1);
#   2. e2e/spreadsheets.py reads every import template and export with openpyxl and
#      Python's csv, and imports the registers' exports again (nothing may change);
#   3. every operation is tested as `admin`, then as `unit`, with positive and negative
#      data (examples, coverage, fuzzing and stateful phases; ids, years, regions … of
#      the demo data are mixed into the generated values, see e2e/schemathesis.toml);
#      any 5xx, an undocumented status code, a response off its schema or a wrong
#      content type fails the run.
# The operations that end or change the caller's credentials run last, each in a pass
# of its own (see below), so that they cannot sign the main pass out half-way.
# About 3 minutes on two cores, plus half a minute for the venv on a fresh machine.
#
# Environment: GONGJIANG_BIN (default target/debug/gongjiang); SCHEMATHESIS_VENV
# (default target/schemathesis-venv, created with pinned versions from PyPI when
# missing); SCHEMATHESIS_EXAMPLES (per operation and phase, default 100);
# SCHEMATHESIS_SEED (default fixed, so a failure reproduces; `random` for a new one);
# SCHEMATHESIS_PHASES (default examples,coverage,fuzzing,stateful); SCHEMATHESIS_SETUP_ONLY=1
# makes the venv and stops. Further arguments
# go to the main pass, e.g. `--max-time 600` to go on fuzzing for ten minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${GONGJIANG_BIN:-$PWD/target/debug/gongjiang}"
VENV="${SCHEMATHESIS_VENV:-$PWD/target/schemathesis-venv}"
EXAMPLES="${SCHEMATHESIS_EXAMPLES:-100}"
SEED="${SCHEMATHESIS_SEED:-20240601}"
ST_VERSION=4.32.5
VALIDATOR_VERSION=0.9.0
OPENPYXL_VERSION=3.1.5

if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "$ST_VERSION" \
  || ! "$VENV/bin/python" -c "import openapi_spec_validator, openpyxl" 2>/dev/null; then
  python3 -m venv "$VENV" 2>/dev/null || {
    rm -rf "$VENV"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    python3 -m venv "$VENV"
  }
  "$VENV/bin/pip" install -q --disable-pip-version-check \
    "schemathesis==$ST_VERSION" "openapi-spec-validator==$VALIDATOR_VERSION" \
    "openpyxl==$OPENPYXL_VERSION"
fi
# SCHEMATHESIS_SETUP_ONLY=1: make the venv and stop (.ci/run does it during the build).
[ "${SCHEMATHESIS_SETUP_ONLY:-}" = 1 ] && exit 0

WORK="$(mktemp -d)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"
# The browser tests' demo template of this binary and day when node can make or find it
# (e2e/helpers.mjs `demoTemplate`), so the demo is not loaded again; else a fresh load.
TEMPLATE="$(cd e2e && GONGJIANG_BIN="$BIN" node --input-type=module \
  -e "import { demoTemplate } from './helpers.mjs'; console.log(await demoTemplate(() => {}))" \
  2>/dev/null | tail -n1 || true)"
if [ -n "$TEMPLATE" ] && [ -f "$TEMPLATE/gongjiang.db" ]; then
  mkdir -p "$WORK/data" && cp -a "$TEMPLATE/." "$WORK/data/"
fi
"$BIN" serve --demo --data-dir "$WORK/data" --addr "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
SERVER=$!
cleanup() {
  kill "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
for _ in $(seq 1 120); do
  curl -sf "$BASE/healthz" >/dev/null 2>&1 && break
  kill -0 "$SERVER" 2>/dev/null || { cat "$WORK/server.log"; exit 1; }
  sleep 1
done

curl -sf "$BASE/api/v1/openapi.json" -o "$WORK/openapi.json"
"$VENV/bin/openapi-spec-validator" "$WORK/openapi.json"
# Before schemathesis changes the data: every template and export read by openpyxl and
# Python's csv, and the registers' exports imported again change nothing
# (e2e/spreadsheets.py, about 10 s).
"$VENV/bin/python" e2e/spreadsheets.py "$BASE"

token() {
  curl -sf -X POST -H 'content-type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"gongjiang-demo\"}" "$BASE/api/v1/auth/login" \
    | "$VENV/bin/python" -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}

CHECKS=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance
st() {
  local seed=()
  [ "$SEED" = random ] || seed=(--seed "$SEED")
  "$VENV/bin/schemathesis" --config-file e2e/schemathesis.toml \
    run "$WORK/openapi.json" --url "$BASE" \
    --checks "$CHECKS" --mode all --phases "${SCHEMATHESIS_PHASES:-examples,coverage,fuzzing,stateful}" \
    --max-examples "$EXAMPLES" "${seed[@]}" --no-color --warnings off \
    --generation-database none --report-dir "$WORK/report" "$@"
}

# Main pass: every operation but five that end or change the caller's credentials:
# POST /auth/logout ends the token; POST /me/password and POST /users/{id}/password end
# the user's sessions when they succeed; PATCH /users/{id} may change the role of the
# very account fuzzing; POST /auth/login with wrong passwords counts towards the lockout
# of the account it names.
LAST=(/api/v1/auth/logout /api/v1/me/password '/api/v1/users/{id}' '/api/v1/users/{id}/password')
EXCLUDE=()
for path in "${LAST[@]}" /api/v1/auth/login; do EXCLUDE+=(--exclude-path "$path"); done
st -H "Authorization: Bearer $(token admin)" "${EXCLUDE[@]}" "$@"
# The same as a unit's contact, whose scope is one enterprise and whose role is refused
# most changes: the 403/404 paths (fewer examples; the admin pass went deep).
st -H "Authorization: Bearer $(token unit)" "${EXCLUDE[@]}" --max-examples 30

# Last passes: those five, each with a fresh token of its own (login needs none, and
# runs after the password reset, which may have changed admin's password).
for path in "${LAST[@]}"; do
  st -H "Authorization: Bearer $(token admin)" --include-path "$path"
done
st --include-path /api/v1/auth/login
echo "schemathesis: no server error, every response as documented"
