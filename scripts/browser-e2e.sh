#!/usr/bin/env bash
# Browser end-to-end: the Kantuta React frontend, built from ../shared/clients/, driven in
# Debian's chromium (playwright-core, e2e/browser/) against a freshly built bin/kantuta, once on
# SQLite and once on a throw-away PostgreSQL database. See docs/frontend.md.
#
#   scripts/browser-e2e.sh                        both databases (PostgreSQL skipped if absent)
#   KANTUTA_REQUIRE_POSTGRES=1 scripts/browser-e2e.sh    a missing PostgreSQL is a failure (CI)
#   BROWSER_DBS=sqlite BROWSER_FLOWS=usuarios scripts/browser-e2e.sh   one database, some flows
#
# Installs what is missing: chromium and poppler-utils (apt-get), playwright-core (npm ci in e2e/browser/). The
# built frontend is cached in bin/browser-frontend/ and rebuilt only when the tarball or the API
# URL changes. A failing step leaves a screenshot, the page's console and its API calls in
# bin/browser-artifacts/<database>/. Prints `browser: N passed, M failed` per database.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
BIN=${BIN:-bin/kantuta}
# The API URL is baked into the frontend when it is built: one fixed port for the build and both
# runs (which are sequential). Away from 3000 (make run) and scripts/e2e.sh's 380xx.
API_PORT=${BROWSER_API_PORT:-38210}
FRONT_PORT=${BROWSER_FRONT_PORT:-38211}
API_URL="http://127.0.0.1:$API_PORT"
FRONT_URL="http://127.0.0.1:$FRONT_PORT"
# ../shared/clients/ next to the checkout; from a git worktree elsewhere, next to the main one.
CLIENTS=${KANTUTA_CLIENTS_DIR:-$repo/../shared/clients}
if [ -z "${KANTUTA_CLIENTS_DIR:-}" ] && [ ! -d "$CLIENTS" ]; then
  main_checkout=$(dirname "$(git rev-parse --path-format=absolute --git-common-dir 2>/dev/null || echo .)")
  CLIENTS="$main_checkout/../shared/clients"
fi
CACHE=${BROWSER_FRONT_CACHE:-$repo/bin/browser-frontend}
ARTIFACTS=${BROWSER_ARTIFACTS:-$repo/bin/browser-artifacts}
CHROMIUM=${BROWSER_CHROMIUM:-/usr/bin/chromium}
PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-postgres}
export PGHOST PGPORT PGUSER
ADMIN_EMAIL=admin@kantuta.local
ADMIN_PASSWORD=${BROWSER_ADMIN_PASSWORD:-Browser-e2e-Admin-1}
DBS=${BROWSER_DBS:-sqlite postgres}

t_start=$SECONDS
work=$(mktemp -d)
server_pid=""
pgdb=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ -n "$pgdb" ]; then dropdb --if-exists --force "$pgdb" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
elapsed() { echo "$((SECONDS - $1)) s"; }

# --- tools -----------------------------------------------------------------------------------
if [ ! -x "$CHROMIUM" ]; then
  echo "==> installing chromium (Debian package)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
if ! command -v pdftotext >/dev/null; then
  # The flows read the text of the PDFs the frontend downloads (docs/frontend.md).
  echo "==> installing poppler-utils (Debian package, for pdftotext)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null
fi
if ! command -v npm >/dev/null; then
  echo "==> installing nodejs and npm (Debian packages)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
if [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  echo "node $(node --version) is too old: playwright-core needs Node.js 20 or newer"
  echo "browser: 0 passed, 1 failed"
  exit 1
fi
want_pw=$(node -p 'require("./e2e/browser/package.json").devDependencies["playwright-core"]')
have_pw=$(node -p 'try { require("./e2e/browser/node_modules/playwright-core/package.json").version } catch { "" }')
if [ "$have_pw" != "$want_pw" ]; then
  echo "==> installing playwright-core $want_pw (npm ci in e2e/browser/)"
  (cd e2e/browser && npm ci --no-audit --no-fund --loglevel=error)
fi

# --- the frontend, built against API_URL -----------------------------------------------------
tarball=$(ls "$CLIENTS"/kantuta_pos_front-*.tar.gz 2>/dev/null | head -1 || true)
if [ -z "$tarball" ] || [ ! -x "$CLIENTS/build-frontend.sh" ]; then
  echo "no frontend tarball or build-frontend.sh in $CLIENTS"
  echo "browser: 0 passed, 1 failed"
  exit 1
fi
key="$(sha256sum "$tarball" | cut -d' ' -f1) $API_URL"
dist="$CACHE/src/kantuta_pos_front/dist"
if [ "$(cat "$CACHE/stamp" 2>/dev/null || true)" != "$key" ] || [ ! -f "$dist/index.html" ]; then
  echo "==> building the frontend ($(basename "$tarball")) against $API_URL into $CACHE"
  t0=$SECONDS
  rm -rf "$CACHE"
  mkdir -p "$CACHE"
  if ! "$CLIENTS/build-frontend.sh" "$API_URL" "$CACHE/src" >"$CACHE/build.log" 2>&1; then
    tail -40 "$CACHE/build.log"
    echo "browser: 0 passed, 1 failed"
    exit 1
  fi
  # Only dist/ is served (by e2e/browser/lib/static-server.mjs): drop the 250 MB of node_modules.
  rm -rf "$CACHE/src/kantuta_pos_front/node_modules"
  echo "$key" >"$CACHE/stamp"
  echo "    built in $(elapsed "$t0")"
else
  echo "==> frontend: cached build in $CACHE (API $API_URL)"
fi

# --- the server ------------------------------------------------------------------------------
echo "==> make build"
t0=$SECONDS
make build >/dev/null
echo "    $BIN built in $(elapsed "$t0")"

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in "$API_PORT" "$FRONT_PORT"; do
  if port_busy "$p"; then
    echo "port $p is in use; set BROWSER_API_PORT / BROWSER_FRONT_PORT to free ones"
    echo "browser: 0 passed, 1 failed"
    exit 1
  fi
done

start_server() { # name, extra env (DATABASE_URL=…) …
  local name=$1; shift
  mkdir -p "$work/$name"
  (cd "$work/$name" && exec env -u DATABASE_URL -u JWT_SECRET -u JWT_REFRESH_SECRET "$@" \
    KANTUTA_ENV=development KANTUTA_ADDR="127.0.0.1:$API_PORT" KANTUTA_DATA_DIR="$work/$name/data" \
    ROLE_NAMES=Administrador,Operador,Usuario CORS_ORIGINS="$FRONT_URL" JWT_EXPIRES_IN=8h \
    KANTUTA_ADMIN_EMAIL="$ADMIN_EMAIL" KANTUTA_ADMIN_PASSWORD="$ADMIN_PASSWORD" MAIL_BACKEND=console \
    "$repo/$BIN" serve >"$work/$name/stdout" 2>"$work/$name/server.log") &
  server_pid=$!
  for _ in $(seq 1 300); do
    curl -sf "$API_URL/readyz" >/dev/null 2>&1 && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "kantuta did not become ready on $API_URL:"
  tail -20 "$work/$name/server.log"
  return 1
}

stop_server() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  server_pid=""
}

failed_dbs=0
run_suite() { # name, extra env for the server …
  local name=$1 t0=$SECONDS status=0; shift
  echo "==> browser: $name"
  rm -rf "${ARTIFACTS:?}/$name"
  if ! start_server "$name" "$@"; then
    echo "browser: 0 passed, 1 failed"
    failed_dbs=$((failed_dbs + 1))
    stop_server
    return
  fi
  BROWSER_API_URL="$API_URL" BROWSER_FRONT_URL="$FRONT_URL" BROWSER_FRONT_DIST="$dist" \
    BROWSER_ADMIN_EMAIL="$ADMIN_EMAIL" BROWSER_ADMIN_PASSWORD="$ADMIN_PASSWORD" \
    BROWSER_ARTIFACTS="$ARTIFACTS" BROWSER_DB="$name" BROWSER_CHROMIUM="$CHROMIUM" \
    BROWSER_SERVER_STDOUT="$work/$name/stdout" \
    node e2e/browser/run.mjs || status=$?
  stop_server
  if [ "$status" -ne 0 ]; then
    failed_dbs=$((failed_dbs + 1))
    mkdir -p "$ARTIFACTS/$name"
    cp "$work/$name/server.log" "$ARTIFACTS/$name/server.log"
  fi
  echo "    $name took $(elapsed "$t0")"
}

for db in $DBS; do
  case $db in
    sqlite) run_suite sqlite ;;
    postgres)
      if pg_isready -h "$PGHOST" -p "$PGPORT" -q 2>/dev/null && psql -d postgres -Atqc 'select 1' >/dev/null 2>&1; then
        pgdb="kantuta_browser_$$"
        createdb "$pgdb"
        run_suite postgres DATABASE_URL="postgres://$PGUSER@$PGHOST:$PGPORT/$pgdb?sslmode=disable"
        dropdb --if-exists --force "$pgdb"
        pgdb=""
      elif [ "${KANTUTA_REQUIRE_POSTGRES:-}" = "1" ]; then
        echo "==> browser: postgres"
        echo "PostgreSQL is not reachable at $PGHOST:$PGPORT and KANTUTA_REQUIRE_POSTGRES=1"
        echo "browser: 0 passed, 1 failed"
        failed_dbs=$((failed_dbs + 1))
      else
        echo "==> browser: postgres skipped: PostgreSQL is not reachable at $PGHOST:$PGPORT (KANTUTA_REQUIRE_POSTGRES=1 makes this a failure)"
      fi
      ;;
    *) echo "unknown database $db in BROWSER_DBS"; exit 2 ;;
  esac
done

echo "==> browser e2e took $(elapsed "$t_start"); artefacts of failed steps: $ARTIFACTS"
[ "$failed_dbs" -eq 0 ]
