#!/usr/bin/env bash
# A log with a protocol v1 re-key becomes checkable again (issue #10, left
# item: "logs with pre-v2 re-keys make that organization's rings
# uncheckable"). v1 wrote a re-key as one leaf (`rekey`, size + 2) and the
# retired key was nowhere in the log, so no client can replay the roster:
# verify-signatures and sign --anonymous refuse every ring of that
# organization. `dissent migrate` appends, for each such gap, the missing
# `retire` leaf (its size is the gap's, the key the one the database retired
# there); the re-key history stays as it was, and clients fill the gap with
# that later leaf. Then the rings check out (dissent's verify-signatures and
# sign, and the independent verifier), and a second migrate appends nothing.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
E2E_TMP=$(mktemp -d)
trap 'stop_server; rm -rf "$E2E_TMP"' EXIT
DB=$E2E_TMP/dissent.db
export DISSENT_LOG_KEYS=$E2E_TMP/pins.json

"$DISSENT" demo --db "$DB" > "$E2E_TMP/demo.out" || { echo "demo failed"; exit 1; }
start_server "$DB"
for u in alice bob dan; do login "$u"; done
enroll_key bob
enroll_key dan
enroll_key dan dan2 # a re-key
PK_DAN=$(as dan key show --key "$(keyf dan)")
stop_server

# the log as a v1 server left it: the re-key's retire leaf was never written
R=$(sqlite3 "$DB" "SELECT idx FROM tlog_leaves WHERE kind = 'roster' AND CAST(data AS TEXT) LIKE '%\"retire\"%'")
N=$(sqlite3 "$DB" "SELECT COUNT(*) FROM tlog_leaves")
expect_eq "the v2 re-key wrote retire then rekey as the last two leaves" "$R" "$((N - 2))"
sqlite3 "$DB" "DELETE FROM tlog_leaves WHERE idx = $R; UPDATE tlog_leaves SET idx = $R WHERE idx = $((R + 1));"
rehash_tree "$DB"
SIZES=$(sqlite3 "$DB" "SELECT json_extract(CAST(data AS TEXT), '\$.size') FROM tlog_leaves WHERE kind = 'roster' AND json_extract(CAST(data AS TEXT), '\$.organization') = 'state' ORDER BY idx" | tr '\n' ' ')
expect_eq "state's roster leaves skip size 3, as v1 re-keys did" "$SIZES" "1 2 4 "

start_server "$DB"
for u in alice bob; do login "$u"; done
LOGKEY=$(curl -s "$URL/api/v1/log/key" | json 'd["verifier_key"]')
ID=$(as alice memo new --channel dissent --title "After a v1 re-key" --marking SBU --body "One." --json | json 'd["id"]')
as alice memo circulate "$ID" > /dev/null
nobody() { DISSENT_CONFIG=$E2E_TMP/nobody.json "$DISSENT" "$@"; }
V=$(nobody verify-signatures "$ID" --server "$URL" --log-key "$LOGKEY" 2>&1); RC=$?
expect_eq "before the migration: verify-signatures cannot check state's ring (exit 1)" "$RC" 1
expect_in "and says why, and what the operator can do" "$V" "a v1 re-key without its retire leaf? the operator's 'dissent migrate' appends it"
OUT=$(as bob sign "$ID" --log-key "$LOGKEY" --anonymous --key "$(keyf bob)" --passphrase-file "$(ppf bob)" --min-ring 2 2>&1); RC=$?
expect_eq "nor does sign --anonymous sign (exit 1)" "$RC" 1

OUT=$("$DISSENT" migrate --db "$DB" 2>&1); RC=$?
expect_eq "dissent migrate (exit 0)" "$RC" 0
expect_in "appends the missing retire leaf" "$OUT" "1 retire leaf appended"
LAST=$(curl -s "$URL/api/v1/log/checkpoint" | json 'd["size"]')
LEAF=$(curl -s "$URL/api/v1/log/leaves?start=$((LAST - 1))&end=$LAST" | json 'json.loads(d["leaves"][0]["data"])')
expect_eq "a retire leaf of size 3 naming dan's old key" \
  "$(echo "$LEAF" | json '[d["kind"], d["action"], d["size"], d["public_key"] == "'"$PK_DAN"'"]')" '["roster", "retire", 3, true]'
expect_eq "the re-key history is kept (the rekey leaf is unchanged)" \
  "$(sqlite3 "$DB" "SELECT COUNT(*) FROM tlog_leaves WHERE kind = 'roster' AND CAST(data AS TEXT) LIKE '%\"rekey\"%'")" 1

V=$(nobody verify-signatures "$ID" --server "$URL" --log-key "$LOGKEY" 2>&1); RC=$?
expect_eq "after it: verify-signatures checks state's ring (exit 0)" "$RC" 0
expect_in "two members, dan's old key not among them" "$V" "state #1: 2 members"
OUT=$(as bob sign "$ID" --log-key "$LOGKEY" --anonymous --key "$(keyf bob)" --passphrase-file "$(ppf bob)" --min-ring 2 2>&1); RC=$?
expect_eq "and bob signs (exit 0)" "$RC" 0
OUT=$(python3 "$here/indep_verify.py" "$URL" "$LOGKEY" "$ID" 2>&1); RC=$?
expect_eq "the independent verifier agrees (exit 0)" "$RC" 0
LAST=$(curl -s "$URL/api/v1/log/checkpoint" | json 'd["size"]')
OUT=$("$DISSENT" migrate --db "$DB" 2>&1); RC=$?
expect_eq "a second migrate (exit 0)" "$RC" 0
expect_not_in "appends nothing" "$OUT" "appended"
expect_eq "the log did not grow" "$(curl -s "$URL/api/v1/log/checkpoint" | json 'd["size"]')" "$((LAST + 0))"

e2e_summary v1_roster
