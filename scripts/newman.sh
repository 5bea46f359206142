#!/usr/bin/env bash
# Runs api/kantuta.postman_collection.json with Newman against the built
# binary on a fresh SQLite data dir; exits non-zero on any failed request or
# test. Newman comes from the npm registry, pinned in api/package.json and
# api/package-lock.json, installed into api/node_modules (git-ignored).
#
#   make build && scripts/newman.sh            # BIN=… and NEWMAN_PORT=… to override
#   scripts/newman.sh --verbose                # extra arguments go to `newman run`
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-bin/kantuta}
PORT=${NEWMAN_PORT:-38095}
URL="http://127.0.0.1:$PORT"

if [ ! -x "$BIN" ]; then
  echo "==> $BIN not found: building"
  make build
fi

if [ ! -x api/node_modules/.bin/newman ] ||
   [ "$(api/node_modules/.bin/newman --version 2>/dev/null)" != "$(node -p 'require("./api/package.json").devDependencies.newman')" ]; then
  echo "==> installing Newman (npm ci in api/)"
  (cd api && npm ci --no-audit --no-fund --loglevel=error)
fi

work=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

admin_email=admin@kantuta.local
admin_password="newman-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"

echo "==> starting $BIN on $URL (fresh SQLite in $work)"
(cd "$work" && exec env -u DATABASE_URL KANTUTA_ENV=development KANTUTA_ADDR="127.0.0.1:$PORT" \
  KANTUTA_DATA_DIR="$work/data" KANTUTA_ADMIN_EMAIL="$admin_email" KANTUTA_ADMIN_PASSWORD="$admin_password" \
  "$OLDPWD/$BIN" serve >"$work/stdout" 2>"$work/server.log") &
pid=$!
for _ in $(seq 1 200); do
  curl -sf "$URL/readyz" >/dev/null 2>&1 && break
  if ! kill -0 "$pid" 2>/dev/null; then echo "server exited:"; cat "$work/server.log"; exit 1; fi
  sleep 0.05
done
curl -sf "$URL/readyz" >/dev/null || { echo "server not ready"; cat "$work/server.log"; exit 1; }

status=0
api/node_modules/.bin/newman run api/kantuta.postman_collection.json \
  --env-var "baseUrl=$URL" --env-var "adminEmail=$admin_email" --env-var "adminPassword=$admin_password" \
  --color off --reporters cli "$@" || status=$?

if [ "$status" -ne 0 ]; then
  echo "==> newman failed ($status); last server log lines:"
  tail -n 40 "$work/server.log"
fi
exit "$status"
