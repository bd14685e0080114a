#!/usr/bin/env bash
# Runs test programs one after another and prints one summary line.
#   scripts/run-tests.sh SUITE PROGRAM...
# Every program is run even when one fails; the exit status is non-zero if any failed.
set -u
suite=$1; shift
pass=0; fail=0; failed=()
for t in "$@"; do
  if "$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); failed+=("$t"); fi
done
echo "$suite: $pass passed, $fail failed"
if [ $fail -ne 0 ]; then
  printf '  failed: %s\n' "${failed[@]}"
  exit 1
fi
