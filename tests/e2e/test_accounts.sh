#!/usr/bin/env bash
# Accounts without shared secrets, against a real server: the admin can
# neither set nor learn a password (so cannot sign in as a member, even
# through a reset), setup links work once and for 72 hours, a reset or a
# disable ends every session at once and enabling revives none, members
# change their own password, and account events reach the member and the
# auditors. `dissent init` hands out a setup link. On SQLite by default; on
# PostgreSQL when DB_URL names an empty database (test_postgres.sh runs it so).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
E2E_TMP=$(mktemp -d)
trap 'stop_server; rm -rf "$E2E_TMP"' EXIT
DB=${DB_URL:-$E2E_TMP/dissent.db}
T0=2026-11-20T15:00:00Z

"$DISSENT" demo --db "$DB" > /dev/null || { echo "demo failed"; exit 1; }
start_server "$DB" DISSENT_FAKE_NOW=$T0
for u in admin alice ian bob; do login "$u"; done

# body JSON: the part after "STATUS " of an api reply.
body() { cut -d' ' -f2-; }
# api_login USER PASSWORD: "STATUS BODY" of a JSON login.
api_login() { api - POST /api/v1/login "{\"username\":\"$1\",\"password\":\"$2\"}"; }
pwfile() { printf '%s\n' "$2" > "$E2E_TMP/$1"; echo "$E2E_TMP/$1"; }

# ---- the admin cannot set a password ----
refused "admin PATCH with a password" "$DB" 400 invalid_input admin PATCH /api/v1/members/alice \
  '{"password":"admin-knows-this"}'
expect_in "the admin's password does not log in as alice" "$(api_login alice admin-knows-this)" '401 '
expect_in "alice's own password still works" "$(api_login alice alice-demo-pass)" '200 '
refused "admin creates a member with a password" "$DB" 400 invalid_input admin POST /api/v1/members \
  '{"username":"mona","display_name":"Mona Mills","organization":"state","roles":["member"],"password":"admin-knows-this"}'

# ---- a new account gets a one-time setup link ----
R=$(api admin POST /api/v1/members '{"username":"mona","display_name":"Mona Mills","organization":"state","roles":["member"]}')
expect_in "member created" "$R" '201 '
LINK=$(echo "$R" | body | json 'd["setup"]["url"]')
TOK=${LINK##*/setup/}
expect_eq "the setup link is this server's /setup/<43 characters>" "${LINK%/setup/*}|${#TOK}" "$URL|43"
expect_not_in "the link is shown once: not in the member list" "$(api admin GET /api/v1/members)" "$TOK"
if is_pg "$DB"; then DUMP=$("${PG_BIN:+$PG_BIN/}pg_dump" --data-only -d "$DB"); else DUMP=$(sqlite3 "$DB" .dump); fi
expect_eq "only the token's hash is stored" "$(printf '%s' "$DUMP" | grep -c -- "$TOK")" 0
expect_in "the new account has no password yet" "$(api_login mona '')" '400 '
expect_in "the setup link names the account" "$(api - GET "/api/v1/setup/$TOK")" '"username":"mona"'
OUT=$(as mona account setup --token "$LINK" --password-file "$(pwfile pw-mona mona-first-password)" 2>&1)
expect_in "the member chooses the password through the link (CLI)" "$OUT" "password set; logged in"
CODE=$(echo "$OUT" | sed -n 's/^recovery code.*: \([a-z2-7-]*\)$/\1/p')
expect_eq "a recovery code is shown once" "${#CODE}" 29
expect_in "mona is signed in" "$(as mona whoami)" "mona"
expect_in "the link works once" "$(api - POST "/api/v1/setup/$TOK" '{"password":"second-try-password"}')" '404 '
expect_in "mona logs in with her password" "$(api_login mona mona-first-password)" '200 '

# ---- a reset ends every session, and the admin cannot complete it ----
web_login mona "$E2E_TMP/mona.jar" mona-first-password > /dev/null
expect_eq "mona's browser session works" \
  "$(curl -s -o /dev/null -w '%{http_code}' -b "$E2E_TMP/mona.jar" "$URL/")" 200
R=$(api admin POST /api/v1/members/mona/reset)
expect_in "admin resets mona" "$R" '200 '
RLINK=$(echo "$R" | body | json 'd["setup"]["url"]')
RTOK=${RLINK##*/setup/}
expect_in "mona's CLI token died at the reset" "$(api mona GET /api/v1/me)" '401 '
expect_eq "mona's browser cookie died at the reset" \
  "$(curl -s -o /dev/null -w '%{http_code}' -b "$E2E_TMP/mona.jar" "$URL/")" 303
expect_in "the old password stopped working" "$(api_login mona mona-first-password)" '401 '
expect_in "a reset link asks for the recovery code" "$(api - GET "/api/v1/setup/$RTOK")" '"needs_recovery_code":true'
before=$(snapshot "$DB")
expect_in "the admin cannot complete the reset without the code" \
  "$(api - POST "/api/v1/setup/$RTOK" '{"password":"admin-chosen-password"}')" '403 '
expect_in "nor with a guessed code" \
  "$(api - POST "/api/v1/setup/$RTOK" '{"password":"admin-chosen-password","recovery_code":"aaaaa-aaaaa-aaaaa-aaaaa-aaaaa"}')" '403 '
expect_eq "the refused attempts changed nothing" "$(snapshot "$DB")" "$before"
expect_in "the admin's password does not sign in as mona" "$(api_login mona admin-chosen-password)" '401 '
OUT=$(as mona account setup --token "$RLINK" --recovery-code "$CODE" \
  --password-file "$(pwfile pw-mona2 mona-second-password)" 2>&1)
expect_in "mona completes the reset with her recovery code" "$OUT" "password set; logged in"
CODE2=$(echo "$OUT" | sed -n 's/^recovery code.*: \([a-z2-7-]*\)$/\1/p')
expect_in "and sees that an admin reset her password" "$OUT" "Password reset"
expect_eq "a new recovery code replaces the used one" "$([ -n "$CODE2" ] && [ "$CODE2" != "$CODE" ] && echo new)" new
refused "an account without a recovery code cannot be reset" "$DB" 409 conflict admin POST /api/v1/members/alice/reset

# ---- disable ends every session; enable revives none ----
printf 'mona-second-password\n' > "$E2E_TMP/pw"
as mona login --server "$URL" --user mona --password-file "$E2E_TMP/pw" > /dev/null
web_login mona "$E2E_TMP/mona2.jar" mona-second-password > /dev/null
expect_in "mona's new token works" "$(api mona GET /api/v1/me)" '200 '
expect_in "admin disables mona" "$(api admin PATCH /api/v1/members/mona '{"disabled":true}')" '"disabled":true'
expect_in "the token died at the disable" "$(api mona GET /api/v1/me)" '401 '
expect_in "a disabled account cannot log in" "$(api_login mona mona-second-password)" '401 '
expect_in "admin enables mona again" "$(as admin admin member enable mona)" "enabled"
expect_in "re-enabling does not revive the token" "$(api mona GET /api/v1/me)" '401 '
expect_eq "nor the browser cookie" \
  "$(curl -s -o /dev/null -w '%{http_code}' -b "$E2E_TMP/mona2.jar" "$URL/")" 303
expect_eq "no session of mona is left" \
  "$(sql "$DB" "SELECT COUNT(*) FROM sessions s JOIN members m ON m.id = s.member_id WHERE m.username = 'mona'")" 0

# ---- channels from the CLI: the policy said in words ----
OUT=$(as admin admin channel add whistle --name "Whistleblowing" --preset eu-directive --ceiling SBU)
expect_in "a channel without extensions says so" "$OUT" "no extension"
expect_not_in "not 'extension up to 0 months'" "$OUT" "up to 0"
expect_in "its deadlines in words" "$OUT" "acknowledge within 7 days, answer within 3 months"
OUT=$(as admin admin channel add dissent2 --name "Dissent 2" --preset state-dissent --ceiling SBU)
expect_in "a channel with one extension says how long" "$OUT" "one extension up to 60 working days"

# the admin's page names each member's organization, not its slug
expect_eq "admin signs in on the web" "$(web_login admin "$E2E_TMP/admin.jar")" 303
ADMIN_PAGE=$(curl -s -b "$E2E_TMP/admin.jar" "$URL/" | tr -d '\n')
expect_in "the member list names the organization" "$ADMIN_PAGE" "<td>U.S. Department of State</td>"
expect_not_in "not by its slug" "$ADMIN_PAGE" "<td>state</td>"

# ---- when the policy office is reminded: a channel setting (CLI and admin page) ----
expect_in "by default one working day before (CLI)" "$(as admin admin channel reminder dissent)" \
  "channel dissent reminds the policy office 1 working day before each deadline"
expect_in "the admin sets two (CLI)" "$(as admin admin channel reminder dissent 2)" \
  "channel dissent reminds the policy office 2 working days before each deadline"
OUT=$(as admin admin channel reminder dissent 99 2>&1); RC=$?
expect_eq "too many is refused (exit 1)" "$RC" 1
expect_in "saying why" "$OUT" "0 to 20"
expect_in "and nothing changed" "$(as admin admin channel reminder dissent)" "2 working days before"
OUT=$(as alice admin channel reminder dissent 3 2>&1); RC=$?
expect_eq "a member cannot set it (exit 1)" "$RC" 1
ADMIN_PAGE=$(curl -s -b "$E2E_TMP/admin.jar" "$URL/" | tr -d '\n')
expect_in "the admin page says it per channel" "$ADMIN_PAGE" "reminds the policy office 2 working days before a deadline"
CSRF=$(printf '%s' "$ADMIN_PAGE" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
ST=$(curl -s -o /dev/null -w '%{http_code}' -b "$E2E_TMP/admin.jar" --data-urlencode "csrf=$CSRF" \
  --data-urlencode "channel=dissent" --data-urlencode "days=0" "$URL/admin/reminders")
expect_eq "the admin page's form sets it (303)" "$ST" 303
expect_in "0: on the due day, said so" "$(curl -s -b "$E2E_TMP/admin.jar" "$URL/" | tr -d '\n')" "reminds the policy office on the day a deadline falls due"
ST=$(curl -s -o "$E2E_TMP/rem.html" -w '%{http_code}' -b "$E2E_TMP/admin.jar" --data-urlencode "csrf=$CSRF" \
  --data-urlencode "channel=dissent" --data-urlencode "days=soon" "$URL/admin/reminders")
expect_eq "a form with no number is refused (400)" "$ST" 400
expect_in "with the reason" "$(cat "$E2E_TMP/rem.html")" "must be 0 to 20"
expect_in "and what was typed" "$(cat "$E2E_TMP/rem.html")" 'value="soon"'
expect_in "nothing changed" "$(as admin admin channel reminder dissent)" "on the day each deadline falls due"
as admin admin channel reminder dissent 1 > /dev/null

# ---- account events: the member at next sign-in, the auditor always ----
api admin PATCH /api/v1/members/mona '{"roles":["member","reviewer"]}' > /dev/null
R=$(api_login mona mona-second-password)
expect_in "at next sign-in mona is told about the disable" "$R" "Account disabled"
expect_in "and about the new roles" "$R" "Roles changed from member to member, reviewer."
expect_eq "each notice is shown once" "$(api_login mona mona-second-password | body | json 'len(d["notices"])')" 0
as mona login --server "$URL" --user mona --password-file "$E2E_TMP/pw" > /dev/null
OUT=$(as mona account show)
expect_in "the account page lists the reset" "$OUT" "Password reset"
expect_in "and who did it" "$OUT" "(by admin)"
EV=$(api ian GET /api/v1/account-events)
expect_in "the auditor reads the account events" \
  "$(echo "$EV" | body | json '" ".join(e["kind"] for e in d["events"] if e["username"] == "mona")')" \
  "disabled password_set reset password_set created"
expect_in "the auditor's home page shows them" \
  "$(web_login ian "$E2E_TMP/ian.jar" > /dev/null; curl -s -b "$E2E_TMP/ian.jar" "$URL/")" "Account events"
# In the browser: the sign-in goes to the account page first, which shows the notice once.
api admin PATCH /api/v1/members/mona '{"roles":["member"]}' > /dev/null
rm -f "$E2E_TMP/mona3.jar"
TOKF=$(curl -s -c "$E2E_TMP/mona3.jar" "$URL/login" | sed -n 's/.*name="login_csrf" value="\([^"]*\)".*/\1/p')
expect_eq "the web sign-in leads to the account page first" \
  "$(curl -s -o /dev/null -w '%{redirect_url}' -b "$E2E_TMP/mona3.jar" -c "$E2E_TMP/mona3.jar" \
     --data-urlencode username=mona --data-urlencode password=mona-second-password \
     --data-urlencode "login_csrf=$TOKF" "$URL/login")" "$URL/account?notices=1"
PAGE=$(curl -s -b "$E2E_TMP/mona3.jar" "$URL/account?notices=1")
expect_in "which tells what changed since the last sign-in" "$PAGE" "Since you last signed in"
expect_in "naming the change" "$PAGE" "Roles changed from member, reviewer to member."
expect_not_in "once" "$(curl -s -b "$E2E_TMP/mona3.jar" "$URL/account")" "Since you last signed in"
refused "members do not read account events" "$DB" 403 forbidden bob GET /api/v1/account-events
refused "admins do not read account events" "$DB" 403 forbidden admin GET /api/v1/account-events

# ---- members change their own password ----
login bob
web_login bob "$E2E_TMP/bob.jar" > /dev/null
cp "$E2E_TMP/session-bob.json" "$E2E_TMP/session-bob2.json"
OUT=$(as bob account password --password-file "$(pwfile cur wrong-password)" \
  --new-password-file "$(pwfile new bob-new-password)" 2>&1)
expect_in "a wrong current password is refused" "$OUT" "current password is not right"
printf 'bob-demo-pass\n' > "$E2E_TMP/pw"
as bob2 login --server "$URL" --user bob --password-file "$E2E_TMP/pw" > /dev/null
OUT=$(as bob account password --password-file "$(pwfile cur bob-demo-pass)" \
  --new-password-file "$(pwfile new bob-new-password)" 2>&1)
expect_in "bob changes his password" "$OUT" "password changed"
expect_in "the session that changed it goes on" "$(api bob GET /api/v1/me)" '200 '
expect_in "his other CLI session ended" "$(api bob2 GET /api/v1/me)" '401 '
expect_eq "his browser session ended" \
  "$(curl -s -o /dev/null -w '%{http_code}' -b "$E2E_TMP/bob.jar" "$URL/")" 303
expect_in "the old password no longer works" "$(api_login bob bob-demo-pass)" '401 '
expect_in "the new one does" "$(api_login bob bob-new-password)" '200 '

# ---- setup links expire after 72 hours ----
R=$(api admin POST /api/v1/members '{"username":"nina","display_name":"Nina","organization":"state","roles":["member"]}')
NTOK=$(echo "$R" | body | json 'd["setup"]["token"]')
R=$(api admin POST /api/v1/members '{"username":"omar","display_name":"Omar","organization":"state","roles":["member"]}')
OTOK=$(echo "$R" | body | json 'd["setup"]["token"]')
stop_server
start_server "$DB" DISSENT_FAKE_NOW=2026-11-23T14:00:00Z
expect_in "a link still works after 71 hours" \
  "$(api - POST "/api/v1/setup/$OTOK" '{"password":"omar-long-password"}')" '200 '
stop_server
start_server "$DB" DISSENT_FAKE_NOW=2026-11-23T16:00:00Z
expect_in "a link is refused after 72 hours" "$(api - GET "/api/v1/setup/$NTOK")" '404 '
expect_in "and cannot be completed" \
  "$(api - POST "/api/v1/setup/$NTOK" '{"password":"nina-long-password"}')" '404 '
expect_in "the setup page says so" "$(curl -s "$URL/setup/$NTOK")" "expired or was already used"
stop_server

# ---- dissent init hands the first admin a setup link ----
OUT=$("$DISSENT" init --db "$E2E_TMP/init.db" 2>&1)
expect_in "init prints a setup link, no password" "$OUT" "setup link:    /setup/"
expect_not_in "init prints no password" "$OUT" "password:"
ITOK=$(echo "$OUT" | sed -n 's|.*setup link: *[^ ]*/setup/\([A-Za-z0-9_-]*\).*|\1|p')
start_server "$E2E_TMP/init.db"
expect_in "the admin chooses the password through it" \
  "$(api - POST "/api/v1/setup/$ITOK" '{"password":"first-admin-password"}')" '"username":"admin"'
expect_in "and logs in" "$(api_login admin first-admin-password)" '200 '
stop_server
printf 'file-admin-password\n' > "$E2E_TMP/adminpw"
"$DISSENT" init --db "$E2E_TMP/init2.db" --password-file "$E2E_TMP/adminpw" > /dev/null
start_server "$E2E_TMP/init2.db"
expect_in "init --password-file still sets the password" "$(api_login admin file-admin-password)" '200 '
stop_server

e2e_summary accounts
