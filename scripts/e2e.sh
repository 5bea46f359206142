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
check() { # name, expected status, method, url [curl args…]
  local got name=$1 want=$2 method=$3 url=$4; shift 4
  got=$(curl -s -o "$work/body" -w '%{http_code}' -X "$method" "$url" "$@")
  if [ "$got" = "$want" ]; then pass=$((pass+1)); echo "  ok   $name ($got)"; else fail=$((fail+1)); echo "  FAIL $name: got $got, want $want: $(head -c 300 "$work/body")"; fi
}
json() { python3 -c "import sys,json; d=json.load(open('$work/body')); print($1)"; }
identity() { # base url: seed 002's session, over real HTTP
  local b=$1 j='Content-Type: application/json'
  check "register María (seed 002)" 201 POST "$b/usuario/register" -H "$j" -d '{"email":"maria.quispe@kantuta.bo","password":"ClaveFuerte123!","nombres":"María Elena","p_apellido":"Quispe","s_apellido":"Condori","fecha_nacimiento":"1995-03-22","genero":"F","name":"maria.quispe","estado":true}'
  local id; id=$(json 'd["id"]')
  check "duplicate email" 409 POST "$b/usuario/register" -H "$j" -d '{"email":"MARIA.QUISPE@kantuta.bo","password":"ClaveFuerte123!","nombres":"M","p_apellido":"Q","fecha_nacimiento":"1995-03-22","genero":"F"}'
  check "admin login" 201 POST "$b/auth/login" -H "$j" -d '{"email":"admin@kantuta.local","password":"E2eAdminPass123"}'
  local tok; tok=$(json 'd["access_token"]')
  check "list usuarios" 200 GET "$b/usuario" -H "Authorization: Bearer $tok"
  check "get María" 200 GET "$b/usuario/$id" -H "Authorization: Bearer $tok"
  check "patch María" 200 PATCH "$b/usuario/$id" -H "Authorization: Bearer $tok" -H "$j" -d '{"name":"maria.quispe.cajera","estado":true}'
  check "delete María" 200 DELETE "$b/usuario/$id" -H "Authorization: Bearer $tok"
  check "María cannot log in" 403 POST "$b/auth/login" -H "$j" -d '{"email":"maria.quispe@kantuta.bo","password":"ClaveFuerte123!"}'
  check "no token" 401 GET "$b/usuario"
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
start sqlite 38081 KANTUTA_DATA_DIR=./data KANTUTA_ADMIN_PASSWORD=E2eAdminPass123 PPROF_ADDR=127.0.0.1:38091
check "healthz" 200 GET http://127.0.0.1:38081/healthz
check "profiles on PPROF_ADDR" 200 GET http://127.0.0.1:38091/debug/pprof/
check "no profiles on the API's port" 404 GET http://127.0.0.1:38081/debug/pprof/
check "readyz" 200 GET http://127.0.0.1:38081/readyz
check "unknown route" 404 GET http://127.0.0.1:38081/nope
identity http://127.0.0.1:38081
if [ -n "${E2E_EXTRA:-}" ]; then "$E2E_EXTRA" http://127.0.0.1:38081 "$work/sqlite.out" || fail=$((fail+1)); fi

if psql "$PGURL" -c 'select 1' >/dev/null 2>&1; then
  echo "==> e2e: PostgreSQL"
  dbname="kantuta_e2e_$$"
  psql "$PGURL" -qc "CREATE DATABASE $dbname" >/dev/null
  pgdb=$(echo "$PGURL" | sed -E "s#/[^/?]+(\?|$)#/$dbname\1#")
  start postgres 38082 DATABASE_URL="$pgdb" KANTUTA_ADMIN_PASSWORD=E2eAdminPass123
  check "healthz" 200 GET http://127.0.0.1:38082/healthz
  check "readyz" 200 GET http://127.0.0.1:38082/readyz
  identity http://127.0.0.1:38082
  kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
  psql "$PGURL" -qc "DROP DATABASE $dbname WITH (FORCE)" >/dev/null
else
  echo "==> e2e: PostgreSQL not reachable at $PGURL"
  [ "${KANTUTA_REQUIRE_POSTGRES:-}" = "1" ] && fail=$((fail+1))
fi
echo "==> e2e: the first admin's password is printed once, and only once"
mkdir -p "$work/fresh"
(cd "$work/fresh" && KANTUTA_ADDR=127.0.0.1:38083 timeout 3 "$OLDPWD/$BIN" serve >first.out 2>/dev/null; KANTUTA_ADDR=127.0.0.1:38083 timeout 3 "$OLDPWD/$BIN" serve >second.out 2>/dev/null) || true
if grep -q "password:" "$work/fresh/first.out" && ! grep -q "password:" "$work/fresh/second.out"; then
  pass=$((pass+1)); echo "  ok   printed on the first start only"
else
  fail=$((fail+1)); echo "  FAIL admin credentials: first=$(cat "$work/fresh/first.out") second=$(cat "$work/fresh/second.out")"
fi
echo "e2e: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
