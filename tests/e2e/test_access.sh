#!/usr/bin/env bash
# Every read recorded, and readers told (issue #9, breaks 4 and 5), against a
# real server with curl and the CLI:
# - a table of every write action and every read: each reply either carries
#   no memo text and no signer identities, or leaves an access-log row by
#   its requester (write replies carry none: docs/api.md, "The access log");
# - a plain member who reads a circulating memo reaches its drafters only as
#   a count for the day; the policy office, leadership and co-drafters by
#   name; the auditor sees every read by name (API, CLI and page);
# - the memo page tells each reader what is recorded and who sees it.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
E2E_TMP=$(mktemp -d)
avoid_midnight 900 # the test compares the days of reads and memos with today
trap 'stop_server; rm -rf "$E2E_TMP"' EXIT
DB=${DB_URL:-$E2E_TMP/dissent.db}

"$DISSENT" demo --db "$DB" > /dev/null || { echo "demo failed"; exit 1; }
start_server "$DB"
for u in alice bob carol dan rita lena ian; do login "$u"; done

# Markers of memo text: titles, bodies, the extension's reason, the answer,
# the messages. A reply "carries text" if it holds one of them, and carries
# signer identities if it lists signatures by username.
MARKS='TITLE-MARK BODY-MARK-1 BODY-MARK-2 REASON-MARK ANSWER-MARK MESSAGE-MARK'
carries() {
  python3 - "$E2E_TMP/resp" $MARKS <<'PY'
import json, sys
raw = open(sys.argv[1], encoding="utf-8", errors="replace").read()
found = [m for m in sys.argv[2:] if m in raw]
try:
    d = json.loads(raw)
except ValueError:
    d = None
def signers(o):
    if isinstance(o, dict):
        s = o.get("signatures")
        if isinstance(s, list) and any(isinstance(x, dict) and "username" in x for x in s):
            return True
        return any(signers(v) for v in o.values())
    if isinstance(o, list):
        return any(signers(v) for v in o)
    return False
if signers(d):
    found.append("signer identities")
print(" ".join(found))
PY
}
rows() { sql "$DB" "SELECT COUNT(*) FROM access_log a JOIN members m ON m.id = a.reader_id WHERE m.username = '$1'"; }

# step KIND NAME USER METHOD PATH [BODY]: KIND is write (the reply must
# carry no text) or read (it must carry text, and a row must appear).
step() {
  local kind=$1 name=$2 u=$3 before after out st what
  shift 3
  before=$(rows "$u")
  out=$(api "$u" "$@")
  st=${out%% *}
  after=$(rows "$u")
  what=$(carries)
  case "$st" in 2??) ;; *) bad "$name: status $st" "$(printf '%s' "$out" | head -c 300)"; return ;; esac
  if [ -n "$what" ] && [ "$after" -le "$before" ]; then
    bad "$name: the reply carries $what but no access-log row appeared"
  elif [ "$kind" = write ] && [ -n "$what" ]; then
    bad "$name: a write reply carries $what"
  elif [ "$kind" = read ] && [ -z "$what" ]; then
    bad "$name: the read carries no text (the test is wrong)"
  elif [ "$kind" = write ]; then
    ok "$name: no text in the reply ($((after - before)) rows)"
  else
    ok "$name: carries $what, recorded ($((after - before)) rows)"
  fi
}

B=/api/v1/memos
ID=$(api alice POST $B '{"channel":"dissent","title":"TITLE-MARK one","marking":"SBU","body":"BODY-MARK-1"}' |
  sed 's/^[0-9]* //' | json 'd["id"]')
expect_eq "memo created" "${#ID}" 26
step write "create" alice POST $B '{"channel":"dissent","title":"TITLE-MARK two","marking":"SBU","body":"BODY-MARK-1"}'
ID2=$(json 'd["id"]' < "$E2E_TMP/resp")
step read "read the memo" alice GET "$B/$ID"
step write "revise" alice POST "$B/$ID/versions" '{"body":"BODY-MARK-2"}'
step read "version list (titles)" alice GET "$B/$ID/versions"
step read "read version 1" alice GET "$B/$ID/versions/1"
step read "diff" alice GET "$B/$ID/diff?from=1&to=2"
step read "official rendering" alice GET "$B/$ID/versions/2/rendering"
step write "add a drafter" alice POST "$B/$ID/drafters" '{"username":"carol"}'
step write "circulate" alice POST "$B/$ID/circulate"
step read "memo list (signable)" bob GET "$B?scope=signable"
step read "bob reads the circulating memo" bob GET "$B/$ID"
step write "sign" bob POST "$B/$ID/signatures" '{}'
step write "sign (move)" bob POST "$B/$ID/signatures" '{"version":1}'
step write "dan signs" dan POST "$B/$ID/signatures" '{}'
step write "unsign" dan DELETE "$B/$ID/signatures"
step read "signer list" alice GET "$B/$ID/signatures"
step read "memo list (mine)" alice GET "$B?scope=mine"
step read "carol (co-drafter) reads" carol GET "$B/$ID"
step write "submit" alice POST "$B/$ID/submit"
step read "memo list (queue)" rita GET "$B?scope=queue"
step write "acknowledge" rita POST "$B/$ID/acknowledge"
step write "extend" rita POST "$B/$ID/extend" '{"reason":"REASON-MARK"}'
step write "post a message" rita POST "$B/$ID/messages" '{"body":"MESSAGE-MARK"}'
step read "messages" alice GET "$B/$ID/messages"
step write "answer" rita POST "$B/$ID/answer" '{"body":"ANSWER-MARK"}'
step read "memo list (all)" lena GET "$B?scope=all"
step read "leadership reads the answer" lena GET "$B/$ID"
step write "close" alice POST "$B/$ID/close"
step write "withdraw" alice POST "$B/$ID2/withdraw"
step write "counts" alice GET "$B/$ID/counts"

# ---- what the drafters see, and what the auditor sees ----
TODAY=$(date -u +%Y-%m-%d)
LOG=$(api alice GET "$B/$ID/access-log" | sed 's/^[0-9]* //')
names() { printf '%s' "$1" | json '" ".join(sorted(set(x["reader"] for x in d["entries"])))'; }
expect_eq "drafters see by name: co-drafters, the office, leadership" "$(names "$LOG")" "alice carol lena rita"
expect_not_in "drafters do not see bob's name" "$LOG" '"bob"'
expect_eq "bob's reads are counted for the day" \
  "$(printf '%s' "$LOG" | json '[(x["day"], x["reads"], x["readers"]) for x in d["member_reads"]]')" \
  "[[\"$TODAY\", 2, 1]]"
expect_eq "the view says so" "$(printf '%s' "$LOG" | json 'd["view"]')" drafter
AUD=$(api ian GET "$B/$ID/access-log" | sed 's/^[0-9]* //')
expect_eq "the auditor sees every reader by name" "$(names "$AUD")" "alice bob carol lena rita"
expect_eq "with the capacity of each read" \
  "$(printf '%s' "$AUD" | json '" ".join(sorted(set(x["reader"] + ":" + x["as"] for x in d["entries"])))')" \
  "alice:drafter bob:member carol:drafter lena:leadership rita:reviewer"
expect_in "the whole log names bob" "$(api ian GET /api/v1/access-log)" '"bob"'
CLI=$(as alice access-log "$ID")
expect_not_in "CLI: the drafter's log has no bob" "$CLI" bob
expect_in "CLI: the drafter's log shows the day's count" "$CLI" "$TODAY"
expect_in "CLI: the auditor's log names bob" "$(as ian access-log "$ID")" bob

# A role given later does not expose an earlier read: bob's reads stay
# counted after he becomes a reviewer (the capacity is the read's).
sql "$DB" "UPDATE members SET roles = 3 WHERE username = 'bob'" > /dev/null
expect_not_in "a later role does not name earlier reads" \
  "$(api alice GET "$B/$ID/access-log")" '"bob"'

# ---- the page tells the reader ----
ID3=$(as alice memo new --channel dissent --title "Readers told" --marking SBU --body "Text." --json |
  json 'd["id"]')
as alice memo circulate "$ID3" > /dev/null
page() { curl -s -b "dissent_session=$(token "$1")" "$URL/memos/$2"; }
P=$(page dan "$ID3")
expect_in "a member is told the read is recorded" "$P" "Your reading is recorded."
expect_in "and that drafters see only a daily count" "$P" \
  "The drafters see only a daily count of member reads, not your name; auditors see your name"
expect_in "a drafter is told co-drafters see the name" "$(page alice "$ID3")" \
  "Your co-drafters and auditors see your name"
as alice submit "$ID3" > /dev/null
expect_in "the policy office is told it is named" "$(page rita "$ID3")" \
  "You read as the policy office: the drafters and auditors see your name"

# ---- the unpaged views say when they show only the newest 1,000 reads ----
expect_not_in "a memo's log read 4 times: nothing cut" "$(curl -s -b "dissent_session=$(token alice)" "$URL/memos/$ID3/access")" \
  'id="log-truncated"'
# 1,001 reads by the drafter, on one connection
curl -s -b "dissent_session=$(token alice)" $(for _ in $(seq 1 1001); do printf '%s ' "$URL/api/v1/memos/$ID3"; done) > /dev/null
expect_in "the drafter's page says only the newest 1000 are shown" \
  "$(curl -s -b "dissent_session=$(token alice)" "$URL/memos/$ID3/access")" 'Only the newest 1000 reads are shown here.'
expect_in "the API says it was cut" "$(api alice GET "/api/v1/memos/$ID3/access-log")" '"truncated":true'
expect_in "the auditor's home says so and links to the search" \
  "$(curl -s -b "dissent_session=$(token ian)" "$URL/")" 'Only the newest 1000 reads are shown here: <a href="/audit">'
expect_in "the CLI says so" "$(as alice access-log "$ID3")" "only the newest 1000 reads are shown"

e2e_summary access
