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
go test -count=1 -timeout 15m ${GOTEST_FLAGS:-} ./... 2>&1 | tee /tmp/kantuta-test.$$.log
status=${PIPESTATUS[0]}
set -e
passed=$(grep -c '^--- PASS\|^ok ' /tmp/kantuta-test.$$.log || true)
skipped_pg=$(grep -c -- '--- SKIP: .*/postgres' /tmp/kantuta-test.$$.log || true)
rm -f /tmp/kantuta-test.$$.log
echo
if [ "$pg" = yes ]; then
  echo "==> ran on: SQLite and PostgreSQL"
else
  echo "==> ran on: SQLite only (PostgreSQL subtests skipped: $skipped_pg)"
fi
if [ "$status" -ne 0 ]; then
  echo "==> FAILED"
  exit "$status"
fi
echo "==> all tests passed"
