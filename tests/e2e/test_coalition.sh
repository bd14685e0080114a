#!/usr/bin/env bash
# The coalition ring (issue #10): every organization's enrolled members in
# one ring per memo. carol, her organization's only member, signs there; a
# coalition signature counts in the total and in no organization; one member
# cannot sign twice across an organization's ring and the coalition's (one
# tag per memo); a coalition signature moves and is withdrawn where it was
# made; verify-signatures agrees with the server; the server itself refuses a
# second signature of one tag on the other kind of ring (a proxy hides the
# published signatures from the CLI); a lying server's fabricated
# coalition ring (evil_proxy.py) is refused by sign and by verify-signatures.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
E2E_TMP=$(mktemp -d)
PROXY_PID=
stop_proxy() { [ -n "$PROXY_PID" ] && kill "$PROXY_PID" 2>/dev/null && wait "$PROXY_PID" 2>/dev/null; PROXY_PID=; }
trap 'stop_proxy; stop_server; rm -rf "$E2E_TMP"' EXIT
DB=$E2E_TMP/dissent.db
export DISSENT_LOG_KEYS=$E2E_TMP/pins.json

"$DISSENT" demo --db "$DB" > "$E2E_TMP/demo.out" || { echo "demo failed"; exit 1; }
start_server "$DB"
for u in alice bob carol dan; do login "$u"; done
keyf() { printf '%s/%s.key' "$E2E_TMP" "$1"; }
ppf() { printf '%s/%s.pass' "$E2E_TMP" "$1"; }
# anon USER CMD ARGS...: the CLI as USER with USER's ring key (the demo's rings are tiny)
anon() { local u=$1 c=$2; shift 2; as "$u" "$c" "$@" --anonymous --key "$(keyf "$u")" --passphrase-file "$(ppf "$u")" --min-ring 2; }
pub() { curl -s "$URL/api/v1/public/memos/$1"; }
nobody() { DISSENT_CONFIG=$E2E_TMP/nobody.json "$DISSENT" "$@"; }
# state: alice, bob, dan; eeas: carol alone
for u in alice bob carol dan; do
  printf '%s ring passphrase\n' "$u" > "$(ppf "$u")"
  as "$u" key new --key "$(keyf "$u")" --passphrase-file "$(ppf "$u")" > /dev/null
  as "$u" key enroll --key "$(keyf "$u")" --passphrase-file "$(ppf "$u")" > /dev/null
done
PK_CAROL=$(as carol key show --key "$(keyf carol)")
LOGKEY=$(curl -s "$URL/api/v1/log/key" | json 'd["verifier_key"]')
ID=$(as alice memo new --channel dissent --title "A joint cable on visas" \
      --marking SBU --body "Version one." --json | json 'd["id"]')
as alice memo circulate "$ID" > /dev/null

# ---- the rings: state's, and the coalition's (eeas is too small for its own) ----
P=$(pub "$ID")
expect_eq "state's ring and the coalition ring of all four members" \
  "$(echo "$P" | json '[(r["organization"], r["ring"], r["count"]) for r in d["rings"]]')" \
  '[["state", 1, 3], ["_coalition", 1, 4]]'
expect_eq "the coalition ring is eeas's keys then state's (byte order of slugs)" \
  "$(echo "$P" | json '[r for r in d["rings"] if r["organization"] == "_coalition"][0]["keys"][0]')" "$PK_CAROL"
expect_eq "then state's ring 1, key for key" \
  "$(echo "$P" | json '[r for r in d["rings"] if r["organization"] == "_coalition"][0]["keys"][1:] == [r for r in d["rings"] if r["organization"] == "state"][0]["keys"]')" True
LEAF=$(curl -s "$URL/api/v1/log/leaves?start=0&end=1000" | json '[l["data"] for l in d["leaves"] if "\"_coalition\"" in l["data"]][0]')
expect_eq "its log leaf sums the organizations' roster sizes" \
  "$(echo "$LEAF" | json '[d["kind"], d["organization"], d["ring"], d["roster_size"], d["count"]]')" \
  '["ring", "_coalition", 1, 4, 4]'

# ---- carol signs in the coalition ----
OUT=$(anon carol sign "$ID" 2>&1); RC=$?
expect_eq "without --ring, carol (no ring of her organization) is refused (exit 1)" "$RC" 1
expect_in "and pointed to the coalition" "$OUT" "--ring coalition"
expect_eq "nothing was sent" "$(pub "$ID" | json 'len(d["signatures"])')" 0
OUT=$(anon carol sign "$ID" --ring coalition 2> "$E2E_TMP/err"); RC=$?
expect_eq "with --ring coalition carol signs (exit 0)" "$RC" 0
expect_in "having been shown the coalition's anonymity set" "$(cat "$E2E_TMP/err")" \
  "you are one of 4 enrolled members of the coalition (every organization) (ring 1, checked against the transparency log"
expect_in "the signature is the coalition's" "$OUT" "ring 1 of the coalition, counted in the total only"
TAG_CAROL=$(echo "$OUT" | sed -n 's/^tag: //p')
C=$(pub "$ID" | json 'd["counts"]')
expect_eq "it counts in the total" "$(echo "$C" | json 'd["total"]')" 1
expect_eq "and per version" "$(echo "$C" | json 'd["anonymous"]["by_version"]')" '[{"count": 1, "version": 1}]'
expect_eq "but for no organization (anonymous)" "$(echo "$C" | json 'd["anonymous"]["by_organization"]')" '[]'
expect_eq "nor in the combined counts" "$(echo "$C" | json 'd["by_organization"]')" '[]'
expect_eq "the published signature names the coalition" \
  "$(pub "$ID" | json '[s["organization"] for s in d["signatures"]]')" '["_coalition"]'
expect_eq "a drafter's counts agree" "$(as alice memo counts "$ID" --json | json 'd["total"]')" 1

# ---- one signature per member per memo, across both kinds of ring ----
OUT=$(anon bob sign "$ID" 2> /dev/null)
expect_in "bob signs in state's ring" "$OUT" "anonymous signature added: version 1"
TAG_BOB=$(echo "$OUT" | sed -n 's/^tag: //p')
OUT=$(anon bob sign "$ID" --ring coalition 2>&1); RC=$?
expect_eq "bob cannot sign again in the coalition (exit 1)" "$RC" 1
expect_in "and is told why" "$OUT" "in your organization's ring: one signature per member per memo"
OUT=$(anon dan sign "$ID" --ring coalition 2> /dev/null)
expect_in "dan signs in the coalition" "$OUT" "anonymous signature added"
TAG_DAN=$(echo "$OUT" | sed -n 's/^tag: //p')
OUT=$(anon dan sign "$ID" --ring organization 2>&1); RC=$?
expect_eq "dan cannot sign again in state's ring (exit 1)" "$RC" 1
expect_in "and is told why" "$OUT" "in the coalition ring: one signature per member per memo"
C=$(pub "$ID" | json 'd["counts"]["anonymous"]')
expect_eq "three members, three signatures: bob's for state, carol's and dan's in the total only" "$C" \
  '{"by_organization": [{"count": 1, "organization": "state"}], "by_version": [{"count": 3, "version": 1}], "total": 3}'
expect_eq "one tag each, as published" \
  "$(pub "$ID" | json 'sorted(s["tag"] for s in d["signatures"])')" \
  "$(python3 -c 'import json,sys; print(json.dumps(sorted(sys.argv[1:])))' "$TAG_BOB" "$TAG_CAROL" "$TAG_DAN")"
# the tag is the memo's, not the ring's: dan, re-signing without --ring,
# lands on his coalition signature (a replacement, same tag)
OUT=$(anon dan sign "$ID" 2> /dev/null)
expect_in "dan signing again without --ring replaces his coalition signature" "$OUT" \
  "anonymous signature replaced: version 1 of memo $ID (ring 1 of the coalition"
expect_in "with the same tag" "$OUT" "tag: $TAG_DAN"

# ---- move and withdraw in the coalition ----
as alice memo edit "$ID" --body "Version two." > /dev/null
OUT=$(anon carol sign "$ID" 2> /dev/null)
expect_in "carol moves her coalition signature to version 2 (no --ring needed)" "$OUT" \
  "anonymous signature moved: version 2"
expect_in "still in the coalition, same tag" "$OUT" "tag: $TAG_CAROL"
C=$(pub "$ID" | json 'd["counts"]["anonymous"]')
expect_eq "counts per version follow; still none for eeas" "$C" \
  '{"by_organization": [{"count": 1, "organization": "state"}], "by_version": [{"count": 2, "version": 1}, {"count": 1, "version": 2}], "total": 3}'
OUT=$(anon dan unsign "$ID" 2> /dev/null)
expect_in "dan withdraws his coalition signature" "$OUT" "anonymous signature withdrawn"
expect_eq "the total drops to 2" "$(pub "$ID" | json 'd["counts"]["total"]')" 2

# ---- verify-signatures agrees with the server ----
V=$(nobody verify-signatures "$ID" --server "$URL" --log-key "$LOGKEY" 2>&1); RC=$?
expect_eq "verify-signatures passes (exit 0)" "$RC" 0
expect_in "it counts the coalition signature in the total" "$V" "2 anonymous signatures published, 2 verify"
expect_in "in no organization" "$V" "per organization:  state: 1"
expect_in "but in the coalition" "$V" "in the coalition:  1 (counted in the total only)"
expect_in "it checks the coalition ring against every roster of the log" "$V" "coalition #1: 4 members"
expect_in "and agrees" "$V" "OK: every signature verifies"
VJ=$(nobody verify-signatures "$ID" --server "$URL" --log-key "$LOGKEY" --json)
expect_eq "--json: recomputed counts equal the server's" \
  "$(echo "$VJ" | json 'd["counts"] == d["server_counts"] and d["ok"] and d["verified"] == 2')" True

# ---- a refresh ----
# (nobody enrolled since the memo opened: a refresh finds nobody new)
R=$(api alice POST "/api/v1/memos/$ID/rings/refresh" '{}' | cut -d' ' -f2-)
expect_eq "a refresh with nobody new adds no ring" "$(echo "$R" | json 'd["rings_added"]')" 0

# ---- a lying server: the coalition ring fabricated ----
start_proxy() {
  rm -f "$E2E_TMP/pport" "$E2E_TMP/posts"; touch "$E2E_TMP/posts"
  python3 "$here/evil_proxy.py" "$URL" "$E2E_TMP/pport" "$E2E_TMP/posts" "$1" _coalition "$PK_CAROL" \
    "$E2E_TMP/extra.keys" 2> "$E2E_TMP/proxy.err" &
  PROXY_PID=$!
  wait_port_file "$E2E_TMP/pport" "$PROXY_PID" || { echo "proxy did not start"; cat "$E2E_TMP/proxy.err"; exit 1; }
  PURL="http://127.0.0.1:$(cat "$E2E_TMP/pport")"
}
printf 'x passphrase\n' > "$E2E_TMP/x.pass"
for i in 1 2 3 4 5 6 7; do
  as bob key new --key "$E2E_TMP/x$i.key" --passphrase-file "$E2E_TMP/x.pass" > /dev/null
  as bob key show --key "$E2E_TMP/x$i.key"
done > "$E2E_TMP/extra.keys"
for mode in dup random reorder forged-log; do
  start_proxy "$mode"
  # the leaves checked in an earlier round are kept (test_ringlog.sh): a
  # client that never read this log fetches the forged leaf
  [ $mode = forged-log ] && export DISSENT_LOG_HISTORY=$E2E_TMP/fresh-history
  OUT=$(as carol sign "$ID" --server "$PURL" --log-key "$LOGKEY" --anonymous --ring coalition \
        --key "$(keyf carol)" --passphrase-file "$(ppf carol)" --min-ring 2 2>&1); RC=$?
  expect_eq "$mode: a fabricated coalition ring: carol's sign refuses (exit 1)" "$RC" 1
  case $mode in
    dup) expect_in "$mode: a repeated key is named" "$OUT" "more than once" ;;
    random|reorder) expect_in "$mode: the ring is not the rosters' union" "$OUT" "coalition ring 1 is not every organization's roster" ;;
    forged-log) expect_in "$mode: the forged leaf is not in the signed checkpoint" "$OUT" "do not hash to the root of its signed checkpoint" ;;
  esac
  expect_eq "$mode: no request reached the anonymous endpoint" "$(grep -c anonymous "$E2E_TMP/posts")" 0
  V=$(nobody verify-signatures "$ID" --server "$PURL" --log-key "$LOGKEY" 2>&1); RC=$?
  expect_eq "$mode: verify-signatures fails (exit 1)" "$RC" 1
  expect_not_in "$mode: and does not say OK" "$V" "OK:"
  stop_proxy
done
unset DISSENT_LOG_HISTORY
expect_eq "the honest server still counts 2" "$(pub "$ID" | json 'd["counts"]["total"]')" 2

# ---- the server alone keeps one signature per member across the two kinds ----
# A proxy hides the published signatures: bob's CLI does not see that he
# signed in state's ring, proves on the coalition ring and sends; the server
# refuses the proof (same tag, other kind of ring) and counts nothing.
start_proxy hide-signatures
OUT=$(as bob sign "$ID" --server "$PURL" --log-key "$LOGKEY" --anonymous --ring coalition \
      --key "$(keyf bob)" --passphrase-file "$(ppf bob)" --min-ring 2 2>&1); RC=$?
expect_eq "bob's coalition proof reaches the server" "$(grep -c anonymous "$E2E_TMP/posts")" 1
expect_eq "and is refused (exit 1)" "$RC" 1
expect_in "as a second signature of one tag (409)" "$OUT" "this tag signed in the ring of an organization"
stop_proxy
C=$(pub "$ID" | json 'd["counts"]["anonymous"]')
expect_eq "nothing changed: bob's one signature is still state's" "$C" \
  '{"by_organization": [{"count": 1, "organization": "state"}], "by_version": [{"count": 1, "version": 1}, {"count": 1, "version": 2}], "total": 2}'

e2e_summary coalition
