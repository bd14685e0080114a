#!/usr/bin/env bash
# Anonymous co-signatures end to end: members make and enroll ring keys, sign
# a memo anonymously through the CLI (one moves to a newer version, one signs
# twice and is counted once), and `dissent verify-signatures` reproduces the
# counts from public data alone. Also: re-keying cannot give a second counted
# signature, a refresh adds a member who enrolled late, a tampered or replayed
# proof is refused and changes nothing, withdrawal works, and the anonymous
# route logs neither an address nor a duration.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
E2E_TMP=$(mktemp -d)
trap 'stop_server; rm -rf "$E2E_TMP"' EXIT
DB=$E2E_TMP/dissent.db
# where the CLI pins the log key it checks rings against (trust on first use)
export DISSENT_LOG_KEYS=$E2E_TMP/pins.json

"$DISSENT" demo --db "$DB" > "$E2E_TMP/demo.out" || { echo "demo failed"; exit 1; }
start_server "$DB"
for u in alice bob carol dan rita admin; do login "$u"; done

# key FILE of USER, and the passphrase file that opens it
keyf() { printf '%s/%s.key' "$E2E_TMP" "$1"; }
ppf() { printf '%s/%s.pass' "$E2E_TMP" "$1"; }
for u in alice bob carol dan; do printf '%s ring passphrase\n' "$u" > "$(ppf "$u")"; done
# anon USER CMD...: the CLI as USER with USER's key and passphrase
# (the demo's rings are tiny: --min-ring 2 lowers the default minimum of 10)
anon() { local u=$1 c=$2; shift 2; as "$u" "$c" "$@" --anonymous --key "$(keyf "$u")" --passphrase-file "$(ppf "$u")" --min-ring 2; }
pub() { curl -s "$URL/api/v1/public/memos/$1"; }

# ---- keys ----
NEW=$(as bob key new --key "$(keyf bob)" --passphrase-file "$(ppf bob)" --json)
PK_BOB=$(echo "$NEW" | json 'd["public_key"]')
expect_eq "key new prints a 32-byte public key" "${#PK_BOB}" 64
expect_eq "key show prints the same key" "$(as bob key show --key "$(keyf bob)")" "$PK_BOB"
expect_eq "the key file is 138 bytes" "$(stat -c %s "$(keyf bob)")" 138
expect_eq "the key file has mode 0600" "$(stat -c %a "$(keyf bob)")" 600
OUT=$(as bob key new --key "$(keyf bob)" --passphrase-file "$(ppf bob)" 2>&1); RC=$?
expect_eq "key new never overwrites (exit 1)" "$RC" 1
expect_in "key new says why" "$OUT" "already exists"
expect_eq "the key is unchanged" "$(as bob key show --key "$(keyf bob)")" "$PK_BOB"
OUT=$(DISSENT_PASSPHRASE="wrong passphrase" as bob key enroll --key "$(keyf bob)" 2>&1); RC=$?
expect_eq "a wrong passphrase is refused (exit 1)" "$RC" 1
expect_in "wrong passphrase message" "$OUT" "wrong passphrase"
OUT=$(DISSENT_PASSPHRASE=short as bob key new --key "$E2E_TMP/short.key" 2>&1)
expect_in "a short passphrase is refused" "$OUT" "at least 8 characters"
# The default path under XDG_CONFIG_HOME, the passphrase from the environment.
XDG_CONFIG_HOME=$E2E_TMP/xdg DISSENT_PASSPHRASE="some passphrase" as dan key new > /dev/null
expect_eq "default key path, mode 0600" "$(stat -c %a "$E2E_TMP/xdg/dissent/ring.key")" 600
expect_eq "default key directory, mode 0700" "$(stat -c %a "$E2E_TMP/xdg/dissent")" 700

for u in dan carol; do
  as "$u" key new --key "$(keyf "$u")" --passphrase-file "$(ppf "$u")" > /dev/null
done
for u in bob dan carol; do
  OUT=$(as "$u" key enroll --key "$(keyf "$u")" --passphrase-file "$(ppf "$u")")
  expect_in "$u enrolls" "$OUT" "enrolled your ring key in the roster of"
done
R=$(curl -s "$URL/api/v1/rosters/state")
expect_eq "the roster of state holds two keys" "$(echo "$R" | json 'd["count"]')" 2
expect_in "bob's key is in it" "$R" "$PK_BOB"
refused "enrolling without a login" "$DB" 401 unauthorized - POST /api/v1/rosters/keys \
  "{\"public_key\":\"$PK_BOB\",\"proof\":\"$(printf '%0128d' 0)\"}"
CHAL=$(api carol POST /api/v1/rosters/challenge | cut -d' ' -f2- | json 'd["challenge"]')
expect_eq "an enrollment challenge is 32 random bytes" "${#CHAL}" 64
refused "a made-up proof of possession" "$DB" 400 invalid_input carol POST \
  /api/v1/rosters/keys "{\"public_key\":\"$PK_BOB\",\"proof\":\"$(printf '%0128d' 0)\",\"challenge\":\"$CHAL\"}"
refused "an enrollment without a challenge (protocol v1)" "$DB" 400 invalid_input carol POST \
  /api/v1/rosters/keys "{\"public_key\":\"$PK_BOB\",\"proof\":\"$(printf '%0128d' 0)\"}"
refused "enrolling is for members" "$DB" 403 forbidden rita POST \
  /api/v1/rosters/keys "{\"public_key\":\"$PK_BOB\",\"proof\":\"$(printf '%0128d' 0)\",\"challenge\":\"$CHAL\"}"
refused "challenges are for members" "$DB" 403 forbidden rita POST /api/v1/rosters/challenge

# ---- a memo opens: its rings are the roster snapshots ----
ID=$(as alice memo new --channel dissent --title "Keep the northern consulates open" \
      --marking SBU --body "Version one." --json | json 'd["id"]')
as alice memo circulate "$ID" > /dev/null
P=$(pub "$ID")
expect_eq "one ring per organization with enough keys (carol's one-key eeas has none), and the coalition's" \
  "$(echo "$P" | json '[(r["organization"], r["ring"], r["count"]) for r in d["rings"]]')" \
  '[["state", 1, 2], ["_coalition", 1, 3]]'
expect_eq "the demo channel's minimum ring size is published" "$(echo "$P" | json 'd["min_ring"]')" 2

# ---- two members sign anonymously ----
OUT=$(as bob sign "$ID" --anonymous --key "$(keyf bob)" --passphrase-file "$(ppf bob)" 2>&1); RC=$?
expect_eq "below the default minimum of 10 members nobody signs anonymously (exit 1)" "$RC" 1
expect_in "the anonymity set is shown" "$OUT" "you are one of 2 enrolled members of state"
expect_in "and the refusal names the minimum" "$OUT" "hides you among 2 members only, fewer than 10"
expect_in "the log key was pinned on first use" "$OUT" "first use of the log"
expect_eq "nothing was sent" "$(pub "$ID" | json 'len(d["signatures"])')" 0
OUT=$(anon bob sign "$ID" 2> "$E2E_TMP/err")
expect_in "bob signs anonymously" "$OUT" "anonymous signature added: version 1 of memo $ID"
expect_in "the verified anonymity set is shown" "$(cat "$E2E_TMP/err")" \
  "you are one of 2 enrolled members of state (ring 1, checked against the transparency log"
TAG_BOB=$(echo "$OUT" | sed -n 's/^tag: //p')
expect_eq "the tag is printed" "${#TAG_BOB}" 64
OUT=$(anon dan sign "$ID" --version 1 2> /dev/null)
expect_in "dan signs anonymously" "$OUT" "anonymous signature added: version 1"
OUT=$(anon carol sign "$ID" 2>&1); RC=$?
expect_eq "carol, alone in her organization, has no ring of it to sign in (exit 1)" "$RC" 1
expect_in "and is told why" "$OUT" "your key is not in a ring of your organization"
C=$(pub "$ID" | json 'd["counts"]["anonymous"]')
expect_eq "two anonymous signatures on version 1" "$C" \
  '{"by_organization": [{"count": 2, "organization": "state"}], "by_version": [{"count": 2, "version": 1}], "total": 2}'
expect_eq "the memo's counts include them" "$(as alice memo counts "$ID" --json | json 'd["total"]')" 2

# ---- a new version; bob moves, dan signs twice and is counted once ----
as alice memo edit "$ID" --body "Version two." > /dev/null
OUT=$(anon bob sign "$ID" 2> /dev/null)
expect_in "bob moves to version 2" "$OUT" "anonymous signature moved: version 2"
expect_in "with the same tag" "$OUT" "tag: $TAG_BOB"
OUT=$(anon dan sign "$ID" --version 1 2> /dev/null)
expect_in "dan signing again is a replacement" "$OUT" "anonymous signature replaced: version 1"
C=$(pub "$ID" | json 'd["counts"]["anonymous"]')
expect_eq "still two anonymous signatures, one per version" "$C" \
  '{"by_organization": [{"count": 2, "organization": "state"}], "by_version": [{"count": 1, "version": 1}, {"count": 1, "version": 2}], "total": 2}'
expect_eq "two tags published" "$(pub "$ID" | json 'len(d["signatures"])')" 2

# ---- anyone re-verifies from public data alone (no login at all) ----
V=$(DISSENT_CONFIG=$E2E_TMP/nobody.json "$DISSENT" verify-signatures "$ID" --server "$URL"); RC=$?
expect_eq "verify-signatures passes (exit 0)" "$RC" 0
expect_in "it counts per version" "$V" "per version:       v1: 1, v2: 1"
expect_in "it counts per organization" "$V" "per organization:  state: 2"
expect_in "it checks the rings against the log" "$V" "anonymity sets: state #1: 2 members"
expect_in "it says the counts match" "$V" "OK: every signature verifies"
VJ=$(DISSENT_CONFIG=$E2E_TMP/nobody.json "$DISSENT" verify-signatures "$ID" --server "$URL" --json)
expect_eq "--json: recomputed counts equal the server's" \
  "$(echo "$VJ" | json 'd["counts"] == d["server_counts"] and d["ok"] and d["verified"] == 2')" True

# ---- the anonymous route leaves no line in the log (a collector would stamp its moment) ----
expect_in "other routes are logged" "$(cat "$E2E_TMP/server.log")" "GET /api/v1/public/memos/:id 200"
expect_eq "the anonymous route is not" "$(grep -c 'anonymous/memos' "$E2E_TMP/server.log")" 0
expect_not_in "no client address in any request line" "$(grep -v "serving" "$E2E_TMP/server.log")" "127.0.0.1"
expect_not_in "and no memo id" "$(cat "$E2E_TMP/server.log")" "$ID"
# nor in /metrics, which anyone may poll every second: no counter moves for it
metric() { curl -s "$URL/metrics" | awk -v k="$1" '$1 == k {print $2}'; }
W0=$(metric dissent_http_writes_total)
OUT=$(anon dan sign "$ID" --version 1 2> /dev/null)
expect_in "dan signs once more (a write on the writer)" "$OUT" "anonymous signature replaced"
expect_eq "the writer's count did not move" "$(metric dissent_http_writes_total)" "$W0"
expect_not_in "/metrics names no anonymous route" "$(curl -s "$URL/metrics")" "route=\"/api/v1/anonymous"
# the operator learns at start which code verifies proofs (docs/operations.md, "CPU for anonymous
# signatures"): the eight-lane code exactly when this CPU has AVX-512 IFMA
if grep -qw avx512ifma /proc/cpuinfo 2>/dev/null; then WANT_RING="AVX-512 IFMA"; else WANT_RING="portable code"; fi
expect_in "the log names the ring arithmetic this CPU gets" \
  "$(grep 'ring arithmetic' "$E2E_TMP/server.log")" "$WANT_RING"

# ---- a late enrollment: refresh adds the member; re-keying adds nothing ----
as alice key new --key "$(keyf alice)" --passphrase-file "$(ppf alice)" > /dev/null
as alice key enroll --key "$(keyf alice)" --passphrase-file "$(ppf alice)" > /dev/null
OUT=$(anon alice sign "$ID" 2>&1); RC=$?
expect_eq "a key enrolled after the memo opened cannot sign yet (exit 1)" "$RC" 1
expect_in "the message says what to do" "$OUT" \
  "your key is not in a ring of your organization on this memo (enrolled after it opened? ask a drafter to refresh its rings"
refused "only drafters refresh rings" "$DB" 403 forbidden bob POST "/api/v1/memos/$ID/rings/refresh"
expect_eq "a drafter refreshes: two rings added (state's and the coalition's)" \
  "$(api alice POST "/api/v1/memos/$ID/rings/refresh" | cut -d' ' -f2- | json 'd["rings_added"]')" 2
expect_eq "state ring 2 holds ring 1 and alice's key (and coalition ring 2 too)" \
  "$(pub "$ID" | json '[(r["organization"], r["ring"], r["count"]) for r in d["rings"]]')" \
  '[["state", 1, 2], ["state", 2, 3], ["_coalition", 1, 3], ["_coalition", 2, 4]]'
OUT=$(anon alice sign "$ID" 2> /dev/null)
expect_in "alice signs with the refreshed ring" "$OUT" "anonymous signature added: version 2 of memo $ID (ring 2 of state, 3 keys)"

# dan re-keys after the memo opened: his new key is in no ring of it, and no
# refresh puts it there (he has a key in its rings already).
printf 'dan second passphrase\n' > "$(ppf dan2)"
as dan key new --key "$(keyf dan2)" --passphrase-file "$(ppf dan2)" > /dev/null
OUT=$(as dan key enroll --key "$(keyf dan2)" --passphrase-file "$(ppf dan2)")
expect_in "dan re-keys" "$OUT" "re-keyed"
expect_eq "a refresh adds no ring for a re-keyed member" \
  "$(api alice POST "/api/v1/memos/$ID/rings/refresh" | cut -d' ' -f2- | json 'd["rings_added"]')" 0
OUT=$(as dan sign "$ID" --anonymous --key "$(keyf dan2)" --passphrase-file "$(ppf dan2)" 2>&1); RC=$?
expect_eq "dan's new key cannot sign the open memo (exit 1)" "$RC" 1
expect_in "because it is in no ring of it" "$OUT" "your key is not in a ring of your organization on this memo"
PK_DAN2=$(as dan key show --key "$(keyf dan2)")
expect_not_in "the new key is in no ring" "$(pub "$ID" | json 'd["rings"]')" "$PK_DAN2"
OUT=$(anon dan sign "$ID" --version 2 2> /dev/null)
expect_in "dan's old key still signs: it moves his one signature" "$OUT" "anonymous signature moved: version 2"
BEFORE=$(snapshot "$DB")
OUT=$(as dan key enroll --key "$(keyf dan)" --passphrase-file "$(ppf dan)" 2>&1); RC=$?
expect_eq "a retired key cannot be enrolled again (exit 1)" "$RC" 1
expect_in "and the member is told to make a new key" "$OUT" "enrolled before: make a new key"
expect_eq "nothing changed" "$(snapshot "$DB")" "$BEFORE"
R=$(curl -s "$URL/api/v1/rosters/state")
expect_eq "state has three active keys: alice, bob and dan's new one" "$(echo "$R" | json 'd["count"]')" 3
expect_in "dan's new key among them" "$R" "$PK_DAN2"
expect_eq "three anonymous signatures: bob, dan, alice" "$(pub "$ID" | json 'd["counts"]["anonymous"]["total"]')" 3

# ---- a tampered proof, a replayed proof, a wrong ring: refused, nothing changes ----
# A recording proxy on the path keeps what the CLI sends, as anyone on the
# path could; while $PROXY_DIR/drop exists it keeps POSTs from the server.
PROXY_DIR=$E2E_TMP/proxy; mkdir -p "$PROXY_DIR"
python3 "$here/record_proxy.py" "$PROXY_DIR" & PROXY_PID=$!
trap 'kill $PROXY_PID 2>/dev/null; stop_server; rm -rf "$E2E_TMP"' EXIT
wait_port_file "$PROXY_DIR/port" "$PROXY_PID" || { echo "proxy did not start"; exit 1; }
PROXY=http://127.0.0.1:$(cat "$PROXY_DIR/port")
# last_req: the newest recorded body, by its number (two files written within
# one clock tick have the same mtime, which ls -t cannot order)
last_req() { cat "$(ls -v "$PROXY_DIR"/req-*.json | tail -1)"; }
# held USER CMD...: the CLI's anonymous request, made but never delivered
held() { touch "$PROXY_DIR/drop"; anon "$@" --proxy "$PROXY" > /dev/null 2>&1; rm -f "$PROXY_DIR/drop"; last_req; }
post() { api - POST "/api/v1/anonymous/memos/$1/signatures" "$2"; }
count_of() { pub "$1" | json 'd["counts"]["anonymous"]["total"]'; }

P=$(pub "$ID")
expect_eq "the public facts name the log's origin (protocol v2)" \
  "$(echo "$P" | json 'd["origin"] == d["origin"].strip() and d["origin"].startswith("dissent.local/log-")')" True
expect_eq "and every tag's next sequence number" \
  "$(echo "$P" | json 'sorted(set(q["next"] > 0 for q in d["sequences"]))')" '[true]'
# alice's and dan's signatures are on ring 2 of state, version 2
GOOD=$(echo "$P" | json '[s for s in d["signatures"] if s["ring"] == 2][0]["proof"]')
GSEQ=$(echo "$P" | json '[s for s in d["signatures"] if s["ring"] == 2][0]["seq"]')
RING=2
FRESH=$(held alice sign "$ID")
expect_eq "a fresh proof held back on the path" "$(echo "$FRESH" | json 'd["signatures"][0]["version"]')" 2
FSEQ=$(echo "$FRESH" | json 'd["signatures"][0]["seq"]')
FPROOF=$(echo "$FRESH" | json 'd["signatures"][0]["proof"]')
FTAG=$(python3 -c 'import base64,sys; print(base64.b64decode(sys.argv[1])[4:36].hex())' "$FPROOF")
# dan's signature (the other one on ring 2), tampered
OTHER=$(echo "$P" | json '[s for s in d["signatures"] if s["ring"] == 2 and s["tag"] != "'"$FTAG"'"][0]["proof"]')
OSEQ=$(echo "$P" | json '[s for s in d["signatures"] if s["ring"] == 2 and s["tag"] != "'"$FTAG"'"][0]["seq"]')
BADP=$(python3 -c 'import base64,sys; b=bytearray(base64.b64decode(sys.argv[1])); b[-5]^=1; print(base64.b64encode(bytes(b)).decode())' "$OTHER")
refused "a tampered proof" "$DB" 400 verification_failed - POST \
  "/api/v1/anonymous/memos/$ID/signatures" \
  "{\"signatures\":[{\"version\":2,\"organization\":\"state\",\"ring\":$RING,\"seq\":$((OSEQ + 1)),\"proof\":\"$BADP\"}]}"
refused "a valid proof moved to another version" "$DB" 400 verification_failed - POST \
  "/api/v1/anonymous/memos/$ID/signatures" \
  "{\"signatures\":[{\"version\":1,\"organization\":\"state\",\"ring\":$RING,\"seq\":$FSEQ,\"proof\":\"$FPROOF\"}]}"
refused "a valid proof turned into a withdrawal" "$DB" 400 verification_failed - POST \
  "/api/v1/anonymous/memos/$ID/signatures" \
  "{\"signatures\":[{\"version\":null,\"organization\":\"state\",\"ring\":$RING,\"seq\":$FSEQ,\"proof\":\"$FPROOF\"}]}"
refused "a batch with one bad proof counts none" "$DB" 400 verification_failed - POST \
  "/api/v1/anonymous/memos/$ID/signatures" \
  "{\"signatures\":[{\"version\":2,\"organization\":\"state\",\"ring\":$RING,\"seq\":$FSEQ,\"proof\":\"$FPROOF\"},{\"version\":2,\"organization\":\"state\",\"ring\":$RING,\"seq\":$((OSEQ + 1)),\"proof\":\"$BADP\"}]}"
refused "a ring the memo does not have" "$DB" 404 not_found - POST \
  "/api/v1/anonymous/memos/$ID/signatures" \
  "{\"signatures\":[{\"version\":2,\"organization\":\"state\",\"ring\":9,\"seq\":$FSEQ,\"proof\":\"$FPROOF\"}]}"
refused "a version the memo does not have" "$DB" 400 invalid_input - POST \
  "/api/v1/anonymous/memos/$ID/signatures" \
  "{\"signatures\":[{\"version\":7,\"organization\":\"state\",\"ring\":$RING,\"seq\":$FSEQ,\"proof\":\"$FPROOF\"}]}"
refused "version 0 is not a withdrawal" "$DB" 400 invalid_input - POST \
  "/api/v1/anonymous/memos/$ID/signatures" \
  "{\"signatures\":[{\"version\":0,\"organization\":\"state\",\"ring\":$RING,\"seq\":$FSEQ,\"proof\":\"$FPROOF\"}]}"
refused "a request without a sequence number (protocol v1)" "$DB" 400 invalid_input - POST \
  "/api/v1/anonymous/memos/$ID/signatures" \
  "{\"signatures\":[{\"version\":2,\"organization\":\"state\",\"ring\":$RING,\"proof\":\"$FPROOF\"}]}"
refused "a proof that is not base64" "$DB" 400 invalid_input - POST \
  "/api/v1/anonymous/memos/$ID/signatures" \
  "{\"signatures\":[{\"version\":2,\"organization\":\"state\",\"ring\":$RING,\"seq\":0,\"proof\":\"!!\"}]}"
refused "an empty batch" "$DB" 400 invalid_input - POST "/api/v1/anonymous/memos/$ID/signatures" \
  '{"signatures":[]}'
refused "a published proof re-sent as is" "$DB" 409 conflict - POST \
  "/api/v1/anonymous/memos/$ID/signatures" \
  "{\"signatures\":[{\"version\":2,\"organization\":\"state\",\"ring\":$RING,\"seq\":$GSEQ,\"proof\":\"$GOOD\"}]}"
OUT=$(post "$ID" "$FRESH")
expect_eq "the held proof, delivered late, counts once" "$(echo "$OUT" | cut -d' ' -f2- | json 'd["results"][0]["status"]')" replaced
OUT=$(post "$ID" "$FRESH")
expect_in "and a second time is refused (409)" "$OUT" '409 {"error":{"code":"conflict"'
expect_in "saying why" "$OUT" "stale anonymous signature"

# ---- withdrawal, and no replay undoes it or a later signature ----
P=$(pub "$ID")
TAG_DAN=$(anon dan unsign "$ID" --proxy "$PROXY" 2> /dev/null | sed -n 's/^tag: //p')
expect_eq "dan withdraws (through the recording proxy)" "${#TAG_DAN}" 64
WD=$(last_req)
DSIG=$(echo "$P" | json '[{"signatures": [{k: s[k] for k in ("version", "organization", "ring", "seq", "proof")}]} for s in d["signatures"] if s["tag"] == "'"$TAG_DAN"'"][0]')
OUT=$(anon dan unsign "$ID" 2>&1); RC=$?
expect_eq "withdrawing twice fails (exit 1)" "$RC" 1
expect_in "and says there is nothing to withdraw" "$OUT" "no anonymous signature on memo"
C=$(pub "$ID" | json 'd["counts"]["anonymous"]')
expect_eq "counts after the withdrawal" "$C" \
  '{"by_organization": [{"count": 2, "organization": "state"}], "by_version": [{"count": 2, "version": 2}], "total": 2}'
refused "dan's old signing proof replayed after his withdrawal" "$DB" 409 conflict - POST \
  "/api/v1/anonymous/memos/$ID/signatures" "$DSIG"
expect_eq "the count stays 2" "$(count_of "$ID")" 2
OUT=$(anon dan sign "$ID" 2> /dev/null)
expect_in "dan signs again" "$OUT" "anonymous signature added: version 2"
refused "dan's withdrawal replayed after he signed again" "$DB" 409 conflict - POST \
  "/api/v1/anonymous/memos/$ID/signatures" "$WD"
expect_eq "the count stays 3" "$(count_of "$ID")" 3
V=$("$DISSENT" verify-signatures "$ID" --server "$URL"); RC=$?
expect_eq "verify-signatures still passes" "$RC" 0
expect_in "with the new counts" "$V" "per version:       v2: 3"

# ---- versions with the same text are different versions ----
ID3=$(as alice memo new --channel dissent --title "Same words twice" --marking SBU --body "Same text." --json | json 'd["id"]')
as alice memo circulate "$ID3" > /dev/null
as alice memo edit "$ID3" --body "Other text." > /dev/null
as alice memo edit "$ID3" --body "Same text." > /dev/null
V1=$(held bob sign "$ID3" --version 1)
expect_eq "a v1 proof held back" "$(echo "$V1" | json 'd["signatures"][0]["version"]')" 1
refused "a v1 proof offered for an identical v3" "$DB" 400 verification_failed - POST \
  "/api/v1/anonymous/memos/$ID3/signatures" "$(echo "$V1" | sed 's/"version":1/"version":3/')"
expect_eq "it counts for nothing" "$(count_of "$ID3")" 0
OUT=$(post "$ID3" "$V1")
expect_in "the same proof counts for v1" "$OUT" '"status":"added"'

# ---- minimum ring size (default 10, per channel) and retired keys ----
OUT=$(api admin POST /api/v1/channels '{"slug":"big","name":"Big channel","preset":"state-dissent","ceiling":"SBU"}')
expect_eq "a new channel requires rings of 10 by default" "$(echo "$OUT" | cut -d' ' -f2- | json 'd["min_ring"]')" 10
refused "a minimum ring size below 2" "$DB" 400 invalid_input admin POST /api/v1/channels \
  '{"slug":"tiny","name":"Tiny","preset":"state-dissent","ceiling":"SBU","min_ring":1}'
ID4=$(as alice memo new --channel big --title "Few keys" --marking SBU --body "Small rings." --json | json 'd["id"]')
as alice memo circulate "$ID4" > /dev/null
expect_eq "no ring is made below the channel's minimum" "$(pub "$ID4" | json 'd["rings"]')" '[]'
expect_eq "nor by a refresh" \
  "$(api alice POST "/api/v1/memos/$ID4/rings/refresh" | cut -d' ' -f2- | json 'd["rings_added"]')" 0
V2=$(held bob sign "$ID3" --version 2)
sqlite3 "$DB" "UPDATE channels SET min_ring = 10 WHERE slug = 'dissent'"
refused "a proof on a ring below the channel's minimum" "$DB" 409 wrong_state - POST \
  "/api/v1/anonymous/memos/$ID3/signatures" "$V2"
expect_in "saying so" "$(post "$ID3" "$V2")" "fewer than the 10 this channel requires"
OUT=$(anon bob sign "$ID3" 2>&1); RC=$?
expect_eq "the CLI refuses to prove on it (exit 1)" "$RC" 1
expect_in "and says why" "$OUT" "only, fewer than 10"
sqlite3 "$DB" "UPDATE channels SET min_ring = 2 WHERE slug = 'dissent'"
# ---- the radix clients use, and nothing else; the scope names the installation ----
ODD=$(echo "$V2" | python3 -c 'import base64,json,sys; d=json.load(sys.stdin); s=d["signatures"][0]; b=bytearray(base64.b64decode(s["proof"])); b[1]=16; s["proof"]=base64.b64encode(bytes(b)).decode(); print(json.dumps(d))')
refused "a proof with another radix" "$DB" 400 invalid_input - POST "/api/v1/anonymous/memos/$ID3/signatures" "$ODD"
expect_in "naming the one protocol v2 takes" "$(post "$ID3" "$ODD")" "has radix 4 and 1 digits in protocol v2"
# A copy of the data under another installation (another log key, so
# another origin) accepts none of this installation's proofs.
sqlite3 "$DB" ".backup '$E2E_TMP/copy.db'"
# The keys live in a key directory (docs/operations.md): the copy keeps the
# data key, to read the memos, and the commitment key, and takes a fresh
# installation's log key.
mkdir -m 700 "$E2E_TMP/copy.keys"
cp -p "$E2E_TMP/dissent.keys/data.key" "$E2E_TMP/dissent.keys/commit.key" "$E2E_TMP/copy.keys/"
"$DISSENT" init --db "$E2E_TMP/other.db" > /dev/null
cp -p "$E2E_TMP/other.keys/log.key" "$E2E_TMP/copy.keys/"
"$DISSENT" serve --db "$E2E_TMP/copy.db" --listen 127.0.0.1:0 --port-file "$E2E_TMP/port2" > "$E2E_TMP/server2.log" 2>&1 & COPY_PID=$!
wait_port_file "$E2E_TMP/port2" "$COPY_PID" || { echo "server 2 did not start"; cat "$E2E_TMP/server2.log"; exit 1; }
URL2="http://127.0.0.1:$(cat "$E2E_TMP/port2")"
expect_not_in "the copy has another origin" "$(curl -s "$URL2/api/v1/public/memos/$ID3" | json 'd["origin"]')" \
  "$(pub "$ID3" | json 'd["origin"]')"
OUT=$(curl -s -w ' %{http_code}' -H 'Content-Type: application/json' --data-binary "$V2" "$URL2/api/v1/anonymous/memos/$ID3/signatures")
expect_in "the copy refuses a proof made for the original" "$OUT" '"code":"verification_failed"'
kill "$COPY_PID"; wait "$COPY_PID" 2>/dev/null
expect_in "the original accepts it" "$(post "$ID3" "$V2")" '"status":"moved"'

# ---- the proof of possession answers a single-use server challenge ----
printf 'dan third passphrase\n' > "$(ppf dan3)"
as dan key new --key "$(keyf dan3)" --passphrase-file "$(ppf dan3)" > /dev/null
OUT=$(env -u no_proxy -u NO_PROXY http_proxy="$PROXY" DISSENT_CONFIG="$E2E_TMP/session-dan.json" \
  "$DISSENT" key enroll --key "$(keyf dan3)" --passphrase-file "$(ppf dan3)")
expect_in "dan re-keys through the recording proxy" "$OUT" "re-keyed"
ENROLL=$(last_req)
expect_eq "the enrollment carries the challenge" "$(echo "$ENROLL" | json 'len(d["challenge"])')" 64
refused "the same enrollment replayed" "$DB" 409 wrong_state dan POST /api/v1/rosters/keys "$ENROLL"
expect_in "is refused for its used challenge" "$(api dan POST /api/v1/rosters/keys "$ENROLL")" \
  "the enrollment challenge is unknown, used or expired"

R=$(curl -s "$URL/api/v1/rosters/state")
BEFORE=$(echo "$R" | json 'd["count"]')
api admin PATCH /api/v1/members/bob '{"disabled":true}' > /dev/null
R=$(curl -s "$URL/api/v1/rosters/state")
expect_eq "disabling bob retires his ring key" "$(echo "$R" | json 'd["count"]')" $((BEFORE - 1))
expect_not_in "his key leaves the roster" "$(echo "$R" | json 'd["keys"]')" "$PK_BOB"
expect_in "a retire leaf is logged" "$(curl -s "$URL/api/v1/log/leaves?start=0&end=1000")" '\"action\":\"retire\"'
ID5=$(as alice memo new --channel dissent --title "After bob left" --marking SBU --body "New memo." --json | json 'd["id"]')
as alice memo circulate "$ID5" > /dev/null
expect_not_in "a later ring does not hold his key" "$(pub "$ID5" | json 'd["rings"]')" "$PK_BOB"
OUT=$(anon bob sign "$ID5" 2>&1); RC=$?
expect_eq "and his key cannot sign the new memo (exit 1)" "$RC" 1
api admin PATCH /api/v1/members/bob '{"disabled":false}' > /dev/null

# ---- the transparency log holds every roster, ring and anonymous event, and a monitor accepts them ----
LEAVES=$(curl -s "$URL/api/v1/log/leaves?start=0&end=1000")
expect_in "roster changes are in the log" "$LEAVES" '\"kind\":\"roster\"'
expect_in "memo rings are in the log" "$LEAVES" '\"kind\":\"ring\"'
expect_in "anonymous signatures are in the log" "$LEAVES" '\"kind\":\"anonymous-signature\"'
ATS=$(echo "$LEAVES" | grep -o '\\"at\\":\\"[^\\]*\\",\\"counts' | head -3)
expect_in "anonymous leaves carry a day" "$ATS" 'at\":\"20'
expect_not_in "the day only, never the time" "$ATS" "T"
MON=$(DISSENT_CONFIG=$E2E_TMP/nobody.json DISSENT_LOG_KEYS=$E2E_TMP/logkeys.json "$DISSENT" log monitor --server "$URL" --state "$E2E_TMP/monitor.json" 2>&1); RC=$?
expect_eq "a full monitor audit passes over them (exit 0)" "$RC" 0

# ---- the usage of --anonymous ----
OUT=$(as bob sign "$ID" --proxy socks5h://127.0.0.1:9 2>&1); RC=$?
expect_eq "--proxy without --anonymous is a usage error" "$RC" 2
OUT=$(anon bob sign "$ID" --proxy socks5://127.0.0.1:9 2>&1); RC=$?
expect_in "socks5:// (local name lookups) is refused" "$OUT" "use a socks5h:// proxy"
OUT=$(anon bob sign "$ID" --proxy http://127.0.0.1:1 2>&1); RC=$?
expect_eq "an unreachable proxy fails (exit 1)" "$RC" 1
expect_in "naming the proxy" "$OUT" "through the proxy http://127.0.0.1:1"

# ---- rate limits by work: junk spends nothing, so it keeps no honest signer out ----
( for i in $(seq 1 40); do
    curl -s -o /dev/null -H 'Content-Type: application/json' -d '{"signatures":[]}' \
      "$URL/api/v1/anonymous/memos/$ID/signatures"
    curl -s -o /dev/null -H 'Content-Type: application/json' \
      -d '{"signatures":[{"version":1,"organization":"state","ring":1,"seq":0,"proof":"!!"}]}' \
      "$URL/api/v1/anonymous/memos/$ID/signatures"
    sleep 0.4
  done ) & JUNK_PID=$!
sleep 3
OUT=$(anon alice sign "$ID3" 2>&1); RC=$?
expect_eq "with five junk requests a second going on, alice signs (exit 0)" "$RC" 0
expect_in "at once" "$OUT" "anonymous signature added"
OUT=$(anon dan sign "$ID" 2>&1); RC=$?
expect_eq "and so does dan" "$RC" 0
wait "$JUNK_PID"
expect_eq "the anonymous route still logs no line" "$(grep -c 'anonymous/memos' "$E2E_TMP/server.log")" 0

# A tiny budget (1 unit per client per 30 s: one request's worth): the
# proofs that parse spend it; the CLI waits and says why. The window is
# aligned on the clock: the two posts go at the start of one, so they share
# it however slow the machine is; the CLI's first try must come within the
# same 30 s (opening a key and proving on a loaded machine take seconds; a
# 5 s window was too short for that), and its waits (2+4+8+16 s) always
# reach the next window.
stop_server
start_server "$DB" DISSENT_ANON_BUDGET=1,1000,30
for u in alice dan; do login "$u"; done
X=$(held alice sign "$ID5")
BADX=$(echo "$X" | python3 -c 'import base64,json,sys; d=json.load(sys.stdin); s=d["signatures"][0]; b=bytearray(base64.b64decode(s["proof"])); b[-5]^=1; s["proof"]=base64.b64encode(bytes(b)).decode(); print(json.dumps(d))')
python3 -c 'import time; time.sleep(30 - time.time() % 30 + 0.1)'  # at the start of a window
expect_in "a proof that parses but fails spends the budget" "$(post "$ID5" "$BADX")" '"code":"verification_failed"'
OUT=$(post "$ID5" "$BADX")
expect_in "the next one is refused before verification (429)" "$OUT" '429 {"error":{"code":"too_many_requests"'
expect_in "saying when to come back" "$OUT" "your address has used its share of signature verification for now: try again in"
OUT=$(anon alice sign "$ID5" 2>&1); RC=$?
expect_eq "the CLI retries and signs (exit 0)" "$RC" 0
expect_in "saying why it waits" "$OUT" "the server is busy (429: your address has used its share"
expect_in "and for how long" "$OUT" "waiting 2 s before trying again (attempt 2 of 5)"
expect_in "then signs" "$OUT" "anonymous signature added: version 1"

# ---- a server that moves a stored signature is caught ----
stop_server
sqlite3 "$DB" "UPDATE anon_signatures SET version = 1 WHERE memo_id = (SELECT id FROM memos WHERE public_id = '$ID') AND hex(tag) = upper('$TAG_BOB')"
start_server "$DB"
V=$("$DISSENT" verify-signatures "$ID" --server "$URL" 2> "$E2E_TMP/err"); RC=$?
expect_eq "verify-signatures fails on a moved signature (exit 1)" "$RC" 1
expect_in "naming the signature" "$V" "MISMATCH: signature $TAG_BOB (version 1) does not verify"
expect_in "and the counts it no longer reproduces" "$V" "the server counts 3 anonymous signatures; 2 verify"

# ---- an operator who inflates the running totals alone is caught too ----
stop_server
sqlite3 "$DB" "UPDATE anon_signature_counts SET n = n + 5 WHERE rowid = (SELECT rowid FROM
  anon_signature_counts WHERE memo_id = (SELECT id FROM memos WHERE public_id = '$ID') AND n > 0
  LIMIT 1)"
start_server "$DB"
V=$("$DISSENT" verify-signatures "$ID" --server "$URL" 2> "$E2E_TMP/err"); RC=$?
expect_eq "verify-signatures fails on counts no signature backs (exit 1)" "$RC" 1
expect_in "naming them" "$V" "the server counts 8 anonymous signatures; 2 verify"

# ---- ... and one who lowers them, to hide signatures, as well ----
stop_server
sqlite3 "$DB" "UPDATE anon_signature_counts SET n = 0 WHERE memo_id = (SELECT id FROM memos
  WHERE public_id = '$ID')"
start_server "$DB"
V=$("$DISSENT" verify-signatures "$ID" --server "$URL" 2> "$E2E_TMP/err"); RC=$?
expect_eq "verify-signatures fails on counts below the signatures (exit 1)" "$RC" 1
expect_in "naming them" "$V" "the server counts 0 anonymous signatures; 2 verify"

e2e_summary anon
