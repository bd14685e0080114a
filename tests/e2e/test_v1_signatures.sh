#!/usr/bin/env bash
# Anonymous signatures stored before protocol v2 are not counted (issue #10,
# left item). A member who signed under v1 and signs again under v2 has two
# tags that cannot be linked (v1's scope was the memo id alone), so counting
# both counts that member twice. `dissent migrate` re-verifies every stored
# anonymous proof once (v2's bytes first, v1's otherwise) and marks the v1
# ones; from then on the server's counts (public facts, memo counts, leaves
# appended later) leave them out, the public facts say how many were set
# aside, and verify-signatures recomputes the same numbers.
#
# The v1 signature is real: made with src/ring's prover (tools/wasm/ringtool)
# over v1's bytes (scope = the memo id, message = "dissent-anon-v1\nsign\n"
# and the version hash) on the memo's real ring, and stored as a v1 server
# stored it (a row of anon_signatures, sequence 1).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
E2E_TMP=$(mktemp -d)
trap 'stop_server; rm -rf "$E2E_TMP"' EXIT
DB=$E2E_TMP/dissent.db
export DISSENT_LOG_KEYS=$E2E_TMP/pins.json
RINGTOOL=${DISSENT_RINGTOOL:-$(dirname "$DISSENT")/wasm/ringtool}
[ -x "$RINGTOOL" ] || { echo "no ringtool at $RINGTOOL (make build/wasm/ringtool)"; exit 1; }

"$DISSENT" demo --db "$DB" > "$E2E_TMP/demo.out" || { echo "demo failed"; exit 1; }
start_server "$DB"
for u in alice bob dan; do login "$u"; done
# bob's ring key: made here so the test holds its secret for the v1 proof
printf 'bob ring passphrase\n' > "$(ppf bob)"
SK_BOB=$("$RINGTOOL" ring 1 "$E2E_TMP/one.bin" | cut -d' ' -f2)
"$RINGTOOL" seal "$SK_BOB" "$(ppf bob)" "$(keyf bob)" || { echo "seal failed"; exit 1; }
as bob key enroll --key "$(keyf bob)" --passphrase-file "$(ppf bob)" > /dev/null
enroll_key dan
PK_BOB=$(as bob key show --key "$(keyf bob)")
ID=$(as alice memo new --channel dissent --title "Signed before v2" --marking SBU --body "One." --json | json 'd["id"]')
as alice memo circulate "$ID" > /dev/null
pub() { curl -s "$URL/api/v1/public/memos/$1"; }
P=$(pub "$ID")
HASH=$(echo "$P" | json '[v["hash"] for v in d["versions"] if v["number"] == 1][0]')
echo "$P" | python3 -c '
import json, sys
d = json.load(sys.stdin)
r = [r for r in d["rings"] if r["organization"] == "state" and r["ring"] == 1][0]
open(sys.argv[1], "wb").write(b"".join(bytes.fromhex(k) for k in r["keys"]))
print(r["keys"].index(sys.argv[2]))' "$E2E_TMP/ring.bin" "$PK_BOB" > "$E2E_TMP/pos"
POS=$(cat "$E2E_TMP/pos")
MSG=$(printf 'dissent-anon-v1\nsign\n%s' "$HASH")
PROOF=$("$RINGTOOL" prove "$E2E_TMP/ring.bin" "$POS" "$SK_BOB" "$ID" "$MSG" 2> /dev/null)
TAG_V1=$("$RINGTOOL" verify "$E2E_TMP/ring.bin" "$PROOF" "$ID" "$MSG")
expect_eq "a v1 proof made over v1's bytes on the memo's ring" "${#TAG_V1}" 64
stop_server

# stored as a v1 server stored it, in a database of before the running
# totals of the anonymous counts (schema 22: migration 23 derives them from
# the rows when the server opens it)
before_totals="UPDATE meta SET value = '22' WHERE key = 'schema_version';"
sqlite3 "$DB" "INSERT INTO anon_signatures(memo_id, tag, version, org_id, ring_no, proof, day)
  VALUES((SELECT id FROM memos WHERE public_id = '$ID'), X'$TAG_V1', 1,
         (SELECT id FROM organizations WHERE slug = 'state'), 1, X'$PROOF', 20000);
  INSERT INTO anon_sequences(memo_id, tag, next_seq, pub_next)
  VALUES((SELECT id FROM memos WHERE public_id = '$ID'), X'$TAG_V1', 1, 1); $before_totals"
start_server "$DB"
for u in alice bob dan; do login "$u"; done
LOGKEY=$(curl -s "$URL/api/v1/log/key" | json 'd["verifier_key"]')
anon() { local u=$1 c=$2; shift 2; as "$u" "$c" "$@" --log-key "$LOGKEY" --anonymous --key "$(keyf "$u")" --passphrase-file "$(ppf "$u")" --min-ring 2; }
OUT=$(anon bob sign "$ID" 2>&1); RC=$?; [ "$RC" = 0 ] || echo "$OUT" | tail -5
expect_eq "bob signs again under v2 (exit 0)" "$RC" 0
TAG_V2=$(echo "$OUT" | sed -n 's/^tag: //p')
expect_eq "with another tag: the two cannot be linked" "$([ "$TAG_V2" != "$TAG_V1" ] && echo yes)" yes
nobody() { DISSENT_CONFIG=$E2E_TMP/nobody.json "$DISSENT" "$@"; }
V=$(nobody verify-signatures "$ID" --server "$URL" --log-key "$LOGKEY" 2>&1); RC=$?
expect_eq "before the migration verify-signatures finds the server counting bob twice (exit 1)" "$RC" 1
expect_in "and says what the operator can do" "$V" "dissent migrate"

# bob's v2 signature as a database upgraded with it already holds it: not
# yet marked (schema 14 adds the mark; rows stored before it have none)
sqlite3 "$DB" "UPDATE anon_signatures SET protocol = NULL"
OUT=$("$DISSENT" migrate --db "$DB" 2>&1); RC=$?
expect_eq "dissent migrate (exit 0)" "$RC" 0
expect_in "re-verifies the stored proofs and marks the v1 one" "$OUT" \
  "2 stored anonymous signatures re-verified: 1 made before protocol v2, set aside"
expect_eq "the mark is stored" \
  "$(sqlite3 "$DB" "SELECT protocol FROM anon_signatures ORDER BY protocol")" "$(printf '1\n2')"

P=$(pub "$ID")
expect_eq "bob counts once in the public facts" "$(echo "$P" | json 'd["counts"]["anonymous"]')" \
  '{"by_organization": [{"count": 1, "organization": "state"}], "by_version": [{"count": 1, "version": 1}], "total": 1}'
expect_eq "the public facts say one pre-v2 signature was set aside" "$(echo "$P" | json 'd["pre_v2"]')" 1
expect_eq "both signatures are still listed (an outsider re-verifies them)" "$(echo "$P" | json 'len(d["signatures"])')" 2
expect_in "the public page says so" "$(curl -s "$URL/public?memo=$ID")" \
  "1 anonymous made before protocol v2, listed but not counted"
expect_eq "the memo's counts count bob once" "$(as alice memo counts "$ID" --json | json 'd["total"]')" 1
V=$(nobody verify-signatures "$ID" --server "$URL" --log-key "$LOGKEY" 2>&1); RC=$?
expect_eq "verify-signatures agrees (exit 0)" "$RC" 0
expect_in "it lists the v1 signature as made before v2" "$V" "made before v2:    1"
expect_in "and the counts match" "$V" "OK: every signature verifies and the server's anonymous counts match"
J=$(nobody verify-signatures "$ID" --server "$URL" --log-key "$LOGKEY" --json 2> /dev/null)
expect_eq "server counts = verify-signatures counts" \
  "$(echo "$J" | json 'json.dumps(d["counts"], sort_keys=True)')" \
  "$(echo "$P" | json 'json.dumps(d["counts"]["anonymous"], sort_keys=True)')"

OUT=$(anon dan sign "$ID" 2>&1); RC=$?
expect_eq "dan signs under v2 (exit 0)" "$RC" 0
expect_eq "two members, counted once each" "$(pub "$ID" | json 'd["counts"]["anonymous"]["total"]')" 2
LEAF=$(sqlite3 "$DB" "SELECT CAST(data AS TEXT) FROM tlog_leaves WHERE kind = 'anonymous-signature' ORDER BY idx DESC LIMIT 1")
expect_eq "the leaf appended after the migration carries the corrected counts" \
  "$(echo "$LEAF" | json 'd["counts"]["anonymous"]["total"]')" 2

LAST=$(curl -s "$URL/api/v1/log/checkpoint" | json 'd["size"]')
OUT=$("$DISSENT" migrate --db "$DB" 2>&1); RC=$?
expect_eq "a second migrate (exit 0)" "$RC" 0
expect_not_in "re-verifies nothing" "$OUT" "re-verified"
expect_eq "the log did not grow" "$(curl -s "$URL/api/v1/log/checkpoint" | json 'd["size"]')" "$LAST"
expect_eq "the marks are unchanged" \
  "$(sqlite3 "$DB" "SELECT protocol FROM anon_signatures ORDER BY protocol")" "$(printf '1\n2\n2')"

# a damaged row (a proof stored under another tag verifies with neither
# protocol's bytes): reported once, still counted, not checked again
stop_server
sqlite3 "$DB" "INSERT INTO anon_signatures(memo_id, tag, version, org_id, ring_no, proof, day)
  SELECT memo_id, X'$(printf '%064d' 7)', version, org_id, ring_no, proof, day FROM anon_signatures
  WHERE tag = X'$TAG_V2'; $before_totals"
OUT=$("$DISSENT" migrate --db "$DB" 2>&1); RC=$?
expect_eq "migrate with a damaged row (exit 0)" "$RC" 0
expect_in "reports it" "$OUT" "1 stored anonymous signature verifies with neither protocol's bytes"
expect_eq "marked 0" "$(sqlite3 "$DB" "SELECT protocol FROM anon_signatures WHERE tag = X'$(printf '%064d' 7)'")" 0
expect_eq "still counted, with bob's and dan's v2 signatures (the v1 one is not)" \
  "$(sqlite3 "$DB" "SELECT SUM(n) FROM anon_signature_counts WHERE memo_id = (SELECT id FROM memos WHERE public_id = '$ID')")" 3
OUT=$("$DISSENT" migrate --db "$DB" 2>&1)
expect_not_in "and not again" "$OUT" "neither"

e2e_summary v1_signatures
