#!/usr/bin/env bash
# End-to-end: the built binary on a fresh SQLite file and on a fresh
# PostgreSQL database, checked over real HTTP.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-bin/kantuta}
PGURL=${E2E_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]:-}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
pass=0; fail=0
check() { # name, expected status, method, url
  local got
  got=$(curl -s -o "$work/body" -w '%{http_code}' -X "$3" "$4")
  if [ "$got" = "$2" ]; then pass=$((pass+1)); echo "  ok   $1 ($got)"; else fail=$((fail+1)); echo "  FAIL $1: got $got, want $2: $(head -c 300 "$work/body")"; fi
}
wait_ready() { # port
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$1/readyz" >/dev/null && return 0
    sleep 0.02
  done
  return 1
}
start() { # name, port, extra env…
  local name=$1 port=$2; shift 2
  mkdir -p "$work/$name"
  local t0=$(date +%s%N)
  (cd "$work/$name" && exec env KANTUTA_ADDR="127.0.0.1:$port" "$@" "$OLDPWD/$BIN" serve >"$work/$name.out" 2>"$work/$name.log") &
  pids+=($!)
  if ! wait_ready "$port"; then echo "  FAIL $name did not become ready"; cat "$work/$name.log"; fail=$((fail+1)); return 1; fi
  echo "  $name ready in $(( ($(date +%s%N) - t0) / 1000000 )) ms (process start to /readyz 200)"
}

echo "==> e2e: SQLite"
start sqlite 38081 KANTUTA_DATA_DIR=./data
check "healthz" 200 GET http://127.0.0.1:38081/healthz
check "readyz" 200 GET http://127.0.0.1:38081/readyz
check "unknown route" 404 GET http://127.0.0.1:38081/nope
grep -q "password:" "$work/sqlite.out" && { pass=$((pass+1)); echo "  ok   first admin printed once"; } || { fail=$((fail+1)); echo "  FAIL no admin credentials printed"; }
if [ -n "${E2E_EXTRA:-}" ]; then "$E2E_EXTRA" http://127.0.0.1:38081 "$work/sqlite.out" || fail=$((fail+1)); fi

if psql "$PGURL" -c 'select 1' >/dev/null 2>&1; then
  echo "==> e2e: PostgreSQL"
  dbname="kantuta_e2e_$$"
  psql "$PGURL" -qc "CREATE DATABASE $dbname" >/dev/null
  pgdb=$(echo "$PGURL" | sed -E "s#/[^/?]+(\?|$)#/$dbname\1#")
  start postgres 38082 DATABASE_URL="$pgdb"
  check "healthz" 200 GET http://127.0.0.1:38082/healthz
  check "readyz" 200 GET http://127.0.0.1:38082/readyz
  kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
  psql "$PGURL" -qc "DROP DATABASE $dbname WITH (FORCE)" >/dev/null
else
  echo "==> e2e: PostgreSQL not reachable at $PGURL"
  [ "${KANTUTA_REQUIRE_POSTGRES:-}" = "1" ] && fail=$((fail+1))
fi
echo "e2e: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
