#!/usr/bin/env bash
# The auditor's access log (issue #13): titles and links, filters by memo,
# member and dates, pages with a maximum size and a total, and the CSV
# export (API, page and CLI) with its Content-Type, Content-Disposition,
# RFC 4180 escaping and defused spreadsheet formulas; auditors only; each
# title shown or exported is itself recorded as the auditor's read.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
E2E_TMP=$(mktemp -d)
avoid_midnight 900 # the test compares the days of reads and memos with today
trap 'stop_server; rm -rf "$E2E_TMP"' EXIT
DB=${DB_URL:-$E2E_TMP/dissent.db}

"$DISSENT" demo --db "$DB" > /dev/null || { echo "demo failed"; exit 1; }
start_server "$DB"
for u in alice bob carol ian; do login "$u"; done
B=/api/v1/memos
body() { sed 's/^[0-9]* //'; }
TODAY=$(date -u +%Y-%m-%d)

# A title a spreadsheet would run, with a comma and quotes in it.
EVIL='=HYPERLINK("http://evil.example","click"), said "she"'
ID1=$(as alice memo new --channel dissent --title "$EVIL" --marking SBU --body "One." --json | json 'd["id"]')
ID2=$(as alice memo new --channel dissent --title "Second memo" --marking SBU --body "Two." --json | json 'd["id"]')
as alice memo circulate "$ID1" > /dev/null
as alice memo circulate "$ID2" > /dev/null
api bob GET "$B/$ID1" > /dev/null
api bob GET "$B/$ID1" > /dev/null
api carol GET "$B/$ID2" > /dev/null
count() { sql "$DB" "SELECT COUNT(*) FROM access_log a JOIN members m ON m.id = a.reader_id JOIN memos x ON x.id = a.memo_id WHERE $1"; }

# ---- filters, titles, pages (API) ----
OUT=$(api ian GET "/api/v1/access-log?memo=$ID1&member=bob" | body)
expect_eq "by memo and member: bob's two reads" "$(printf '%s' "$OUT" | json 'd["total"]')" 2
expect_eq "every row is bob's on that memo" \
  "$(printf '%s' "$OUT" | json '" ".join(sorted(set(x["reader"] + "/" + x["memo"] for x in d["entries"])))')" "bob/$ID1"
expect_eq "with the memo's title" "$(printf '%s' "$OUT" | json 'd["entries"][0]["title"]')" "$EVIL"
expect_eq "the filters are echoed" "$(printf '%s' "$OUT" | json 'd["filters"]["member"]')" bob
WANT=$(count "m.username = 'bob'")
OUT=$(api ian GET "/api/v1/access-log?member=bob" | body)
expect_eq "by member: the total counts every match" "$(printf '%s' "$OUT" | json 'd["total"]')" "$WANT"
OUT=$(api ian GET "/api/v1/access-log?from=$TODAY&to=$TODAY&memo=$ID2" | body)
expect_eq "today, memo 2: carol's read" "$(printf '%s' "$OUT" | json '[x["reader"] for x in d["entries"] if x["what"].startswith("text")]')" '["carol"]'
OUT=$(api ian GET "/api/v1/access-log?from=2000-01-01&to=2000-01-31" | body)
expect_eq "a month long ago: nothing" "$(printf '%s' "$OUT" | json '(d["total"], d["pages"], len(d["entries"]))')" "(0, 0, 0)"
ALL=$(api ian GET "/api/v1/access-log?per_page=1" | body | json 'd["total"]')
OUT=$(api ian GET "/api/v1/access-log?per_page=1&page=2" | body)
expect_eq "page 2 of one-read pages" "$(printf '%s' "$OUT" | json '(d["page"], d["per_page"], len(d["entries"]))')" "(2, 1, 1)"
expect_eq "as many pages as reads (and the page view itself adds its rows after)" \
  "$(printf '%s' "$OUT" | json 'd["pages"] >= '"$ALL")" True
OUT=$(api ian GET "/api/v1/access-log?per_page=500" | body | json 'd["per_page"]')
expect_eq "500 a page is the most" "$OUT" 500
expect_eq "default page size" "$(api ian GET /api/v1/access-log | body | json 'd["per_page"]')" 50

refused "a page of 501 is refused" "$DB" 400 invalid_input ian GET "/api/v1/access-log?per_page=501"
refused "a malformed date is refused" "$DB" 400 invalid_input ian GET "/api/v1/access-log?from=1.12.2026"
refused "an end before the start is refused" "$DB" 400 invalid_input ian GET "/api/v1/access-log?from=2026-12-02&to=2026-12-01"
refused "page must be a number" "$DB" 400 invalid_input ian GET "/api/v1/access-log?page=two"
refused "an unknown member is said to be unknown" "$DB" 404 not_found ian GET "/api/v1/access-log?member=nobody"
refused "an unknown memo is said to be unknown" "$DB" 404 not_found ian GET "/api/v1/access-log?memo=nosuchmemo"
refused "a member may not search the log" "$DB" 403 forbidden bob GET /api/v1/access-log
refused "a drafter may not search the whole log" "$DB" 403 forbidden alice GET "/api/v1/access-log?memo=$ID1"
refused "nor export it" "$DB" 403 forbidden alice GET /api/v1/access-log.csv

# ---- the titles shown are the auditor's reads ----
BEFORE=$(count "m.username = 'ian' AND x.public_id = '$ID1' AND a.what = 'title in the access log'")
api ian GET "/api/v1/access-log?memo=$ID1" > /dev/null
expect_eq "a search that shows memo 1's title records one read of it" \
  "$(count "m.username = 'ian' AND x.public_id = '$ID1' AND a.what = 'title in the access log'")" $((BEFORE + 1))
expect_in "which the drafters see by name" "$(api alice GET "$B/$ID1/access-log")" '"what":"title in the access log"'

# ---- the CSV export (API) ----
TOTAL=$(count "x.public_id = '$ID1'")
curl -s -D "$E2E_TMP/h" -o "$E2E_TMP/log.csv" -H "Authorization: Bearer $(token ian)" \
  "$URL/api/v1/access-log.csv?memo=$ID1"
HDR=$(tr -d '\r' < "$E2E_TMP/h")
expect_in "CSV: 200" "$HDR" "HTTP/1.1 200"
expect_in "CSV: Content-Type text/csv in UTF-8 with a header row" "$HDR" "Content-Type: text/csv; charset=utf-8; header=present"
expect_in "CSV: a download with a dated file name" "$HDR" "Content-Disposition: attachment; filename=\"dissent-access-log-$TODAY.csv\""
expect_in "CSV: not cached" "$HDR" "Cache-Control: no-store"
CHECK=$(python3 - "$E2E_TMP/log.csv" "$EVIL" "$TOTAL" <<'PY'
import csv, io, sys
raw = open(sys.argv[1], newline="", encoding="utf-8").read()
rows = list(csv.reader(io.StringIO(raw, newline="")))
head, data = rows[0], rows[1:]
out = []
out.append("head=" + ",".join(head))
out.append("rows=%s" % (len(data) == int(sys.argv[3]) or len(data)))
titles = set(r[2] for r in data)
out.append("defused=%s" % (titles == {"'" + sys.argv[2]}))
out.append("quoted=%s" % ('"\'=HYPERLINK(""http://evil.example"",""click""), said ""she"""' in raw))
out.append("crlf=%s" % (raw.endswith("\r\n") and "\n" not in raw.replace("\r\n", "")))
out.append("formula_cells=%s" % any(c[:1] in "=+-@" for r in data for c in r))
print(" ".join(out))
PY
)
expect_in "CSV: records end with CRLF" "$CHECK" "crlf=True"
expect_in "CSV: columns" "$CHECK" "head=at,memo,title,reader,display_name,as,what"
expect_in "CSV: every matching read, no page" "$CHECK" "rows=True"
expect_in "CSV: the formula title is defused with an apostrophe" "$CHECK" "defused=True"
expect_in "CSV: quotes doubled, the field quoted (RFC 4180)" "$CHECK" "quoted=True"
expect_in "CSV: no cell a spreadsheet would run" "$CHECK" "formula_cells=False"
expect_eq "CSV: the export is recorded as the auditor's read of the title" \
  "$(count "m.username = 'ian' AND x.public_id = '$ID1' AND a.what = 'title in an access-log export'")" 1

# ---- the page ----
JAR=$E2E_TMP/ian.jar
expect_eq "ian signs in" "$(web_login ian "$JAR")" 303
PAGE=$(curl -s -b "$JAR" "$URL/audit?memo=$ID1&member=bob")
expect_in "page: the title, escaped" "$PAGE" '=HYPERLINK(&quot;http://evil.example&quot;,&quot;click&quot;), said &quot;she&quot;'
expect_in "page: linked to the memo's access log" "$PAGE" "href=\"/memos/$ID1/access\""
expect_in "page: the count, in words that agree" "$PAGE" "2 reads match."
expect_not_in "page: one page says no page number" "$PAGE" "page 1 of 1"
expect_not_in "page: and has no page navigation" "$PAGE" 'class="pagination'
expect_in "page: the filters kept in the form" "$PAGE" "value=\"$ID1\""
expect_in "page: the CSV link carries the filters" "$PAGE" "href=\"/audit.csv?memo=$ID1&amp;member=bob&amp;from=&amp;to=\""
expect_in "page: the navigation names it" "$PAGE" 'href="/audit" aria-current="page"'
# one time zone per page, said once: "Times in UTC." above, none on each row
expect_eq "page: the zone is said once" "$(printf '%s' "$PAGE" | grep -o 'Times in UTC' | wc -l | tr -d ' ')" 1
expect_not_in "page: and not on each row" "$PAGE" ' UTC</time>'
expect_eq "page: each row's time, without the zone" \
  "$(printf '%s' "$PAGE" | grep -cE '">[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}</time>' | sed 's/^[1-9][0-9]*$/yes/')" yes
HOME_PAGE=$(curl -s -b "$JAR" "$URL/")
ACCESS_PAGE=$(curl -s -b "$JAR" "$URL/memos/$ID1/access")
expect_eq "a memo's access log says its zone once" "$(printf '%s' "$ACCESS_PAGE" | grep -o 'Times in UTC' | wc -l | tr -d ' ')" 1
expect_not_in "and not on each row" "$ACCESS_PAGE" ' UTC</time>'
expect_not_in "home (auditor): no zone on each row either" "$HOME_PAGE" ' UTC</time>'
PAGE=$(curl -s -b "$JAR" "$URL/audit?member=bob&per_page=1")
expect_in "page: a link to the next page" "$PAGE" "href=\"/audit?memo=&amp;member=bob&amp;from=&amp;to=&amp;per_page=1&amp;page=2\" rel=\"next\""
expect_in "page: several pages say which" "$PAGE" "; page 1 of "
expect_in "page: and where the reader is" "$PAGE" '<li aria-current="page">Page 1 of '

ONE=$(curl -s -b "$JAR" "$URL/audit?memo=$ID2&member=carol")
expect_in "page: one read is said in the singular" "$ONE" "1 read matches"
ST=$(curl -s -o "$E2E_TMP/p" -w '%{http_code}' -b "$JAR" "$URL/audit?from=yesterday&member=bob")
expect_eq "page: a bad date is 400" "$ST" 400
expect_in "page: with the reason" "$(cat "$E2E_TMP/p")" 'must be a day as YYYY-MM-DD'
expect_in "page: and what was typed" "$(cat "$E2E_TMP/p")" 'value="yesterday"'
curl -s -D "$E2E_TMP/h" -o "$E2E_TMP/page.csv" -b "$JAR" "$URL/audit.csv?member=bob"
HDR=$(tr -d '\r' < "$E2E_TMP/h")
expect_in "page CSV: text/csv" "$HDR" "Content-Type: text/csv; charset=utf-8; header=present"
expect_in "page CSV: attachment" "$HDR" "Content-Disposition: attachment;"
expect_eq "page CSV: bob's rows" "$(($(wc -l < "$E2E_TMP/page.csv") - 1))" "$(count "m.username = 'bob'")"
BJAR=$E2E_TMP/bob.jar
web_login bob "$BJAR" > /dev/null
expect_eq "page: a member is refused" "$(curl -s -o /dev/null -w '%{http_code}' -b "$BJAR" "$URL/audit")" 403
expect_eq "page CSV: a member is refused" "$(curl -s -o /dev/null -w '%{http_code}' -b "$BJAR" "$URL/audit.csv")" 403
expect_not_in "page: members have no link to it" "$(curl -s -b "$BJAR" "$URL/")" 'href="/audit"'

# ---- the CLI ----
CLI=$(as ian access-log --memo "$ID1" --member bob)
expect_in "CLI: the title in the table" "$CLI" "HYPERLINK"
expect_in "CLI: the count" "$CLI" "reads match; page 1 of 1"
expect_eq "CLI --csv: the same export" "$(as ian access-log --member bob --csv | head -1 | tr -d '\r')" "at,memo,title,reader,display_name,as,what"
expect_in "CLI: a bad date says why" "$(as ian access-log --from 2026-99-01 2>&1)" "YYYY-MM-DD"
expect_in "CLI: filters need no ID" "$(as ian access-log "$ID1" --member bob 2>&1)" "give no ID"

e2e_summary audit
