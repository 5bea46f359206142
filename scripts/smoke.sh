#!/usr/bin/env bash
# Smoke test of a live server: the main routes of docs/api.md, read-only
# except for one customer (created, then soft-deleted) and one login session.
#
#   scripts/smoke.sh http://localhost:3000                       # operations only
#   ADMIN_EMAIL=admin@kantuta.local ADMIN_PASSWORD=… scripts/smoke.sh https://pos.example.com
#   METRICS_TOKEN=… (or METRICS_ELSEWHERE=1 with METRICS_ADDR) for a production server
#
# Exits non-zero when any check fails. Needs curl and jq.
set -uo pipefail
BASE=${1:-${BASE:-http://localhost:3000}}
BASE=${BASE%/}
command -v jq >/dev/null || { echo "smoke: jq is required"; exit 2; }
pass=0; fail=0
body=$(mktemp); trap 'rm -f "$body"' EXIT

# check NAME WANT_STATUS METHOD PATH [curl args…]
check() {
  local name=$1 want=$2 method=$3 path=$4; shift 4
  local got
  got=$(curl -sS -o "$body" -w '%{http_code}' -X "$method" "$BASE$path" "$@" 2>/dev/null) || got=000
  if [ "$got" = "$want" ]; then pass=$((pass+1)); echo "  ok   $name ($got)"
  else fail=$((fail+1)); echo "  FAIL $name: got $got, want $want: $(head -c 300 "$body")"; fi
}
# expect NAME JQ_EXPR — the last body satisfies the jq expression
expect() {
  if jq -e "$2" "$body" >/dev/null 2>&1; then pass=$((pass+1)); echo "  ok   $1"
  else fail=$((fail+1)); echo "  FAIL $1: $(head -c 300 "$body")"; fi
}

echo "==> $BASE: operations"
check "healthz" 200 GET /healthz;              expect "healthz ok" '.status == "ok"'
check "readyz" 200 GET /readyz;                expect "readyz ready" '.status == "ready"'
# A production server keeps /metrics behind METRICS_TOKEN or on METRICS_ADDR (then 404 here).
if [ -n "${METRICS_TOKEN:-}" ]; then
  check "metrics without its token" 401 GET /metrics
  check "metrics" 200 GET /metrics -H "Authorization: Bearer $METRICS_TOKEN"
elif [ -n "${METRICS_ELSEWHERE:-}" ]; then
  check "metrics not on the API's address" 404 GET /metrics
else
  check "metrics" 200 GET /metrics
fi
check "openapi.yaml" 200 GET /openapi.yaml
check "docs" 200 GET /docs
check "api → docs" 302 GET /api
check "unknown route" 404 GET /no-such-route;  expect "Nest 404" '.statusCode == 404'
check "me without token" 401 GET /auth/me;     expect "Nest 401" '.statusCode == 401'
check "clientes without token" 401 GET /api/pos/clientes/type; expect "Clientes 401" '.message == "Token no proporcionado"'

if [ -n "${ADMIN_EMAIL:-}" ] && [ -n "${ADMIN_PASSWORD:-}" ]; then
  echo "==> signed in as $ADMIN_EMAIL"
  check "login" 201 POST /auth/login -H 'Content-Type: application/json' \
    --data "$(jq -nc --arg e "$ADMIN_EMAIL" --arg p "$ADMIN_PASSWORD" '{email:$e,password:$p}')"
  expect "tokens" '(.access_token|type) == "string" and (.refresh_token|type) == "string"'
  TOKEN=$(jq -r '.access_token // empty' "$body")
  auth=(-H "Authorization: Bearer $TOKEN")
  check "login wrong password" 401 POST /auth/login -H 'Content-Type: application/json' \
    --data "$(jq -nc --arg e "$ADMIN_EMAIL" '{email:$e,password:"definitely-wrong"}')"
  expect "no enumeration" '.message == "Credenciales inválidas"'
  check "me" 200 GET /auth/me "${auth[@]}";              expect "me is a Usuario" '.email and .role.id'
  check "roles" 200 GET /auth/roles/list "${auth[@]}";  expect "three roles" 'length == 3'
  check "usuarios" 200 GET "/usuario?page=1&limit=5" "${auth[@]}"; expect "envelope" '.status == 200 and (.data|type) == "array"'
  check "personas" 200 GET /persona "${auth[@]}"
  check "operators" 200 GET /roles "${auth[@]}"
  users=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/users" "${auth[@]}")
  if [ "$users" = 200 ] || [ "$users" = 204 ]; then pass=$((pass+1)); echo "  ok   users ($users)"; else fail=$((fail+1)); echo "  FAIL users: $users"; fi
  check "ciudades" 200 GET /api/pos/ciudades "${auth[@]}"; expect "Quito" 'map(.ct_codigo) | index("UIO001")'
  ruc=$(printf '17%08d' $((RANDOM * 1000 + RANDOM % 1000)))
  check "create cliente" 201 POST /api/pos/clientes "${auth[@]}" -H 'Content-Type: application/json' \
    --data "{\"ct_codigo\":\"UIO001\",\"cli_nombre\":\"Smoke Test Pérez\",\"cli_ruc_ced\":\"$ruc\",\"cli_telefono\":\"0987654321\",\"cli_mail\":\"smoke@example.com\"}"
  CLI=$(jq -r '.data.cli_codigo // empty' "$body")
  check "search" 200 GET "/api/pos/clientes/search?name=smoke%20test%20perez" "${auth[@]}"
  jq -e --arg c "$CLI" '.data | map(.cli_codigo) | index($c)' "$body" >/dev/null \
    && { pass=$((pass+1)); echo "  ok   search finds it"; } || { fail=$((fail+1)); echo "  FAIL search does not find $CLI"; }
  [ -n "$CLI" ] && check "delete cliente" 200 DELETE "/api/pos/clientes/$CLI" "${auth[@]}"
  check "logout" 200 POST /auth/logout "${auth[@]}"
  check "token dead after logout" 401 GET /auth/me "${auth[@]}"
else
  echo "==> (set ADMIN_EMAIL and ADMIN_PASSWORD to check the signed-in routes too)"
fi

echo "smoke: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
