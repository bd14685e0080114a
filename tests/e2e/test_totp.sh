#!/usr/bin/env bash
# The second factor (TOTP, RFC 6238) and privileged roles in the public log,
# against a real server, with codes computed by oathtool (or python3):
# the policy makes reviewers, leadership, auditors and admins enroll first;
# enrollment takes a first code; a sign-in asks for the code after the
# password (API, CLI, web form); a code is accepted once; recovery codes
# work once; the secret is not in the database; nobody but the member turns
# it off, and an admin reset does not remove it; granting or removing a
# privileged role appends a public leaf without the name, and the monitor
# counts privileged accounts per role. The server's clock is pinned
# (DISSENT_FAKE_NOW) and moved by restarting it, so codes are exact. On
# SQLite by default; on PostgreSQL when DB_URL names an empty database
# (test_postgres.sh runs it so).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
E2E_TMP=$(mktemp -d)
trap 'stop_server; rm -rf "$E2E_TMP"' EXIT
DB=${DB_URL:-$E2E_TMP/dissent.db}
T0=2026-11-20T15:00:00Z
T1=2026-11-20T15:00:30Z
T2=2026-11-20T15:01:00Z
T3=2026-11-20T15:01:30Z

body() { cut -d' ' -f2-; }
api_login() { api - POST /api/v1/login "{\"username\":\"$1\",\"password\":\"$2\"}"; }
# code SECRET TIME: the 6-digit code of the base32 SECRET at TIME (UTC).
code() {
  if command -v oathtool > /dev/null; then oathtool --totp -b --now "${2/T/ } " "$1" | tr -d '\n'
  else python3 - "$1" "$2" <<'PY'
import base64, hashlib, hmac, struct, sys, datetime
k = base64.b32decode(sys.argv[1] + "=" * (-len(sys.argv[1]) % 8))
t = int(datetime.datetime.strptime(sys.argv[2], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc).timestamp()) // 30
h = hmac.new(k, struct.pack(">Q", t), hashlib.sha1).digest()
o = h[-1] & 15
print("%06d" % ((struct.unpack(">I", h[o:o + 4])[0] & 0x7fffffff) % 1000000), end="")
PY
  fi
}
restart_at() { stop_server; start_server "$DB" DISSENT_FAKE_NOW=$1; }
codefile() { printf '%s\n' "$2" > "$E2E_TMP/$1"; echo "$E2E_TMP/$1"; }

"$DISSENT" demo --db "$DB" > "$E2E_TMP/demo.out" || { echo "demo failed"; exit 1; }
expect_in "the demo says the second factor is not required there" "$(cat "$E2E_TMP/demo.out")" "Second factor: not required in the demo"
start_server "$DB" DISSENT_FAKE_NOW=$T0
for u in admin alice rita; do login "$u"; done

# ---- the policy: admins set it (API, CLI); it makes privileged roles enroll ----
expect_in "the demo runs without the policy" "$(as admin admin settings)" "admins: no"
refused "a member cannot change the settings" "$DB" 403 forbidden alice PATCH /api/v1/settings '{"totp_required":true}'
expect_in "the admin turns the policy on (CLI)" "$(as admin admin settings --totp-required on)" "admins: yes"
expect_in "a member cannot read them either" "$(api alice GET /api/v1/settings)" '403 '
expect_in "the admin's own session must enroll now" "$(api admin GET /api/v1/members)" "second factor"
R=$(api_login rita rita-demo-pass)
expect_in "rita signs in with her password alone (she has no second factor yet)" "$R" '"must_enroll":true'
RTOK=$(echo "$R" | body | json 'd["token"]')
printf '{"server":"%s","token":"%s","username":"rita"}' "$URL" "$RTOK" > "$E2E_TMP/session-rita.json"
expect_in "rita may ask who she is" "$(api rita GET /api/v1/me)" '200 '
expect_in "but nothing else until she enrolls (API)" "$(api rita GET /api/v1/memos)" '403 {"error":{"code":"forbidden","message":"your roles require a second factor'
expect_in "nor through the CLI" "$(as rita memo list 2>&1)" "second factor"
web_login rita "$E2E_TMP/rita.jar" > /dev/null
expect_eq "in the browser, every page leads to the enrollment" \
  "$(curl -s -o /dev/null -w '%{redirect_url}' -b "$E2E_TMP/rita.jar" "$URL/")" "$URL/account/totp"
expect_in "a plain member is not concerned" "$(api alice GET /api/v1/memos)" '200 '

# ---- enrollment (CLI): a secret, confirmed by a first code ----
OUT=$(as rita account totp enroll)
SECRET=$(echo "$OUT" | sed -n '2s/^ *\([A-Z2-7]*\)$/\1/p')
expect_eq "the secret is 160 bits of base32" "${#SECRET}" 32
expect_in "with an otpauth:// address" "$OUT" "otpauth://totp/dissent%20"
expect_in "not in force before it is confirmed" "$(api rita GET /api/v1/account/totp)" '"enabled":false,"enrollment_pending":true'
expect_in "a wrong code does not confirm it" "$(as rita account totp confirm --code-file "$(codefile c0 000000)" 2>&1)" "does not match"
OUT=$(as rita account totp confirm --code-file "$(codefile c1 "$(code "$SECRET" $T0)")")
expect_in "the first code turns it on" "$OUT" "second factor: on"
REC=$(echo "$OUT" | sed -n 's/^  \([a-z2-7]\{4\}-[a-z2-7]\{4\}-[a-z2-7]\{4\}-[a-z2-7]\{4\}\)$/\1/p')
expect_eq "ten recovery codes are shown once" "$(echo "$REC" | wc -l)" 10
REC1=$(echo "$REC" | sed -n 1p); REC2=$(echo "$REC" | sed -n 2p)
expect_in "rita's session may go anywhere now" "$(api rita GET /api/v1/memos)" '200 '

# ---- the secret is sealed at rest ----
HEXSECRET=$(python3 -c 'import base64,sys; print(base64.b32decode(sys.argv[1]).hex())' "$SECRET")
if is_pg "$DB"; then DUMP=$("${PG_BIN:+$PG_BIN/}pg_dump" --data-only -d "$DB"); else DUMP=$(sqlite3 "$DB" .dump; cat "$DB" "$DB-wal" 2>/dev/null | strings); fi
expect_eq "the database holds neither the base32 secret" "$(printf '%s' "$DUMP" | grep -c -- "$SECRET")" 0
expect_eq "nor its bytes in hex" "$(printf '%s' "$DUMP" | grep -ci -- "$HEXSECRET")" 0
expect_eq "nor a recovery code" "$(printf '%s' "$DUMP" | grep -c -- "$REC1")" 0
expect_in "the stored secret is a sealed value" "$(sql "$DB" "SELECT secret FROM totp")" "dx1:"

# ---- sign-in: password, then the code ----
R=$(api_login rita rita-demo-pass)
expect_in "the password alone gives a pending login, no session" "$R" '"second_factor":"totp"'
expect_not_in "no token in it" "$R" '"token"'
PEND=$(echo "$R" | body | json 'd["pending"]')
expect_in "a pending login is not a session" "$(curl -s -w '%{http_code}' -o /dev/null -H "Authorization: Bearer $PEND" "$URL/api/v1/me")" 401
expect_in "the code that confirmed the enrollment is used up (replay)" \
  "$(api - POST /api/v1/login/totp "{\"pending\":\"$PEND\",\"code\":\"$(code "$SECRET" $T0)\"}")" '401 '
restart_at $T1
expect_in "the CLI logs in with the code of now (--totp-code-file)" \
  "$(as rita login --server "$URL" --user rita --password-file <(echo rita-demo-pass) --totp-code-file "$(codefile c2 "$(code "$SECRET" $T1)")")" "logged in"
expect_in "its session works" "$(as rita whoami)" "rita"
PEND=$(api_login rita rita-demo-pass | body | json 'd["pending"]')
expect_in "the same code again is refused (used once)" \
  "$(api - POST /api/v1/login/totp "{\"pending\":\"$PEND\",\"code\":\"$(code "$SECRET" $T1)\"}")" '401 '
expect_in "a recovery code signs in instead" \
  "$(api - POST /api/v1/login/totp "{\"pending\":\"$PEND\",\"code\":\"$REC1\"}")" '"must_enroll":false'
expect_in "the pending login was single use" \
  "$(api - POST /api/v1/login/totp "{\"pending\":\"$PEND\",\"code\":\"$REC2\"}")" '401 '
PEND=$(api_login rita rita-demo-pass | body | json 'd["pending"]')
expect_in "a recovery code works once" \
  "$(api - POST /api/v1/login/totp "{\"pending\":\"$PEND\",\"code\":\"$REC1\"}")" '401 '
expect_in "and using one is shown on her account" "$(api rita GET /api/v1/account)" "recovery code was used; 9 left"
expect_in "the CLI without a code and without a terminal refuses" \
  "$(DISSENT_CONFIG="$E2E_TMP/session-rita2.json" setsid -w "$DISSENT" login --server "$URL" --user rita \
     --password-file <(echo rita-demo-pass) < /dev/null 2>&1; echo "exit $?")" "exit 1"

# ---- the web form: the second step after the password ----
restart_at $T2
rm -f "$E2E_TMP/w.jar"
TOKF=$(curl -s -c "$E2E_TMP/w.jar" "$URL/login" | sed -n 's/.*name="login_csrf" value="\([^"]*\)".*/\1/p')
PAGE=$(curl -s -b "$E2E_TMP/w.jar" -c "$E2E_TMP/w.jar" --data-urlencode username=rita \
  --data-urlencode password=rita-demo-pass --data-urlencode "login_csrf=$TOKF" "$URL/login")
expect_in "the web sign-in asks for the code" "$PAGE" "Second step: your code"
WPEND=$(echo "$PAGE" | sed -n 's/.*name="pending" value="\([^"]*\)".*/\1/p')
expect_eq "no session cookie yet" "$(grep -c dissent_session "$E2E_TMP/w.jar")" 0
expect_in "a wrong code is refused on the form" \
  "$(curl -s -b "$E2E_TMP/w.jar" -c "$E2E_TMP/w.jar" --data-urlencode "pending=$WPEND" --data-urlencode code=123456 \
     --data-urlencode "login_csrf=$TOKF" "$URL/login/totp")" "Wrong code"
expect_eq "the right code signs in" \
  "$(curl -s -o /dev/null -w '%{http_code}' -b "$E2E_TMP/w.jar" -c "$E2E_TMP/w.jar" --data-urlencode "pending=$WPEND" \
     --data-urlencode "code=$(code "$SECRET" $T2)" --data-urlencode "login_csrf=$TOKF" "$URL/login/totp")" 303
expect_eq "and the cookie opens the home page" "$(curl -s -o /dev/null -w '%{http_code}' -b "$E2E_TMP/w.jar" "$URL/")" 200

# ---- nobody but the member turns it off; an admin reset keeps it ----
# The admin enrolls too (the policy holds for admins); his code is his own.
ASEC=$(api admin POST /api/v1/account/totp | body | json 'd["secret"]')
expect_in "the admin confirms his own second factor" \
  "$(api admin POST /api/v1/account/totp/confirm "{\"code\":\"$(code "$ASEC" $T2)\"}")" '"enabled":true'
expect_in "an admin has no way to clear rita's second factor" \
  "$(api admin PATCH /api/v1/members/rita '{"totp":false}')" '400 '
expect_in "the disable route is the admin's own (he must give his own code)" \
  "$(api admin POST /api/v1/account/totp/disable '{"code":"000000"}')" '403 '
expect_in "rita's is still on" "$(api rita GET /api/v1/account/totp)" '"enabled":true'
R=$(api rita POST /api/v1/account/recovery-code '{"current_password":"rita-demo-pass"}')
ACODE=$(echo "$R" | body | json 'd["recovery_code"]')
R=$(api admin POST /api/v1/members/rita/reset)
LINK=$(echo "$R" | body | json 'd["setup"]["url"]')
R=$(api - POST "/api/v1/setup/${LINK##*/setup/}" "{\"password\":\"rita-new-password\",\"recovery_code\":\"$ACODE\"}")
expect_in "completing a reset still asks for the second factor" "$R" '"second_factor":"totp"'
expect_not_in "and gives no session" "$R" '"token"'
PEND=$(api_login rita rita-new-password | body | json 'd["pending"]')
for i in 1 2 3 4 5; do api - POST /api/v1/login/totp "{\"pending\":\"$PEND\",\"code\":\"000000\"}" > /dev/null; done
expect_in "five wrong codes end the pending login" \
  "$(api - POST /api/v1/login/totp "{\"pending\":\"$PEND\",\"code\":\"$REC2\"}")" "start again with your password"
expect_in "and the address must wait, even with the right password" \
  "$(api_login rita rita-new-password)" '429 {"error":{"code":"too_many_requests","message":"too many failed logins'
restart_at $T3
expect_in "rita's second factor survived the reset" "$(api_login rita rita-new-password)" '"second_factor":"totp"'
PEND=$(api_login rita rita-new-password | body | json 'd["pending"]')
RT=$(api - POST /api/v1/login/totp "{\"pending\":\"$PEND\",\"code\":\"$(code "$SECRET" $T3)\"}" | body | json 'd["token"]')
printf '{"server":"%s","token":"%s","username":"rita"}' "$URL" "$RT" > "$E2E_TMP/session-rita.json"
refused "turning it off takes a current code" "$DB" 403 forbidden rita POST /api/v1/account/totp/disable '{"code":"000000"}'
expect_in "with a recovery code she turns it off" \
  "$(api rita POST /api/v1/account/totp/disable "{\"code\":\"$REC2\"}")" '"enabled":false'
R=$(api_login rita rita-new-password)
expect_in "then the password signs in, but the policy makes her enroll again" "$R" '"must_enroll":true'

# ---- privileged roles in the public log ----
SIZE=$(api - GET /api/v1/log/checkpoint | body | json 'd["size"]')
expect_in "the admin makes alice a reviewer" "$(api admin PATCH /api/v1/members/alice '{"roles":["member","reviewer"]}')" '200 '
expect_in "and takes it back" "$(api admin PATCH /api/v1/members/alice '{"roles":["member"]}')" '200 '
NEW=$(api - GET "/api/v1/log/leaves?start=$SIZE&end=$((SIZE + 2))" | body)
expect_eq "two public role leaves: grant then revoke, by day" \
  "$(echo "$NEW" | json '" ".join(__import__("json").loads(l["data"])["kind"] + ":" + __import__("json").loads(l["data"])["action"] + ":" + __import__("json").loads(l["data"])["role"] + ":" + __import__("json").loads(l["data"])["at"] for l in d["leaves"])')" \
  "role:grant:reviewer:2026-11-20 role:revoke:reviewer:2026-11-20"
expect_not_in "the leaves do not name alice" "$NEW" "alice"
expect_not_in "nor her organization" "$NEW" '\"state\"'
MON=$(DISSENT_CONFIG=$E2E_TMP/nobody.json DISSENT_LOG_KEYS=$E2E_TMP/logkeys.json "$DISSENT" log monitor --server "$URL" --state "$E2E_TMP/monitor.json" 2>&1)
expect_in "the monitor counts privileged accounts per role" "$MON" "reviewer 1, leadership 1, auditor 1, admin 1"
api admin PATCH /api/v1/members/dan '{"roles":["member","leadership"]}' > /dev/null
MON=$(DISSENT_CONFIG=$E2E_TMP/nobody.json DISSENT_LOG_KEYS=$E2E_TMP/logkeys.json "$DISSENT" log monitor --server "$URL" --state "$E2E_TMP/monitor.json" --full --json 2>&1)
expect_eq "a new leadership account shows in the count" "$(echo "$MON" | json 'd["privileged_accounts"]["leadership"]')" 2

# `dissent init`'s first admin is a public role leaf too, and its installation requires a second factor.
avoid_midnight 60 # the leaf's day is compared with today's
env -u DISSENT_KEYS "$DISSENT" init --db "$E2E_TMP/init.db" > /dev/null 2>&1
expect_eq "dissent init logs the first admin's role, and no name" \
  "$(sqlite3 "$E2E_TMP/init.db" "SELECT data FROM tlog_leaves WHERE kind = 'role'")" \
  "{\"action\":\"grant\",\"at\":\"$(date -u +%Y-%m-%d)\",\"kind\":\"role\",\"role\":\"admin\",\"v\":1}"
expect_eq "a new installation requires a second factor" \
  "$(sqlite3 "$E2E_TMP/init.db" "SELECT value FROM meta WHERE key = 'totp_required'")" 1

e2e_summary totp
