#!/usr/bin/env bash
# POST /ventas throughput (contract §10): the built binary on a fresh
# PostgreSQL database against pgbench's default TPC-B-like script, same
# client count, same PostgreSQL, same run; then the p99 at half the
# measured sale rate. Prints both numbers and the ratio (target ≥ 40%,
# p99 ≤ 50 ms at half load).
#   scripts/bench-ventas.sh
# Environment: DURATION (10s), CONNS (32, wrk and pgbench clients), CAJEROS
# (10 cashiers, each with a caja and an open session; pgbench's scale is
# the same number of branches), PRODUCTOS (5000), VENTAS (100000 historical
# sales seeded first), BENCH_PORT (39510),
# BENCH_POSTGRES_URL (postgres://postgres@127.0.0.1:5432), BENCH_DB
# (kantuta_bench_ventas; dropped and created, and <BENCH_DB>_pgbench too),
# DELAY_MS (10, think time of the paced connections); PPROF_ADDR with
# PROFILE_OUT: the server's CPU profile of the saturated run, written there.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
CONNS=${CONNS:-32}
CAJEROS=${CAJEROS:-10}
PRODUCTOS=${PRODUCTOS:-5000}
VENTAS=${VENTAS:-100000}
PORT=${BENCH_PORT:-39510}
PG=${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432}
DB=${BENCH_DB:-kantuta_bench_ventas}
B=http://127.0.0.1:$PORT
work=$(mktemp -d)
pid=""
prof=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
command -v wrk >/dev/null || { echo "installing wrk"; apt-get install -y -qq wrk >/dev/null; }
for tool in wrk pgbench psql curl python3; do
  command -v "$tool" >/dev/null || { echo "bench-ventas: $tool is needed" >&2; exit 1; }
done
dsec=${DURATION%s}

CGO_ENABLED=0 go build -trimpath -o "$work/kantuta" ./cmd/kantuta
psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" \
  -c "DROP DATABASE IF EXISTS ${DB}_pgbench WITH (FORCE)" -c "CREATE DATABASE ${DB}_pgbench" >/dev/null
pgbench -q -i -s "$CAJEROS" "$PG/${DB}_pgbench" >/dev/null 2>&1
export DATABASE_URL="$PG/$DB?sslmode=disable" KANTUTA_DATA_DIR="$work" LOG_LEVEL=warn
export JWT_SECRET=bench-access-secret-0123456789abcdef0123 JWT_REFRESH_SECRET=bench-refresh-secret-0123456789abcdef01
"$work/kantuta" migrate up >/dev/null
"$work/kantuta" admin create --email admin@kantuta.local --password BenchAdmin123 >/dev/null
# A shop with history: products and a year of sales (the aggregates, and
# planner statistics of tables that are not empty — an empty venta table
# made PostgreSQL's foreign-key checks scan it, as they would not in use).
"$work/kantuta" seed demo --productos "$PRODUCTOS" >/dev/null 2>&1
"$work/kantuta" seed demo --ventas "$VENTAS" >/dev/null 2>&1
# Stock for the whole run: a sale takes at most 9 units.
psql "$PG/$DB" -qc "UPDATE producto SET stock_actual = 1000000000, stock_minimo = 0" -c "VACUUM ANALYZE" >/dev/null
read -r pmin pmax < <(psql "$PG/$DB" -Atc "SELECT min(id), max(id) FROM producto WHERE estado" | tr '|' ' ')

KANTUTA_ADDR=127.0.0.1:$PORT KANTUTA_ADMIN_PASSWORD=BenchAdmin123 JWT_EXPIRES_IN=2h \
  RATE_LIMIT_LOGIN=100000000/min RATE_LIMIT_PUBLIC=100000000/min LOGIN_MAX_FAILURES=0 \
  "$work/kantuta" serve >"$work/server.out" 2>"$work/server.log" &
pid=$!
for _ in $(seq 1 300); do curl -sf "$B/readyz" >/dev/null && break; sleep 0.1; done
curl -sf "$B/readyz" >/dev/null || { echo "bench-ventas: the server did not start"; cat "$work/server.log"; exit 1; }

# Cashiers (role 3) through the API, each with a caja and an open session.
login() { curl -s -XPOST "$B/auth/login" -H 'Content-Type: application/json' -d "{\"email\":\"$1\",\"password\":\"$2\"}" |
  python3 -c 'import sys,json; print(json.load(sys.stdin)["access_token"])'; }
json_id() { python3 -c 'import sys,json; print(json.load(sys.stdin)["id"])'; }
admin=$(login admin@kantuta.local BenchAdmin123)
: >"$work/sessions"
for i in $(seq 1 "$CAJEROS"); do
  curl -sf -XPOST "$B/usuario/register" -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
    -d "{\"email\":\"cajero$i@kantuta.bench\",\"password\":\"BenchCajero123\",\"nombres\":\"Cajero\",\"p_apellido\":\"$i\",\"fecha_nacimiento\":\"1990-01-01\",\"genero\":\"O\",\"id_role\":3}" >/dev/null
  tok=$(login "cajero$i@kantuta.bench" BenchCajero123)
  caja=$(curl -sf -XPOST "$B/cajas" -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
    -d "{\"nombre\":\"Caja bench $i\",\"especialidad\":\"MIXTA\",\"saldo\":100}" | json_id)
  ses=$(curl -sf -XPOST "$B/cajas/abrir" -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
    -d "{\"id_caja\":$caja}" | json_id)
  echo "$tok $ses" >>"$work/sessions"
done
export SESSIONS="$work/sessions" PROD_MIN=$pmin PROD_MAX=$pmax
# One sale by hand: the body the lua script sends is accepted.
read -r tok ses <"$work/sessions"
code=$(curl -s -o "$work/first.json" -w '%{http_code}' -XPOST "$B/ventas" -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
  -d "{\"metodo_pago\":\"EFECTIVO\",\"id_sesion_caja\":$ses,\"detalles\":[{\"id_producto\":$pmin,\"cantidad\":1},{\"id_producto\":$pmax,\"cantidad\":2}]}")
[ "$code" = 201 ] || { echo "bench-ventas: a sale answered $code: $(cat "$work/first.json")"; exit 1; }

result() { grep '^RESULT' | sed -E 's/^RESULT //; s/ /;/g'; }
pgb() { pgbench -c "$CONNS" -j 2 -T "$dsec" "$PG/${DB}_pgbench" 2>/dev/null | awk '/^tps/ {printf "%.1f", $3; exit}'; }
echo "==> $(date -u +%FT%TZ) $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $CAJEROS cashiers, $PRODUCTOS products, $VENTAS ventas before, $CONNS clients, $DURATION runs"
# pgbench right before and right after the sales, on the same PostgreSQL;
# the ratio is taken against their mean.
pg1=$(pgb)
echo "pgbench (TPC-B-like, c=$CONNS, scale $CAJEROS), before:       $pg1 tps"
# CPU seconds (user + system) of the server. (PostgreSQL's share is not
# taken: its backends come and go — a cancelled request closes its
# connection — and other work shares it.)
cpu() { awk '{s += ($14 + $15) / 100} END {printf "%.2f", s}' "$@" 2>/dev/null || echo 0; }
if [ -n "${PPROF_ADDR:-}" ] && [ -n "${PROFILE_OUT:-}" ]; then
  curl -s -o "$PROFILE_OUT" "http://$PPROF_ADDR/debug/pprof/profile?seconds=$(( dsec > 3 ? dsec - 2 : 1 ))" &
  prof=$!
fi
k0=$(cpu /proc/$pid/stat)
eval "$(wrk -t2 -c"$CONNS" -d"$DURATION" -s scripts/bench/ventas.lua "$B" 2>&1 | result)"
k1=$(cpu /proc/$pid/stat)
[ -z "${prof:-}" ] || wait "$prof"
sat_rps=$rps
echo "POST /ventas, 3 lines, saturated (wrk -t2 -c$CONNS):       $rps req/s  p50 $p50  p95 $p95  p99 $p99 ms  errors $errors"
python3 -c "print('  CPU per sale of the server: %.2f ms' % (1000 * ($k1 - $k0) / $requests))"
pg2=$(pgb)
echo "pgbench (TPC-B-like, c=$CONNS, scale $CAJEROS), after:        $pg2 tps  (load average $(cut -d' ' -f1-3 /proc/loadavg))"
pgmean=$(python3 -c "print(round(($pg1 + $pg2) / 2, 1))")
ratio=$(python3 -c "print(round(100 * $sat_rps / $pgmean))")
# Half that rate, held by wrk: paced connections (a random think time),
# their number calibrated in two short runs.
target=$(python3 -c "print(round($sat_rps / 2))")
paced() { DELAY_MS=${DELAY_MS:-10} wrk -t1 -c"$1" -d"$2" -s scripts/bench/ventas_paced.lua "$B" 2>&1 | grep '^RESULT'; }
pconns=$(python3 -c "print(max(1, round($target * ${DELAY_MS:-10} * 1.2 / 1000)))")
for _ in 1 2; do
  got=$(paced "$pconns" 3s | sed -E 's/.*rps=([0-9.]+).*/\1/')
  pconns=$(python3 -c "print(max(1, round($pconns * $target / max($got, 1) * 1.02)))")
done
eval "$(paced "$pconns" "$DURATION" | result)"
echo "POST /ventas at half that rate (wrk, $pconns paced conns):  $rps req/s  p50 $p50  p95 $p95  p99 $p99 ms  errors $errors"
echo "==> POST /ventas = ${ratio}% of pgbench's mean $pgmean tps (target ≥ 40%); p99 at half load $p99 ms at $rps req/s (target ≤ 50 ms); load average $(cut -d' ' -f1-3 /proc/loadavg)"
