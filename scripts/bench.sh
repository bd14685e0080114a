#!/usr/bin/env bash
# bench.sh BENCH... — runs each benchmark binary (`make bench`).
#
# The store's benchmark compares SQLite with PostgreSQL when
# DISSENT_BENCH_PG_URL names a database. When it is unset and the PostgreSQL
# server binaries are installed, a throwaway server is started for the run
# (tests/e2e/pg.sh: a temporary cluster on a unix socket, fsync off, deleted
# afterwards), so a clean clone prints the PostgreSQL figures too.
#
# Every bench also appends its figures to $DISSENT_BENCH_FIGURES
# (bench/bench_figures.h); scripts/bench_table.sh turns them into the goals
# table. `make bench` sets the file and prints the table last (after the
# browser's figures); run by hand, this script does both itself.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../tests/e2e/pg.sh"
trap pg_stop EXIT

if [ -z "${DISSENT_BENCH_PG_URL:-}" ]; then
  if pg_find_bin; then
    if pg_start > /dev/null && pg_createdb dissent_bench; then
      export DISSENT_BENCH_PG_URL=$DB_URL
    else
      echo "bench: could not start a PostgreSQL server; its figures are skipped"
    fi
  else
    echo "bench: PostgreSQL is not installed (scripts/deps.sh test installs it); its figures are skipped"
  fi
fi

table=0
if [ -z "${DISSENT_BENCH_FIGURES:-}" ] && [ $# -gt 0 ]; then
  DISSENT_BENCH_FIGURES=$(cd "$(dirname "$1")/.." && pwd)/figures.tsv
  export DISSENT_BENCH_FIGURES
  : > "$DISSENT_BENCH_FIGURES"
  table=1
fi

for b in "$@"; do
  echo "== $b"
  "$b" || exit 1
done
if [ "$table" = 1 ]; then
  bash "$here/bench_table.sh" "$DISSENT_BENCH_FIGURES"
fi
