#!/usr/bin/env bash
# The ring checks check what the client already checked of the log (issue
# #10: "included in a checkpoint the client pinned or monitors (reuse the
# monitor's state)"): `dissent verify-signatures` and `dissent sign
# --anonymous` keep the leaves they checked (the leaf cache beside the
# checkpoint history) and, when the log grew, check that the new checkpoint
# extends them LOCALLY: they fetch the whole log from leaf 0, as every
# client does at that moment, and the first leaves must hash to the root
# they saved. No request names a saved size (that would link a client's
# anonymous actions: test_anonlink.sh). A proxy in front of a real server
# shows what they ask for, and lies about a new leaf; a log rolled back and
# grown differently (a fork) is refused, with the two signed notes kept as
# evidence anyone can check.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
E2E_TMP=$(mktemp -d)
trap 'stop_proxy; stop_server; rm -rf "$E2E_TMP"' EXIT
DB=$E2E_TMP/dissent.db
export DISSENT_LOG_KEYS=$E2E_TMP/pins.json
HIST=$E2E_TMP/checkpoints

"$DISSENT" demo --db "$DB" > "$E2E_TMP/demo.out" || { echo "demo failed"; exit 1; }
start_server "$DB"
for u in alice bob dan; do login "$u"; done
for u in bob dan; do enroll_key "$u"; done
PK_BOB=$(as bob key show --key "$(keyf bob)")
LOGKEY=$(curl -s "$URL/api/v1/log/key" | json 'd["verifier_key"]')
nobody() { DISSENT_CONFIG=$E2E_TMP/nobody.json "$DISSENT" "$@"; }
newmemo() {
  local id
  id=$(as alice memo new --channel dissent --title "$1" --marking SBU --body "$1." --json | json 'd["id"]')
  as alice memo circulate "$id" > /dev/null
  echo "$id"
}
make_extra_keys 3 "$E2E_TMP/extra.keys" # the forged-log proxy's ring: bob's key and these
logsize() { curl -s "$URL/api/v1/log/checkpoint" | json 'd["size"]'; }
cachesize() { head -1 "$HIST"/*.leaves 2>/dev/null | cut -d' ' -f2; }

start_proxy() { start_evil_proxy "$1" state "$PK_BOB" "$E2E_TMP/extra.keys"; }
# the first leaf index of every leaves request the client made, in order
starts() { grep '^/api/v1/log/leaves' "$E2E_TMP/posts.get" | sed 's/.*start=\([0-9]*\).*/\1/' | tr '\n' ' ' | sed 's/ $//'; }

ID=$(newmemo "Reopen the consulates")
S1=$(logsize)

# 1. first run: the whole log is fetched once and kept
start_proxy honest
V=$(nobody verify-signatures "$ID" --server "$PURL" --log-key "$LOGKEY" 2>&1); RC=$?
expect_eq "first verify-signatures passes (exit 0)" "$RC" 0
expect_eq "it fetched the log from leaf 0" "$(starts | cut -d' ' -f1)" 0
expect_eq "the leaves it checked are kept (leaf cache of size $S1)" "$(cachesize)" "$S1"
expect_eq "the cache is private (0600)" "$(stat -c %a "$HIST"/*.leaves 2>&1)" 600
sqlite3 "$DB" ".backup '$E2E_TMP/before.db'"

# 2. the log grows: the whole log again from leaf 0, checked against the
# cache locally; no consistency proof asked from the checked size
ID2=$(newmemo "Close the consulates")
S2=$(logsize)
[ "$S2" -gt "$S1" ] && ok "the log grew ($S1 -> $S2)" || bad "the log grew" "$S1 -> $S2"
stop_proxy; start_proxy honest
V=$(nobody verify-signatures "$ID2" --server "$PURL" --log-key "$LOGKEY" 2>&1); RC=$?
expect_eq "verify-signatures on the grown log passes (exit 0)" "$RC" 0
expect_eq "it fetched the log from leaf 0 again, not from the checked size $S1" "$(starts)" 0
expect_eq "it asked no consistency proof (the cache is checked locally)" \
  "$(grep -c /proof/consistency "$E2E_TMP/posts.get")" 0
expect_eq "the cache now holds $S2 leaves" "$(cachesize)" "$S2"
echo "  figure: leaves fetched by the first check $S1, by the second $S2 (the whole log each time)"
: > "$E2E_TMP/posts.get"
OUT=$(as bob sign "$ID2" --server "$PURL" --log-key "$LOGKEY" --anonymous --key "$(keyf bob)" \
      --passphrase-file "$(ppf bob)" --min-ring 2 2>&1); RC=$?
expect_eq "sign --anonymous on the same log signs (exit 0)" "$RC" 0
expect_in "having shown the verified anonymity set" "$OUT" "you are one of 2 enrolled members of state"
expect_eq "and fetched the log from leaf 0, like every client" "$(starts)" 0
stop_proxy

# 3. a lying proxy forges a new ring leaf: the new leaves do not hash to the
# signed root, nothing is proved, the cache is not extended
ID3=$(newmemo "Move the embassy")
S3=$(logsize)
start_proxy forged-log
OUT=$(as bob sign "$ID3" --server "$PURL" --log-key "$LOGKEY" --anonymous --key "$(keyf bob)" \
      --passphrase-file "$(ppf bob)" --min-ring 2 2>&1); RC=$?
expect_eq "a forged new ring leaf: sign --anonymous refuses (exit 1)" "$RC" 1
expect_in "the new leaves do not hash to the signed root" "$OUT" "do not hash to the root of its signed checkpoint"
expect_eq "no request reached the anonymous endpoint" "$(grep -c anonymous "$E2E_TMP/posts")" 0
V=$(nobody verify-signatures "$ID3" --server "$PURL" --log-key "$LOGKEY" 2>&1); RC=$?
expect_eq "verify-signatures fails on it too (exit 1)" "$RC" 1
expect_eq "the forged leaves were not kept (cache still $S2)" "$(cachesize)" "$S2"
stop_proxy

# 4. a fork: the server's database rolled back to before step 2 and grown
# with other leaves past the size the client checked
stop_server
cp "$E2E_TMP/before.db" "$DB"; rm -f "$DB-wal" "$DB-shm"
start_server "$DB"
for u in alice bob; do login "$u"; done
# rolled back below the checkpoint history (size $S2): checking it locally
# is impossible without asking a proof from the saved size, so it is refused
SRB=$(logsize)
[ "$SRB" -lt "$S2" ] && ok "the rolled-back log is smaller than the history ($SRB < $S2)" || bad "rolled-back size" "$SRB"
V=$(nobody verify-signatures "$ID" --server "$URL" --log-key "$LOGKEY" 2>&1); RC=$?
expect_eq "a log smaller than the history: verify-signatures refuses (exit 1)" "$RC" 1
expect_in "saying the log went back" "$V" "the log went back"
for t in One Two Three Four Five Six; do
  [ "$(logsize)" -gt "$S3" ] && break
  newmemo "Forked $t" > /dev/null
done
S4=$(logsize)
[ "$S4" -gt "$S3" ] && ok "the forked log is larger than what was checked ($S4 > $S3)" || bad "forked log size" "$S4"
V=$(nobody verify-signatures "$ID" --server "$URL" --log-key "$LOGKEY" 2>&1); RC=$?
expect_eq "the fork: verify-signatures refuses (exit 1)" "$RC" 1
expect_in "and says the log is inconsistent" "$V" "LOG INCONSISTENT"
expect_in "and keeps the evidence" "$V" "evidence kept: "
EV=$(ls "$HIST"/evidence-*.json 2>/dev/null | head -1)
OUT=$(nobody log evidence --check "$EV" 2>&1)
expect_eq "the evidence checks with no server (log evidence --check)" "$?" 0
expect_in "and proves the fork by itself (a changed subtree of the cached leaves)" "$OUT" "PROVEN: "
OUT=$(as bob sign "$ID" --log-key "$LOGKEY" --anonymous --key "$(keyf bob)" \
      --passphrase-file "$(ppf bob)" --min-ring 2 2>&1); RC=$?
expect_eq "the fork: sign --anonymous refuses (exit 1)" "$RC" 1
expect_in "naming the inconsistency" "$OUT" "LOG INCONSISTENT"
expect_eq "the cache was not replaced by the fork's leaves" "$(cachesize)" "$S2"

e2e_summary ringlog
