#!/usr/bin/env bash
# `make test`:      scripts/run-tests.sh          the suite less the slow tests (-m "not slow"), under pytest-xdist,
#                                                 on SQLite, then again on PostgreSQL when it answers.
# `make test-slow`: scripts/run-tests.sh --slow   the slow tests (marker `slow`: browser, kill -9, live-server
#                                                 concurrency) and every hypothesis test with the "full" profile,
#                                                 once, on PostgreSQL only.
# What cannot run is skipped with a loud notice; HPF_REQUIRE_POSTGRES=1 / HPF_REQUIRE_BROWSER=1 (set by .ci/run)
# turn those skips into failures. The last line printed is pytest's own summary line. Extra args go to pytest
# (after ours: a later -m or -n wins). HPF_TEST_WORKERS sets the xdist worker count (default: 2; 0 runs in-process).
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PG_URL="${HPF_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
PG_SHOWN=$(sed -E 's#://([^:/@]+):[^@]*@#://\1:***@#' <<<"$PG_URL")
WORKERS="${HPF_TEST_WORKERS:-2}"

slow=0
if [ "${1:-}" = "--slow" ]; then
  slow=1
  shift
fi

banner() {
  local bar
  bar=$(printf '!%.0s' {1..78})
  printf '\n%s\n' "$bar"
  for line in "$@"; do [ -n "$line" ] && printf '!!! %s\n' "$line"; done
  printf '%s\n\n' "$bar"
}

if [ "$slow" = 1 ] && [ ! -x "${HPF_CHROMIUM:-/usr/bin/chromium}" ]; then
  if [ "${HPF_REQUIRE_BROWSER:-0}" = 1 ]; then
    banner "BROWSER TESTS WILL FAIL: no Chromium at ${HPF_CHROMIUM:-/usr/bin/chromium} (HPF_REQUIRE_BROWSER=1)"
  else
    banner "SKIPPED: browser tests: no Chromium at ${HPF_CHROMIUM:-/usr/bin/chromium}" \
      "install it with: apt-get install chromium fonts-wqy-zenhei   (.ci/run does)"
  fi
fi

# The server answers (the runner creates its own test database, through the "postgres" database).
pg_ok=0
if "$BIN/python" -c 'import sys, psycopg; psycopg.connect(sys.argv[1], dbname="postgres", connect_timeout=3).close()' "$PG_URL" \
  >/dev/null 2>&1; then
  pg_ok=1
else
  banner "SKIPPED: PostgreSQL does not answer at $PG_SHOWN" \
    "$([ "$slow" = 1 ] && echo 'the slow tests run on PostgreSQL only: NONE of them ran' \
      || echo 'the suite runs on SQLite only')" \
    "start PostgreSQL or set HPF_TEST_POSTGRES_URL" \
    "$([ "${HPF_REQUIRE_POSTGRES:-0}" = 1 ] && echo 'HPF_REQUIRE_POSTGRES=1: this run FAILS')"
fi

if [ "$slow" = 1 ]; then
  # in-process (no xdist): a handful of long tests, each driving its own processes, browser or live server
  if [ "$pg_ok" = 1 ]; then
    echo "== slow tests on PostgreSQL ($PG_SHOWN), hypothesis profile \"full\""
    DATABASE_URL="$PG_URL" HPF_HYPOTHESIS_PROFILE=full \
      "$BIN/pytest" -m "slow or hypothesis" --durations=15 "$@" || exit $?
  elif [ "${HPF_REQUIRE_POSTGRES:-0}" = 1 ]; then
    banner "FAILED: PostgreSQL is required (HPF_REQUIRE_POSTGRES=1) but does not answer at $PG_SHOWN"
    exit 1
  fi
  exit 0
fi

xdist=()
[ "$WORKERS" != 0 ] && xdist=(-n "$WORKERS")

echo "== pytest on SQLite"
env -u DATABASE_URL "$BIN/pytest" "${xdist[@]}" -m "not slow" --durations=15 "$@" || exit $?

if [ "$pg_ok" = 1 ]; then
  echo "== pytest on PostgreSQL ($PG_SHOWN)"
  DATABASE_URL="$PG_URL" "$BIN/pytest" "${xdist[@]}" -m "not slow" --durations=15 "$@" || exit $?
elif [ "${HPF_REQUIRE_POSTGRES:-0}" = 1 ]; then
  banner "FAILED: PostgreSQL is required (HPF_REQUIRE_POSTGRES=1) but does not answer at $PG_SHOWN"
  exit 1
fi
