#!/usr/bin/env bash
# The operator must not link an anonymous signature to a named member, nor
# two anonymous signatures of one member to each other, by what the CLI asks
# the log for. A member logged in runs log commands (which need no login),
# the log grows, and he signs anonymously, twice, through a proxy that
# records every request line and whether it carried a session:
#   - no log command request carries the session (Authorization, cookie);
#   - no request of the anonymous flow names a size or index taken from the
#     client's saved state (the checkpoint history, the leaf cache): every
#     from= and start= is 0, and no query value is a size the client saw
#     before, so each anonymous action asks what any client asks at that
#     moment.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
E2E_TMP=$(mktemp -d)
trap 'stop_proxy; stop_server; rm -rf "$E2E_TMP"' EXIT
DB=$E2E_TMP/dissent.db
export DISSENT_LOG_KEYS=$E2E_TMP/pins.json
export DISSENT_LOG_HISTORY=$E2E_TMP/checkpoints

"$DISSENT" demo --db "$DB" > "$E2E_TMP/demo.out" || { echo "demo failed"; exit 1; }
start_server "$DB"
for u in alice bob dan; do login "$u"; done
for u in bob dan; do enroll_key "$u"; done
PK_BOB=$(as bob key show --key "$(keyf bob)")
newmemo() {
  local id
  id=$(as alice memo new --channel dissent --title "$1" --marking SBU --body "$1." --json | json 'd["id"]')
  as alice memo circulate "$id" > /dev/null
  echo "$id"
}
logsize() { curl -s "$URL/api/v1/log/checkpoint" | json 'd["size"]'; }

start_evil_proxy honest state "$PK_BOB"
# dan's session is for the proxy's address: every command he runs without
# --server goes there, with his token unless the command leaves it out
printf 'dan-demo-pass\n' > "$E2E_TMP/pw"
as dan login --server "$PURL" --user dan --password-file "$E2E_TMP/pw" > /dev/null
expect_eq "dan's login went through the proxy with no session yet" \
  "$(grep -c 'POST /api/v1/login ' "$E2E_TMP/posts.hdr")" 1

# values of the query parameters NAME (from, start, ...) in the GETs logged
qvals() { grep -o "[?&]$1=[0-9]*" "$E2E_TMP/posts.get" | cut -d= -f2 | sort -u | tr '\n' ' ' | sed 's/ $//'; }
# every query value of the GETs logged, one a line
allvals() { grep -o '[?&][a-z_]*=[0-9]*' "$E2E_TMP/posts.get" | cut -d= -f2; }
sessioned() { grep -c 'authorization=1\|cookie=1' "$E2E_TMP/posts.hdr"; }
clear_logs() { : > "$E2E_TMP/posts"; : > "$E2E_TMP/posts.get"; : > "$E2E_TMP/posts.hdr"; }

# 1. dan, logged in, runs log commands: they need no login and send none
ID1=$(newmemo "Reopen the consulates")
as alice memo render "$ID1" > "$E2E_TMP/copy.txt" # alice's own session, not through the proxy
S1=$(logsize)
clear_logs
OUT=$(as dan verify "$E2E_TMP/copy.txt" 2>&1); RC=$?
expect_eq "verify FILE passes (exit 0)" "$RC" 0
OUT=$(as dan log checkpoint 2>&1); RC=$?
expect_eq "log checkpoint passes (exit 0)" "$RC" 0
OUT=$(as dan log monitor --state "$E2E_TMP/mon.json" 2>&1); RC=$?
expect_eq "log monitor passes (exit 0)" "$RC" 0
OUT=$(as dan stats 2>&1); RC=$?
expect_eq "stats passes (exit 0)" "$RC" 0
N=$(wc -l < "$E2E_TMP/posts.hdr")
[ "$N" -gt 3 ] && ok "the log commands made $N requests through the proxy" || bad "log command requests" "$N"
expect_eq "no log command request carried dan's session (Authorization, cookie)" "$(sessioned)" 0
HIST_SIZE=$(python3 -c 'import sys,re; print(re.search(r"\n(\d+)\n", open(sys.argv[1]).read()).group(1))' \
  "$(ls "$DISSENT_LOG_HISTORY"/*.note | head -1)")
expect_eq "dan's checkpoint history holds size $S1" "$HIST_SIZE" "$S1"

# 2. the log grows; dan signs anonymously: nothing in the requests says
# where his history or cache stood
ID2=$(newmemo "Close the consulates")
S2=$(logsize)
[ "$S2" -gt "$S1" ] && ok "the log grew ($S1 -> $S2)" || bad "the log grew" "$S1 -> $S2"
clear_logs
OUT=$(as dan sign "$ID2" --anonymous --key "$(keyf dan)" --passphrase-file "$(ppf dan)" --min-ring 2 2>&1); RC=$?
expect_eq "dan signs anonymously (exit 0)" "$RC" 0
expect_eq "the signature reached the anonymous endpoint" "$(grep -c '^/api/v1/anonymous/' "$E2E_TMP/posts")" 1
expect_eq "no request of the anonymous flow carried a session" "$(sessioned)" 0
expect_eq "every leaves request starts at 0" "$(qvals start)" 0
expect_eq "no consistency proof from a saved size (no from=)" "$(qvals from)" ""
expect_eq "no query value is the size of dan's history ($S1)" "$(allvals | grep -cx "$S1")" 0
S2B=$(logsize)

# 3. the log grows again; dan's next anonymous signature, on another memo,
# does not name where the first one left him
ID3=$(newmemo "Move the embassy")
S3=$(logsize)
[ "$S3" -gt "$S2B" ] && ok "the log grew ($S2B -> $S3)" || bad "the log grew" "$S2B -> $S3"
# what any client asks at this moment: a fresh client, with no history and
# no pinned key, checks the same memo first (that adds no leaf)
clear_logs
OUT=$(DISSENT_CONFIG=$E2E_TMP/nobody.json DISSENT_LOG_HISTORY=$E2E_TMP/nobody-hist \
  DISSENT_LOG_KEYS=$E2E_TMP/nobody-pins.json \
  "$DISSENT" verify-signatures "$ID3" --server "$PURL" 2>&1); RC=$?
expect_eq "a client with no history checks the same memo (exit 0)" "$RC" 0
GETS_NOBODY=$(grep '^/api/v1/log/' "$E2E_TMP/posts.get" | sort | tr '\n' ' ')
clear_logs
OUT=$(as dan sign "$ID3" --anonymous --key "$(keyf dan)" --passphrase-file "$(ppf dan)" --min-ring 2 2>&1); RC=$?
expect_eq "dan signs the other memo anonymously (exit 0)" "$RC" 0
expect_eq "no request of the second anonymous flow carried a session" "$(sessioned)" 0
expect_eq "every leaves request starts at 0 again" "$(qvals start)" 0
expect_eq "no consistency proof request (no from=)" "$(qvals from)" ""
expect_eq "no query value is a size dan saw before ($S1, $S2, $S2B)" \
  "$(allvals | grep -cx "$S1\|$S2\|$S2B")" 0
expect_eq "dan's flow (key pinned, history, cache) asked the log exactly what the fresh client asked" \
  "$(grep '^/api/v1/log/' "$E2E_TMP/posts.get" | sort | tr '\n' ' ')" "$GETS_NOBODY"
stop_proxy

e2e_summary anonlink
