#!/usr/bin/env bash
# The whole memo lifecycle through the CLI and curl against a real server:
# draft, revise, co-sign (and move a signature), submit, acknowledge, extend,
# answer, close; deadlines across weekends and holidays; overdue memos; and
# every kind of bad input refused with a clear 4xx that changes nothing.
# On SQLite by default; on PostgreSQL when DB_URL names an empty database
# (test_postgres.sh runs it so).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
E2E_TMP=$(mktemp -d)
trap 'stop_server; rm -rf "$E2E_TMP"' EXIT
DB=${DB_URL:-$E2E_TMP/dissent.db}

"$DISSENT" demo --db "$DB" > "$E2E_TMP/demo.out" || { echo "demo failed"; exit 1; }
expect_in "demo prints the logins" "$(cat "$E2E_TMP/demo.out")" "alice  / alice-demo-pass"

# Friday 2026-11-20 10:00 in New York: deadlines must skip the weekend and
# Thanksgiving (2026-11-26), Christmas and New Year's Day (demo holidays).
start_server "$DB" DISSENT_FAKE_NOW=2026-11-20T15:00:00Z

expect_eq "healthz" "$(curl -s "$URL/healthz")" '{"status":"ok"}'
for u in alice bob carol rita lena ian admin dan; do login "$u"; done
expect_in "whoami" "$(as alice whoami)" "alice"

# ---- drafting ----
printf '## Summary\n\nFirst paragraph.\n\nSecond paragraph.\n' > "$E2E_TMP/v1.md"
ID=$(as alice memo new --channel dissent --title "Reopen the northern consulates" \
      --marking SBU --body-file "$E2E_TMP/v1.md" --json | json 'd["id"]')
expect_eq "memo id is 26 random characters" "${#ID}" 26
printf '## Summary\n\nFirst paragraph, revised.\n\nSecond paragraph.\n\nA third one.\n' > "$E2E_TMP/v2.md"
as alice memo edit "$ID" --body-file "$E2E_TMP/v2.md" > /dev/null
expect_eq "two versions" "$(as alice memo show "$ID" --json | json 'd["latest_version"]')" 2
DIFF=$(as alice memo diff "$ID" 1 2)
expect_in "diff shows the removed line" "$DIFF" "-First paragraph."
expect_in "diff shows the added line" "$DIFF" "+A third one."
expect_in "bob cannot see a draft" "$(api bob GET "/api/v1/memos/$ID")" "404 "
as alice memo circulate "$ID" > /dev/null
expect_eq "circulating" "$(as alice memo show "$ID" --json | json 'd["state"]')" circulating

# ---- co-signatures ----
as bob sign "$ID" > /dev/null
as carol sign "$ID" --version 1 > /dev/null
C=$(as alice memo counts "$ID" --json)
expect_eq "two signatures" "$(echo "$C" | json 'd["total"]')" 2
expect_eq "one on each version" "$(echo "$C" | json 'd["by_version"]')" '[{"count": 1, "version": 1}, {"count": 1, "version": 2}]'
expect_eq "counts per organization" "$(echo "$C" | json 'd["by_organization"]')" '[{"count": 1, "organization": "eeas"}, {"count": 1, "organization": "state"}]'
as carol sign "$ID" --version 2 > /dev/null
C=$(as alice memo counts "$ID" --json)
expect_eq "carol moved to version 2" "$(echo "$C" | json 'd["by_version"]')" '[{"count": 2, "version": 2}]'
as dan sign "$ID" > /dev/null
as dan unsign "$ID" > /dev/null
expect_eq "dan signed and withdrew" "$(as alice memo counts "$ID" --json | json 'd["total"]')" 2
expect_eq "counts stored equal counts recomputed" \
  "$(sql "$DB" "SELECT SUM(count) FROM signature_counts c JOIN memos m ON m.id=c.memo_id WHERE m.public_id='$ID'")" \
  "$(sql "$DB" "SELECT COUNT(*) FROM signatures g JOIN memos m ON m.id=g.memo_id WHERE m.public_id='$ID'")"
SIGNERS=$(as alice memo signers "$ID")
expect_in "drafter sees signers" "$SIGNERS" "carol"
expect_in "bob may not list signers" "$(api bob GET "/api/v1/memos/$ID/signatures")" '403 '

# ---- submission and review ----
as alice submit "$ID" > /dev/null
M=$(as alice memo show "$ID" --json)
expect_eq "submitted" "$(echo "$M" | json 'd["state"]')" submitted
expect_eq "acknowledge due Tue 24 Nov, end of day New York" \
  "$(echo "$M" | json 'd["review"]["acknowledge_due"]')" 2026-11-25T04:59:59Z
expect_eq "answer due in 30 working days, skipping holidays" \
  "$(echo "$M" | json 'd["review"]["answer_due"]')" 2027-01-07T04:59:59Z
expect_in "reviewer's queue holds it" "$(as rita review queue)" "Reopen the northern consulates"
expect_in "reviewer reads the memo" "$(as rita memo show "$ID")" "Reopen the northern consulates"
as rita review ack "$ID" > /dev/null
as rita review extend "$ID" --reason "Consultation with the posts concerned" > /dev/null
expect_eq "extended to 60 working days" \
  "$(as alice memo show "$ID" --json | json 'd["review"]["answer_due"]')" 2027-02-18T04:59:59Z
as rita review message "$ID" --body "Could you share the post reports?" > /dev/null
as alice review message "$ID" --body "Attached to version 2." > /dev/null
expect_in "message thread" "$(as alice memo messages "$ID")" "post reports"
as rita review answer "$ID" --body "We will keep two consulates open on rotation." > /dev/null
M=$(as lena memo show "$ID" --json)
expect_eq "leadership reads the answer" "$(echo "$M" | json 'd["review"]["answer"]')" \
  "We will keep two consulates open on rotation."
expect_eq "answered" "$(echo "$M" | json 'd["state"]')" answered
as alice review close "$ID" > /dev/null
expect_eq "closed" "$(as alice memo show "$ID" --json | json 'd["state"]')" closed

# ---- the access log ----
LOG=$(as alice access-log "$ID")
expect_in "drafter sees that rita read it" "$LOG" "rita"
expect_in "drafter sees that lena read it" "$LOG" "lena"
expect_in "auditor reads the whole log" "$(as ian access-log --json)" "$ID"
expect_in "members cannot read the whole log" "$(api bob GET /api/v1/access-log)" '403 '

# ---- the admin runs the system but reads no memo ----
expect_in "admin cannot read memo text" "$(api admin GET "/api/v1/memos/$ID")" '404 '
expect_in "admin cannot list signers" "$(api admin GET "/api/v1/memos/$ID/signatures")" '404 '
expect_in "admin cannot list memos" "$(api admin GET /api/v1/memos)" '403 '
expect_in "admin lists members" "$(api admin GET /api/v1/members)" '"alice"'

# ---- bad input: a clear 4xx, and nothing changes ----
ID2=$(as alice memo new --channel dissent --title "Second memo" --marking UNCLASSIFIED \
      --body "Text." --json | json 'd["id"]')
as alice memo circulate "$ID2" > /dev/null
B="/api/v1/memos"
refused "malformed JSON" "$DB" 400 invalid_input alice POST "$B" '{"channel": "dissent",'
refused "wrong type" "$DB" 400 invalid_input alice POST "$B" '{"channel":"dissent","title":5,"marking":"SBU","body":"x"}'
refused "unknown field" "$DB" 400 invalid_input alice POST "$B" '{"channel":"dissent","title":"t","marking":"SBU","body":"x","color":"red"}'
refused "duplicate key" "$DB" 400 invalid_input alice POST "$B" '{"channel":"dissent","channel":"x","title":"t","marking":"SBU","body":"x"}'
refused "missing field" "$DB" 400 invalid_input alice POST "$B" '{"channel":"dissent","marking":"SBU","body":"x"}'
refused "bad UTF-8" "$DB" 400 invalid_input alice POST "$B" "$(printf '{"channel":"dissent","title":"\xc3\x28","marking":"SBU","body":"x"}')"
refused "title too long" "$DB" 400 invalid_input alice POST "$B" "{\"channel\":\"dissent\",\"title\":\"$(head -c 201 /dev/zero | tr '\0' a)\",\"marking\":\"SBU\",\"body\":\"x\"}"
refused "marking above the ceiling" "$DB" 400 invalid_input alice POST "$B" '{"channel":"dissent","title":"t","marking":"SECRET","body":"x"}'
refused "unknown marking" "$DB" 400 invalid_input alice POST "$B" '{"channel":"dissent","title":"t","marking":"TOP","body":"x"}'
refused "unknown channel" "$DB" 404 not_found alice POST "$B" '{"channel":"nowhere","title":"t","marking":"SBU","body":"x"}'
refused "unknown co-drafter" "$DB" 404 not_found alice POST "$B" '{"channel":"dissent","title":"t","marking":"SBU","body":"x","co_drafters":["nobody"]}'
refused "too many drafters" "$DB" 400 invalid_input alice POST "$B" "{\"channel\":\"dissent\",\"title\":\"t\",\"marking\":\"SBU\",\"body\":\"x\",\"co_drafters\":[$(for i in $(seq 1 20); do printf '"bob",'; done)\"bob\"]}"
{ printf '{"channel":"dissent","title":"t","marking":"SBU","body":"'; head -c 300000 /dev/zero | tr '\0' a; printf '"}'; } > "$E2E_TMP/big.json"
refused "oversized body" "$DB" 413 too_large alice POST "$B" "@$E2E_TMP/big.json"
refused "no credentials" "$DB" 401 unauthorized - POST "$B" '{"channel":"dissent","title":"t","marking":"SBU","body":"x"}'
refused "not a drafter: revise" "$DB" 403 forbidden bob POST "$B/$ID2/versions" '{"body":"hijacked"}'
refused "identical version" "$DB" 409 conflict alice POST "$B/$ID2/versions" '{"body":"Text."}'
refused "answer a closed memo" "$DB" 409 wrong_state rita POST "$B/$ID/answer" '{"body":"x"}'
refused "sign a closed memo" "$DB" 409 wrong_state bob POST "$B/$ID/signatures" '{}'
as alice sign "$ID2" > /dev/null
refused "sign the same version twice" "$DB" 409 conflict alice POST "$B/$ID2/signatures" '{}'
refused "sign a version that does not exist" "$DB" 400 invalid_input bob POST "$B/$ID2/signatures" '{"version":7}'
refused "withdraw a signature never given" "$DB" 409 conflict dan DELETE "$B/$ID2/signatures"
refused "reviewer acknowledges a circulating memo" "$DB" 404 not_found rita POST "$B/$ID2/acknowledge"
as alice submit "$ID2" > /dev/null
refused "answer before acknowledging" "$DB" 409 wrong_state rita POST "$B/$ID2/answer" '{"body":"x"}'
refused "extend without a reason" "$DB" 400 invalid_input rita POST "$B/$ID2/extend" '{}'
refused "leadership may not acknowledge" "$DB" 403 forbidden lena POST "$B/$ID2/acknowledge"
refused "revise after submission" "$DB" 409 wrong_state alice POST "$B/$ID2/versions" '{"body":"late change"}'
CTYPE=application/x-www-form-urlencoded refused "not JSON" "$DB" 415 unsupported alice POST "$B/$ID2/messages" 'body=x'
refused "bad version in path" "$DB" 400 invalid_input alice GET "$B/$ID2/versions/abc"
refused "bad scope" "$DB" 400 invalid_input alice GET "$B?scope=everything"
refused "unknown memo" "$DB" 404 not_found alice GET "$B/aaaaaaaaaaaaaaaaaaaaaaaaaa"

# A cookie session must send its CSRF token for changes.
curl -s -c "$E2E_TMP/jar" -o /dev/null -H 'Content-Type: application/json' \
  -d '{"username":"bob","password":"bob-demo-pass"}' "$URL/api/v1/login"
before=$(snapshot "$DB")
out=$(curl -s -b "$E2E_TMP/jar" -w ' %{http_code}' -H 'Content-Type: application/json' \
  -d '{"body":"x"}' "$URL/api/v1/memos/$ID2/messages")
expect_in "cookie POST without CSRF token is refused" "$out" ' 403'
expect_eq "and changes nothing" "$(snapshot "$DB")" "$before"

# The CLI reports refusals with the server's message and a non-zero exit.
out=$(as alice memo new --channel dissent --title t --marking SECRET --body x 2>&1); rc=$?
expect_eq "CLI exits 1 on a refused request" "$rc" 1
expect_in "CLI shows the server's message" "$out" "above the ceiling"

# Login throttling: 5 failures, then even the right password waits.
for i in 1 2 3 4 5; do api - POST /api/v1/login '{"username":"dan","password":"wrong-password"}' > /dev/null; done
expect_in "throttled after 5 failures" "$(api - POST /api/v1/login '{"username":"dan","password":"dan-demo-pass"}')" '429 '

# ---- overdue: the same database, a week later ----
stop_server
start_server "$DB" DISSENT_FAKE_NOW=2026-11-30T15:00:00Z
login rita
Q=$(api rita GET "/api/v1/memos?scope=queue")
expect_in "overdue memo in the queue" "$Q" '"overdue":true'
web_login lena "$E2E_TMP/lena.jar" > /dev/null
expect_in "leadership sees the missed deadline escalated on its home page" \
  "$(curl -s -b "$E2E_TMP/lena.jar" "$URL/")" "Overdue: deadlines the policy office has missed"
expect_eq "overdue acknowledgement" "$(as rita memo show "$ID2" --json | json 'd["review"]["overdue_what"]')" acknowledgement

stop_server
e2e_summary lifecycle
