#!/usr/bin/env bash
# Runs the whole Go test suite: every database test on SQLite (always) and
# on PostgreSQL when one answers, then reports what actually ran.
#
# PostgreSQL: TEST_DATABASE_URL, default
#   postgres://postgres@127.0.0.1:5432/test?sslmode=disable
# i.e. the database `test` on the local server, user postgres, no password
# (create it once with `createdb -h 127.0.0.1 -U postgres test`). Each test
# makes a schema of its own in that database and drops it afterwards.
# Another database: TEST_DATABASE_URL=postgres://user:pass@host:5432/db make test
# KANTUTA_REQUIRE_POSTGRES=1 makes a missing PostgreSQL a failure (CI).
set -euo pipefail
cd "$(dirname "$0")/.."

default_url="postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
url="${TEST_DATABASE_URL:-$default_url}"
shown=$(echo "$url" | sed -E 's#(://[^:/@]+):[^@]*@#\1:***@#')
hostport=$(echo "$url" | sed -E 's#^[a-z]+://([^@/]*@)?([^/?]+).*#\2#')
host=${hostport%:*}; port=${hostport##*:}; [ "$port" = "$hostport" ] && port=5432
dbname=$(echo "$url" | sed -E 's#^[a-z]+://[^/]*/([^?]*).*#\1#')
if [ -n "${TEST_DATABASE_URL:-}" ]; then how="from TEST_DATABASE_URL"; else how="the default; TEST_DATABASE_URL chooses another"; fi
echo "==> SQLite: always (a temporary file per test)"
echo "==> PostgreSQL: $shown ($how)"
if (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then
  export TEST_DATABASE_URL="$url"
  pg="yes"
  echo "    something answers on $host:$port; each test uses a schema of its own in database \"$dbname\" (the summary says how many PostgreSQL subtests ran)"
else
  pg="no"
  if [ "${KANTUTA_REQUIRE_POSTGRES:-}" = "1" ]; then
    echo "make test: KANTUTA_REQUIRE_POSTGRES=1 but no PostgreSQL answers at $host:$port" >&2
    exit 1
  fi
  echo "    nothing answers on $host:$port: PostgreSQL subtests will skip"
fi
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
echo "==> per database: SQLite $sqlite subtests passed; PostgreSQL $postgres passed, $pgskip skipped"
if [ "$postgres" -gt 0 ]; then
  echo "==> ran on: SQLite and PostgreSQL ($shown)"
else
  echo "==> ran on: SQLite only"
  if [ "$pg" = yes ]; then
    # Something answered on the port but no PostgreSQL subtest ran: say why.
    why=$(grep -m1 -oE 'postgres unavailable: .*' "${TEST_LOG:-/tmp/kantuta-test.log}" || true)
    echo "    PostgreSQL answered on $host:$port but every PostgreSQL subtest skipped${why:+: $why}"
    echo "    (does database \"$dbname\" exist? createdb -h $host -p $port $dbname — or set TEST_DATABASE_URL)"
  fi
fi
if [ "$status" -ne 0 ]; then
  echo "==> FAILED"
  echo "tests: $tests passed, $failed failed"
  exit "$status"
fi
echo "==> all tests passed"
echo "tests: $tests passed, $failed failed"
