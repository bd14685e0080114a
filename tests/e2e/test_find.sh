#!/usr/bin/env bash
# Finding memos against a real server (issue #13, "Finding things"): search
# over titles and text finds only what the searcher may read (a member never
# finds someone else's draft, by title or by text, and no read of it is
# logged); filters, orders and pages on the API, the list page and the CLI;
# bad input is a 400 with the JSON error shape (a message on the page) and
# changes nothing; leadership's reminder is recorded and reaches the policy
# office as a notification; outsiders find a memo's public facts by its id
# or by pasting a copy's verification line.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
E2E_TMP=$(mktemp -d)
avoid_midnight 900 # the test compares the days of reads and memos with today
trap 'stop_server; rm -rf "$E2E_TMP"' EXIT
DB=${DB_URL:-$E2E_TMP/dissent.db}
"$DISSENT" demo --db "$DB" > /dev/null || { echo "demo failed"; exit 1; }
start_server "$DB"
for u in alice bob rita lena; do login "$u"; done
body() { cut -d' ' -f2-; }
status() { cut -d' ' -f1; }
ids() { body | json '" ".join(m["id"] for m in d["memos"])'; }

# Two memos of alice's: a draft only she reads, and a circulating one.
DRAFT=$(api alice POST /api/v1/memos '{"channel":"dissent","title":"Quokka census","marking":"SBU","body":"A hidden pangolin count."}' | body | json 'd["id"]')
CIRC=$(api alice POST /api/v1/memos '{"channel":"dissent","title":"Open letter","marking":"UNCLASSIFIED","body":"On the PANGOLIN treaty."}' | body | json 'd["id"]')
api alice POST "/api/v1/memos/$CIRC/circulate" > /dev/null

# ---- search: only what one may read ----
OUT=$(api alice GET "/api/v1/memos?scope=mine&q=pangolin")
expect_eq "search answers 200" "$(echo "$OUT" | status)" 200
expect_in "alice finds her draft by its text" "$(echo "$OUT" | ids)" "$DRAFT"
expect_in "and her circulating memo (any case)" "$(echo "$OUT" | ids)" "$CIRC"
expect_eq "two matches" "$(echo "$OUT" | body | json 'd["total"]')" 2
expect_eq "she finds the draft by its title too" "$(api alice GET "/api/v1/memos?scope=drafted&q=quokka%20census" | ids)" "$DRAFT"
for scope in mine drafted signed signable; do
  for q in pangolin quokka census hidden; do
    expect_not_in "bob never finds the draft ($scope, '$q')" "$(api bob GET "/api/v1/memos?scope=$scope&q=$q" | ids)" "$DRAFT"
  done
done
expect_eq "bob finds the circulating memo by its text" "$(api bob GET "/api/v1/memos?scope=signable&q=pangolin" | ids)" "$CIRC"
DRAFT_ROW=$(sql "$DB" "SELECT id FROM memos WHERE public_id = '$DRAFT'")
BOB=$(sql "$DB" "SELECT id FROM members WHERE username = 'bob'")
expect_eq "no read of the draft by bob is logged" "$(sql "$DB" "SELECT COUNT(*) FROM access_log WHERE memo_id = $DRAFT_ROW AND reader_id = $BOB")" 0
CIRC_ROW=$(sql "$DB" "SELECT id FROM memos WHERE public_id = '$CIRC'")
expect_in "what a search shows is logged like any list" "$(sql "$DB" "SELECT what FROM access_log WHERE memo_id = $CIRC_ROW AND reader_id = $BOB")" "title in a memo list"
# A page of the list records every title it shows in one statement
# (store_access_insert_many), not one INSERT per memo: on PostgreSQL the
# rows one statement inserted share their transaction (xmin) and command
# (cmin) ids.
ALICE=$(sql "$DB" "SELECT id FROM members WHERE username = 'alice'")
BEFORE=$(sql "$DB" "SELECT COALESCE(MAX(id), 0) FROM access_log")
SHOWN=$(api alice GET "/api/v1/memos?scope=mine&limit=50" | body | json 'len(d["memos"])')
[ "$SHOWN" -ge 2 ] && ok "a list of $SHOWN memos" || bad "a list of several memos" "$SHOWN"
expect_eq "each title shown is one access row" "$(sql "$DB" "SELECT COUNT(*) FROM access_log WHERE id > $BEFORE AND reader_id = $ALICE AND what = 'title in a memo list'")" "$SHOWN"
if is_pg "$DB"; then
  expect_eq "the list's titles are recorded by one statement" "$(sql "$DB" "SELECT COUNT(DISTINCT (xmin::text, cmin::text)) FROM access_log WHERE id > $BEFORE AND reader_id = $ALICE")" 1
fi
expect_eq "the policy office does not find a draft either" "$(api rita GET "/api/v1/memos?scope=all&q=quokka" | body | json 'd["total"]')" 0

# ---- filters, orders, pages ----
OUT=$(api alice GET "/api/v1/memos?scope=mine&limit=1&sort=newest")
expect_eq "a page of one" "$(echo "$OUT" | body | json 'len(d["memos"])')" 1
TOTAL=$(echo "$OUT" | body | json 'd["total"]')
expect_eq "pages of one: as many as memos" "$(echo "$OUT" | body | json 'd["pages"]')" "$TOTAL"
expect_eq "the newest first" "$(echo "$OUT" | ids)" "$CIRC"
expect_eq "page 2 is the next one" "$(api alice GET "/api/v1/memos?scope=mine&limit=1&sort=newest&page=2" | ids)" "$DRAFT"
expect_eq "offset does the same" "$(api alice GET "/api/v1/memos?scope=mine&limit=1&sort=newest&offset=1" | ids)" "$DRAFT"
expect_eq "state filter" "$(api alice GET "/api/v1/memos?scope=drafted&state=draft&q=quokka" | ids)" "$DRAFT"
expect_eq "marking filter" "$(api alice GET "/api/v1/memos?scope=mine&marking=UNCLASSIFIED&q=pangolin" | ids)" "$CIRC"
expect_eq "channel filter" "$(api alice GET "/api/v1/memos?scope=mine&channel=eu-reports&q=pangolin" | body | json 'd["total"]')" 0
TODAY=$(date -u +%F)
expect_eq "date range" "$(api alice GET "/api/v1/memos?scope=mine&from=$TODAY&to=$TODAY&q=pangolin" | body | json 'd["total"]')" 2
expect_eq "a range before today" "$(api alice GET "/api/v1/memos?scope=mine&to=2001-01-01" | body | json 'd["total"]')" 0
ARCH=$(api rita GET "/api/v1/memos?scope=archive" | body | json '" ".join(sorted(set(m["state"] for m in d["memos"])))')
case "$ARCH" in ""|answered|closed|"answered closed") ok "the archive holds answered and closed memos only ($ARCH)" ;; *) bad "archive states" "$ARCH" ;; esac
refused "the archive is the office's" "$DB" 403 forbidden alice GET "/api/v1/memos?scope=archive"
api bob POST "/api/v1/memos/$CIRC/signatures" '{}' > /dev/null
expect_eq "bob's memos he co-signed" "$(api bob GET "/api/v1/memos?scope=signed&q=pangolin" | ids)" "$CIRC"
expect_eq "are not memos he drafts" "$(api bob GET "/api/v1/memos?scope=drafted&q=pangolin" | body | json 'd["total"]')" 0

# ---- bad input: 400, the JSON error shape, nothing changed ----
refused "unknown state" "$DB" 400 invalid_input alice GET "/api/v1/memos?state=pending"
refused "state outside the list" "$DB" 400 invalid_input rita GET "/api/v1/memos?scope=queue&state=draft"
refused "unknown marking" "$DB" 400 invalid_input alice GET "/api/v1/memos?marking=TOP"
refused "unknown channel" "$DB" 400 invalid_input alice GET "/api/v1/memos?channel=nowhere"
refused "page size too big" "$DB" 400 invalid_input alice GET "/api/v1/memos?limit=1000"
refused "malformed date" "$DB" 400 invalid_input alice GET "/api/v1/memos?from=2026-02-30x"
refused "from after to" "$DB" 400 invalid_input alice GET "/api/v1/memos?from=2026-03-02&to=2026-03-01"
refused "unknown order" "$DB" 400 invalid_input alice GET "/api/v1/memos?sort=random"
refused "offset and page" "$DB" 400 invalid_input alice GET "/api/v1/memos?offset=0&page=1"
refused "overdue not a boolean" "$DB" 400 invalid_input alice GET "/api/v1/memos?overdue=maybe"

# ---- the list page ----
JAR=$E2E_TMP/alice.jar
web_login alice "$JAR" > /dev/null
page() { curl -s -b "$JAR" -w '\n%{http_code}' "$URL$1" | sed 's/<[^>]*>/ /g' | tr -s ' \n' ' '; }
OUT=$(page "/memos?scope=mine&q=pangolin")
expect_in "the page lists what the search found" "$OUT" "Quokka census"
expect_in "with the count" "$OUT" "2 memos"
expect_in "a bad filter is a message on the page" "$(page "/memos?scope=mine&limit=999")" "Limit must be a whole number from 1 to 200"
expect_in "and a 400" "$(page "/memos?scope=mine&limit=999")" " 400"
BJAR=$E2E_TMP/bob.jar
web_login bob "$BJAR" > /dev/null
expect_not_in "bob's page does not show the draft" "$(curl -s -b "$BJAR" "$URL/memos?scope=mine&q=quokka")" "Quokka"

# ---- the CLI ----
expect_in "memo list --search" "$(as alice memo list --search pangolin --state draft)" "Quokka census"
expect_not_in "--state narrows it" "$(as alice memo list --search pangolin --state draft)" "Open letter"
expect_in "--page and --limit" "$(as alice memo list --limit 1 --page 2 --sort newest --json | json 'd["page"]')" 2
expect_in "a bad filter is refused" "$(as alice memo list --state pending 2>&1)" "state 'pending'"

# ---- leadership reminds the policy office ----
SUB=$(api lena GET "/api/v1/memos?scope=queue&limit=1" | ids)
if [ -z "$SUB" ]; then
  api alice POST "/api/v1/memos/$CIRC/submit" > /dev/null
  SUB=$CIRC
fi
expect_in "leadership sees everything submitted, with deadline status" "$(api lena GET "/api/v1/memos?scope=all" | body | json '[m["next"] + " " + m["next_due"] for m in d["memos"] if m["id"] == "'"$SUB"'"][0]')" "acknowledge 20"
BEFORE=$(api rita GET "/api/v1/notifications?unread=1" | body | json 'sum(1 for n in d["notifications"] if n["event"] == "leadership_reminder")')
OUT=$(api lena POST "/api/v1/memos/$SUB/remind")
expect_eq "leadership reminds" "$(echo "$OUT" | status)" 200
expect_eq "the reminder is recorded" "$(sql "$DB" "SELECT COUNT(*) FROM leadership_reminders r JOIN memos m ON m.id = r.memo_id WHERE m.public_id = '$SUB'")" 1
AFTER=$(api rita GET "/api/v1/notifications?unread=1" | body | json 'sum(1 for n in d["notifications"] if n["event"] == "leadership_reminder")')
expect_eq "the policy office is notified" "$AFTER" $((BEFORE + 1))
expect_in "the memo's timeline shows it" "$(api rita GET "/api/v1/memos/$SUB" | body | json '" ".join(t["what"] for t in d["timeline"])')" "reminded"
expect_in "the list shows when" "$(api lena GET "/api/v1/memos?scope=queue" | body | json '[m["reminded_at"] for m in d["memos"] if m["id"] == "'"$SUB"'"][0]')" "T"
refused "once a day" "$DB" 409 conflict lena POST "/api/v1/memos/$SUB/remind"
expect_in "the CLI says so too" "$(as lena memo remind "$SUB" 2>&1)" "was reminded of this memo at"
refused "only leadership reminds" "$DB" 403 forbidden rita POST "/api/v1/memos/$SUB/remind"
refused "not a draft" "$DB" 404 not_found lena POST "/api/v1/memos/$DRAFT/remind"
expect_eq "no public leaf for a reminder" "$(sql "$DB" "SELECT COUNT(*) FROM tlog_leaves WHERE kind LIKE '%remind%'")" 0
LJAR=$E2E_TMP/lena.jar
web_login lena "$LJAR" > /dev/null
expect_in "leadership's page offers the reminder" "$(curl -s -b "$LJAR" "$URL/memos?scope=all")" "Remind the policy office"

# ---- outsiders: by id, by verification line ----
OUT=$(api - POST /api/v1/public/find "{\"query\":\" $CIRC \"}")
expect_eq "found by id" "$(echo "$OUT" | body | json 'd["memo"] + " " + d["found_by"]')" "$CIRC id"
curl -s -H "Authorization: Bearer $(token alice)" "$URL/api/v1/memos/$CIRC/versions/1/rendering" > "$E2E_TMP/copy.txt"
LINE=$(grep '^dissent-verify:' "$E2E_TMP/copy.txt")
OUT=$(api - POST /api/v1/public/find "$(python3 -c 'import json,sys; print(json.dumps({"query": sys.argv[1]}))' "$LINE")")
expect_eq "found by its verification line" "$(echo "$OUT" | body | json 'd["memo"] + " " + d["found_by"] + " " + str(d["version"])')" "$CIRC verification line 1"
expect_in "with its public facts" "$(echo "$OUT" | body)" '"counts"'
expect_not_in "and no title" "$(echo "$OUT" | body)" "Open letter"
refused "a draft is not public" "$DB" 404 not_found - POST /api/v1/public/find "{\"query\":\"$DRAFT\"}"
refused "neither an id nor a line" "$DB" 400 invalid_input - POST /api/v1/public/find '{"query":"hello"}'
pub() { curl -s -w '\n%{http_code}' --data-urlencode "query@$1" "$URL/public/find" | sed 's/<[^>]*>/ /g' | tr -s ' \n' ' '; }
OUT=$(pub "$E2E_TMP/copy.txt")
expect_in "the public page finds a pasted copy" "$OUT" "$CIRC"
expect_in "says how" "$OUT" "verification line, which names version 1 (registered in the log)"
printf 'not a memo\n' > "$E2E_TMP/bad.txt"
OUT=$(pub "$E2E_TMP/bad.txt")
expect_in "a bad lookup is explained" "$OUT" "is neither a memo identifier"
expect_in "with a 400" "$OUT" " 400"

# ---- overdue, with the clock past every deadline ----
stop_server
start_server "$DB" DISSENT_FAKE_NOW=2031-01-15T12:00:00Z
login lena # sessions of 2026 have expired by then
expect_eq "past every deadline, all under review is overdue" "$(api lena GET "/api/v1/memos?scope=queue&overdue=true&limit=200" | body | json 'd["total"]')" "$(api lena GET "/api/v1/memos?scope=queue&limit=200" | body | json 'd["total"]')"
expect_eq "and none is not" "$(api lena GET "/api/v1/memos?scope=queue&overdue=false" | body | json 'd["total"]')" 0
expect_in "a day later the CLI reminds again" "$(as lena memo remind "$SUB")" "Reminded the policy office of $SUB"
expect_eq "recorded twice now" "$(sql "$DB" "SELECT COUNT(*) FROM leadership_reminders r JOIN memos m ON m.id = r.memo_id WHERE m.public_id = '$SUB'")" 2
expect_in "the oldest deadline first" "$(api lena GET "/api/v1/memos?scope=queue&sort=deadline" | body | json 'd["sort"]')" deadline
stop_server
e2e_summary find
