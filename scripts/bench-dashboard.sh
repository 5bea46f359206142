#!/usr/bin/env bash
# Dashboard benchmark (SPEC §10, §14.4): seeds a fresh database by SQL with
# N ventas (3 lines each), 200,000 top-ups and 5,000 products, fills the
# aggregates with the code of `kantuta reportes rebuild`, serves it and
# measures GET /reportes/dashboard-stats with sequential requests.
#   scripts/bench-dashboard.sh sqlite   [N=200000]
#   scripts/bench-dashboard.sh postgres [N=1000000]   (BENCH_POSTGRES_URL, default local)
# The PostgreSQL run drops and recreates the database BENCH_DB (default
# kantuta_bench_dashboard). BENCH_PORT (default 38550) is the server's port.
# BENCH_REUSE=DIR keeps the seeded database (the SQLite file in DIR, or the
# PostgreSQL database); a later run with the same DIR migrates it with the
# binary being measured (new migrations backfill their tables) and
# measures again without seeding.
set -euo pipefail
cd "$(dirname "$0")/.."
dialect=${1:-sqlite}
work=${BENCH_REUSE:-$(mktemp -d)}
mkdir -p "$work"
reuse=no; [ -n "${BENCH_REUSE:-}" ] && [ -f "$work/seeded" ] && reuse=yes
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; [ -n "${BENCH_REUSE:-}" ] || rm -rf "$work"; }
trap cleanup EXIT

go build -o "$work/kantuta" ./cmd/kantuta
go build -o "$work/bench-dashboard" ./scripts/bench-dashboard
case "$dialect" in
  sqlite)
    n=${2:-200000}
    export DATABASE_URL="sqlite:$work/kantuta.db" ;;
  postgres)
    n=${2:-1000000}
    pg=${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432}
    dbname=${BENCH_DB:-kantuta_bench_dashboard}
    [ "$reuse" = yes ] || psql "$pg/postgres" -qc "DROP DATABASE IF EXISTS $dbname" -c "CREATE DATABASE $dbname"
    export DATABASE_URL="$pg/$dbname?sslmode=disable" ;;
  *) echo "usage: $0 sqlite|postgres [N]" >&2; exit 2 ;;
esac
port=${BENCH_PORT:-38550}
export JWT_SECRET=bench-access-secret-0123456789abcdef0123 JWT_REFRESH_SECRET=bench-refresh-secret-0123456789abcdef01
export KANTUTA_ADDR=127.0.0.1:$port LOG_LEVEL=warn KANTUTA_DATA_DIR="$work"

"$work/kantuta" migrate up >/dev/null
if [ "$reuse" = yes ]; then
  echo "==> reusing the database seeded in $work (migrated to this binary's schema)"
else
  "$work/kantuta" admin create --email bench@kantuta.local --password bench-password-123 >/dev/null
  echo "==> seed ($dialect): $n ventas"
  "$work/bench-dashboard" seed -ventas "$n"
  touch "$work/seeded"
fi
"$work/kantuta" serve >"$work/serve.out" 2>"$work/serve.log" &
pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
echo "==> latency over $n ventas ($dialect), sequential requests over HTTP"
"$work/bench-dashboard" measure -url "http://127.0.0.1:$port" -n "${REQUESTS:-500}"
echo "==> the same computation without the cache (what the first request after a sale pays), in process"
"$work/bench-dashboard" uncached -n "${UNCACHED:-100}"
for p in "/reportes/dashboard-stats?anio=$(date +%Y)" "/reportes/data/ventas-rango?fechaInicio=$(date -d '-30 days' +%F)&fechaFin=$(date +%F)" \
         "/reportes/data/productividad-operador?fechaInicio=$(date -d '-365 days' +%F)&fechaFin=$(date +%F)"; do
  "$work/bench-dashboard" measure -url "http://127.0.0.1:$port" -n "${REQUESTS_OTHER:-50}" -path "$p" | tail -1
done
