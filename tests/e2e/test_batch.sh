#!/usr/bin/env bash
# Publication in shuffled batches (issue #10, break 4: the stopwatch).
# Anonymous signature actions and roster enrollments are queued when they are
# accepted and published together at the batch time: not in the log before,
# all present after, contiguous, with one rounded time, in an order that is
# not the order they were accepted in. The anonymous endpoint answers with a
# receipt signed by the log key; the CLI keeps it and reports a broken promise
# (a queued entry the server dropped). A restart after several intervals
# publishes what was queued (catch-up).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
E2E_TMP=$(mktemp -d)
trap 'stop_server; rm -rf "$E2E_TMP"' EXIT
DB=$E2E_TMP/dissent.db
export DISSENT_LOG_KEYS=$E2E_TMP/pins.json
# a week: the server's own ticker never fires during the test; the operator's
# `dissent log publish-batch --now` publishes
WEEK=604800

"$DISSENT" demo --db "$DB" > "$E2E_TMP/demo.out" || { echo "demo failed"; exit 1; }
start_server "$DB" DISSENT_BATCH_INTERVAL=$WEEK
for u in alice bob carol dan; do login "$u"; done
keyf() { printf '%s/%s.key' "$E2E_TMP" "$1"; }
ppf() { printf '%s/%s.pass' "$E2E_TMP" "$1"; }
anon() { local u=$1 c=$2; shift 2; as "$u" "$c" "$@" --anonymous --key "$(keyf "$u")" --passphrase-file "$(ppf "$u")" --min-ring 2; }
pub() { curl -s "$URL/api/v1/public/memos/$1"; }
leaves() { sql "$DB" "SELECT COUNT(*) FROM tlog_leaves"; }
publish() { DISSENT_BATCH_INTERVAL=$WEEK "$DISSENT" log publish-batch --db "$DB" --now; }
for u in alice bob carol dan; do
  printf '%s ring passphrase\n' "$u" > "$(ppf "$u")"
  as "$u" key new --key "$(keyf "$u")" --passphrase-file "$(ppf "$u")" > /dev/null
done

# ---- enrollments wait for the batch ----
N0=$(leaves)
for u in alice bob dan; do as "$u" key enroll --key "$(keyf "$u")" --passphrase-file "$(ppf "$u")" > /dev/null; done
expect_eq "enrollments are not in the log before the batch" "$(leaves)" "$N0"
expect_eq "they wait in the queue" "$(sql "$DB" "SELECT COUNT(*) FROM batch_queue")" 3
expect_eq "the public roster does not show them yet" "$(curl -s "$URL/api/v1/rosters/state" | json 'd["count"]')" 0
OUT=$(publish)
expect_in "the operator publishes the batch" "$OUT" "published 3 queued entries"
expect_eq "after it, three roster leaves" "$(sql "$DB" "SELECT COUNT(*) FROM tlog_leaves WHERE kind = 'roster'")" 3
expect_eq "the queue is empty" "$(sql "$DB" "SELECT COUNT(*) FROM batch_queue")" 0
expect_eq "the roster shows them" "$(curl -s "$URL/api/v1/rosters/state" | json 'd["count"]')" 3
expect_eq "publishing again adds nothing (idempotent)" "$(publish > /dev/null; leaves)" "$((N0 + 3))"

# ---- seven actions on three memos, one enrollment: one batch ----
M=()
for i in 1 2 3; do
  ID=$(as alice memo new --channel dissent --title "Batch memo $i" --marking SBU --body "Text $i." --json | json 'd["id"]')
  as alice memo circulate "$ID" > /dev/null
  M+=("$ID")
done
N1=$(leaves)
ORDER=()
sign_anon() { # USER MEMO: signs, records "memo:tag" in ORDER
  local out tag
  out=$(anon "$1" sign "$2" 2> "$E2E_TMP/err") || { bad "$1 signs ${2}" "$(cat "$E2E_TMP/err")"; return; }
  tag=$(echo "$out" | sed -n 's/^tag: //p')
  ORDER+=("$2:$tag")
  LAST_TAG=$tag
  printf '%s\n' "$out" > "$E2E_TMP/last.out"
}
sign_anon bob "${M[0]}"
expect_in "the CLI says when the signature is published" "$(cat "$E2E_TMP/last.out")" "published in the batch of"
sign_anon dan "${M[0]}"
sign_anon alice "${M[0]}"
as carol key enroll --key "$(keyf carol)" --passphrase-file "$(ppf carol)" > /dev/null
ORDER+=("roster:eeas")
# carol is her organization's only member: her named signature's count leaf
# would say who signed, to the second; it waits for the batch too
as carol sign "${M[0]}" > /dev/null
ORDER+=("sig:${M[0]}")
sign_anon bob "${M[1]}"
sign_anon dan "${M[1]}"
TAG_DAN2=$LAST_TAG
sign_anon alice "${M[1]}"
sign_anon bob "${M[2]}"
expect_eq "nine entries accepted" "${#ORDER[@]}" 9
expect_eq "nothing is in the log before the batch" "$(leaves)" "$N1"
P=$(pub "${M[0]}")
expect_eq "the public counts show only what is published" "$(echo "$P" | json 'd["counts"]["anonymous"]["total"]')" 0
expect_eq "carol's named signature is not counted publicly yet" "$(echo "$P" | json 'd["counts"]["named"]["total"]')" 0
expect_eq "nor in the memo's counts for members" "$(as alice memo counts "${M[0]}" --json | json 'd["named"]["total"]')" 0
expect_eq "nor any tag" "$(echo "$P" | json 'len(d["signatures"]) + len(d["sequences"])')" 0
expect_in "and say when the next batch is" "$(echo "$P" | json 'd["batch"]["note"]')" "pending publication in the next batch at"

# ---- receipts ----
R=$(as bob receipts check --server "$URL" 2>&1); RC=$?
expect_eq "bob's receipts: valid, not yet due (exit 0)" "$RC" 0
expect_in "three receipts, each signed by the log key" "$R" "3 receipts: 3 pending"
RF=$E2E_TMP/session-dan.json.receipts.json
expect_eq "dan's CLI keeps his receipts" "$(json 'len(d)' < "$RF")" 2
cp "$RF" "$E2E_TMP/dan-receipts.bak"
python3 - "$RF" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d[0]["receipt"]["publish_by"] = "2000-01-01T00:00:00Z"
json.dump(d, open(sys.argv[1], "w"))
EOF
R=$(as dan receipts check --server "$URL" 2>&1); RC=$?
expect_eq "a tampered receipt is refused (exit 1)" "$RC" 1
expect_in "because its signature does not verify" "$R" "signature does not verify"
cp "$E2E_TMP/dan-receipts.bak" "$RF"

# The server drops dan's queued signature on memo 2 between accept and batch.
sql "$DB" "DELETE FROM batch_queue WHERE memo = '${M[1]}' AND hex(tag) = upper('$TAG_DAN2')"
expect_eq "one queued row deleted" "$(sql "$DB" "SELECT COUNT(*) FROM batch_queue")" 8
OUT=$(publish)
expect_in "the batch is published" "$OUT" "published 8 queued entries"

# ---- the batch: contiguous, one time, shuffled ----
B=$(sql "$DB" "SELECT data FROM tlog_leaves WHERE idx >= $N1 ORDER BY idx" | python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin if l.strip()]
print(json.dumps([(r["kind"], r.get("memo", ""), r.get("tag", r.get("organization", "")), r["at"]) for r in rows]))')
expect_eq "eight leaves, all from the batch, contiguous" "$(echo "$B" | json 'len(d)')" 8
expect_eq "anonymous, named and roster leaves together" "$(echo "$B" | json 'sorted(set(r[0] for r in d))')" '["anonymous-signature", "roster", "signature"]'
expect_eq "every anonymous leaf has the same day" "$(echo "$B" | json 'len(set(r[3] for r in d if r[0] == "anonymous-signature"))')" 1
expect_eq "the named and roster leaves have one time" "$(echo "$B" | json 'len(set(r[3] for r in d if r[0] != "anonymous-signature"))')" 1
AT=$(echo "$B" | json '[r[3] for r in d if r[0] == "roster"][0]')
expect_eq "the roster leaf's time is rounded to the interval" "$(python3 -c "import datetime,sys; t=datetime.datetime.strptime('$AT','%Y-%m-%dT%H:%M:%SZ').replace(tzinfo=datetime.timezone.utc).timestamp(); print(int(t) % $WEEK)")" 0
GOT=$(echo "$B" | json '" ".join({"roster": "roster:" + r[2], "signature": "sig:" + r[1]}.get(r[0], r[1] + ":" + r[2]) for r in d)')
WANT=$(printf '%s\n' "${ORDER[@]}" | grep -v "$TAG_DAN2" | tr '\n' ' ' | sed 's/ $//')
expect_eq "the same entries were published" "$(echo "$GOT" | tr ' ' '\n' | sort | tr '\n' ' ')" "$(echo "$WANT" | tr ' ' '\n' | sort | tr '\n' ' ')"
if [ "$GOT" != "$WANT" ]; then ok "the batch is not in the order of acceptance (1 in 40320 by chance)"
else bad "the batch is in the order of acceptance" "$GOT"; fi
expect_eq "counts after the batch" "$(pub "${M[0]}" | json 'd["counts"]["anonymous"]["total"]')" 3
expect_eq "carol's named signature is counted after the batch" "$(pub "${M[0]}" | json 'd["counts"]["named"]["by_organization"]')" '[{"count": 1, "organization": "eeas"}]' 
expect_in "the note stays, whether or not anything is queued (no flag flips)" "$(pub "${M[0]}" | json 'd["batch"]["note"]')" "next batch at"

# ---- promises kept and broken ----
R=$(as bob receipts check --server "$URL" 2>&1); RC=$?
expect_eq "bob's promises were kept (exit 0)" "$RC" 0
expect_in "the check says so" "$R" "3 receipts: 3 kept"
R=$(as dan receipts check --server "$URL" 2>&1); RC=$?
expect_eq "before its publish_by, a missing entry is only pending (exit 0)" "$RC" 0
expect_in "one kept, one pending" "$R" "2 receipts: 1 kept, 1 pending"
# a week and a day later (the CLI's clock): the promised batch time has passed
LATER=$(date -u -d '+8 days' +%Y-%m-%dT%H:%M:%SZ)
R=$(DISSENT_FAKE_NOW=$LATER as dan receipts check --server "$URL" 2>&1); RC=$?
expect_eq "dan's dropped signature is a broken promise (exit 1)" "$RC" 1
expect_in "reported loudly" "$R" "BROKEN PROMISE"
expect_in "with the receipt as evidence" "$R" "\"tag\": \"$TAG_DAN2\""
OUT=$(DISSENT_FAKE_NOW=$LATER DISSENT_CONFIG=$E2E_TMP/session-dan.json "$DISSENT" verify-signatures "${M[1]}" --server "$URL" 2>&1); RC=$?
expect_eq "verify-signatures fails on a broken promise (exit 1)" "$RC" 1
expect_in "and shows it" "$OUT" "BROKEN PROMISE"

# ---- catch-up: a restart past several intervals publishes the queue ----
stop_server
T0=$(date -u -d '-2 hours' +%Y-%m-%dT%H:%M:%SZ)
start_server "$DB" DISSENT_BATCH_INTERVAL=60 DISSENT_FAKE_NOW="$T0"
login bob
sign_anon bob "${M[1]}" # a replacement of bob's signature on memo 2... same version: replaced
N2=$(leaves)
expect_eq "queued, not published" "$(sql "$DB" "SELECT COUNT(*) FROM batch_queue")" 1
stop_server
T1=$(date -u -d '-2 hours +5 minutes' +%Y-%m-%dT%H:%M:%SZ)
start_server "$DB" DISSENT_BATCH_INTERVAL=60 DISSENT_FAKE_NOW="$T1"
wait_until 60 '[ "$(sql "$DB" "SELECT COUNT(*) FROM batch_queue")" = 0 ]'
expect_eq "after a restart five intervals later the queue is published" "$(sql "$DB" "SELECT COUNT(*) FROM batch_queue")" 0
expect_eq "one leaf more" "$(leaves)" "$((N2 + 1))"

# ---- a signature still in the queue can be withdrawn (the receipt says it exists) ----
login alice
sign_anon alice "${M[2]}"
OUT=$(anon alice unsign "${M[2]}" 2>&1); RC=$?
expect_eq "alice withdraws her unpublished signature (exit 0)" "$RC" 0
expect_in "it is withdrawn" "$OUT" "anonymous signature withdrawn"
expect_eq "both actions wait for the batch, in order" \
  "$(sql "$DB" "SELECT group_concat(version, ',') FROM (SELECT version FROM batch_queue WHERE memo = '${M[2]}' ORDER BY id)")" "1,0"
e2e_summary batch
