#!/usr/bin/env bash
# The agreement test of issue #8: for every memo state × role, the API's
# "can" and deadlines, the memo web page's forms and links, the CLI's
# `memo show`, the public record (API and page), leadership's banner and
# /metrics agree with each other and with one expected table (agreement.py),
# at three clock settings: before any deadline, after the acknowledgement
# deadlines, and after every answer deadline.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
E2E_TMP=$(mktemp -d)
trap 'stop_server; rm -rf "$E2E_TMP"' EXIT
DB=$E2E_TMP/dissent.db
export E2E_TMP DISSENT
USERS="alice bob carol dan rita lena ian admin"

"$DISSENT" demo --db "$DB" > /dev/null || { echo "demo failed"; exit 1; }

# Friday 2026-11-20 10:00 in New York.
start_server "$DB" DISSENT_FAKE_NOW=2026-11-20T15:00:00Z
for u in $USERS; do login "$u"; done

printf 'One paragraph.\n' > "$E2E_TMP/v1.md"
printf 'One paragraph, revised.\n' > "$E2E_TMP/v2.md"
# new CHANNEL: a fresh draft by alice; prints its id.
new() {
  as alice memo new --channel "$1" --title "Agreement test" --marking SBU \
    --body-file "$E2E_TMP/v1.md" --json | json 'd["id"]'
}
# circulated ID: circulate and let bob co-sign the latest version.
circulated() { as alice memo circulate "$1" > /dev/null && as bob sign "$1" > /dev/null; }

DRAFT=$(new dissent)
CIRC=$(new dissent); circulated "$CIRC"
CIRC2=$(new dissent); circulated "$CIRC2"
as alice memo edit "$CIRC2" --body-file "$E2E_TMP/v2.md" > /dev/null
SUB=$(new dissent); circulated "$SUB"; as alice submit "$SUB" > /dev/null
SUBEU=$(new eu-reports); circulated "$SUBEU"; as alice submit "$SUBEU" > /dev/null
ACK=$(new dissent); circulated "$ACK"; as alice submit "$ACK" > /dev/null
as rita review ack "$ACK" > /dev/null
EXT=$(new dissent); circulated "$EXT"; as alice submit "$EXT" > /dev/null
as rita review ack "$EXT" > /dev/null
as rita review extend "$EXT" --reason "Consulting the posts" > /dev/null
ANS=$(new dissent); circulated "$ANS"; as alice submit "$ANS" > /dev/null
as rita review ack "$ANS" > /dev/null
as rita review answer "$ANS" --body "Our answer." > /dev/null
CLOSED=$(new dissent); circulated "$CLOSED"; as alice submit "$CLOSED" > /dev/null
as rita review ack "$CLOSED" > /dev/null
as rita review answer "$CLOSED" --body "Our answer." > /dev/null
as alice review close "$CLOSED" > /dev/null
WD=$(new dissent); circulated "$WD"; as alice submit "$WD" > /dev/null
as alice memo withdraw "$WD" > /dev/null

MEMOS=$(printf '{"draft":"%s","circulating":"%s","circulating-v2":"%s","submitted":"%s","submitted-eu":"%s","acknowledged":"%s","extended":"%s","answered":"%s","closed":"%s","withdrawn":"%s"}' \
  "$DRAFT" "$CIRC" "$CIRC2" "$SUB" "$SUBEU" "$ACK" "$EXT" "$ANS" "$CLOSED" "$WD")
expect_eq "the memos are in the states of the table" \
  "$(for id in $DRAFT $CIRC $CIRC2 $SUB $SUBEU $ACK $EXT $ANS $CLOSED $WD; do as alice memo show "$id" --json | json 'd["state"]'; done | tr '\n' ' ')" \
  "draft circulating circulating submitted submitted acknowledged acknowledged answered closed withdrawn "

# table PHASE: runs the table against the running server; one line per check.
table() {
  if URL=$URL python3 "$here/agreement.py" "$1" "$MEMOS"; then ok "agreement table, $1"
  else bad "agreement table, $1"; fi
}
table start

# The same database, ten days later, then half a year later: sessions have
# expired, so everyone logs in again.
for when in later:2026-11-30T15:00:00Z much-later:2027-06-01T15:00:00Z; do
  stop_server
  start_server "$DB" DISSENT_FAKE_NOW="${when#*:}"
  for u in $USERS; do login "$u"; done
  table "${when%%:*}"
done

# A deadline met late stays on the record, with when it was met.
as rita review ack "$SUB" > /dev/null
P=$(api - GET "/api/v1/public/memos/$SUB")
expect_eq "late acknowledgement: still missed, met late" \
  "$(echo "${P#* }" | json '[(m["deadline"], m["met_at"]) for m in d["review"]["missed"]]')" \
  '[["acknowledgement", "2027-06-01T15:00:00Z"], ["answer", null]]'
expect_eq "late acknowledgement: the answer is now what is overdue" \
  "$(echo "${P#* }" | json 'd["review"]["overdue_what"]')" answer
M=$(as alice memo show "$SUB" --json)
expect_eq "the memo view agrees with the public record" \
  "$(echo "$M" | json 'd["review"]["missed"]')" "$(echo "${P#* }" | json 'd["review"]["missed"]')"
expect_eq "what is next: the answer" "$(echo "$M" | json 'd["review"]["next"]')" answer
expect_in "the CLI shows the late acknowledgement" "$(as alice memo show "$SUB")" \
  "MISSED: the acknowledgement was due"

stop_server
e2e_summary agreement
