#!/usr/bin/env bash
# The web client on the record (issue #11, "A page you can check"): `serve`
# logs a client-release leaf when it starts a new release and nothing when
# restarted on the same build; `dissent verify-web` passes on a fresh server,
# fails naming the file when an operator's --static-dir changes a served file
# behind the server's back, and fails when the server serves an older
# release than the log's latest. CORS answers requests without credentials
# on the public reads and the anonymous endpoint (a signing page opened from
# disk has origin "null"), never on cookie routes; only the anonymous signing
# pages may compile WebAssembly; the anonymous endpoint leaves no address,
# cookie or time in the server's log and no row in the access log.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
E2E_TMP=$(mktemp -d)
OTHER_PID=
trap 'stop_server; [ -n "$OTHER_PID" ] && kill "$OTHER_PID" 2>/dev/null; rm -rf "$E2E_TMP"' EXIT
DB=$E2E_TMP/dissent.db
OV=$E2E_TMP/static-override
mkdir -p "$OV"
export DISSENT_LOG_KEYS=$E2E_TMP/pins.json DISSENT_CONFIG=$E2E_TMP/nobody.json
"$DISSENT" demo --db "$DB" > /dev/null || { echo "demo failed"; exit 1; }

# releases: the client-release leaves of the log, as "index version manifest" lines
releases() {
  curl -s "$URL/api/v1/log/leaves?start=0&end=1000" | python3 -c '
import json, sys
for l in json.load(sys.stdin)["leaves"]:
    d = json.loads(l["data"])
    if d["kind"] == "client-release":
        print(l["index"], d["version"], d["manifest"])'
}
log_size() { curl -s "$URL/api/v1/log/checkpoint" | json 'd["size"]'; }
vweb() { "$DISSENT" verify-web --server "$URL" "$@" 2>> "$E2E_TMP/vweb.err"; }

# ---- a fresh server logs its release once ----
# (--static-dir through its environment variable: start_server passes VAR=VALUE words to env)
start_server "$DB" DISSENT_STATIC_DIR="$OV"
R=$(releases)
expect_eq "the first start logs one client release" "$(echo "$R" | grep -c .)" 1
REL=$(curl -s "$URL/api/v1/client/release")
expect_eq "the release endpoint's manifest hashes to its sha256" \
  "$(echo "$REL" | python3 -c 'import hashlib,json,sys; d=json.load(sys.stdin); print(hashlib.sha256(d["manifest"].encode()).hexdigest() == d["sha256"])')" True
expect_eq "and the log's leaf holds that sha256" "$(echo "$R" | cut -d' ' -f3)" "$(echo "$REL" | json 'd["sha256"]')"
expect_eq "the endpoint names the leaf" "$(echo "$REL" | json 'd["leaf_index"]')" "$(echo "$R" | cut -d' ' -f1)"
expect_eq "the manifest lists every served file by its SHA-256" \
  "$(echo "$REL" | json 'd["manifest"]' | grep ' /static/dissent.css$' | cut -c1-64)" \
  "$(curl -s "$URL/static/dissent.css" | sha256sum | cut -c1-64)"
expect_in "and the templates" "$(echo "$REL" | json 'd["manifest"]')" " template/memo.html"

OUT=$(vweb); RC=$?
expect_eq "verify-web passes on a fresh server (exit 0)" "$RC" 0
expect_in "and says OK" "$OUT" "OK: the "
expect_in "naming the logged release" "$OUT" "logged at leaf $(echo "$R" | cut -d' ' -f1)"
expect_in "each file checked" "$OUT" "  ok       /static/ui.css"

# ---- restarting the same build appends nothing ----
SIZE=$(log_size)
stop_server
start_server "$DB" DISSENT_STATIC_DIR="$OV"
expect_eq "a restart logs no second release" "$(releases | grep -c .)" 1
expect_eq "the log did not grow" "$(log_size)" "$SIZE"
expect_in "the server says the release was already logged" "$(cat "$E2E_TMP/server.log")" "already in the log"

# ---- a file changed behind the server's back ----
printf 'body { background: #fff } /* and a little more */\n' > "$OV/ui.css"
expect_eq "the changed file is served at once" "$(curl -s "$URL/static/ui.css")" \
  'body { background: #fff } /* and a little more */'
OUT=$(vweb); RC=$?
expect_eq "verify-web fails (exit 1)" "$RC" 1
expect_in "naming the changed file" "$OUT" "CHANGED  /static/ui.css: served sha256 $(sha256sum < "$OV/ui.css" | cut -c1-64)"
expect_in "in its verdict" "$OUT" "MISMATCH: what this server serves is not the release its log records: /static/ui.css"
expect_not_in "and no other" "$OUT" "CHANGED  /static/dissent.css"
J=$(vweb --json)
expect_eq "--json: not ok, one file wrong" "$(echo "$J" | json '[d["ok"], [f["path"] for f in d["files"] if not f["ok"]]]')" \
  '[false, ["/static/ui.css"]]'

# ---- a restart logs the operator's file as a new release, once ----
stop_server
start_server "$DB" DISSENT_STATIC_DIR="$OV"
expect_eq "the restart logs a second release" "$(releases | grep -c .)" 2
OUT=$(vweb); RC=$?
expect_eq "verify-web passes again (exit 0)" "$RC" 0
stop_server
start_server "$DB" DISSENT_STATIC_DIR="$OV"
expect_eq "and another restart logs nothing" "$(releases | grep -c .)" 2

# ---- a new build logs a new release; the old one then fails verify-web ----
# A new build: the same binary with another version string of the same length.
VER=$("$DISSENT" --version | cut -d' ' -f2)
NEWVER=$(printf '%s' "$VER" | sed 's/.$/Z/')
python3 - "$DISSENT" "$E2E_TMP/dissent-new" "$VER" "$NEWVER" <<'PY'
import os, sys
src, dst, old, new = sys.argv[1], sys.argv[2], sys.argv[3].encode(), sys.argv[4].encode()
data = open(src, "rb").read()
assert old in data and len(old) == len(new)
open(dst, "wb").write(data.replace(old, new))
os.chmod(dst, 0o755)
PY
OLD_URL=$URL
OTHER_PID=$SERVER_PID; SERVER_PID=   # keep the old build serving
DISSENT_SAVED=$DISSENT; DISSENT=$E2E_TMP/dissent-new
start_server "$DB" DISSENT_STATIC_DIR="$OV"
DISSENT=$DISSENT_SAVED
R=$(releases)
expect_eq "the new build logs a third release" "$(echo "$R" | grep -c .)" 3
expect_eq "under its version" "$(echo "$R" | tail -1 | cut -d' ' -f2)" "$NEWVER"
OUT=$(vweb); RC=$?
expect_eq "verify-web passes on the new build (exit 0)" "$RC" 0
OUT=$("$DISSENT" verify-web --server "$OLD_URL" 2>&1); RC=$?
expect_eq "the old build, still serving, fails verify-web (exit 1)" "$RC" 1
expect_in "because a later release was logged" "$OUT" "a later release was logged at leaf $(echo "$R" | tail -1 | cut -d' ' -f1)"
kill "$OTHER_PID"; wait "$OTHER_PID" 2>/dev/null; OTHER_PID=

# ---- CORS: the public reads and the anonymous endpoint, without credentials ----
for u in alice bob dan; do login "$u"; done
ID=$(as alice memo new --channel dissent --title "Pages you can check" --marking SBU --body "One." --json | json 'd["id"]')
as alice memo circulate "$ID" > /dev/null
hdrs() { curl -s -o /dev/null -D - "$@" | tr -d '\r'; }
for p in /api/v1/log/key /api/v1/log/checkpoint "/api/v1/log/leaves?start=0&end=1" "/api/v1/log/memos/$ID" \
         "/api/v1/log/proof/inclusion?index=0&size=2" "/api/v1/log/proof/consistency?from=1&to=2" \
         /api/v1/rosters /api/v1/rosters/state "/api/v1/public/memos/$ID" /api/v1/client/release \
         /static/dissent.css; do
  H=$(hdrs -H "Origin: null" "$URL$p")
  expect_in "GET $p from origin null: Access-Control-Allow-Origin: *" "$H" "Access-Control-Allow-Origin: *"
  expect_not_in "GET $p: never with credentials" "$H" "Access-Control-Allow-Credentials"
done
ANON="/api/v1/anonymous/memos/$ID/signatures"
H=$(curl -s -D - -o /dev/null -w '%{http_code}' -X OPTIONS -H "Origin: null" \
  -H "Access-Control-Request-Method: POST" -H "Access-Control-Request-Headers: content-type" "$URL$ANON" | tr -d '\r')
expect_in "the anonymous POST's preflight is answered (204)" "$H" "HTTP/1.1 204"
expect_in "for POST" "$H" "Access-Control-Allow-Methods: POST"
expect_in "with Content-Type, the one header it needs" "$H" "Access-Control-Allow-Headers: Content-Type"
expect_in "from any origin" "$H" "Access-Control-Allow-Origin: *"
expect_not_in "without credentials" "$H" "Access-Control-Allow-Credentials"
H=$(hdrs -X POST -H "Origin: null" -H "Content-Type: application/json" --data '{"signatures":[{}]}' "$URL$ANON")
expect_in "a cross-origin anonymous POST gets an answer it may read" "$H" "Access-Control-Allow-Origin: *"

JAR=$E2E_TMP/alice.jar
expect_eq "alice signs in on the web" "$(web_login alice "$JAR")" 303
for p in /api/v1/me /api/v1/memos "/api/v1/memos/$ID" / "/memos/$ID" /account; do
  H=$(hdrs -b "$JAR" -H "Origin: null" "$URL$p")
  expect_not_in "cookie route $p answers no CORS" "$H" "Access-Control-Allow"
done
H=$(curl -s -D - -o /dev/null -X OPTIONS -H "Origin: null" -H "Access-Control-Request-Method: POST" \
  "$URL/api/v1/memos/$ID/signatures" | tr -d '\r')
expect_in "a preflight for a cookie route is refused (405)" "$H" "HTTP/1.1 405"
expect_not_in "with no CORS header" "$H" "Access-Control-Allow"
H=$(curl -s -D - -o /dev/null -X OPTIONS -H "Origin: null" -H "Access-Control-Request-Method: POST" \
  "$URL/api/v1/rosters/keys" | tr -d '\r')
expect_not_in "nor for enrolling a key (a cookie route beside public reads)" "$H" "Access-Control-Allow"

# ---- CSP: no page of today may compile WebAssembly ----
for p in / /login /public /help/anonymous "/memos/$ID" /account /static/upload.js; do
  H=$(hdrs -b "$JAR" "$URL$p")
  expect_in "$p carries the CSP" "$H" "Content-Security-Policy: default-src 'self'; script-src 'self';"
  expect_not_in "without wasm-unsafe-eval" "$H" "wasm-unsafe-eval"
done

# ---- the help page, linked from the memo page ----
expect_in "the memo page links to the help on network anonymity" \
  "$(curl -s -b "$JAR" "$URL/memos/$ID")" '<a href="/help/anonymous">'
HELP=$(curl -s "$URL/help/anonymous")
expect_in "the help page needs no login and says what the server sees" "$HELP" "your network address"
expect_in "and how to sign through Tor" "$HELP" "Tor Browser"

# ---- the anonymous endpoint leaves no trace in the logs ----
stop_server
start_server "$DB" DISSENT_STATIC_DIR="$OV" DISSENT_LOG_LEVEL=debug
for u in alice bob dan; do login "$u"; done
keyf() { printf '%s/%s.key' "$E2E_TMP" "$1"; }
for u in bob dan; do
  printf '%s ring passphrase\n' "$u" > "$E2E_TMP/$u.pass"
  as "$u" key new --key "$(keyf "$u")" --passphrase-file "$E2E_TMP/$u.pass" > /dev/null
  as "$u" key enroll --key "$(keyf "$u")" --passphrase-file "$E2E_TMP/$u.pass" > /dev/null
done
ID2=$(as alice memo new --channel dissent --title "Signed in the dark" --marking SBU --body "Two." --json | json 'd["id"]')
as alice memo circulate "$ID2" > /dev/null
READS=$(sql "$DB" "SELECT COUNT(*) FROM access_log")
LINES=$(wc -l < "$E2E_TMP/server.log")
OUT=$(as bob sign "$ID2" --anonymous --key "$(keyf bob)" --passphrase-file "$E2E_TMP/bob.pass" --min-ring 2 2>&1)
expect_in "bob signs anonymously" "$OUT" "anonymous signature"
curl -s -o /dev/null -X OPTIONS -H "Origin: null" -H "Access-Control-Request-Method: POST" \
  -H "Cookie: dissent_session=cookie-marker-123" "$URL/api/v1/anonymous/memos/$ID2/signatures"
curl -s -o /dev/null -X POST -H "Origin: null" -H "Content-Type: application/json" \
  -H "Cookie: dissent_session=cookie-marker-123" --data '{"signatures":[{}]}' "$URL/api/v1/anonymous/memos/$ID2/signatures"
# the server logs a request once it has answered it: wait for the lines
anon_lines() { tail -n +"$((LINES + 1))" "$E2E_TMP/server.log" | grep 'anonymous/memos' | grep -c 'anonymous$'; }
wait_until 60 '[ "$(anon_lines)" -ge 3 ]'
sleep 0.2 # and for any line that should not be there
NEW=$(tail -n +"$((LINES + 1))" "$E2E_TMP/server.log")
ALINES=$(echo "$NEW" | grep 'anonymous/memos')
expect_eq "even at debug level, three anonymous requests give three bare lines" "$(echo "$ALINES" | grep -c 'anonymous$')" 3
expect_not_in "with no duration" "$ALINES" "ms"
expect_not_in "no address in the log" "$NEW" "127.0.0.1"
expect_not_in "no cookie in the log" "$NEW" "cookie-marker-123"
expect_not_in "no memo id in the log" "$NEW" "$ID2"
expect_eq "and no row in the access log" "$(sql "$DB" "SELECT COUNT(*) FROM access_log")" "$READS"
expect_eq "the stored signature keeps the day, not the moment" \
  "$(sql "$DB" "SELECT day FROM anon_signatures" | python3 -c 'import sys,time; d=int(sys.stdin.read()); print(int(time.time()) // 86400 - d in (0, 1))')" True
stop_server
e2e_summary verify_web
