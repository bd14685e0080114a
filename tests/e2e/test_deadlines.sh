#!/usr/bin/env bash
# Being ignored becomes a public fact: when a deadline of the policy office
# passes unmet, the server itself writes one "deadline-missed" leaf to the
# transparency log — from `serve`'s background thread or `dissent tick` —
# never before the deadline's last second in the channel's time zone, with
# its holidays; once only (restarts, repeated ticks); catching up on what
# was missed while it was down; shown on the public record; accepted by a
# log monitor. Then the public responsiveness figures of the channel: the
# page, the API and `dissent stats` (recomputed from the verified log) agree.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
E2E_TMP=$(mktemp -d)
trap 'stop_server; rm -rf "$E2E_TMP"' EXIT
DB=${DB_URL:-$E2E_TMP/dissent.db}

"$DISSENT" demo --db "$DB" > /dev/null || { echo "demo failed"; exit 1; }
missed_count() { sql "$DB" "SELECT COUNT(*) FROM tlog_leaves WHERE kind = 'deadline-missed'"; }
public_leaves() { curl -s "$URL/api/v1/public/memos/$1" | json 'd["review"]["missed_leaves"]'; }
tick_at() { DISSENT_FAKE_NOW=$1 "$DISSENT" tick --db "$DB" --log-level warn; }

# Wednesday 25 Nov 2026, 10:00 in New York. Thursday 26 is Thanksgiving (a
# demo holiday): 2 working days are Friday 27 and Monday 30, so the
# acknowledgement is due Mon 30 Nov 23:59:59 EST = 2026-12-01T04:59:59Z
# (without the holiday: 2026-11-28T04:59:59Z).
start_server "$DB" DISSENT_FAKE_NOW=2026-11-25T15:00:00Z
for u in alice rita; do login "$u"; done
new_memo() {
  printf 'We disagree.\n' > "$E2E_TMP/b.md"
  as alice memo new --channel dissent --title "$1" --marking SBU --body-file "$E2E_TMP/b.md" --json | json 'd["id"]'
}
LATE=$(new_memo "Ignored memo")
ONTIME=$(new_memo "Acknowledged memo")
for id in "$LATE" "$ONTIME"; do as alice memo circulate "$id" > /dev/null; as alice submit "$id" > /dev/null; done
as rita review ack "$ONTIME" > /dev/null
expect_eq "acknowledgement due at the end of Monday 30 Nov in New York (after Thanksgiving)" \
  "$(as alice memo show "$LATE" --json | json 'd["review"]["acknowledge_due"]')" 2026-12-01T04:59:59Z
stop_server
expect_eq "nothing missed at submission (the server's thread ran at start)" "$(missed_count)" 0

# ---- the tick, run by hand ----
tick_at 2026-11-28T12:00:00Z > /dev/null
expect_eq "the holiday counts: nothing missed on Saturday 28" "$(missed_count)" 0
tick_at 2026-12-01T04:00:00Z > /dev/null
expect_eq "the time zone counts: nothing at UTC's end of Monday" "$(missed_count)" 0
OUT=$(tick_at 2026-12-01T04:59:59Z); RC=$?
expect_eq "dissent tick exits 0" "$RC" 0
expect_in "dissent tick says what it ran" "$OUT" "ran every background job"
expect_eq "nothing in the deadline's last second" "$(missed_count)" 0
OUT=$(DISSENT_FAKE_NOW=2026-12-01T05:00:00Z "$DISSENT" tick --db "$DB" --job nosuchjob 2>&1); RC=$?
expect_eq "an unknown job is refused (exit 1)" "$RC" 1
expect_in "naming it" "$OUT" "no job 'nosuchjob'"
expect_eq "and runs nothing" "$(missed_count)" 0

# ---- serve's own thread, one second later ----
start_server "$DB" DISSENT_FAKE_NOW=2026-12-01T05:00:00Z
wait_until 60 '[ "$(missed_count)" = 1 ]'
expect_eq "serve's ticker wrote the leaf at once" "$(missed_count)" 1
L=$(public_leaves "$LATE")
expect_eq "the public facts carry it" "$(echo "$L" | json 'len(d)')" 1
expect_eq "which deadline" "$(echo "$L" | json 'd[0]["deadline"]')" acknowledgement
expect_eq "when it was due" "$(echo "$L" | json 'd[0]["due"]')" 2026-12-01T04:59:59Z
expect_eq "when the server noticed" "$(echo "$L" | json 'd[0]["at"]')" 2026-12-01T05:00:00Z
expect_eq "none on the memo acknowledged in time" "$(public_leaves "$ONTIME")" "[]"
DATA=$(curl -s "$URL/api/v1/log/memos/$LATE" | json '[x["data"] for x in d["leaves"] if "deadline-missed" in x["data"]][0]')
expect_eq "the leaf holds public facts only" "$DATA" \
  "{\"at\":\"2026-12-01T05:00:00Z\",\"deadline\":\"acknowledgement\",\"due\":\"2026-12-01T04:59:59Z\",\"kind\":\"deadline-missed\",\"memo\":\"$LATE\",\"v\":1}"
PAGE=$(curl -s "$URL/public?memo=$LATE")
expect_in "the public page says a deadline was missed" "$PAGE" "The policy office missed a deadline on this memo"
expect_in "the public page names the leaf" "$PAGE" "leaf $(echo "$L" | json 'd[0]["index"]')"
expect_in "its times in the channel's zone, said once" "$PAGE" "times in America/New_York, the channel's time zone"
expect_eq "and only once" "$(printf '%s' "$PAGE" | grep -o 'America/New_York' | wc -l | tr -d ' ')" 1
expect_not_in "no zone name beside each time" "$PAGE" " EST"
sleep 1.2
expect_eq "still one after more rounds" "$(missed_count)" 1
stop_server
start_server "$DB" DISSENT_FAKE_NOW=2026-12-01T06:00:00Z
sleep 1.2
expect_eq "a restart writes no duplicate" "$(missed_count)" 1
tick_at 2026-12-01T06:00:00Z > /dev/null
expect_eq "nor does another tick" "$(missed_count)" 1
login rita
as rita review ack "$LATE" > /dev/null
stop_server

# ---- downtime: months pass with no server; the first start catches up ----
# Both answers (30 working days) were due in January; nobody answered.
start_server "$DB" DISSENT_FAKE_NOW=2027-03-01T12:00:00Z
wait_until 60 '[ "$(missed_count)" = 3 ]'
expect_eq "both answer deadlines caught up after downtime" "$(missed_count)" 3
expect_eq "the late memo: the acknowledgement, then the answer" \
  "$(public_leaves "$LATE" | json '[x["deadline"] for x in d]')" '["acknowledgement", "answer"]'
expect_eq "the other: the answer only" \
  "$(public_leaves "$ONTIME" | json '[x["deadline"] for x in d]')" '["answer"]'
expect_eq "the database refuses a second leaf for one deadline" \
  "$(sql "$DB" "INSERT INTO tlog_leaves(idx, data, memo, kind, version) VALUES(100000, 'x', '$LATE', 'deadline-missed', 1)" 2>&1 | grep -ci unique)" 1

# ---- the memo's timeline reads right ----
web_login alice "$E2E_TMP/alice.jar" > /dev/null
PAGE=$(curl -s -b "$E2E_TMP/alice.jar" "$URL/memos/$LATE")
TL=$(echo "$PAGE" | sed -n '/<ol class="timeline"/,/<\/ol>/p' | sed 's/<[^>]*>//g' | tr -s ' \n' ' ')
expect_in "timeline: drafted, opened, submitted, in order" "$TL" "Drafted 2026-11-25 10:00 by Alice Archer Opened for co-signatures 2026-11-25 10:00 Submitted to the policy office 2026-11-25 10:00"
expect_in "timeline: the missed acknowledgement, from the log" "$TL" "Deadline missed: the acknowledgement 2026-12-01 00:00 It was due Mon 30 Nov 2026 and came 1 working day late. The server recorded this in the public log"
expect_in "timeline: the late acknowledgement, in working days" "$TL" "Acknowledged 2026-12-01 01:00 missed by 1 working day"
expect_in "timeline: the answer still owed, overdue" "$TL" "Answer missed by"
expect_not_in "timeline: the label and its words read as one" "$TL" "Answer due missed"
expect_not_in "timeline: never 'Due by'" "$TL" "Due by"
expect_eq "one time zone, said once" "$(echo "$PAGE" | grep -o 'America/New_York' | wc -l)" 1
expect_not_in "no zone abbreviation beside each time" "$TL" "EST"
PAGE=$(curl -s -b "$E2E_TMP/alice.jar" "$URL/memos/$ONTIME")
TL=$(echo "$PAGE" | sed -n '/<ol class="timeline"/,/<\/ol>/p' | sed 's/<[^>]*>//g' | tr -s ' \n' ' ')
expect_in "timeline: a deadline met reads 'met on'" "$TL" "Acknowledged 2026-11-25 10:00 met on Wed 25 Nov 2026"

# ---- a monitor accepts the new kind ----
MON=$(DISSENT_CONFIG=$E2E_TMP/nobody.json DISSENT_LOG_KEYS=$E2E_TMP/logkeys.json "$DISSENT" log monitor --server "$URL" --state "$E2E_TMP/monitor.json" 2>&1); RC=$?
expect_eq "dissent log monitor checks every leaf, the new kind included (exit 0)" "$RC" 0

# ---- the channel's responsiveness: page, API and `dissent stats` agree ----
outsider() { DISSENT_CONFIG=$E2E_TMP/nobody.json DISSENT_LOG_KEYS=$E2E_TMP/logkeys.json \
  DISSENT_LOG_HISTORY=$E2E_TMP/history XDG_CONFIG_HOME=$E2E_TMP DISSENT_FAKE_NOW=2027-03-01T12:00:00Z "$DISSENT" "$@"; }
API=$(curl -s "$URL/api/v1/public/channels/dissent/stats")
expect_eq "API: acknowledgements met / missed" "$(echo "$API" | json '[d["acknowledgement"]["met"], d["acknowledgement"]["missed"]]')" "[1, 1]"
expect_eq "API: answers met / missed" "$(echo "$API" | json '[d["answer"]["met"], d["answer"]["missed"]]')" "[0, 2]"
expect_eq "API: median working days to acknowledge (0 and 3: Thanksgiving skipped)" \
  "$(echo "$API" | json 'd["acknowledgement"]["median_working_days"]')" 1.5
expect_eq "API: overdue now" "$(echo "$API" | json 'd["overdue_now"]')" 2
expect_eq "API: the missed-deadline leaves" "$(echo "$API" | json 'd["missed_leaves"]')" 3
expect_eq "API: by the month deadlines fell due" "$(echo "$API" | json 'd["months"]')" \
  '[{"met": 1, "missed": 1, "month": "2026-11"}, {"met": 0, "missed": 2, "month": "2027-01"}]'
PAGE=$(curl -s "$URL/public/channels/dissent")
expect_in "page: acknowledgements" "$PAGE" '<dd id="f-ack">1 met, 1 missed</dd>'
expect_in "page: answers" "$PAGE" '<dd id="f-answer">0 met, 2 missed</dd>'
expect_in "page: median" "$PAGE" '<dd id="f-ack-median">1.5 working days</dd>'
expect_in "page: overdue, in words" "$PAGE" '2 memos <strong class="badge-overdue">(overdue)</strong>'
expect_in "page: the chart's axis says what it counts" "$PAGE" '>deadlines</text>'
expect_in "page: months by name" "$PAGE" '>Nov 2026</text>'
expect_in "page: missed bars are hatched, not only coloured" "$PAGE" 'chart-bar-missed" x='
expect_in "the public record links the channel's page" "$(curl -s "$URL/public")" 'href="/public/channels/dissent"'
expect_in "an unknown channel is 404" "$(curl -s -o /dev/null -w '%{http_code}' "$URL/public/channels/nowhere")" 404
OUT=$(outsider stats --server "$URL" --channel dissent --json 2>"$E2E_TMP/stats.err"); RC=$?
expect_eq "dissent stats exits 0" "$RC" 0
for k in memos_submitted overdue_now missed_leaves acknowledgement answer months as_of; do
  expect_eq "dissent stats recomputes the server's $k" \
    "$(echo "$OUT" | json "d['channels'][0]['$k']")" "$(echo "$API" | json "d['$k']")"
done
expect_eq "and says they agree" "$(echo "$OUT" | json 'd["channels"][0]["server_agrees"]')" True
OUT=$(outsider stats --server "$URL" 2>&1); RC=$?
expect_eq "every channel (exit 0)" "$RC" 0
expect_in "in words" "$OUT" "1.5 working days"
expect_in "the other channel too" "$OUT" "(eu-reports)"
expect_in "and the comparison" "$OUT" "the server publishes the same figures"
OUT=$(outsider stats --server "$URL" --channel nowhere 2>&1); RC=$?
expect_eq "an unknown channel fails (exit 1)" "$RC" 1
expect_in "saying so" "$OUT" "no channel 'nowhere'"
stop_server
# a leaf changed in the database: the figures would change, and the log says so
if ! is_pg "$DB"; then
  sql "$DB" "UPDATE tlog_leaves SET data = CAST(REPLACE(CAST(data AS TEXT), '\"deadline\":\"answer\"', '\"deadline\":\"acknowledgement\"') AS BLOB) WHERE kind = 'deadline-missed' AND version = 2 AND memo = '$ONTIME'"
  start_server "$DB" DISSENT_FAKE_NOW=2027-03-01T12:00:00Z
  OUT=$(outsider stats --server "$URL" --channel dissent 2>&1); RC=$?
  expect_eq "dissent stats refuses a rewritten leaf (exit 1)" "$RC" 1
  expect_in "saying why" "$OUT" "LOG INCONSISTENT"
  stop_server
fi
e2e_summary deadlines
