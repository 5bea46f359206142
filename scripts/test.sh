#!/usr/bin/env bash
# Runs the whole Go test suite on SQLite, and on PostgreSQL when
# TEST_DATABASE_URL is set or one answers on 127.0.0.1:5432, then says
# plainly which databases ran. KANTUTA_REQUIRE_POSTGRES=1 makes a missing
# PostgreSQL a failure.
set -euo pipefail
cd "$(dirname "$0")/.."

url="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}"
hostport=$(echo "$url" | sed -E 's#^[a-z]+://([^@/]*@)?([^/?]+).*#\2#')
host=${hostport%:*}; port=${hostport##*:}; [ "$port" = "$hostport" ] && port=5432
if (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then
  export TEST_DATABASE_URL="$url"
  pg="yes"
else
  pg="no"
  if [ "${KANTUTA_REQUIRE_POSTGRES:-}" = "1" ]; then
    echo "make test: KANTUTA_REQUIRE_POSTGRES=1 but no PostgreSQL answers at $host:$port" >&2
    exit 1
  fi
fi

echo "==> databases: SQLite$([ "$pg" = yes ] && echo " + PostgreSQL ($host:$port)" || echo " only (no PostgreSQL at $host:$port)")"
set +e
log=$(mktemp)
go test -count=1 -timeout 15m -v ${GOTEST_FLAGS:-} ./... >"$log" 2>&1
status=$?
set -e
# Package results and any failure, without the -v noise.
grep -E '^(ok|FAIL|---|panic:)|^\s+--- FAIL|_test\.go:[0-9]+:' "$log" | grep -v -- '--- PASS\|--- SKIP' || true
tests=$(grep -cE '^--- PASS' "$log" || true)
sqlite=$(grep -cE '^\s+--- PASS: [^ ]+/sqlite ' "$log" || true)
postgres=$(grep -cE '^\s+--- PASS: [^ ]+/postgres ' "$log" || true)
pgskip=$(grep -cE '^\s+--- SKIP: [^ ]+/postgres ' "$log" || true)
failed=$(grep -cE -- '--- FAIL' "$log" || true)
cp "$log" "${TEST_LOG:-/tmp/kantuta-test.log}"; rm -f "$log"
echo
echo "==> full log: ${TEST_LOG:-/tmp/kantuta-test.log}"
echo "==> per database: SQLite $sqlite passed; PostgreSQL $postgres passed, $pgskip skipped"
if [ "$pg" = yes ] && [ "$postgres" -gt 0 ]; then
  echo "==> ran on: SQLite and PostgreSQL"
else
  echo "==> ran on: SQLite only"
fi
if [ "$status" -ne 0 ]; then
  echo "==> FAILED"
  echo "tests: $tests passed, $failed failed"
  exit "$status"
fi
echo "==> all tests passed"
echo "tests: $tests passed, $failed failed"
