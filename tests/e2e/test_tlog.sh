#!/usr/bin/env bash
# The transparency log from outside, against a real server over a real
# SQLite file: a memo goes through its lifecycle while `dissent log monitor`
# checks the log after each step; copies of the official rendering are
# checked with `dissent verify` (exact, re-wrapped, one paragraph altered,
# one added, one removed, no key); then the database is tampered with behind
# the running server and the monitor must fail, loudly.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
E2E_TMP=$(mktemp -d)
trap 'stop_proxy; stop_server; rm -rf "$E2E_TMP"' EXIT
DB=$E2E_TMP/dissent.db
export DISSENT_LOG_KEYS=$E2E_TMP/pins.json
STATE=$E2E_TMP/monitor.json

"$DISSENT" demo --db "$DB" > /dev/null || { echo "demo failed"; exit 1; }
start_server "$DB" DISSENT_FAKE_NOW=2026-11-20T15:00:00Z
for u in alice bob carol rita; do login "$u"; done

# nobody: the CLI with no saved session (the log needs no login)
nobody() { DISSENT_CONFIG="$E2E_TMP/session-nobody.json" "$DISSENT" "$@"; }
# monitor [ARGS...]: runs the monitor; sets MON (stdout+stderr) and MON_RC.
monitor() { MON=$(nobody log monitor --server "$URL" --state "$STATE" "$@" 2>&1); MON_RC=$?; }
state_size() { json 'd["size"]' < "$STATE"; }

# ---- the public log needs no login ----
KEY=$(curl -s "$URL/api/v1/log/key" | json 'd["verifier_key"]')
expect_eq "log key is a verifier key (name+id+key)" \
  "$(printf '%s' "$KEY" | grep -cE '^dissent\.local/log-[a-z2-7]{8}\+[0-9a-f]{8}\+A[A-Za-z0-9+/]{43}$')" 1
expect_in "bare checkpoint note" "$(curl -s "$URL/api/v1/log/checkpoint?format=note")" "— dissent.local/log-"

# ---- the lifecycle, with the monitor after each step ----
printf 'First paragraph: the consulates serve\n  forty thousand citizens.\n\nSecond paragraph: closing them saves little.\n\nThird paragraph: we propose a rotation.\n' > "$E2E_TMP/v1.md"
ID=$(as alice memo new --channel dissent --title "Keep the northern consulates" \
      --marking SBU --body-file "$E2E_TMP/v1.md" --json | json 'd["id"]')
monitor
expect_eq "monitor: first run passes" "$MON_RC" 0
expect_in "monitor: first run audits every leaf" "$MON" "audited    all"
expect_eq "monitor: state file is 0600" "$(stat -c %a "$STATE")" 600
S1=$(state_size)

printf 'First paragraph: the consulates serve\nforty thousand citizens.\n\nSecond paragraph: closing them saves little money.\n\nThird paragraph: we propose a rotation.\n\nFourth paragraph: posts agree.\n' > "$E2E_TMP/v2.md"
as alice memo edit "$ID" --body-file "$E2E_TMP/v2.md" > /dev/null
as alice memo circulate "$ID" > /dev/null
monitor --incremental
expect_eq "monitor --incremental after revising and circulating" "$MON_RC" 0
expect_in "monitor: consistency proof checked" "$MON" "consistent with the checkpoint seen before"
S2=$(state_size)
[ "$S2" -gt "$S1" ] && ok "state grew ($S1 -> $S2 leaves)" || bad "state grew" "$S1 -> $S2"

as bob sign "$ID" > /dev/null
as carol sign "$ID" --version 1 > /dev/null
as carol sign "$ID" --version 2 > /dev/null
as alice submit "$ID" > /dev/null
monitor --full
expect_eq "monitor (full audit) after signatures and submission" "$MON_RC" 0
S3=$(state_size)
[ "$S3" -gt "$S2" ] && ok "state grew ($S2 -> $S3 leaves)" || bad "state grew" "$S2 -> $S3"

as rita review ack "$ID" > /dev/null
as rita review extend "$ID" --reason "Consult the posts" > /dev/null
as rita review answer "$ID" --body "Two consulates stay open on rotation." > /dev/null
as alice review close "$ID" > /dev/null
monitor --incremental --json
expect_eq "monitor --incremental after the review" "$MON_RC" 0
expect_eq "monitor --json: ok" "$(echo "$MON" | json 'd["ok"]')" True
S4=$(state_size)
[ "$S4" -gt "$S3" ] && ok "state grew ($S3 -> $S4 leaves)" || bad "state grew" "$S3 -> $S4"
monitor
expect_eq "monitor again, nothing new" "$MON_RC" 0
expect_in "monitor says unchanged" "$MON" "unchanged since the last run"

LEAVES=$(nobody log leaves 0 "$S4" --server "$URL")
for k in "version 2" "signature add" "signature move" "submitted" "extended" "answered" "closed"; do
  expect_in "log leaves shows: $k" "$LEAVES" "$k"
done
expect_not_in "every leaf well-formed" "$LEAVES" "MALFORMED"
expect_in "log leaves checks the range against the signed checkpoint" "$LEAVES" \
  "leaves 0..$((S4 - 1)) checked against the signed checkpoint"
MID=$((S4 / 2)); FORGED=$((MID + 1))
OUT=$(nobody log leaves "$MID" "$((MID + 3))" --server "$URL" 2>&1); RC=$?
expect_eq "log leaves of a range inside the log: exit 0" "$RC" 0
expect_in "and checked" "$OUT" "leaves $MID..$((MID + 2)) checked against the signed checkpoint"
# a lying server: leaf FORGED rewritten (another time) with its leaf hash
# recomputed, so it is well-formed and self-consistent, but not the signed one
start_evil_proxy forged-leaf "$FORGED" none
for range in "0 $S4" "$MID $((MID + 3))" "$FORGED $((FORGED + 1))"; do
  OUT=$(nobody log leaves $range --server "$PURL" 2>&1); RC=$?
  expect_eq "forged leaf $FORGED, log leaves $range: exit 1" "$RC" 1
  expect_in "forged leaf $FORGED, log leaves $range: names it" "$OUT" \
    "leaf $FORGED does not match the signed log"
  expect_eq "forged leaf $FORGED, log leaves $range: only it is marked" \
    "$(printf '%s\n' "$OUT" | grep -c 'NOT IN THE SIGNED LOG')" 1
done
OUT=$(nobody log leaves "$MID" "$((MID + 3))" --server "$PURL" --json 2>/dev/null); RC=$?
expect_eq "log leaves --json through the lying proxy: exit 1" "$RC" 1
expect_eq "log leaves --json names the leaf" "$(echo "$OUT" | json 'd["not_in_signed_log"]')" "[$FORGED]"
: > "$E2E_TMP/posts.get"
OUT=$(nobody log leaves 0 "$FORGED" --server "$PURL" 2>&1); RC=$?
expect_eq "the leaves before the forged one still check through the proxy: exit 0" "$RC" 0
expect_eq "by one proof for the range (a consistency proof from leaf $FORGED)" \
  "$(grep /proof/ "$E2E_TMP/posts.get")" "/api/v1/log/proof/consistency?from=$FORGED&to=$(curl -s "$URL/api/v1/log/checkpoint" | json 'd["size"]')"
stop_proxy
expect_in "log proof checks an inclusion proof" "$(nobody log proof 1 --server "$URL" 2>&1)" "inclusion proof of"
expect_eq "log checkpoint --json" "$(nobody log checkpoint --server "$URL" --json 2>/dev/null | json 'd["size"]')" "$S4"

# ---- copies and `dissent verify` ----
SHOW=$(as alice memo show "$ID")
expect_in "memo show prints the verification line" "$SHOW" "dissent-verify: $ID 2 "
as alice memo render "$ID" > "$E2E_TMP/copy.txt"
expect_in "memo render: the official rendering" "$(cat "$E2E_TMP/copy.txt")" "dissent-verify: $ID 2 "
expect_eq "rendering and memo show carry the same line" \
  "$(grep '^dissent-verify:' "$E2E_TMP/copy.txt")" "$(echo "$SHOW" | grep '^dissent-verify:')"
as alice memo render "$ID" --version 1 > "$E2E_TMP/copy-v1.txt"

verify() { OUT=$(nobody verify "$1" --server "$URL" "${@:2}" 2>&1); RC=$?; }
verify "$E2E_TMP/copy.txt"
expect_eq "exact copy: exit 0" "$RC" 0
expect_in "exact copy: named version and memo" "$OUT" "EXACT MATCH: this copy is version 2 of memo $ID"
expect_in "exact copy: inclusion proof checked" "$OUT" "inclusion proof checked"
expect_in "exact copy: registration time" "$OUT" "registered 2026-11-20 15:00 UTC"
verify "$E2E_TMP/copy-v1.txt"
expect_eq "copy of version 1: exit 0" "$RC" 0
expect_in "copy of version 1 is version 1" "$OUT" "version 1 of memo $ID"
verify - < "$E2E_TMP/copy.txt"
expect_eq "copy on standard input" "$RC" 0

# re-wrapped at 24 columns, re-indented, CRLF line ends: still exact
python3 - "$E2E_TMP/copy.txt" > "$E2E_TMP/rewrapped.txt" <<'EOF'
import sys, textwrap
text = open(sys.argv[1]).read()
out = []
for para in text.split("\n\n"):
    if para.startswith("dissent-verify:"):
        out.append(para)
    else:
        out.append("\n".join("   " + l for l in textwrap.wrap(" ".join(para.split()), 24)))
sys.stdout.write("\r\n\r\n\r\n".join(out).replace("\n", "\r\n") + "\r\n")
EOF
verify "$E2E_TMP/rewrapped.txt"
expect_eq "re-wrapped copy (24 columns, indented, CRLF): exit 0" "$RC" 0
expect_in "re-wrapped copy is exact" "$OUT" "EXACT MATCH"

sed 's/we propose a rotation/we propose closing two posts/' "$E2E_TMP/copy.txt" > "$E2E_TMP/altered.txt"
verify "$E2E_TMP/altered.txt"
expect_eq "altered copy: exit 1" "$RC" 1
expect_in "altered copy: the changed paragraph is named" "$OUT" "paragraph 4: CHANGED"
expect_in "altered copy: with the copy's first words" "$OUT" '"Third paragraph: we propose closing two posts."'
expect_in "altered copy: the others match" "$OUT" "4 of 5 registered paragraphs match in place; 0 moved, 1 changed, 0 added, 0 removed"
verify "$E2E_TMP/altered.txt" --json
expect_eq "altered copy --json: result" "$(echo "$OUT" | json 'd["result"]')" differs
expect_eq "altered copy --json: the changed paragraph" \
  "$(echo "$OUT" | json '[p["registered"] for p in d["paragraphs"] if p["status"]=="changed"]')" "[4]"

awk '/^dissent-verify:/ { print "An added paragraph that nobody signed.\n" } { print }' "$E2E_TMP/copy.txt" > "$E2E_TMP/added.txt"
verify "$E2E_TMP/added.txt"
expect_eq "copy with an added paragraph: exit 1" "$RC" 1
expect_in "added paragraph is named" "$OUT" 'ADDED in the copy as its paragraph 6: "An added paragraph that nobody signed."'

grep -v '^Second paragraph' "$E2E_TMP/copy.txt" > "$E2E_TMP/removed.txt"
verify "$E2E_TMP/removed.txt"
expect_eq "copy with a removed paragraph: exit 1" "$RC" 1
expect_in "removed paragraph is named" "$OUT" "paragraph 3: REMOVED"

grep -v '^dissent-verify:' "$E2E_TMP/copy.txt" > "$E2E_TMP/nokey.txt"
verify "$E2E_TMP/nokey.txt"
expect_eq "copy without the key: exit 1" "$RC" 1
expect_in "copy without the key: says it cannot be checked" "$OUT" "CANNOT CHECK"
{ printf '# Keep the northern consulates\n\n'; cat "$E2E_TMP/v2.md"; } > "$E2E_TMP/copy.md"
verify "$E2E_TMP/copy.md"
expect_eq "Markdown copy: exit 1" "$RC" 1
expect_in "Markdown copy: named as such" "$OUT" "looks like a Markdown copy"
verify "$E2E_TMP/copy.txt" --json
expect_eq "verify --json: exact" "$(echo "$OUT" | json 'd["result"]')" exact

sed "s/^dissent-verify: $ID 2 /dissent-verify: $ID 9 /" "$E2E_TMP/copy.txt" > "$E2E_TMP/v9.txt"
verify "$E2E_TMP/v9.txt"
expect_eq "no such version: exit 1" "$RC" 1
expect_in "no such version: no match" "$OUT" "NO MATCH"
verify "$E2E_TMP/nope.txt"
expect_eq "missing file: exit 1" "$RC" 1
OUT=$(nobody verify --server "$URL" 2>&1); RC=$?
expect_eq "verify without FILE: usage, exit 2" "$RC" 2

# a key other than the log's: the checkpoint is refused
OTHER=$(python3 -c '
import hashlib, base64, os
name = "dissent.local/log-other"; pk = os.urandom(32)
kid = hashlib.sha256(name.encode() + b"\n\x01" + pk).digest()[:4].hex()
print(name + "+" + kid + "+" + base64.b64encode(b"\x01" + pk).decode())')
verify "$E2E_TMP/copy.txt" --log-key "$OTHER"
expect_eq "verify with another key: exit 1" "$RC" 1
expect_in "verify with another key: checkpoint refused" "$OUT" "not signed by the log key"
monitor --log-key "$OTHER"
expect_eq "monitor refuses a --log-key other than the pinned one" "$MON_RC" 1

# ---- tampering behind the running server ----
as alice memo new --channel dissent --title "Another memo" --marking UNCLASSIFIED --body "Text." > /dev/null
sqlite3 "$DB" ".backup '$E2E_TMP/fresh.db'"
cp "$STATE" "$E2E_TMP/state-before.json"
BEFORE=$(sha256sum < "$STATE")

# 1. an old leaf's data rewritten (the tree's nodes untouched): the demo's
# first memo leaf (the leaves before it are the demo accounts' role leaves,
# whose "at" is a day)
L=$(sqlite3 "$DB" "SELECT MIN(idx) FROM tlog_leaves WHERE kind = 'version'")
TAMPER="UPDATE tlog_leaves SET data = json_set(CAST(data AS TEXT), '\$.at', '2020-01-01T00:00:00Z') WHERE idx = $L"
sqlite3 "$DB" "$TAMPER"
expect_in "leaf $L now reads differently" "$(sqlite3 "$DB" "SELECT data FROM tlog_leaves WHERE idx = $L")" '"at":"2020-01-01T00:00:00Z"' 
monitor
expect_eq "rewritten leaf, tree untouched: a plain run checks the new leaves only" "$MON_RC" 0
expect_in "it says how many old leaves it re-checked" "$MON" "0 old leaves re-checked by inclusion proof (--sample-old)"
cp "$E2E_TMP/state-before.json" "$STATE"
monitor --full
expect_eq "rewritten leaf: full audit fails" "$MON_RC" 1
expect_in "rewritten leaf: named" "$MON" "LOG INCONSISTENT: leaf $L was changed after it was logged"
monitor --sample-old 100000
expect_eq "rewritten leaf: incremental monitor fails" "$MON_RC" 1
expect_in "rewritten leaf: incremental names it" "$MON" "leaf $L was changed after it was logged"
expect_eq "the state is left as it was" "$(sha256sum < "$STATE")" "$BEFORE"

# 2. a fresh copy: the leaf rewritten and the whole tree rehashed, so the
# tree is self-consistent but not the one seen before
stop_server
cp "$E2E_TMP/fresh.db" "$DB"; rm -f "$DB-wal" "$DB-shm"
start_server "$DB" DISSENT_FAKE_NOW=2026-11-20T15:00:00Z
monitor --incremental
expect_eq "fresh copy: the saved state still passes" "$MON_RC" 0
cp "$E2E_TMP/state-before.json" "$STATE"
rehash_log "$DB"
CP=$(curl -s "$URL/api/v1/log/checkpoint" | json 'd["size"]')
expect_eq "rehashed tree: the server still signs a checkpoint" "$CP" "$((S4 + 1))"
OUT=$(nobody log checkpoint --server "$URL" 2>&1)
expect_eq "rehashed tree: log checkpoint refuses it (checkpoint history)" "$?" 1
expect_in "rehashed tree: log checkpoint says why" "$OUT" "LOG INCONSISTENT: the checkpoint of size $((S4 + 1)) has another root than the one seen before"
expect_in "rehashed tree: the evidence is written, with how to check it" "$OUT" "evidence kept: "
EV=$(ls "$E2E_TMP"/checkpoints/evidence-*-$((S4 + 1))-$((S4 + 1)).json 2>/dev/null | head -1)
expect_eq "the evidence file is 0600" "$(stat -c %a "$EV" 2>&1)" 600
OUT=$(nobody log evidence --check "$EV" 2>&1)
expect_eq "log evidence --check: the same-size evidence is valid (no server needed)" "$?" 0
expect_in "it proves a fork: two roots for one size" "$OUT" "PROVEN: the log forked or rewrote its history"
expect_in "it names the kind" "$OUT" "kind       same-size"
OUT=$(nobody log evidence "$EV" 2>&1)
expect_in "log evidence prints both signed notes" "$OUT" "— $(echo "$KEY" | cut -d+ -f1) "
python3 - "$EV" "$E2E_TMP/bad-ev.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["notes"][1] = d["notes"][1].replace("\n%s\n" % d["notes"][1].split("\n")[1], "\n1\n", 1)
json.dump(d, open(sys.argv[2], "w"))
PY
OUT=$(nobody log evidence --check "$E2E_TMP/bad-ev.json" 2>&1)
expect_eq "log evidence --check refuses a note edited after signing" "$?" 1
expect_in "it says the note does not open" "$OUT" "does not open with the log key"
monitor --full
expect_eq "rehashed tree: full audit fails" "$MON_RC" 1
expect_in "rehashed tree: consistency proof fails" "$MON" "LOG INCONSISTENT: the log's history was rewritten"
EV=$(ls "$E2E_TMP"/checkpoints/evidence-*-$S4-$((S4 + 1)).json 2>/dev/null | head -1)
[ -n "$EV" ] && ok "the monitor keeps the evidence of the rewrite" || bad "the monitor keeps the evidence of the rewrite" "$MON"
OUT=$(nobody log evidence --check --json "$EV" 2>&1)
expect_eq "the monitor's evidence is conclusive: a subtree of the old frontier differs" \
  "$(echo "$OUT" | json '[d["conclusive"], d["kind"], d["a"]["size"], d["b"]["size"]]')" "[true, \"subtree\", $S4, $((S4 + 1))]"
monitor
expect_eq "rehashed tree: incremental monitor fails" "$MON_RC" 1
expect_in "rehashed tree: incremental says so" "$MON" "is not consistent with the one seen before"
OUT=$(nobody verify "$E2E_TMP/copy.txt" --server "$URL" 2>&1)
expect_eq "rehashed tree: verify with the checkpoint history refuses" "$?" 1
expect_in "rehashed tree: verify says why" "$OUT" "LOG INCONSISTENT"
DISSENT_LOG_HISTORY=$E2E_TMP/fresh-history nobody verify "$E2E_TMP/copy.txt" --server "$URL" > /dev/null 2>&1
expect_eq "a fresh verify (no history, no witnesses) cannot tell: untouched versions match" "$?" 0

e2e_summary test_tlog
