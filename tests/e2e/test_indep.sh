#!/usr/bin/env bash
# An outsider's verifier agrees with dissent (issue #10, "Done when": the
# protocol docs describe v2 exactly enough to write a compatible verifier).
# indep_verify.py was written from docs/protocol-tlog.md and
# docs/protocol-ring.md alone (Python's standard library and the openssl
# command; no dissent code): over a real server it accepts the checkpoint,
# the log, the rosters, the memo's rings, versions, anonymous signatures and
# counts, a signer's receipts and the commitment of an official rendering,
# as dissent's own verify-signatures does; through a lying proxy
# (evil_proxy.py) it refuses what verify-signatures refuses, and it refuses a
# tampered receipt. It does not verify ring proofs (no ristretto255 in
# Python's standard library).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
E2E_TMP=$(mktemp -d)
trap 'stop_proxy; stop_server; rm -rf "$E2E_TMP"' EXIT
DB=$E2E_TMP/dissent.db
export DISSENT_LOG_KEYS=$E2E_TMP/pins.json

"$DISSENT" demo --db "$DB" > "$E2E_TMP/demo.out" || { echo "demo failed"; exit 1; }
start_server "$DB"
for u in alice bob dan; do login "$u"; done
for u in bob dan; do enroll_key "$u"; done
PK_BOB=$(as bob key show --key "$(keyf bob)")
make_extra_keys 7 "$E2E_TMP/extra.keys"
LOGKEY=$(curl -s "$URL/api/v1/log/key" | json 'd["verifier_key"]')
ID=$(as alice memo new --channel dissent --title "Reopen the consulates" \
      --marking SBU --body "Version one." --json | json 'd["id"]')
as alice memo edit "$ID" --body "Version two,
in two lines." > /dev/null
as alice memo circulate "$ID" > /dev/null
anon() { as "$1" sign "$ID" --log-key "$LOGKEY" --anonymous --key "$(keyf "$1")" --passphrase-file "$(ppf "$1")" --min-ring 2 "${@:2}"; }
anon bob > /dev/null || bad "bob signs anonymously"
anon dan --version 1 > /dev/null || bad "dan signs version 1 anonymously"
as alice sign "$ID" > /dev/null
as alice memo render "$ID" --version 2 > "$E2E_TMP/render2.txt"
as alice memo render "$ID" --version 1 > "$E2E_TMP/render1.txt"
RECEIPTS=$E2E_TMP/session-bob.json.receipts.json
indep() { python3 "$here/indep_verify.py" "$@" 2>&1; }

OUT=$(indep "$URL" "$LOGKEY" "$ID" --receipts "$RECEIPTS" --rendering "$E2E_TMP/render2.txt"); RC=$?
expect_eq "the independent verifier accepts the honest server (exit 0)" "$RC" 0
expect_in "it checked the signed checkpoint and every leaf" "$OUT" "leaves hash to the signed root"
expect_in "the rings against the rosters" "$OUT" "rings checked against the log"
expect_in "the anonymous signatures and counts" "$OUT" "ok: 2 anonymous signatures have their leaves and counts"
expect_in "bob's receipt, kept" "$OUT" "receipts: 1 kept, 0 pending"
expect_in "and opened version 2's commitment from its rendering" "$OUT" "the rendering opens version 2's commitment"
expect_in "ending OK" "$OUT" "OK"
OUT=$(indep "$URL" "$LOGKEY" "$ID" --rendering "$E2E_TMP/render1.txt"); RC=$?
expect_in "version 1's rendering opens version 1's commitment" "$OUT" "the rendering opens version 1's commitment"
V=$(DISSENT_CONFIG=$E2E_TMP/nobody.json "$DISSENT" verify-signatures "$ID" --server "$URL" --log-key "$LOGKEY" 2>&1); RC=$?
expect_eq "dissent's own verify-signatures agrees (exit 0)" "$RC" 0

# a rendering whose body was changed opens nothing
sed 's/in two lines\./in three lines./' "$E2E_TMP/render2.txt" > "$E2E_TMP/forged.txt"
OUT=$(indep "$URL" "$LOGKEY" "$ID" --rendering "$E2E_TMP/forged.txt"); RC=$?
expect_eq "an altered rendering: refused (exit 1)" "$RC" 1
expect_in "it does not open the commitment" "$OUT" "does not open version 2's commitment"
# a receipt altered after signing
python3 - "$RECEIPTS" "$E2E_TMP/bad-receipts.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
r = d[0]["receipt"]
(r["receipt"] if "signature" in r else r)["version"] = 1
json.dump(d, open(sys.argv[2], "w"))
PY
OUT=$(indep "$URL" "$LOGKEY" "$ID" --receipts "$E2E_TMP/bad-receipts.json"); RC=$?
expect_eq "a tampered receipt: refused (exit 1)" "$RC" 1
expect_in "its signature does not verify" "$OUT" "the log key's signature does not verify"
# another log key
OTHER=$(python3 -c "
import base64, hashlib, sys
name = '$LOGKEY'.split('+')[0]; pk = bytes(32)
kid = hashlib.sha256(name.encode() + b'\n\x01' + pk).digest()[:4].hex()
print(name + '+' + kid + '+' + base64.b64encode(b'\x01' + pk).decode())")
OUT=$(indep "$URL" "$OTHER" "$ID"); RC=$?
expect_eq "a checkpoint not signed by the pinned key: refused (exit 1)" "$RC" 1

# the lying server: both verifiers refuse the same fabrications
for mode in dup random reorder forged-log; do
  start_evil_proxy "$mode" state "$PK_BOB" "$E2E_TMP/extra.keys"
  OUT=$(indep "$PURL" "$LOGKEY" "$ID"); RC=$?
  expect_eq "$mode: the independent verifier refuses (exit 1)" "$RC" 1
  case $mode in
    dup) expect_in "$mode: a repeated key" "$OUT" "a key appears more than once" ;;
    random|reorder) expect_in "$mode: not the roster snapshot" "$OUT" "is not the roster snapshot at size" ;;
    forged-log) expect_in "$mode: the forged leaf is not under the signed root" "$OUT" "do not hash to the signed root" ;;
  esac
  V=$(DISSENT_LOG_HISTORY=$E2E_TMP/h-$mode DISSENT_CONFIG=$E2E_TMP/nobody.json "$DISSENT" verify-signatures "$ID" --server "$PURL" --log-key "$LOGKEY" 2>&1); RC=$?
  expect_eq "$mode: and so does verify-signatures (exit 1)" "$RC" 1
  stop_proxy
done

e2e_summary indep
