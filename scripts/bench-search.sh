#!/usr/bin/env bash
# Customer search benchmark (docs/contract.md §10): seeds a fresh database with
# `kantuta seed demo`, serves it, and measures /api/pos/clientes/search,
# by name (search?name=) and as a cashier asks (search?q=).
#   scripts/bench-search.sh sqlite   [N=200000]
#   scripts/bench-search.sh postgres [N=1000000]   (BENCH_POSTGRES_URL, default local)
# BENCH_PORT (default 3917) is the port the server listens on.
# The PostgreSQL run drops and recreates the database kantuta_bench_cliente.
set -euo pipefail
cd "$(dirname "$0")/.."
dialect=${1:-sqlite}
# BENCH_REUSE=DIR keeps the seeded database in DIR (SQLite) or keeps the
# PostgreSQL database, and a later run with the same DIR measures it again
# without seeding.
work=${BENCH_REUSE:-$(mktemp -d)}
mkdir -p "$work"
reuse=no; [ -n "${BENCH_REUSE:-}" ] && [ -f "$work/seeded" ] && reuse=yes
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; [ -n "${BENCH_REUSE:-}" ] || rm -rf "$work"; }
trap cleanup EXIT

go build -o "$work/kantuta" ./cmd/kantuta
go build -o "$work/bench-search" ./scripts/bench-search
case "$dialect" in
  sqlite)
    n=${2:-200000}
    export DATABASE_URL="sqlite:$work/kantuta.db" ;;
  postgres)
    n=${2:-1000000}
    pg=${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432}
    [ "$reuse" = yes ] || psql "$pg/postgres" -qc "DROP DATABASE IF EXISTS kantuta_bench_cliente" -c "CREATE DATABASE kantuta_bench_cliente"
    export DATABASE_URL="$pg/kantuta_bench_cliente?sslmode=disable" ;;
  *) echo "usage: $0 sqlite|postgres [N]" >&2; exit 2 ;;
esac
export JWT_SECRET=bench-access-secret-0123456789abcdef0123 JWT_REFRESH_SECRET=bench-refresh-secret-0123456789abcdef01
export KANTUTA_ADMIN_PASSWORD=bench-password-123 KANTUTA_ADDR=127.0.0.1:${BENCH_PORT:-3917} LOG_LEVEL=warn KANTUTA_DATA_DIR="$work"

if [ "$reuse" = yes ]; then
  echo "==> reusing the database seeded in $work"
else
  echo "==> seed: kantuta seed demo --clientes $n ($dialect)"
  "$work/kantuta" seed demo --clientes "$n" 2>/dev/null
  touch "$work/seeded"
fi
"$work/kantuta" serve >"$work/serve.out" 2>"$work/serve.log" &
pid=$!
for _ in $(seq 1 100); do curl -sf http://127.0.0.1:${BENCH_PORT:-3917}/readyz >/dev/null && break; sleep 0.1; done
echo "==> search?name= latency over $n customers ($dialect), sequential requests over HTTP"
"$work/bench-search" -url http://127.0.0.1:${BENCH_PORT:-3917} -secret "$JWT_SECRET" -rounds "${ROUNDS:-40}" -param name
echo "==> search?q= latency (cédula, code, phone, name) over $n customers ($dialect)"
"$work/bench-search" -url http://127.0.0.1:${BENCH_PORT:-3917} -secret "$JWT_SECRET" -rounds "${ROUNDS:-40}" -param q
