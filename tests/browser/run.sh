#!/usr/bin/env bash
# Browser tests of the web interface in real Chromium (playwright-core driven
# by node's built-in test runner). Usage: run.sh /abs/path/to/dissent
#
# Makes a fresh demo database in a temporary folder, serves it on a free
# port of 127.0.0.1, runs every *.test.mjs against it (one after another) and stops the server.
# Screenshots of the main pages go to tests/browser/output/ (not committed).
set -euo pipefail
bin=${1:?usage: run.sh /abs/path/to/dissent}
here=$(cd "$(dirname "$0")" && pwd)
chromium=${DISSENT_CHROMIUM:-/usr/bin/chromium}

if [ ! -x "$chromium" ]; then
  echo "browser tests: no Chromium at $chromium (install it with 'bash scripts/deps.sh test')" >&2
  exit 1
fi
if [ ! -f "$here/node_modules/playwright-core/package.json" ] || [ ! -f "$here/node_modules/axe-core/axe.min.js" ]; then
  echo "browser tests: installing playwright-core and axe-core (npm ci)"
  (cd "$here" && npm ci --no-audit --no-fund --prefer-offline --loglevel=error)
fi

tmp=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

"$bin" demo --db "$tmp/demo.db" >/dev/null
# --batch-interval 0: signatures are published at once, so the pages count
# them as soon as they are made (batches themselves: tests/e2e/test_batch.sh).
"$bin" serve --db "$tmp/demo.db" --listen 127.0.0.1:0 --port-file "$tmp/port" --batch-interval 0 >"$tmp/serve.log" 2>&1 &
pid=$!
# up to 60 s: CI's machine may be loaded; stop early if the server died
for _ in $(seq 1 600); do
  [ -s "$tmp/port" ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
if [ ! -s "$tmp/port" ]; then
  echo "browser tests: the server did not start:" >&2
  cat "$tmp/serve.log" >&2
  exit 1
fi

mkdir -p "$here/output"
export DISSENT_URL="http://127.0.0.1:$(tr -d '[:space:]' <"$tmp/port")"
export DISSENT_OUTPUT="$here/output"
export DISSENT_CHROMIUM="$chromium"
# for tests that start a server of their own (deadlines_flow: a pinned clock)
export DISSENT_BIN="$bin"
cd "$here"
# DISSENT_BROWSER_TESTS="a b" runs only a.test.mjs and b.test.mjs (while working on them)
if [ -n "${DISSENT_BROWSER_TESTS:-}" ]; then
  files=()
  for t in $DISSENT_BROWSER_TESTS; do files+=("./$t.test.mjs"); done
else
  files=(./*.test.mjs)
fi
node --test --test-concurrency=1 --test-reporter=spec "${files[@]}"
