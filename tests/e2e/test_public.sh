#!/usr/bin/env bash
# The public page, with no login: a copy checked paragraph by paragraph
# against the transparency log, the signed checkpoint, a memo's counts.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
E2E_TMP=$(mktemp -d)
trap 'stop_server; rm -rf "$E2E_TMP"' EXIT
DB=$E2E_TMP/dissent.db
"$DISSENT" demo --db "$DB" > /dev/null || { echo "demo failed"; exit 1; }
start_server "$DB"
login alice
ID=$(as alice memo list --json | json 'd["memos"][0]["id"]')
curl -s -H "Authorization: Bearer $(token alice)" "$URL/api/v1/memos/$ID/versions/1/rendering" > "$E2E_TMP/copy.txt"
expect_in "the rendering carries its verification line" "$(cat "$E2E_TMP/copy.txt")" "dissent-verify: $ID 1 "

check() { curl -s -w '\n%{http_code}' --data-urlencode "copy@$1" "$URL/public/check" | sed 's/<[^>]*>/ /g' | tr -s ' \n' ' '; }
expect_in "an exact copy matches" "$(check "$E2E_TMP/copy.txt")" "Exact match."
# Re-wrapped and re-indented: still exact.
while IFS= read -r line; do
  case "$line" in dissent-verify:*) printf '%s\n' "$line" ;; *) printf '%s\n' "$line" | fold -w 30 -s | sed 's/^/  /' ;; esac
done < "$E2E_TMP/copy.txt" > "$E2E_TMP/wrapped.txt"
expect_in "re-wrapping is not a change" "$(check "$E2E_TMP/wrapped.txt")" "Exact match."
sed 's/suspend consular/close consular/' "$E2E_TMP/copy.txt" > "$E2E_TMP/altered.txt"
OUT=$(check "$E2E_TMP/altered.txt")
expect_in "an altered copy is a partial match" "$OUT" "Partial match"
expect_in "the altered paragraph is named" "$OUT" "3 3 changed We, the undersigned"
grep -v dissent-verify "$E2E_TMP/copy.txt" > "$E2E_TMP/nokey.txt"
OUT=$(check "$E2E_TMP/nokey.txt")
expect_in "a copy without its key cannot be checked" "$OUT" "No verification line"
expect_in "and is answered 400" "$OUT" " 400"
PAGE=$(curl -s "$URL/public?memo=$ID" | sed 's/<[^>]*>/ /g' | tr -s ' \n' ' ')
expect_in "the public page shows the checkpoint" "$PAGE" "Root hash"
expect_in "and a memo's public counts" "$PAGE" "0 in all: 0 named, 0 anonymous"
# Organizations by name, not by their slugs (issue 13's walkthrough).
login bob
as bob sign "$ID" > /dev/null
RAW=$(curl -s "$URL/public?memo=$ID" | tr -d '\n')
expect_in "co-signatures per organization name the organization" "$RAW" "<td>U.S. Department of State</td><td>1</td>"
expect_not_in "not by its slug" "$RAW" "<td>state</td>"
expect_in "an unknown memo is said plainly" "$(curl -s "$URL/public?memo=nothing" | sed 's/<[^>]*>/ /g')" "No memo"
stop_server
e2e_summary public
