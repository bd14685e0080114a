#!/usr/bin/env bash
# Co-drafters added and removed after creation (issue #13, walkthrough):
# through the API, the CLI and the memo page's forms (no JavaScript); the
# last drafter cannot be removed; a removed drafter loses the draft; and
# submitting, withdrawing and closing from the page need the ticked box.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
E2E_TMP=$(mktemp -d)
trap 'stop_server; rm -rf "$E2E_TMP"' EXIT
DB=${DB_URL:-$E2E_TMP/dissent.db}

"$DISSENT" demo --db "$DB" > /dev/null || { echo "demo failed"; exit 1; }
start_server "$DB"
for u in alice bob carol; do login "$u"; done
B=/api/v1/memos
drafters() { api alice GET "$B/$1" | sed 's/^[0-9]* //' | json '" ".join(sorted(x["username"] for x in d["drafters"]))'; }

ID=$(as alice memo new --channel dissent --title "Drafters come and go" --marking SBU --body "Text." --json | json 'd["id"]')
expect_in "API: add bob" "$(api alice POST "$B/$ID/drafters" '{"username":"bob"}')" '"bob"'
expect_in "CLI: add carol" "$(as alice memo add-drafter "$ID" carol)" carol
expect_eq "three drafters" "$(drafters "$ID")" "alice bob carol"
OUT=$(api bob DELETE "$B/$ID/drafters/carol")
expect_eq "API: bob removes carol (200)" "${OUT%% *}" 200
expect_not_in "the reply carries no text" "$OUT" "Drafters come and go"
expect_eq "two drafters" "$(drafters "$ID")" "alice bob"
expect_eq "carol no longer reads the draft" "$(api carol GET "$B/$ID" | cut -c1-3)" 404
refused "removing a non-drafter is refused" "$DB" 404 not_found alice DELETE "$B/$ID/drafters/carol"
refused "an outsider cannot remove drafters" "$DB" 404 not_found carol DELETE "$B/$ID/drafters/bob"
expect_in "CLI: bob leaves" "$(as bob memo remove-drafter "$ID" bob)" "drafters of memo $ID: "
expect_eq "alice alone" "$(drafters "$ID")" "alice"
refused "the last drafter stays" "$DB" 409 conflict alice DELETE "$B/$ID/drafters/alice"
expect_in "and the reason says so" "$(api alice DELETE "$B/$ID/drafters/alice")" "last drafter"

# ---- the page, without JavaScript ----
JAR=$E2E_TMP/alice.jar
web_login alice "$JAR" > /dev/null
PAGE=$(curl -s -b "$JAR" "$URL/memos/$ID")
CSRF=$(printf '%s' "$PAGE" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
expect_in "page: the drafters' box" "$PAGE" 'id="drafters"'
expect_not_in "page: no remove button for the last drafter" "$PAGE" "/drafters/alice/remove"
ST=$(curl -s -o /dev/null -w '%{http_code}' -b "$JAR" --data-urlencode "csrf=$CSRF" --data-urlencode "username=bob" "$URL/memos/$ID/drafters")
expect_eq "page: add bob (303)" "$ST" 303
expect_eq "bob drafts again" "$(drafters "$ID")" "alice bob"
ST=$(curl -s -o "$E2E_TMP/p" -w '%{http_code}' -b "$JAR" --data-urlencode "csrf=$CSRF" --data-urlencode "username=ghost" "$URL/memos/$ID/drafters")
expect_eq "page: an unknown member is refused" "$ST" 404
expect_in "page: the typed name is kept" "$(cat "$E2E_TMP/p")" 'value="ghost"'
expect_in "page: with the reason" "$(cat "$E2E_TMP/p")" 'id="drafters-error"'
ST=$(curl -s -o /dev/null -w '%{http_code}' -b "$JAR" --data-urlencode "csrf=$CSRF" "$URL/memos/$ID/drafters/bob/remove")
expect_eq "page: remove bob (303)" "$ST" 303
expect_eq "alice alone again" "$(drafters "$ID")" "alice"

# ---- confirmations ----
as alice memo circulate "$ID" > /dev/null
ST=$(curl -s -o "$E2E_TMP/p" -w '%{http_code}' -b "$JAR" --data-urlencode "csrf=$CSRF" --data-urlencode "shown=1" "$URL/memos/$ID/submit")
expect_eq "submit without the box: 400" "$ST" 400
expect_in "saying why" "$(cat "$E2E_TMP/p")" "Tick the box to confirm that you want to submit"
expect_eq "still circulating" "$(api alice GET "$B/$ID" | sed 's/^[0-9]* //' | json 'd["state"]')" circulating
ST=$(curl -s -o /dev/null -w '%{http_code}' -b "$JAR" --data-urlencode "csrf=$CSRF" --data-urlencode "shown=1" "$URL/memos/$ID/withdraw")
expect_eq "withdraw without the box: 400" "$ST" 400
ST=$(curl -s -o /dev/null -w '%{http_code}' -b "$JAR" --data-urlencode "csrf=$CSRF" --data-urlencode "shown=1" --data-urlencode "confirm=yes" "$URL/memos/$ID/submit")
expect_eq "submit with the box: 303" "$ST" 303
expect_eq "submitted" "$(api alice GET "$B/$ID" | sed 's/^[0-9]* //' | json 'd["state"]')" submitted
refused "no drafter is added after submission" "$DB" 409 wrong_state alice POST "$B/$ID/drafters" '{"username":"bob"}'
# close, once answered: asked too, and nothing changes without the box
login rita
api rita POST "$B/$ID/acknowledge" > /dev/null
expect_in "rita answers" "$(api rita POST "$B/$ID/answer" '{"body":"We keep the post open."}')" "200 "
expect_in "the page explains closing" "$(curl -s -b "$JAR" "$URL/memos/$ID")" "Closing ends the exchange"
ST=$(curl -s -o "$E2E_TMP/p" -w '%{http_code}' -b "$JAR" --data-urlencode "csrf=$CSRF" --data-urlencode "shown=1" "$URL/memos/$ID/close")
expect_eq "close without the box: 400" "$ST" 400
expect_in "saying why" "$(cat "$E2E_TMP/p")" "Tick the box to confirm"
expect_eq "still answered" "$(api alice GET "$B/$ID" | sed 's/^[0-9]* //' | json 'd["state"]')" answered
ST=$(curl -s -o /dev/null -w '%{http_code}' -b "$JAR" --data-urlencode "csrf=$CSRF" --data-urlencode "shown=1" --data-urlencode "confirm=yes" "$URL/memos/$ID/close")
expect_eq "close with the box: 303" "$ST" 303
expect_eq "closed" "$(api alice GET "$B/$ID" | sed 's/^[0-9]* //' | json 'd["state"]')" closed

# ---- organizations by name where people read them ----
ID2=$(as alice memo new --channel dissent --title "Named organizations" --marking SBU --body "Text." --json | json 'd["id"]')
as alice memo circulate "$ID2" > /dev/null
as bob sign "$ID2" > /dev/null 2>&1
PAGE=$(curl -s -b "$JAR" "$URL/memos/$ID2")
expect_in "memo page: counts by organization name" "$PAGE" '<th scope="row">U.S. Department of State'
expect_not_in "not by slug" "$PAGE" '<th scope="row">state<'

e2e_summary drafters
