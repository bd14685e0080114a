#!/usr/bin/env bash
# Witnesses (C2SP tlog-witness) from outside: a dissent server and two
# `dissent witness serve` processes on loopback. The test submits the
# server's signed checkpoints with its consistency proofs to the witnesses
# over HTTP, as a log does: they cosign consistent growth, keep their state
# across a restart, refuse a stale old size (409 text/x.tlog.size), a
# checkpoint not signed by the log (403), and a rewritten-and-rehashed log:
# the same size with another root (409, a fork) and its growth (422).
# Then a second server runs `dissent serve --witness ... --witness-policy 2`:
# its public checkpoint carries both cosignatures, follows the log while
# both witnesses answer, stays at the last cosigned one while one is down,
# and a rewritten-and-rehashed copy of its log is never published. Readers
# trust a witness policy in the old form and in the C2SP tlog-policy syntax
# (two levels of groups; one the checkpoint misses is refused).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
E2E_TMP=$(mktemp -d)
W_PIDS=()
stop_witnesses() { for p in "${W_PIDS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done; W_PIDS=(); }
trap 'stop_server; stop_witnesses; rm -rf "$E2E_TMP"' EXIT
DB=$E2E_TMP/dissent.db

"$DISSENT" demo --db "$DB" > /dev/null || { echo "demo failed"; exit 1; }
start_server "$DB" DISSENT_FAKE_NOW=2026-11-20T15:00:00Z
login alice
LOGKEY=$(curl -s "$URL/api/v1/log/key" | json 'd["verifier_key"]')
LOGARGS=(--log "$LOGKEY")

# ---- two witnesses, each with its own key and state ----
for w in 1 2; do
  "$DISSENT" witness new-key "witness.test/w$w" --key "$E2E_TMP/w$w.key" > "$E2E_TMP/w$w.pub"
done
expect_eq "witness key file is 0600" "$(stat -c %a "$E2E_TMP/w1.key")" 600
expect_eq "witness public key: name+id+base64(0x04||key)" \
  "$(grep -cE '^witness\.test/w1\+[0-9a-f]{8}\+B[A-Za-z0-9+/]{43}$' "$E2E_TMP/w1.pub")" 1
expect_eq "public-key prints the same key" \
  "$("$DISSENT" witness public-key --key "$E2E_TMP/w1.key")" "$(cat "$E2E_TMP/w1.pub")"
"$DISSENT" witness new-key "witness.test/w1" --key "$E2E_TMP/w1.key" > /dev/null 2>&1
expect_eq "new-key never overwrites a key" "$?" 1

# start_witness N: starts witness N on a free port; sets WURL<N>
start_witness() {
  local n=$1
  rm -f "$E2E_TMP/wport$n"
  "$DISSENT" witness serve --listen 127.0.0.1:0 --port-file "$E2E_TMP/wport$n" \
    --state "$E2E_TMP/wstate$n" --key "$E2E_TMP/w$n.key" "${LOGARGS[@]}" \
    > "$E2E_TMP/witness$n.log" 2>&1 &
  W_PIDS+=($!)
  wait_port_file "$E2E_TMP/wport$n" $! || { echo "witness $n did not start"; cat "$E2E_TMP/witness$n.log"; exit 1; }
  eval "WURL$n=http://127.0.0.1:$(cat "$E2E_TMP/wport$n")"
}
start_witness 1
start_witness 2

size() { curl -s "$URL/api/v1/log/checkpoint" | json 'd["size"]'; }
# submit WURL OLD [NOTEFILE]: POSTs old size, the server's consistency proof
# from OLD to the current size, and the current checkpoint note (or NOTEFILE);
# sets ST (status), RB (body), CT (content type).
submit() {
  local wurl=$1 old=$2 note=${3:-} size
  if [ -z "$note" ]; then
    curl -s "$URL/api/v1/log/checkpoint?format=note" > "$E2E_TMP/note"
    note=$E2E_TMP/note
  fi
  size=$(sed -n 2p "$note")
  {
    printf 'old %s\n' "$old"
    if [ "$old" -gt 0 ] && [ "$old" -lt "$size" ]; then
      curl -s "$URL/api/v1/log/proof/consistency?from=$old&to=$size" | json '"\n".join(d["proof"])'
    fi
    printf '\n'
    cat "$note"
  } > "$E2E_TMP/req"
  ST=$(curl -s -o "$E2E_TMP/resp" -w '%{http_code} %{content_type}' --data-binary @"$E2E_TMP/req" \
       "$wurl/add-checkpoint")
  CT=${ST#* }; ST=${ST%% *}
  RB=$(cat "$E2E_TMP/resp")
}
memo() { as alice memo new --channel dissent --title "Memo $1" --marking UNCLASSIFIED --body "Text $1." > /dev/null; }

# ---- cosigning consistent growth ----
S0=$(size)
for w in 1 2; do
  eval "submit \$WURL$w 0"
  expect_eq "w$w cosigns the first checkpoint" "$ST" 200
  expect_in "w$w answers a cosignature line" "$RB" "— witness.test/w$w "
done
# the cosignature is 76 bytes: key id (that of the public key), time, signature
SIG=$(printf '%s' "$RB" | awk '{print $3}')
expect_eq "cosignature is key id || time || Ed25519 signature (76 bytes)" \
  "$(printf '%s' "$SIG" | base64 -d | wc -c)" 76
expect_eq "cosignature carries the witness's key id" \
  "$(printf '%s' "$SIG" | base64 -d | head -c 4 | od -An -v -tx1 | tr -d ' \n')" \
  "$(cut -d+ -f2 "$E2E_TMP/w2.pub")"
T=$(printf '%s' "$SIG" | base64 -d | head -c 12 | tail -c 8 | od -An -tu1 | \
    awk '{v=0; for(i=1;i<=NF;i++) v=v*256+$i; print v}')
NOW=$(date +%s)
[ $((NOW - T)) -ge 0 ] && [ $((NOW - T)) -lt 300 ] && ok "cosignature carries the witness's time" \
  || bad "cosignature carries the witness's time" "time $T, now $NOW"

memo one; memo two; memo three
S1=$(size)
[ "$S1" -gt "$S0" ] && ok "the log grew ($S0 -> $S1)" || bad "the log grew" "$S0 -> $S1"
submit "$WURL1" "$S0"
expect_eq "w1 cosigns consistent growth with a proof" "$ST" 200
submit "$WURL2" "$S0"
expect_eq "w2 cosigns consistent growth with a proof" "$ST" 200

# ---- refusals ----
submit "$WURL1" 0
expect_eq "stale old size: 409" "$ST" 409
expect_eq "stale old size: text/x.tlog.size" "$CT" "text/x.tlog.size"
expect_eq "stale old size: the body is the latest cosigned size" "$RB" "$S1"
sed '3s/^./X/' "$E2E_TMP/note" > "$E2E_TMP/forged"
sed -i "3s/^X/$( [ "$(sed -n 3p "$E2E_TMP/note" | cut -c1)" = A ] && echo B || echo A)/" "$E2E_TMP/forged"
submit "$WURL1" "$S1" "$E2E_TMP/forged"
expect_eq "a checkpoint not signed by the log: 403" "$ST" 403

# ---- the state survives a restart ----
stop_witnesses
start_witness 1
start_witness 2
submit "$WURL1" 0
expect_eq "after a restart, the witness still knows size $S1" "$RB" "$S1"
expect_eq "state is 0600" "$(stat -c %a "$E2E_TMP"/wstate1/*.checkpoint)" 600

# ---- a rewritten and rehashed log ----
stop_server
rehash_log "$DB"
start_server "$DB" DISSENT_FAKE_NOW=2026-11-20T15:00:00Z
login alice
expect_eq "rehashed log: same size" "$(size)" "$S1"
submit "$WURL1" "$S1"
expect_eq "rehashed log, same size, another root: 409 (a fork)" "$ST" 409
expect_in "the witness names the fork" "$RB" "fork"
memo four
submit "$WURL1" "$S1"
expect_eq "rehashed log grown: the consistency proof fails, 422" "$ST" 422
expect_in "the witness says why" "$RB" "not consistent"
submit "$WURL2" "$S1"
expect_eq "the other witness refuses it too" "$ST" 422
submit "$WURL1" 0
expect_eq "nothing was recorded from the rewritten log" "$RB" "$S1"

# ---- dissent serve --witness: publish only cosigned checkpoints ----
stop_server
DB2=$E2E_TMP/second.db
"$DISSENT" demo --db "$DB2" > /dev/null || { echo "demo 2 failed"; exit 1; }
start_server "$DB2"
LOGKEY2=$(curl -s "$URL/api/v1/log/key" | json 'd["verifier_key"]')
stop_server
stop_witnesses
# the witnesses now follow both logs
LOGARGS=(--log "$LOGKEY" --log "$LOGKEY2")
start_witness 1
start_witness 2
W1="$(cat "$E2E_TMP/w1.pub")+$WURL1"
W2="$(cat "$E2E_TMP/w2.pub")+$WURL2/"
# start_witnessed: serve DB2 with both witnesses, policy 2 of 2
start_witnessed() {
  rm -f "$E2E_TMP/port"
  "$DISSENT" serve --db "$DB2" --listen 127.0.0.1:0 --port-file "$E2E_TMP/port" \
    --witness "$W1" --witness "$W2" --witness-policy 2 > "$E2E_TMP/server.log" 2>&1 &
  SERVER_PID=$!
  wait_port_file "$E2E_TMP/port" "$SERVER_PID" || { echo "server did not start"; cat "$E2E_TMP/server.log"; exit 1; }
  URL="http://127.0.0.1:$(cat "$E2E_TMP/port")"
}
# published: the size of the published checkpoint, or its error code
published() { curl -s "$URL/api/v1/log/checkpoint" | json 'd.get("size", d.get("error", {}).get("code"))'; }
# wait_published SIZE: waits up to 10 s for the published size to be SIZE
wait_published() { local _n=$1; wait_until 60 '[ "$(published)" = "$_n" ]'; }

"$DISSENT" serve --db "$DB2" --listen 127.0.0.1:0 --witness "not-a-key+http://x" > "$E2E_TMP/bad.log" 2>&1
expect_eq "serve refuses a malformed --witness" "$?" 2
"$DISSENT" serve --db "$DB2" --listen 127.0.0.1:0 --witness "$W1" --witness-policy 2 > "$E2E_TMP/bad.log" 2>&1
expect_eq "serve refuses a policy above the number of witnesses" "$?" 2

start_witnessed
login alice
T0=$(sqlite3 "$DB2" 'SELECT COUNT(*) FROM tlog_leaves')
wait_published "$T0" && ok "the first checkpoint is published once cosigned" \
  || bad "the first checkpoint is published once cosigned" "$(published)"
NOTE=$(curl -s "$URL/api/v1/log/checkpoint?format=note")
expect_in "published note carries w1's cosignature" "$NOTE" "— witness.test/w1 "
expect_in "published note carries w2's cosignature" "$NOTE" "— witness.test/w2 "
expect_eq "the JSON says it is cosigned" "$(curl -s "$URL/api/v1/log/checkpoint" | json 'd["cosigned"]')" True
DISSENT_LOG_KEYS=$E2E_TMP/pins2.json "$DISSENT" log checkpoint --server "$URL" --log-key "$LOGKEY2" > /dev/null 2>&1
expect_eq "dissent log checkpoint still opens the cosigned note" "$?" 0
# etag_of PATH [CURL ARGS]: "STATUS ETAG" of a GET
etag_of() { local p=$1; shift; curl -s -o /dev/null -D - "$@" "$URL$p" | tr -d '\r' |
  awk 'NR == 1 { s = $2 } tolower($1) == "etag:" { t = $2 } END { print s, t }'; }
CT0=$(etag_of /api/v1/log/checkpoint | cut -d' ' -f2)
expect_eq "the cosigned checkpoint: 304 on its own tag" \
  "$(etag_of /api/v1/log/checkpoint -H "If-None-Match: $CT0")" "304 $CT0"

MID=$(as alice memo new --channel dissent --title "Memo five" --marking UNCLASSIFIED --body "Text five." --json | json 'd["id"]')
as alice memo render "$MID" > "$E2E_TMP/copy.txt"
as alice memo circulate "$MID" > /dev/null
T1=$(sqlite3 "$DB2" 'SELECT COUNT(*) FROM tlog_leaves')
# a newly cosigned checkpoint is a new note: never a stale 304
wait_published "$T1" || bad "the new leaves are published" "$(published)"
R=$(etag_of /api/v1/log/checkpoint -H "If-None-Match: $CT0")
CT1=${R#* }
expect_eq "a newly cosigned checkpoint: 200 on the old tag" "${R%% *}" 200
[ -n "$CT1" ] && [ "$CT1" != "$CT0" ] && ok "a newly cosigned checkpoint: a new tag" || bad "new tag" "$R"
expect_eq "a newly cosigned checkpoint: 304 on its new tag" \
  "$(etag_of /api/v1/log/checkpoint -H "If-None-Match: $CT1")" "304 $CT1"
# the witness policy a reader trusts, and a fresh history for each check
printf '# witnesses of the second log\nwitness %s\nwitness %s\nquorum 2\n' \
  "$(cat "$E2E_TMP/w1.pub")" "$(cat "$E2E_TMP/w2.pub")" > "$E2E_TMP/policy"
# fresh_verify [POLICY]: dissent verify with no history, pinned key given
fresh_verify() {
  rm -rf "$E2E_TMP/hist"
  VOUT=$(DISSENT_LOG_HISTORY=$E2E_TMP/hist DISSENT_WITNESS_POLICY=${1:-} DISSENT_LOG_KEYS=$E2E_TMP/pins3.json \
    "$DISSENT" verify "$E2E_TMP/copy.txt" --server "$URL" --log-key "$LOGKEY2" 2>&1)
  VRC=$?
}
wait_published "$T1" && ok "a new checkpoint is published once both witnesses cosign it" \
  || bad "a new checkpoint is published once both witnesses cosign it" "$(published)"

fresh_verify "$E2E_TMP/policy"
expect_eq "a fresh verify with the witness policy accepts the cosigned log" "$VRC" 0
# the same witnesses in the C2SP tlog-policy (Sigsum) syntax: hex keys, a
# witness X that never cosigns, two levels of groups
hexkey() { cut -d+ -f3- "$1" | base64 -d | tail -c 32 | od -An -v -tx1 | tr -d ' \n'; }
XKEY=$(head -c 32 /dev/urandom | od -An -v -tx1 | tr -d ' \n')
c2sp_policy() { # c2sp_policy K: the inner group needs K of W1 and X
  printf '# C2SP tlog-policy\nlog %s\nwitness W1 %s %s\nwitness W2 %s\nwitness X %s\n' \
    "$LOGKEY2" "$(hexkey "$E2E_TMP/w1.pub")" "$WURL1" "$(hexkey "$E2E_TMP/w2.pub")" "$XKEY"
  printf 'group inner %s W1 X\ngroup outer all inner W2\nquorum outer\n' "$1"
}
c2sp_policy any > "$E2E_TMP/policy-c2sp"
c2sp_policy 2 > "$E2E_TMP/policy-c2sp-strict"
fresh_verify "$E2E_TMP/policy-c2sp"
expect_eq "a C2SP policy (any of W1 X, and W2) accepts the cosigned log" "$VRC" 0
fresh_verify "$E2E_TMP/policy-c2sp-strict"
expect_eq "a C2SP policy the checkpoint misses (2 of W1 X, and W2) refuses it" "$VRC" 1
expect_in "it names the quorum and the group not met" "$VOUT" \
  "quorum outer: group inner has 1 of the 2 cosignatures it needs"
printf 'log %s\nquorum none\n' "$XKEY" > "$E2E_TMP/policy-otherlog"
fresh_verify "$E2E_TMP/policy-otherlog"
expect_eq "a C2SP policy listing another log refuses the checkpoint" "$VRC" 1
expect_in "it says no listed log signed it" "$VOUT" "signed by none of the 1 log of the policy"
printf 'witness A %s\ngroup G any A B\nquorum G\n' "$XKEY" > "$E2E_TMP/badpolicy-c2sp"
fresh_verify "$E2E_TMP/badpolicy-c2sp"
expect_in "a C2SP policy naming an undefined member is refused, naming its line" "$VOUT" \
  "line 2: B is not defined"
# verify_sigs [POLICY]: verify-signatures of MID with no history
verify_sigs() {
  rm -rf "$E2E_TMP/hist"
  VOUT=$(DISSENT_LOG_HISTORY=$E2E_TMP/hist DISSENT_WITNESS_POLICY=${1:-} DISSENT_LOG_KEYS=$E2E_TMP/pins4.json \
    DISSENT_CONFIG=$E2E_TMP/nobody.json "$DISSENT" verify-signatures "$MID" --server "$URL" 2>&1)
  VRC=$?
}
verify_sigs "$E2E_TMP/policy"
expect_eq "verify-signatures with the witness policy accepts the cosigned log" "$VRC" 0
# a frozen view: cosignatures older than the policy's max-age do not count.
# The server asks its witnesses again every 60 s, and a loaded machine may
# take that long to get here: a verify just after such a refresh sees fresh
# cosignatures (rightly accepted), so try again (2 s apart) for a while.
cp "$E2E_TMP/policy" "$E2E_TMP/policy-fresh"; echo "max-age 1" >> "$E2E_TMP/policy-fresh"
wait_until 120 'sleep 2; fresh_verify "$E2E_TMP/policy-fresh"; [ "$VRC" = 1 ]'
expect_eq "cosignatures older than max-age: refused" "$VRC" 1
expect_in "a frozen view is reported" "$VOUT" "the log's view may be frozen"
cp "$E2E_TMP/policy" "$E2E_TMP/policy-fresh"; echo "max-age 3600" >> "$E2E_TMP/policy-fresh"
fresh_verify "$E2E_TMP/policy-fresh"
expect_eq "recent cosignatures within max-age: accepted" "$VRC" 0
printf 'witness %s\nquorum 1\nwitness nonsense\n' "$(cat "$E2E_TMP/w1.pub")" > "$E2E_TMP/badpolicy"
fresh_verify "$E2E_TMP/badpolicy"
expect_in "a malformed policy file is refused, naming its line" "$VOUT" "line 3"

# one witness down: the policy (2 of 2) is not met, the old checkpoint stays
kill "${W_PIDS[1]}"; wait "${W_PIDS[1]}" 2>/dev/null
memo six
wait_until 60 'grep -q "not published (1 of 2 cosignatures)" "$E2E_TMP/server.log"'
expect_eq "with a witness down, the last cosigned checkpoint stays published" "$(published)" "$T1"
expect_in "the server says why" "$(cat "$E2E_TMP/server.log")" "not published (1 of 2 cosignatures)"
start_witness 2
W2="$(cat "$E2E_TMP/w2.pub")+$WURL2"
stop_server
start_witnessed
wait_published "$((T1 + 1))" && ok "with the witness back, the log is published again" \
  || bad "with the witness back, the log is published again" "$(published)"

# a rewritten and rehashed log is never published
stop_server
rehash_log "$DB2"
start_witnessed
login alice
sleep 2
expect_eq "rewritten log: nothing is published" "$(published)" "not_found"
memo seven
wait_until 60 'grep -q "refused the checkpoint" "$E2E_TMP/server.log"'
sleep 2
expect_eq "rewritten log grown: still nothing published" "$(published)" "not_found"
expect_in "the witnesses' refusals are logged" "$(cat "$E2E_TMP/server.log")" "refused the checkpoint"
fresh_verify "$E2E_TMP/policy"
expect_eq "a fresh verify with the policy refuses the rewritten, witnessed server" "$VRC" 1

# the operator drops its witnesses and serves the rewritten log signed by itself
stop_server
start_server "$DB2"
fresh_verify
expect_eq "a fresh verify without a policy cannot tell the rewritten log" "$VRC" 0
fresh_verify "$E2E_TMP/policy"
expect_eq "a fresh verify with the witness policy refuses the rewritten log" "$VRC" 1
expect_in "it says the witness policy failed" "$VOUT" "fails the witness policy: checkpoint has 0 of the 2"
expect_in "it names a missing witness's key id" "$VOUT" "$(cut -d+ -f2 "$E2E_TMP/w1.pub")"
fresh_verify "$E2E_TMP/policy-c2sp"
expect_eq "a fresh verify with the C2SP policy refuses the rewritten log" "$VRC" 1
expect_in "it says the quorum is not met" "$VOUT" "does not meet the witness policy's quorum outer"
verify_sigs "$E2E_TMP/policy"
expect_eq "verify-signatures with the witness policy refuses the rewritten log" "$VRC" 1
expect_in "verify-signatures says the checkpoint fails the witness policy" "$VOUT" "fails the witness policy"

e2e_summary test_witness
