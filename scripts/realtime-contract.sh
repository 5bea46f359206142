#!/usr/bin/env bash
# Socket.IO contract test (SPEC §14.6): the frontend's socket.io-client
# 4.8.3 (Node) against the built binary, over long-polling and the WebSocket
# upgrade, on SQLite and on PostgreSQL with two replicas sharing a database
# (e2e/realtime/contract_test.go). The client comes from the npm registry,
# pinned in e2e/realtime/package.json and package-lock.json, installed into
# e2e/realtime/node_modules (git-ignored). Ports 38250-38299.
#
#   scripts/realtime-contract.sh          # BIN=… to test another binary
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-bin/kantuta}

if [ -z "${BIN_PREBUILT:-}" ]; then
  echo "==> building $BIN"
  make build >/dev/null
fi
want=$(node -p 'require("./e2e/realtime/package.json").devDependencies["socket.io-client"]')
have=$(node -p 'try { require("./e2e/realtime/node_modules/socket.io-client/package.json").version } catch { "" }' 2>/dev/null || true)
if [ "$have" != "$want" ]; then
  echo "==> installing socket.io-client $want (npm ci in e2e/realtime)"
  (cd e2e/realtime && npm ci --no-audit --no-fund --loglevel=error)
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
(cd e2e/realtime && REALTIME_CONTRACT_BIN="$(cd "$OLDPWD" && realpath "$BIN")" \
  go test -count=1 -timeout 10m -v -run '^TestContract$' .) >"$log" 2>&1
status=$?
set -e
# The event log and any failure, without the RUN noise.
grep -vE '^=== (RUN|PAUSE|CONT)' "$log" || true
passed=$(grep -cE -- '--- PASS: TestContract/(sqlite|postgres)/' "$log" || true)
failed=$(grep -cE -- '--- FAIL: TestContract/(sqlite|postgres)/' "$log" || true)
skipped=$(grep -cE -- '--- SKIP: TestContract' "$log" || true)
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
  echo "realtime: no contract case ran" >&2
  exit 1
fi
echo "realtime: $passed passed, $failed failed$([ "$skipped" -gt 0 ] && echo ", $skipped skipped")"
exit "$status"
