#!/usr/bin/env bash
# Notifications against a real server and a real SMTP server (aiosmtpd,
# tests/e2e/smtp_sink.py): the right people are told, in the app and by
# mail, and nobody else; a mail names no memo, no title and no person; a
# mail server that is down delays the mail (retried later) but neither the
# request nor the in-app notification; the daily digest batches; "off"
# sends nothing; a reminder reaches the policy office before a deadline.
# On SQLite by default; on PostgreSQL when DB_URL names an empty database.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
E2E_TMP=$(mktemp -d)
SINK_PID=
stop_sink() { [ -n "$SINK_PID" ] && kill "$SINK_PID" 2>/dev/null && wait "$SINK_PID" 2>/dev/null; SINK_PID=; }
trap 'stop_server; stop_sink; rm -rf "$E2E_TMP"' EXIT
DB=${DB_URL:-$E2E_TMP/dissent.db}
MAILS=$E2E_TMP/mails
PUBLIC=http://dissent.test:8080
T0=2026-11-20T15:00:00Z   # a Friday

# Debian's python3-aiosmtpd lives in the system Python, which may not be the first python3.
SINK_PY=
for py in python3 /usr/bin/python3; do
  "$py" -c 'import aiosmtpd' 2>/dev/null && { SINK_PY=$py; break; }
done
[ -n "$SINK_PY" ] || { echo "python3-aiosmtpd is missing (scripts/deps.sh test)"; exit 1; }

# start_sink [PORT]: the SMTP server; sets SMTP_PORT.
start_sink() {
  rm -f "$E2E_TMP/smtp.port"
  "$SINK_PY" "$here/smtp_sink.py" "$MAILS" "$E2E_TMP/smtp.port" "${1:-0}" > "$E2E_TMP/smtp.log" 2>&1 &
  SINK_PID=$!
  wait_port_file "$E2E_TMP/smtp.port" "$SINK_PID" || { echo "smtp sink did not start"; cat "$E2E_TMP/smtp.log"; exit 1; }
  SMTP_PORT=$(cat "$E2E_TMP/smtp.port")
}
# mails_to ADDRESS: how many mails the sink holds for ADDRESS.
mails_to() { grep -l -s "^X-Envelope-To: $1\$" "$MAILS"/*.eml 2>/dev/null | wc -l; }
# wait_mails ADDRESS N: waits up to 60 s for N mails to ADDRESS; prints the count.
wait_mails() {
  local _to=$1 _n=$2
  wait_until 60 '[ "$(mails_to "$_to")" -ge "$_n" ]'
  mails_to "$1"
}
# last_mail ADDRESS: the newest mail to ADDRESS.
last_mail() { cat "$(grep -l -s "^X-Envelope-To: $1\$" "$MAILS"/*.eml | sort | tail -n 1)"; }
# unread USER: the unread count of USER's notifications.
unread() { api "$1" GET /api/v1/notifications | cut -d' ' -f2- | json 'd["unread"]'; }
# events USER: the events of USER's unread notifications, oldest first, space-separated.
events() { api "$1" GET "/api/v1/notifications?unread=1" | cut -d' ' -f2- | json '" ".join(n["event"] for n in reversed(d["notifications"]))'; }
mail() { api "$1" POST /api/v1/account/mail "{\"address\":\"$2\"}" > /dev/null; }
pref() { api "$1" POST /api/v1/account/notifications "{\"kind\":\"$2\",\"mode\":\"$3\"}" | cut -d' ' -f1; }

"$DISSENT" demo --db "$DB" > /dev/null || { echo "demo failed"; exit 1; }
mkdir -p "$MAILS"
start_sink
# start_server as lib.sh's, with serve's flag --smtp-insecure (lib.sh's takes only ENV=VALUE).
start_server() {
  local db=$1; shift
  rm -f "$E2E_TMP/port"
  env "$@" "$DISSENT" serve --db "$db" --listen 127.0.0.1:0 --port-file "$E2E_TMP/port" ${SMTP_FLAGS---smtp-insecure} \
    > "$E2E_TMP/server.log" 2>&1 &
  SERVER_PID=$!
  wait_port_file "$E2E_TMP/port" "$SERVER_PID" || { echo "server did not start"; cat "$E2E_TMP/server.log"; exit 1; }
  URL="http://127.0.0.1:$(cat "$E2E_TMP/port")"
}
# serve NOW: the server with mail, its clock pinned at NOW; everyone logs
# in again (a moved clock ends the sessions).
serve() {
  stop_server
  start_server "$DB" DISSENT_FAKE_NOW="$1" DISSENT_SMTP="smtp://127.0.0.1:$SMTP_PORT" \
    DISSENT_MAIL_FROM=dissent@dissent.test DISSENT_PUBLIC_URL=$PUBLIC
  for u in alice bob carol dan rita lena admin; do login "$u"; done
}
serve $T0

# ---- setup: addresses and choices ----
for u in alice bob carol dan rita lena; do mail $u "$u@example.org"; done
expect_eq "an address is refused unless plain" \
  "$(api dan POST /api/v1/account/mail '{"address":"dan@example.org\r\nBcc: x@evil"}' | cut -d' ' -f1)" 400
expect_eq "a member cannot set another's address" \
  "$(api dan POST /api/v1/members/bob/mail '{"address":"dan@example.org"}' | cut -d' ' -f1)" 403
expect_eq "carol turns 'new version' off" "$(pref carol new_version off)" 200
expect_eq "carol opts in to news on memos she co-signed" "$(pref carol review_signed immediately)" 200
expect_eq "an unknown mode is refused" "$(pref carol review sometimes)" 400
expect_in "the choices read back" "$(as carol account notifications)" "new_version    off"
# The account events of setting the addresses were done by each member: read already.
for u in alice bob carol dan rita lena; do api $u POST /api/v1/notifications/read '{}' > /dev/null; done
wait_mails alice@example.org 1 > /dev/null
rm -f "$MAILS"/*.eml

# ---- a new version: named co-signers on an older version ----
printf 'First paragraph.\n\nSecond paragraph.\n' > "$E2E_TMP/v1.md"
ID=$(as alice memo new --channel dissent --title "Close the northern consulates quietly" \
      --marking SBU --body-file "$E2E_TMP/v1.md" --json | json 'd["id"]')
as alice memo circulate "$ID" > /dev/null
as bob sign "$ID" > /dev/null
as carol sign "$ID" > /dev/null
printf 'First paragraph, revised.\n\nSecond paragraph.\n' > "$E2E_TMP/v2.md"
as alice memo edit "$ID" --body-file "$E2E_TMP/v2.md" > /dev/null
expect_eq "bob (signed v1) is told of version 2" "$(events bob)" "new_version"
expect_eq "carol turned it off: nothing" "$(events carol)" ""
expect_eq "dan (not a signer) is told nothing" "$(events dan)" ""
expect_eq "alice (who made it) is told nothing" "$(events alice)" ""
N=$(api bob GET /api/v1/notifications | cut -d' ' -f2-)
expect_eq "it points at the memo" "$(echo "$N" | json 'd["notifications"][0]["memo"]')" "$ID"
expect_not_in "the notification holds no title" "$N" "northern"
expect_not_in "nor the drafter's name" "$N" "lice"
expect_eq "the mail reaches bob" "$(wait_mails bob@example.org 1)" 1
M=$(last_mail bob@example.org)
expect_in "the mail links to the notifications" "$M" "$PUBLIC/notifications"
expect_in "the mail says there is news" "$M" "1 new notification"
expect_not_in "the mail holds no title" "$M" "northern"
expect_not_in "nor the memo's id" "$M" "$ID"
expect_not_in "nor the drafter's name" "$M" "Alice"
expect_not_in "nor bob's name" "$M" "Bob"
expect_in "the mail goes from --mail-from" "$M" "From: <dissent@dissent.test>"
expect_eq "carol got no mail" "$(mails_to carol@example.org)" 0
expect_in "the CLI lists it as unread" "$(as bob notifications --unread)" "UNREAD"
expect_in "bob marks it read (CLI)" "$(as bob notifications --read all)" "marked 1 read; 0 unread"
expect_eq "nothing unread now" "$(unread bob)" 0
expect_eq "another's notification cannot be marked" \
  "$(api dan POST /api/v1/notifications/read '{"id":1}' | cut -d' ' -f1)" 404

# ---- submission: the policy office ----
as bob sign "$ID" > /dev/null   # moves his signature to version 2
as alice submit "$ID" > /dev/null
expect_eq "rita (policy office) is told of the submission" "$(events rita)" "submitted"
expect_eq "lena (leadership) is not" "$(events lena)" ""
expect_eq "bob is not" "$(unread bob)" 0
expect_eq "the mail reaches rita" "$(wait_mails rita@example.org 1)" 1

# ---- digest: alice takes her review news once a day ----
expect_eq "alice chooses the daily digest for review news" "$(pref alice review digest)" 200
as rita review ack "$ID" > /dev/null
as rita review message "$ID" --body "Could you share the post reports?" > /dev/null
expect_eq "alice sees both in the app at once" "$(events alice)" "acknowledged message"
expect_eq "carol (opted in, signed by name) hears of the acknowledgement only" "$(events carol)" "acknowledged"
expect_eq "bob (not opted in) hears nothing" "$(unread bob)" 0
sleep 3
expect_eq "but no mail to alice before the digest" "$(mails_to alice@example.org)" 0
expect_eq "carol's mail arrives at once" "$(wait_mails carol@example.org 1)" 1
as alice review message "$ID" --body "Attached to version 2." > /dev/null
expect_eq "rita hears of alice's message" "$(events rita)" "submitted message"

# ---- SMTP down: the request succeeds, the in-app stays, the mail waits ----
stop_sink
expect_eq "admin sets dan's address while the mail server is down: done" \
  "$(api admin POST /api/v1/members/dan/mail '{"address":"dan.new@example.org"}' | cut -d' ' -f1)" 200
expect_eq "dan sees the account event in the app" "$(events dan)" "mail_address_changed"
# dan_waiting: dan's mails that failed and wait for a retry.
dan_waiting() {
  sql "$DB" "SELECT COUNT(*) FROM mail_outbox o JOIN members m ON m.id = o.member_id WHERE m.username = 'dan' AND o.attempts > 0 AND o.done_at IS NULL AND o.outcome LIKE 'failed%'"
}
wait_until 60 '[ "$(dan_waiting)" = 1 ]'
expect_eq "dan's failed mail waits for a retry" "$(dan_waiting)" 1
expect_eq "the server says so in its log" "$(grep -c 'failed' "$E2E_TMP/server.log" | tr -d ' ' | sed 's/^[1-9][0-9]*$/yes/')" yes

# ---- a day later: the retry, the digest, a reminder ----
start_sink # a new port: the old one may have been taken meanwhile (serve below names the new one)
serve 2026-11-23T15:00:00Z   # Monday: the acknowledgement was due Tue 24 Nov, but it is given
expect_eq "the retried mail reaches dan" "$(wait_mails dan.new@example.org 1)" 1
expect_eq "alice's digest arrives" "$(wait_mails alice@example.org 1)" 1
M=$(last_mail alice@example.org)
expect_in "one digest for both events" "$M" "2 new notifications"
expect_in "it says it is the digest" "$M" "daily digest"
expect_not_in "the digest holds no title" "$M" "northern"
sleep 2
expect_eq "only one digest" "$(mails_to alice@example.org)" 1
expect_eq "no reminder for a deadline already met" "$(events rita)" "submitted message"

# A second memo, submitted on Friday: its acknowledgement is due Tuesday;
# the reminder (one working day before) comes on Monday.
serve $T0
ID2=$(as alice memo new --channel dissent --title "Second memo" --marking SBU \
      --body-file "$E2E_TMP/v1.md" --json | json 'd["id"]')
as alice memo circulate "$ID2" > /dev/null
as alice submit "$ID2" > /dev/null
api rita POST /api/v1/notifications/read '{}' > /dev/null
serve 2026-11-23T03:00:00Z   # Sunday night in New York: not yet
sleep 1
expect_eq "no reminder before the reminder day" "$(unread rita)" 0
R0=$(mails_to rita@example.org)
serve 2026-11-23T15:00:00Z
wait_until 60 '[ "$(unread rita)" -ge 1 ]'
expect_eq "the reminder reaches the policy office" "$(events rita | tr ' ' '\n' | grep -c reminder_ack)" 1
expect_eq "and by mail" "$(wait_mails rita@example.org $((R0 + 1)))" $((R0 + 1))
expect_eq "lena (leadership) gets no reminder" "$(events lena | grep -c reminder)" 0
serve 2026-11-23T16:00:00Z
sleep 1
expect_eq "a restart does not repeat it" "$(events rita | tr ' ' '\n' | grep -c reminder_ack)" 1

# ---- the unread count is in every page's header ----
web_login lena "$E2E_TMP/lena.jar" > /dev/null
expect_in "the admin sets lena's address (CLI)" "$(as admin admin member mail lena lena.new@example.org)" \
  "member lena: mail goes to lena.new@example.org"
P=$(curl -s -b "$E2E_TMP/lena.jar" "$URL/")
expect_in "the home page shows lena's unread count" "$P" 'id="unread-count">1</span>'
P=$(curl -s -b "$E2E_TMP/lena.jar" "$URL/notifications")
expect_in "the notifications page lists it" "$P" "Something changed on your account"
expect_eq "the page says its time zone once" "$(printf '%s' "$P" | grep -o 'Times in UTC' | wc -l | tr -d ' ')" 1
expect_not_in "and not again on each row" "$P" ' UTC</time>'

# ---- the list pages: newest first, older ones behind a link (rita has several) ----
ALL=$(api rita GET "/api/v1/notifications" | cut -d' ' -f2- | json '[n["id"] for n in d["notifications"]]')
P1=$(api rita GET "/api/v1/notifications?limit=2" | cut -d' ' -f2-)
expect_eq "a page of two: the two newest" "$(echo "$P1" | json '[n["id"] for n in d["notifications"]]')" \
  "$(echo "$ALL" | json 'd[:2]')"
NEXT=$(echo "$P1" | json 'd["next_before"]')
P2=$(api rita GET "/api/v1/notifications?limit=2&before=$NEXT" | cut -d' ' -f2-)
expect_eq "the next page: the two after them" "$(echo "$P2" | json '[n["id"] for n in d["notifications"]]')" \
  "$(echo "$ALL" | json 'd[2:4]')"
LAST=$(api rita GET "/api/v1/notifications?limit=200" | cut -d' ' -f2-)
expect_eq "the last page says there is nothing older" "$(echo "$LAST" | json 'd["next_before"]')" None
# the refusals below must change nothing, so first let the mail job take
# lena's account mail (queued above): it runs every 2 s beside the requests
lena_mail_pending() {
  [ "$(sql "$DB" "SELECT COUNT(*) FROM notifications n JOIN members m ON m.id = n.member_id WHERE m.username = 'lena' AND n.mail = 1")" != 0 ] ||
    [ "$(sql "$DB" "SELECT COUNT(*) FROM mail_outbox WHERE done_at IS NULL")" != 0 ]
}
wait_until 60 '! lena_mail_pending'
expect_eq "lena's account mail has left" "$(lena_mail_pending && echo waiting || echo sent)" sent
refused "a page size over 200 is refused" "$DB" 400 invalid_input rita GET "/api/v1/notifications?limit=201"
refused "so is a 'before' that is not an id" "$DB" 400 invalid_input rita GET "/api/v1/notifications?before=soon"
web_login rita "$E2E_TMP/rita.jar" > /dev/null
P=$(curl -s -b "$E2E_TMP/rita.jar" "$URL/notifications?limit=2")
expect_in "the page links to older notifications" "$P" "href=\"/notifications?limit=2&amp;before=$NEXT\""
expect_eq "and shows two" "$(printf '%s' "$P" | grep -cE 'class="notification( |")')" 2
OLDEST=$(echo "$ALL" | json 'd[-1]')
expect_in "the oldest notification still opens" \
  "$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -b "$E2E_TMP/rita.jar" "$URL/notifications/$OLDEST")" "303 "

# ---- TLS is required unless the mail server is on this machine and says so ----
OUT=$(timeout 120 "$DISSENT" serve --db "$DB" --listen 127.0.0.1:0 --public-url $PUBLIC --mail-from d@dissent.test \
  --smtp smtp://mail.example.org:587 --smtp-insecure 2>&1)
expect_in "--smtp-insecure to another machine is refused at start" "$OUT" "on this machine only"
OUT=$(timeout 120 "$DISSENT" serve --db "$DB" --listen 127.0.0.1:0 --public-url $PUBLIC --mail-from d@dissent.test \
  --smtp smtp://user:secret@mail.example.org:587 2>&1)
expect_in "credentials in the URL are refused" "$OUT" "must not hold credentials"
OUT=$("$DISSENT" serve --db "$DB" --listen 127.0.0.1:0 --smtp smtp://127.0.0.1:25 2>&1)
expect_in "--smtp needs --public-url and --mail-from" "$OUT" "needs --public-url"
# let the mail already queued (lena's account event) leave first: the count
# below must only see what the next server would send
wait_until 60 '[ "$(sql "$DB" "SELECT COUNT(*) FROM mail_outbox WHERE done_at IS NULL")" = 0 ]'
N0=$(ls "$MAILS" | wc -l)
SMTP_FLAGS= serve 2026-11-23T16:00:00Z   # no --smtp-insecure: this sink offers no STARTTLS
api admin POST /api/v1/members/carol/mail '{"address":"carol.new@example.org"}' > /dev/null
carol_failed() {
  sql "$DB" "SELECT COUNT(*) FROM mail_outbox o JOIN members m ON m.id = o.member_id WHERE m.username = 'carol' AND o.done_at IS NULL AND o.attempts > 0"
}
wait_until 60 '[ "$(carol_failed)" = 1 ]'
expect_eq "a server without STARTTLS gets no mail: it waits for a retry" "$(carol_failed)" 1
expect_eq "nothing reached the sink in clear" "$(ls "$MAILS" | wc -l)" "$N0"

# ---- a mail server that wants a login: from the environment, or the key directory ----
KEYS=${DISSENT_KEYS:-${DB%.db}.keys}
stop_server
stop_sink
export SINK_AUTH=mailer:env-s3cret
start_sink
unset SINK_AUTH
serve_login() { # ENV=VALUE...: serve (loopback, no TLS) with these settings too, at MAIL_NOW
  stop_server
  start_server "$DB" DISSENT_FAKE_NOW="${MAIL_NOW:-2026-11-23T16:00:00Z}" DISSENT_SMTP="smtp://127.0.0.1:$SMTP_PORT" \
    DISSENT_MAIL_FROM=dissent@dissent.test DISSENT_PUBLIC_URL=$PUBLIC "$@"
  login admin
}
# a wrong password (#13): the mail is not lost, it waits for a retry, and the log says why
serve_login DISSENT_SMTP_USER=mailer DISSENT_SMTP_PASSWORD=wr0ng-pass
api admin POST /api/v1/members/dan/mail '{"address":"dan.wrong@example.org"}' > /dev/null
dan_denied() {
  sql "$DB" "SELECT COUNT(*) FROM mail_outbox o JOIN members m ON m.id = o.member_id WHERE m.username = 'dan' AND o.done_at IS NULL AND o.attempts > 0 AND o.outcome LIKE 'failed%'"
}
wait_until 60 '[ "$(dan_denied)" = 1 ]'
expect_eq "a wrong SMTP password: the mail waits for a retry" "$(dan_denied)" 1
expect_eq "nothing reached the sink" "$(mails_to dan.wrong@example.org)" 0
expect_in "the outcome says the login was refused" \
  "$(sql "$DB" "SELECT o.outcome FROM mail_outbox o JOIN members m ON m.id = o.member_id WHERE m.username = 'dan' AND o.done_at IS NULL")" \
  "Login denied"
expect_in "the server's log warns of it, saying why" "$(grep 'failed' "$E2E_TMP/server.log")" "Login denied"
expect_not_in "the wrong password is not in the server's log" "$(cat "$E2E_TMP/server.log")" "wr0ng-pass"
# the operator corrects the password and restarts; the retry (due a minute later) goes through
MAIL_NOW=2026-11-23T16:30:00Z serve_login DISSENT_SMTP_USER=mailer DISSENT_SMTP_PASSWORD=env-s3cret
expect_eq "with the right password the waiting mail is delivered" "$(wait_mails dan.wrong@example.org 1)" 1
dan_queued() {
  sql "$DB" "SELECT COUNT(*) FROM mail_outbox o JOIN members m ON m.id = o.member_id WHERE m.username = 'dan' AND o.done_at IS NULL"
}
wait_until 60 '[ "$(dan_queued)" = 0 ]'
expect_eq "and it is marked sent" "$(dan_queued)" 0
api admin POST /api/v1/members/dan/mail '{"address":"dan.env@example.org"}' > /dev/null
expect_eq "with DISSENT_SMTP_USER and DISSENT_SMTP_PASSWORD the mail goes through" "$(wait_mails dan.env@example.org 1)" 1
expect_in "logged in as that user" "$(last_mail dan.env@example.org)" "X-Auth-Login: mailer"
expect_not_in "the password is not in the server's log" "$(cat "$E2E_TMP/server.log")" "env-s3cret"
# the key directory's smtp.credentials comes before the environment
stop_server
stop_sink
export SINK_AUTH=keys-mailer:k3ys-s3cret
start_sink
unset SINK_AUTH
install -m 600 /dev/stdin "$KEYS/smtp.credentials" <<< "keys-mailer:k3ys-s3cret"
serve_login DISSENT_SMTP_USER=mailer DISSENT_SMTP_PASSWORD=env-s3cret
api admin POST /api/v1/members/dan/mail '{"address":"dan.keys@example.org"}' > /dev/null
expect_eq "with smtp.credentials in the key directory the mail goes through" "$(wait_mails dan.keys@example.org 1)" 1
expect_in "logged in as its user, not the environment's" "$(last_mail dan.keys@example.org)" "X-Auth-Login: keys-mailer"
stop_server
printf 'no colon here\n' > "$KEYS/smtp.credentials"
OUT=$(timeout 120 "$DISSENT" serve --db "$DB" --listen 127.0.0.1:0 --public-url $PUBLIC --mail-from d@dissent.test \
  --smtp "smtp://127.0.0.1:$SMTP_PORT" --smtp-insecure 2>&1)
expect_in "a malformed smtp.credentials stops serve at start" "$OUT" "must be one line 'user:password'"
rm -f "$KEYS/smtp.credentials"

stop_server
stop_sink
e2e_summary notify
