#!/usr/bin/env bash
# A named signer's receipt (issue #10, break 8): `dissent memo receipt ID`
# gives the salt that opens the commitment of the signer's signature leaves;
# it is the same across a move, a withdrawal and a re-signature, and it
# recomputes the commitment every one of those leaves carries. Nobody else
# gets a receipt for a memo they did not sign.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
E2E_TMP=$(mktemp -d)
trap 'stop_server; rm -rf "$E2E_TMP"' EXIT
DB=$E2E_TMP/dissent.db
"$DISSENT" demo --db "$DB" > /dev/null || { echo "demo failed"; exit 1; }
start_server "$DB"
for u in alice bob carol; do login "$u"; done
ID=$(as alice memo new --channel dissent --title "Receipts" --marking SBU --body "One." --json | json 'd["id"]')
as alice memo edit "$ID" --body "Two." > /dev/null
as alice memo circulate "$ID" > /dev/null

as bob sign "$ID" --version 1 > /dev/null
R1=$(as bob memo receipt "$ID" --json)
as bob sign "$ID" --version 2 > /dev/null
as bob unsign "$ID" > /dev/null
as bob sign "$ID" > /dev/null
R=$(as bob memo receipt "$ID" --json)
expect_eq "the salt is the same before and after a move, a withdrawal and a re-signature" \
  "$(echo "$R1" | json 'd["salt"]')" "$(echo "$R" | json 'd["salt"]')"
expect_eq "the receipt names bob's four leaves" \
  "$(echo "$R" | json '[l["action"] for l in d["leaves"]]')" '["add", "move", "withdraw", "add"]'
LEAVES=$(curl -s "$URL/api/v1/log/memos/$ID")
CHECK=$(python3 - "$R" "$LEAVES" <<'PY'
import hashlib, json, sys
r, log = json.loads(sys.argv[1]), json.loads(sys.argv[2])
c = hashlib.sha256(("dissent-signer-v1\n%s\n%s\n%s" % (r["salt"], r["memo"], r["username"])).encode()).hexdigest()
mine = [l["index"] for l in log["leaves"] if json.loads(l["data"]).get("commitment") == c]
print(c == r["commitment"], mine == [l["index"] for l in r["leaves"]], len(mine))
PY
)
expect_eq "the salt opens the commitment of exactly those leaves" "$CHECK" "True True 4"
expect_not_in "the commitment is not a bare hash of the name" "$(echo "$LEAVES")" \
  "$(printf 'bob' | sha256sum | cut -c1-64)"
OUT=$(as carol memo receipt "$ID" 2>&1); RC=$?
expect_eq "carol, who did not sign, gets no receipt (exit 1)" "$RC" 1
expect_in "and is told why" "$OUT" "you have not signed it"
expect_in "the human form shows the salt" "$(as bob memo receipt "$ID")" "salt        $(echo "$R" | json 'd["salt"]')"
stop_server
e2e_summary receipt
