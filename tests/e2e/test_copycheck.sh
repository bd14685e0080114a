#!/usr/bin/env bash
# Copy checks that do not mislead (issue #10, break 7), through `dissent
# verify` and the public page: a changed classification banner is not an
# exact match and is shown; swapped paragraphs are reported as moved; an
# altered key "does not open any version of this memo" (not "not in version
# N"); a copy with two verification lines is refused.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
E2E_TMP=$(mktemp -d)
trap 'stop_server; rm -rf "$E2E_TMP"' EXIT
DB=$E2E_TMP/dissent.db
export DISSENT_LOG_KEYS=$E2E_TMP/pins.json
"$DISSENT" demo --db "$DB" > /dev/null || { echo "demo failed"; exit 1; }
start_server "$DB"
login alice
printf 'First paragraph about the consulates.\n\nSecond paragraph about the visas.\n\nThird paragraph.\n' > "$E2E_TMP/body.txt"
ID=$(as alice memo new --channel dissent --title "Keep the consulates open" --marking SBU \
      --body-file "$E2E_TMP/body.txt" --json | json 'd["id"]')
as alice memo render "$ID" > "$E2E_TMP/copy.txt"
nobody() { DISSENT_CONFIG=$E2E_TMP/nobody.json "$DISSENT" "$@"; }
verify() { OUT=$(nobody verify "$1" --server "$URL" "${@:2}" 2>&1); RC=$?; }
check() { curl -s -w '\n%{http_code}' --data-urlencode "copy@$1" "$URL/public/check" | sed 's/<[^>]*>/ /g' | tr -s ' \n' ' '; }

verify "$E2E_TMP/copy.txt"
expect_eq "the official copy is an exact match (exit 0)" "$RC" 0
expect_in "and its marking is shown" "$OUT" "marking: SBU, as registered"
expect_in "the page shows the marking too" "$(check "$E2E_TMP/copy.txt")" "Marking: SBU, as registered."

# ---- the banner changed ----
sed 's/^SBU$/UNCLASSIFIED/' "$E2E_TMP/copy.txt" > "$E2E_TMP/banner.txt"
verify "$E2E_TMP/banner.txt"
expect_eq "a changed banner is not an exact match (exit 1)" "$RC" 1
expect_not_in "verify does not say EXACT MATCH" "$OUT" "EXACT MATCH"
expect_in "verify names the change" "$OUT" "MARKING CHANGED: the copy's banners say UNCLASSIFIED, UNCLASSIFIED; the registered marking is SBU"
verify "$E2E_TMP/banner.txt" --json
expect_eq "verify --json: the marking's status" "$(echo "$OUT" | json 'd["marking"]["status"]')" changed
OUT=$(check "$E2E_TMP/banner.txt")
expect_not_in "the page does not say exact match" "$OUT" "Exact match."
expect_in "the page says the banner was changed" "$OUT" "classification banner was changed"
expect_in "and shows both markings" "$OUT" "Marking changed: the copy's banners say UNCLASSIFIED, UNCLASSIFIED; the registered marking is SBU."

# ---- swapped paragraphs ----
python3 - "$E2E_TMP/copy.txt" > "$E2E_TMP/swapped.txt" <<'PY'
import sys
t = open(sys.argv[1]).read()
a, b = "First paragraph about the consulates.", "Second paragraph about the visas."
print(t.replace(a, "@@").replace(b, a).replace("@@", b), end="")
PY
verify "$E2E_TMP/swapped.txt"
expect_eq "swapped paragraphs: not exact (exit 1)" "$RC" 1
expect_in "a swapped paragraph is reported as moved" "$OUT" "MOVED (unchanged, now the copy's paragraph"
expect_not_in "not as removed" "$OUT" "REMOVED"
expect_not_in "nor as added" "$OUT" "ADDED"
expect_in "the page says moved too" "$(check "$E2E_TMP/swapped.txt")" "moved, unchanged"

# ---- an altered key ----
sed -E 's/^(dissent-verify: [^ ]+ [0-9]+ )(.)/\1f/; t; ' "$E2E_TMP/copy.txt" > "$E2E_TMP/badkey.txt"
if cmp -s "$E2E_TMP/copy.txt" "$E2E_TMP/badkey.txt"; then
  sed -E 's/^(dissent-verify: [^ ]+ [0-9]+ )(.)/\10/' "$E2E_TMP/copy.txt" > "$E2E_TMP/badkey.txt"
fi
verify "$E2E_TMP/badkey.txt"
expect_eq "an altered key: exit 1" "$RC" 1
expect_in "says the key opens no version" "$OUT" "this key does not open any version of memo $ID"
expect_not_in "and does not claim the text is not in version 1" "$OUT" "is in version 1"
expect_not_in "nor 'no paragraph of the copy is in version'" "$OUT" "no paragraph of the copy is in version"
expect_in "the page says the same" "$(check "$E2E_TMP/badkey.txt")" "this key does not open any version of this memo"

# ---- two verification lines ----
{ grep '^dissent-verify:' "$E2E_TMP/badkey.txt"; cat "$E2E_TMP/copy.txt"; } > "$E2E_TMP/two.txt"
verify "$E2E_TMP/two.txt"
expect_eq "two verification lines: exit 1" "$RC" 1
expect_in "the copy cannot be checked" "$OUT" "CANNOT CHECK"
expect_in "because it has two lines" "$OUT" "more than one verification line"
OUT=$(check "$E2E_TMP/two.txt")
expect_in "the page refuses it too" "$OUT" "more than one verification line"
expect_in "with a 400" "$OUT" " 400"

stop_server
e2e_summary copycheck
