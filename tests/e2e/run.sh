#!/usr/bin/env bash
# Runs every end-to-end test: tests/e2e/test_*.sh, each against its own
# real server and database. Usage: run.sh /abs/path/to/dissent
set -u
export DISSENT=${1:?usage: run.sh /path/to/dissent}
here=$(cd "$(dirname "$0")" && pwd)
pass=0; fail=0
for t in "$here"/test_*.sh; do
  echo "== $(basename "$t")"
  if bash "$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
echo "e2e: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
