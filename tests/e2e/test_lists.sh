#!/usr/bin/env bash
# Lists that grow with the institution come in pages, against a real server
# (docs/api.md): the signer list of a memo with 451 named co-signers (most at
# one second) is read through the API a page at a time, and the pages hold
# every co-signer exactly once; the default page is bounded; a limit over the
# maximum and a malformed cursor are a 400 with the JSON error shape; each
# page read is one row in the access log; the CLI prints every co-signer
# (paging through); the web page shows one page with a link to the next.
# The whole list used to be one reply (100,000 co-signers: 10 MB, 126 MB of
# the server's memory for that one request).
# On SQLite by default; on PostgreSQL when DB_URL names an empty database.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
E2E_TMP=$(mktemp -d)
trap 'stop_server; rm -rf "$E2E_TMP"' EXIT
DB=${DB_URL:-$E2E_TMP/dissent.db}
EXTRA=450

"$DISSENT" demo --db "$DB" > /dev/null || { echo "demo failed"; exit 1; }
start_server "$DB"
for u in alice bob admin ian; do login "$u"; done

B=/api/v1/memos
ID=$(api alice POST $B '{"channel":"dissent","title":"Many signers","marking":"SBU","body":"Text."}' |
  sed 's/^[0-9]* //' | json 'd["id"]')
expect_eq "memo created" "${#ID}" 26
api alice POST "$B/$ID/circulate" > /dev/null
expect_eq "bob signs" "$(api bob POST "$B/$ID/signatures" '{}' | cut -d' ' -f1)" 200
# 450 more co-signers, put in through the database (two seconds for all)
sql "$DB" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $EXTRA)
  INSERT INTO members(username, display_name, org_id, roles, password_hash, created_at)
  SELECT 'signer' || i, 'Signer ' || i, (SELECT MIN(id) FROM organizations), 1, '', 1 FROM n" > /dev/null
sql "$DB" "INSERT INTO signatures(memo_id, member_id, version, signed_at, salt)
  SELECT (SELECT id FROM memos WHERE public_id = '$ID'), id, 1, 1700000000 + id % 2, '00'
  FROM members WHERE username LIKE 'signer%'" > /dev/null
ALL=$((EXTRA + 1))
reads() { sql "$DB" "SELECT COUNT(*) FROM access_log WHERE what = 'signer list'"; }

# the default page is bounded, and names the next
R=$(api alice GET "$B/$ID/signatures")
expect_eq "default page: 200" "${R%% *}" 200
expect_eq "default page: 200 co-signers" "$(json 'len(d["signatures"])' < "$E2E_TMP/resp")" 200
expect_eq "default page: a next_after" "$(json 'type(d["next_after"]).__name__' < "$E2E_TMP/resp")" str

# pages of 170 hold every co-signer exactly once, the last with next_after null
BEFORE=$(reads)
OUT=$(python3 - "$URL$B/$ID/signatures" "$(token alice)" <<'PY'
import json, sys, urllib.request
url, tok = sys.argv[1], sys.argv[2]
after, names, pages = None, [], 0
while True:
    q = url + "?limit=170" + ("&after=" + after if after else "")
    r = urllib.request.urlopen(urllib.request.Request(q, headers={"Authorization": "Bearer " + tok}))
    d = json.load(r)
    pages += 1
    assert 1 <= len(d["signatures"]) <= 170, len(d["signatures"])
    names += [s["username"] for s in d["signatures"]]
    after = d["next_after"]
    if after is None:
        break
    assert pages < 100
print(pages, len(names), len(set(names)))
PY
)
expect_eq "pages of 170: 3 pages, every co-signer once" "$OUT" "3 $ALL $ALL"
expect_eq "each page read is one access-log row" "$(($(reads) - BEFORE))" 3

# a bad limit or cursor: 400 invalid_input, and no read recorded
BEFORE=$(reads)
for q in limit=0 limit=1001 limit=abc "limit=" after=x after=5 after=1-0 after=-1-2 "after=1-2-3" \
  "after=99999999999999999999-1"; do
  R=$(api alice GET "$B/$ID/signatures?$q")
  case "$q" in
    limit=) expect_eq "$q: the default" "${R%% *}" 200 ;;
    *)
      expect_eq "$q: 400" "${R%% *}" 400
      expect_eq "$q: the JSON error shape" "$(json 'd["error"]["code"]' < "$E2E_TMP/resp")" invalid_input
      ;;
  esac
done
expect_eq "refused pages are not recorded" "$(($(reads) - BEFORE))" 1
R=$(api alice GET "$B/$ID/signatures?limit=1000")
expect_eq "limit=1000 (the maximum): every co-signer" "$(json 'len(d["signatures"])' < "$E2E_TMP/resp")" "$ALL"
expect_eq "limit=1000: the last page" "$(json 'd["next_after"]' < "$E2E_TMP/resp")" None
expect_eq "a plain member is still refused" "$(api bob GET "$B/$ID/signatures?limit=5" | cut -d' ' -f1)" 403

# the CLI pages through them all
expect_eq "CLI: every co-signer, and the header" "$(as alice memo signers "$ID" | wc -l)" $((ALL + 1))
expect_eq "CLI --json: every co-signer once" \
  "$(as alice memo signers "$ID" --json | json 'str(len(set(s["username"] for s in d["signatures"]))) + " " + str(d["next_after"])')" \
  "$ALL None"

# the web page: one page, with a link to the next
PAGE=$(curl -s -b "dissent_session=$(token alice)" "$URL/memos/$ID/signers")
expect_eq "page: 200 rows" "$(printf '%s' "$PAGE" | grep -o '<tr><td>' | wc -l)" 200
expect_in "page: a link to the next" "$PAGE" 'rel="next">Next page'
NEXT=$(printf '%s' "$PAGE" | sed -n 's/.*href="\([^"]*\)" rel="next".*/\1/p' | sed 's/&amp;/\&/g')
expect_in "page: the next page's link carries the cursor" "$NEXT" "after="
COUNT=200
while [ -n "$NEXT" ]; do
  PAGE=$(curl -s -b "dissent_session=$(token alice)" "$URL$NEXT")
  COUNT=$((COUNT + $(printf '%s' "$PAGE" | grep -o '<tr><td>' | wc -l)))
  NEXT=$(printf '%s' "$PAGE" | sed -n 's/.*href="\([^"]*\)" rel="next".*/\1/p' | sed 's/&amp;/\&/g')
done
expect_eq "pages: every co-signer" "$COUNT" "$ALL"
expect_in "the last page links back to the first" "$PAGE" "First page"
expect_eq "page: a malformed cursor is a 400" \
  "$(curl -s -o /dev/null -w '%{http_code}' -b "dissent_session=$(token alice)" "$URL/memos/$ID/signers?after=x")" 400

# ---- the member list (admins) ----
ALLM=$(sql "$DB" "SELECT COUNT(*) FROM members")
R=$(api admin GET /api/v1/members)
expect_eq "members: default page of 200" "$(json 'len(d["members"])' < "$E2E_TMP/resp")" 200
expect_eq "members: a next_after" "$(json 'type(d["next_after"]).__name__' < "$E2E_TMP/resp")" str
OUT=$(python3 - "$URL/api/v1/members" "$(token admin)" <<'PY'
import json, sys, urllib.parse, urllib.request
url, tok = sys.argv[1], sys.argv[2]
after, names, pages = None, [], 0
while True:
    q = url + "?limit=150" + ("&after=" + urllib.parse.quote(after) if after else "")
    d = json.load(urllib.request.urlopen(urllib.request.Request(q, headers={"Authorization": "Bearer " + tok})))
    pages += 1
    assert len(d["members"]) <= 150
    names += [m["username"] for m in d["members"]]
    after = d["next_after"]
    if after is None:
        break
    assert pages < 100
print(len(names), len(set(names)))
PY
)
expect_eq "members: pages of 150 hold every member once" "$OUT" "$ALLM $ALLM"
for q in limit=0 limit=1001 limit=x after=A "after=a%20b" "after=-a"; do
  R=$(api admin GET "/api/v1/members?$q")
  expect_eq "members $q: 400 invalid_input" "${R%% *} $(json 'd["error"]["code"]' < "$E2E_TMP/resp")" "400 invalid_input"
done
expect_eq "members: still for admins only" "$(api alice GET /api/v1/members | cut -d' ' -f1)" 403
HOME_PAGE=$(curl -s -b "dissent_session=$(token admin)" "$URL/")
expect_in "admin page: a link to the next page of members" "$HOME_PAGE" 'rel="next">Next page'
NEXT=$(printf '%s' "$HOME_PAGE" | sed -n 's/.*href="\(\/?members_after=[^"]*\)" rel="next".*/\1/p')
HOME_PAGE=$(curl -s -b "dissent_session=$(token admin)" "$URL$NEXT")
expect_in "admin page 2: the next members" "$HOME_PAGE" \
  "<td class=\"mono\">$(sql "$DB" "SELECT username FROM members ORDER BY username LIMIT 1 OFFSET 200")</td>"
expect_in "admin page 2: back to the first" "$HOME_PAGE" "First page"

# ---- every account's events (auditors) ----
sql "$DB" "INSERT INTO account_events(member_id, kind, actor, detail, at, seen)
  SELECT id, 'role_changed', NULL, 'Event of ' || username, 1700000000, 1 FROM members
  WHERE username LIKE 'signer%'" > /dev/null
ALLE=$(sql "$DB" "SELECT COUNT(*) FROM account_events")
R=$(api ian GET /api/v1/account-events)
expect_eq "events: default page of 200" "$(json 'len(d["events"])' < "$E2E_TMP/resp")" 200
expect_eq "events: a next_before" "$(json 'type(d["next_before"]).__name__' < "$E2E_TMP/resp")" int
OUT=$(python3 - "$URL/api/v1/account-events" "$(token ian)" <<'PY'
import json, sys, urllib.request
url, tok = sys.argv[1], sys.argv[2]
before, ids, pages = None, [], 0
while True:
    q = url + "?limit=170" + ("&before=%d" % before if before else "")
    d = json.load(urllib.request.urlopen(urllib.request.Request(q, headers={"Authorization": "Bearer " + tok})))
    pages += 1
    assert len(d["events"]) <= 170
    ids += [e["id"] for e in d["events"]]
    before = d["next_before"]
    if before is None:
        break
    assert pages < 100
assert ids == sorted(ids, reverse=True), "newest first"
print(len(ids), len(set(ids)))
PY
)
expect_eq "events: pages of 170 hold every event once" "$OUT" "$ALLE $ALLE"
for q in limit=0 limit=501 limit=x before=0 before=x before=-3; do
  R=$(api ian GET "/api/v1/account-events?$q")
  expect_eq "events $q: 400 invalid_input" "${R%% *} $(json 'd["error"]["code"]' < "$E2E_TMP/resp")" "400 invalid_input"
done
expect_eq "events: still for auditors only" "$(api admin GET /api/v1/account-events | cut -d' ' -f1)" 403
HOME_PAGE=$(curl -s -b "dissent_session=$(token ian)" "$URL/")
expect_in "auditor's page: a link to older events" "$HOME_PAGE" 'rel="next">Older events'
NEXT=$(printf '%s' "$HOME_PAGE" | sed -n 's/.*href="\(\/?events_before=[^"]*\)" rel="next".*/\1/p')
expect_in "auditor's page 2: back to the newest" "$(curl -s -b "dissent_session=$(token ian)" "$URL$NEXT")" "The newest"

e2e_summary lists
