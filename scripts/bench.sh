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

own_pg=0
if [ -z "${DISSENT_BENCH_PG_URL:-}" ]; then
  if pg_find_bin; then
    if pg_start > /dev/null && pg_createdb dissent_bench; then
      export DISSENT_BENCH_PG_URL=$DB_URL
      own_pg=1
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

# bench_store and bench_ring print their figures for people only (other
# work changes them often); the table's lines are read from their output:
# bench_store's PostgreSQL/SQLite ratio line (reads; writes: the slower of
# create and sign), and per ring size 2^N bench_ring's chosen radix (the
# line marked "*": proof bytes), its "chosen" line (best prove and verify)
# and its batch lines.
parse_figures() {
  awk '
    /^ratio postgresql\/sqlite \(time\): create/ {
      for (i = 1; i <= NF; i++) {
        if ($i == "create") c = $(i + 1) + 0
        if ($i == "sign") s = $(i + 1) + 0
        if ($i == "read") r = $(i + 1) + 0
      }
      printf "store_pg_read_ratio\t%s\tx\nstore_pg_write_ratio\t%s\tx\n", r, (c > s ? c : s)
    }
    /^ratio postgresql\/sqlite \(time\): floor/ { printf "store_pg_floor_ratio\t%s\tx\n", $5 + 0 }
    /^== ring 2\^/ { split($3, a, "^"); lg = a[2] + 0 }
    lg && /^n=[0-9]+ +m=[0-9]+ *\*/ {
      for (i = 1; i <= NF; i++) if ($i == "proof") printf "ring%d_proof_bytes\t%s\tB\n", lg, $(i + 1)
    }
    lg && /^n=[0-9]+ chosen:/ {
      for (i = 1; i <= NF; i++) {
        if ($i == "min" && !p) { p = $(i + 1); printf "ring%d_prove_ms\t%s\tms\n", lg, p; continue }
        if ($i == "min" && p) printf "ring%d_verify_ms\t%s\tms\n", lg, $(i + 1)
      }
      p = ""
    }
    lg && /^batch of +[0-9]+ proofs/ {
      for (i = 1; i <= NF; i++) if ($i == "per" && $(i + 1) == "proof,")
        printf "ring%d_batch%d_ms\t%s\tms/proof\n", lg, $3, $(i - 2)
    }' "$1" >> "$DISSENT_BENCH_FIGURES"
}

# Each bench runs in a working directory and with a $TMPDIR of its own (key
# directories and databases a bench makes never land in the checkout, nor
# meet another bench's; both must be empty when it ends), and, on a server
# started here, with a database of its own: a database keeps the data key
# of the bench that created it.
n=0
for b in "$@"; do
  echo "== $b"
  n=$((n + 1))
  if [ "$own_pg" = 1 ]; then
    pg_createdb "dissent_bench_$n" && export DISSENT_BENCH_PG_URL=$DB_URL
  fi
  bin=$(cd "$(dirname "$b")" && pwd)/$(basename "$b")
  work=$(mktemp -d)
  mkdir "$work/tmp" "$work/cwd"
  case $b in
    */bench_store | */bench_ring)
      out=$(mktemp)
      (cd "$work/cwd" && TMPDIR=$work/tmp "$bin") | tee "$out"
      rc=${PIPESTATUS[0]}
      parse_figures "$out"
      rm -f "$out"
      ;;
    *) (cd "$work/cwd" && TMPDIR=$work/tmp "$bin"); rc=$? ;;
  esac
  # As for the tests (scripts/run-tests.sh): a bench leaves nothing behind.
  left=$(cd "$work" && find tmp cwd -mindepth 1 | sort)
  if [ -n "$left" ]; then
    echo "bench: $b left files behind (in \$TMPDIR as tmp/, in its working directory as cwd/):" >&2
    printf '%s\n' "$left" | head -n 20 | sed 's/^/    /' >&2
    rc=1
  fi
  rm -rf "$work"
  [ "$rc" -eq 0 ] || exit 1
done
if [ "$table" = 1 ]; then
  bash "$here/bench_table.sh" "$DISSENT_BENCH_FIGURES"
fi
