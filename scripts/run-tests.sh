#!/usr/bin/env bash
# Runs test programs one after another and prints one summary line.
#   scripts/run-tests.sh SUITE PROGRAM...
# Every program is run even when one fails; the exit status is non-zero if any failed.
#
# Each program runs with TMPDIR set to a fresh, empty directory and its
# working directory another one (tests/unit/test_tmp.h makes every test's
# temporary files under $TMPDIR). A program that leaves anything in either,
# even when it passes, fails: the leftovers are listed, then removed.
set -u
suite=$1; shift
pass=0; fail=0; failed=()
# The programs run elsewhere: a path relative to here is made absolute,
# and so is ../shared/vectors, the programs' own default (relative to the
# working directory they would have had).
if [ -n "${DISSENT_VECTORS:-}" ] && [ -d "$DISSENT_VECTORS" ]; then
  DISSENT_VECTORS=$(cd "$DISSENT_VECTORS" && pwd); export DISSENT_VECTORS
elif [ -z "${DISSENT_VECTORS:-}" ] && [ -d ../shared/vectors ]; then
  DISSENT_VECTORS=$(cd ../shared/vectors && pwd); export DISSENT_VECTORS
fi
for t in "$@"; do
  case $t in /*) prog=$t ;; *) prog=$PWD/$t ;; esac
  work=$(mktemp -d "${TMPDIR:-/tmp}/run-tests.XXXXXX")
  mkdir "$work/tmp" "$work/cwd"
  if (cd "$work/cwd" && TMPDIR="$work/tmp" exec "$prog"); then ok=1; else ok=0; fi
  left=$(cd "$work" && find tmp cwd -mindepth 1 | sort)
  if [ -n "$left" ]; then
    echo "$suite: $t left files behind (in \$TMPDIR as tmp/, in its working directory as cwd/):" >&2
    printf '%s\n' "$left" | head -n 50 | sed 's/^/    /' >&2
    n=$(printf '%s\n' "$left" | wc -l)
    [ "$n" -gt 50 ] && echo "    ... $n in all" >&2
    ok=0
  fi
  rm -rf "$work"
  if [ $ok -eq 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); failed+=("$t"); fi
done
echo "$suite: $pass passed, $fail failed"
if [ $fail -ne 0 ]; then
  printf '  failed: %s\n' "${failed[@]}"
  exit 1
fi
