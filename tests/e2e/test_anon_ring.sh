#!/usr/bin/env bash
# A lying server cannot make `dissent sign --anonymous` name its signer, nor
# `dissent verify-signatures` approve a fabricated ring (issue #10, break 2).
# A proxy (evil_proxy.py) in front of a real server rewrites the rings of the
# memo's public facts: bob's key five times; bob's key and 7 other keys; the
# real keys out of roster order; and a fabricated ring whose log leaf is
# forged too (not the leaf the signed checkpoint covers). Each time the CLI
# refuses without sending a proof and verify-signatures fails; through no
# proxy both succeed.
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
# seven keys nobody enrolled: "random points" a server could pad a ring with
make_extra_keys 7 "$E2E_TMP/extra.keys"
LOGKEY=$(curl -s "$URL/api/v1/log/key" | json 'd["verifier_key"]')
ID=$(as alice memo new --channel dissent --title "Reopen the consulates" \
      --marking SBU --body "Version one." --json | json 'd["id"]')
as alice memo circulate "$ID" > /dev/null
nobody() { DISSENT_CONFIG=$E2E_TMP/nobody.json "$DISSENT" "$@"; }

# start_proxy MODE: the lying server at $PURL
start_proxy() { start_evil_proxy "$1" state "$PK_BOB" "$E2E_TMP/extra.keys"; }

for mode in dup random reorder forged-log; do
  start_proxy "$mode"
  # the leaves checked in an earlier round are kept (test_ringlog.sh): a
  # client that never read this log fetches the forged leaf
  [ $mode = forged-log ] && export DISSENT_LOG_HISTORY=$E2E_TMP/fresh-history
  SHOWN=$(curl -s "$PURL/api/v1/public/memos/$ID" | json '[r["count"] for r in d["rings"] if r["organization"] == "state"][0]')
  OUT=$(as bob sign "$ID" --server "$PURL" --log-key "$LOGKEY" --anonymous --key "$(keyf bob)" \
        --passphrase-file "$(ppf bob)" --min-ring 2 2>&1); RC=$?
  expect_eq "$mode: the proxy shows a ring of $SHOWN keys, sign --anonymous refuses (exit 1)" "$RC" 1
  case $mode in
    dup) expect_in "$mode: a repeated key is named" "$OUT" "more than once" ;;
    random|reorder) expect_in "$mode: the ring is not the roster snapshot" "$OUT" "is not the roster of 'state' at size" ;;
    forged-log) expect_in "$mode: the forged leaf is not in the signed checkpoint" "$OUT" "do not hash to the root of its signed checkpoint" ;;
  esac
  [ $mode != forged-log ] && expect_in "$mode: and says nothing was sent" "$OUT" "nothing was proved or sent"
  expect_eq "$mode: no request reached the anonymous endpoint" "$(grep -c anonymous "$E2E_TMP/posts")" 0
  V=$(nobody verify-signatures "$ID" --server "$PURL" --log-key "$LOGKEY" 2>&1); RC=$?
  expect_eq "$mode: verify-signatures fails (exit 1)" "$RC" 1
  expect_not_in "$mode: and does not say OK" "$V" "OK:"
  stop_proxy
done
unset DISSENT_LOG_HISTORY
# a server that answers with another memo's facts (issue #10, break 8)
ID2=$(as alice memo new --channel dissent --title "Another memo" --marking SBU --body "Two." --json | json 'd["id"]')
as alice memo circulate "$ID2" > /dev/null
start_evil_proxy other-memo "$ID2" "$PK_BOB"
V=$(nobody verify-signatures "$ID" --server "$PURL" --log-key "$LOGKEY" 2>&1); RC=$?
expect_eq "another memo's facts: verify-signatures fails (exit 1)" "$RC" 1
expect_in "and says the reply is about another memo" "$V" "the server answered for another memo than '$ID'"
OUT=$(as bob sign "$ID" --server "$PURL" --log-key "$LOGKEY" --anonymous --key "$(keyf bob)" \
      --passphrase-file "$(ppf bob)" --min-ring 2 2>&1); RC=$?
expect_eq "and sign --anonymous refuses (exit 1)" "$RC" 1
expect_eq "sending nothing" "$(grep -c anonymous "$E2E_TMP/posts")" 0
stop_proxy

expect_eq "no anonymous signature was made" \
  "$(curl -s "$URL/api/v1/public/memos/$ID" | json 'len(d["signatures"])')" 0

# the honest server: the same commands succeed
OUT=$(as bob sign "$ID" --log-key "$LOGKEY" --anonymous --key "$(keyf bob)" \
      --passphrase-file "$(ppf bob)" --min-ring 2 2>&1); RC=$?
expect_eq "through no proxy bob signs (exit 0)" "$RC" 0
expect_in "having been shown his verified anonymity set" "$OUT" "you are one of 2 enrolled members of state"
V=$(nobody verify-signatures "$ID" --server "$URL" --log-key "$LOGKEY" 2>&1); RC=$?
expect_eq "verify-signatures passes on the honest server (exit 0)" "$RC" 0
expect_in "and shows the anonymity sets" "$V" "state #1: 2 members"

# a re-key writes a retire leaf: the roster stays recomputable from the log
printf 'dan second\n' > "$(ppf dan2)"
as dan key new --key "$(keyf dan2)" --passphrase-file "$(ppf dan2)" > /dev/null
as dan key enroll --key "$(keyf dan2)" --passphrase-file "$(ppf dan2)" > /dev/null
LEAVES=$(curl -s "$URL/api/v1/log/leaves?start=0&end=1000")
expect_in "the re-key logs the retired key" "$LEAVES" '\"action\":\"retire\"'
ID3=$(as alice memo new --channel dissent --title "After the re-key" --marking SBU --body "Three." --json | json 'd["id"]')
as alice memo circulate "$ID3" > /dev/null
OUT=$(as bob sign "$ID3" --log-key "$LOGKEY" --anonymous --key "$(keyf bob)" \
      --passphrase-file "$(ppf bob)" --min-ring 2 2>&1); RC=$?
expect_eq "a ring taken after a re-key checks out (exit 0)" "$RC" 0
V=$(nobody verify-signatures "$ID3" --server "$URL" --log-key "$LOGKEY" 2>&1); RC=$?
expect_eq "and verifies (exit 0)" "$RC" 0

e2e_summary anon_ring
