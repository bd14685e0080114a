#!/usr/bin/env bash
# Secrets at rest (issue 9, "Secrets in a world-readable file"):
#   1. under a umask of 022 the database files are made 0600, the key
#      directory 0700 and its keys 0600;
#   2. after a lifecycle whose title, body, extension reason, message and
#      answer carry unique markers, the raw database files (SQLite: the file,
#      its -wal and -shm; PostgreSQL: a pg_dump) hold no marker, no log
#      private key and no data key, and everything reads back through the API;
#   3. serve refuses a key directory or key file others may read, naming the
#      file and the chmod that fixes it;
#   4. a database of an older dissent (tests/e2e/fixtures/v3-plaintext.sql on
#      SQLite; on PostgreSQL one made old in place) is refused by serve until
#      `dissent migrate`, which moves the log key to the key directory and
#      encrypts the rows, changes nothing when run again, and leaves
#      everything readable with the same log key.
# On SQLite by default; on PostgreSQL when DB_URL names an empty database
# (test_postgres.sh runs it so, with DISSENT_KEYS set).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
E2E_TMP=$(mktemp -d)
trap 'stop_server; rm -rf "$E2E_TMP"' EXIT
DB=${DB_URL:-$E2E_TMP/dissent.db}
if is_pg "$DB"; then
  KEYS=${DISSENT_KEYS:?DISSENT_KEYS must name the key directory of a PostgreSQL test}
else
  unset DISSENT_KEYS
  KEYS=$E2E_TMP/dissent.keys   # the default, beside the database
fi
umask 022
mode() { stat -c %a "$1"; }
MARK=m$RANDOM$RANDOM

# nosecrets NAME FILE...: none of the files holds a marker of this run, the
# log key (its text, its seed in base64, hex or raw) or the data key (hex or raw).
nosecrets() {
  local name=$1; shift
  local out
  out=$(python3 - "$MARK" "$KEYS" "$@" <<'PY'
import base64, sys
mark, keys, files = sys.argv[1], sys.argv[2], sys.argv[3:]
needles = {}
for f in ("title", "body", "reason", "message", "answer", "note"):
    needles[f + " marker"] = (f + "-" + mark).encode()
log = open(keys + "/log.key", "rb").read().strip()
needles["log key text"] = log
b64 = log.split(b"+", 4)[4]  # PRIVATE+KEY+name+id+base64 (which may hold "+")
seed = base64.b64decode(b64)[1:]
assert len(seed) == 32
needles["log key base64"] = b64
needles["log key seed"] = seed
needles["log key seed hex"] = seed.hex().encode()
data = open(keys + "/data.key", "rb").read().strip()
needles["data key hex"] = data
needles["data key"] = bytes.fromhex(data.decode())
found = []
for f in files:
    blob = open(f, "rb").read()
    for what, n in needles.items():
        if n in blob:
            found.append(f"{what} in {f}")
print("; ".join(found) if found else "clean")
PY
)
  expect_eq "$name" "$out" clean
}

# ---- 1. modes ----
"$DISSENT" demo --db "$DB" > "$E2E_TMP/demo.out" || { echo "demo failed"; cat "$E2E_TMP/demo.out"; exit 1; }
is_pg "$DB" || expect_eq "database file is 0600 under umask 022" "$(mode "$DB")" 600
expect_eq "key directory is 0700" "$(mode "$KEYS")" 700
expect_eq "log key file is 0600" "$(mode "$KEYS/log.key")" 600
expect_eq "data key file is 0600" "$(mode "$KEYS/data.key")" 600
expect_eq "no log key in the database" "$(sql "$DB" "SELECT COUNT(*) FROM meta WHERE key = 'log_signer'")" 0

# ---- 2. a lifecycle with markers, then the raw files ----
start_server "$DB" DISSENT_FAKE_NOW=2026-11-20T15:00:00Z
for u in alice bob rita; do login "$u"; done
printf '## Summary\n\nbody-%s\n' "$MARK" > "$E2E_TMP/body.md"
ID=$(as alice memo new --channel dissent --title "title-$MARK" --marking SBU \
      --body-file "$E2E_TMP/body.md" --json | json 'd["id"]')
printf '## Summary\n\nbody-%s, revised\n' "$MARK" > "$E2E_TMP/body2.md"
as alice memo edit "$ID" --body-file "$E2E_TMP/body2.md" --note "note-$MARK" > /dev/null
as alice memo circulate "$ID" > /dev/null
as bob sign "$ID" > /dev/null
as alice submit "$ID" > /dev/null
as rita review ack "$ID" > /dev/null
as rita review extend "$ID" --reason "reason-$MARK" > /dev/null
as rita review message "$ID" --body "message-$MARK" > /dev/null
as rita review answer "$ID" --body "answer-$MARK" > /dev/null
M=$(as alice memo show "$ID" --json)
expect_eq "title reads back" "$(echo "$M" | json 'd["title"]')" "title-$MARK"
expect_eq "the change note reads back, on the timeline" \
  "$(echo "$M" | json '[x.get("note") for x in d["timeline"] if x["what"] == "version"][0]')" "note-$MARK"
expect_in "body reads back" "$(echo "$M" | json 'd["version"]["body"]')" "body-$MARK"
expect_eq "answer reads back" "$(echo "$M" | json 'd["review"]["answer"]')" "answer-$MARK"
expect_in "extension reason reads back" "$(api alice GET "/api/v1/memos/$ID")" "reason-$MARK"
expect_in "message reads back" "$(as alice memo messages "$ID")" "message-$MARK"
expect_in "memo list shows the title" "$(as alice memo list)" "title-$MARK"
LOG_PUB=$(curl -s "$URL/api/v1/log/key" | json 'd["public_key"]')
if is_pg "$DB"; then
  "${PG_BIN:+$PG_BIN/}pg_dump" -d "$DB" > "$E2E_TMP/dump.sql"
  expect_in "pg_dump holds the rows (sealed)" "$(cat "$E2E_TMP/dump.sql")" "dx1:"
  nosecrets "pg_dump: no memo text, no private key, no data key" "$E2E_TMP/dump.sql"
else
  for f in "$DB" "$DB-wal" "$DB-shm"; do
    [ -e "$f" ] && expect_eq "$(basename "$f") is 0600" "$(mode "$f")" 600 || bad "$(basename "$f") exists"
  done
  nosecrets "raw SQLite files: no memo text, no private key, no data key" "$DB" "$DB-wal" "$DB-shm"
fi
stop_server

# ---- 3. keys others may read are refused ----
# serve_refused NAME WANT: serve must exit non-zero at once, saying WANT.
serve_refused() {
  local out rc
  out=$(timeout 120 "$DISSENT" serve --db "$DB" --listen 127.0.0.1:0 2>&1); rc=$?
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ]; then expect_in "$1" "$out" "$2"
  else bad "$1" "serve did not refuse (exit $rc): $out"; fi
}
chmod 755 "$KEYS"
serve_refused "serve refuses a key directory of mode 0755" "chmod 700 $KEYS"
if ! is_pg "$DB"; then
  OUT=$("$DISSENT" init --db "$E2E_TMP/fresh.db" --keys "$KEYS" 2>&1)
  expect_in "init refuses it too" "$OUT" "chmod 700 $KEYS"
  [ -e "$E2E_TMP/fresh.db" ] && bad "a refused key directory creates no database" || ok "a refused key directory creates no database"
fi
chmod 700 "$KEYS"
chmod 644 "$KEYS/log.key"
serve_refused "serve refuses a log key file of mode 0644" "chmod 600 $KEYS/log.key"
chmod 600 "$KEYS/log.key"
chmod 640 "$KEYS/data.key"
serve_refused "serve refuses a data key file of mode 0640" "chmod 600 $KEYS/data.key"
chmod 600 "$KEYS/data.key"
start_server "$DB"
expect_eq "with the modes fixed, serve starts" "$(curl -s "$URL/healthz")" '{"status":"ok"}'
stop_server

# ---- 4. dissent migrate ----
if is_pg "$DB"; then
  # The format of before, made in place: text in clear, no memo keys, the
  # log key in meta and not in the key directory.
  OLDDB=$DB
  OLDKEYS=$KEYS
  SIGNER=$(tr -d '\n' < "$KEYS/log.key")
  PUB=$LOG_PUB
  sql "$DB" "UPDATE versions SET title = 'Old title fixture-marker-title-5521', body = 'Old body fixture-marker-body-5521', verify_key = NULL, change_note = NULL" > /dev/null
  sql "$DB" "UPDATE memos SET data_key = NULL, answer = CASE WHEN answer IS NULL THEN NULL ELSE 'Old answer fixture-marker-answer-5521' END, extension_reason = CASE WHEN extension_reason IS NULL THEN NULL ELSE 'Old reason fixture-marker-reason-5521' END" > /dev/null
  sql "$DB" "UPDATE messages SET body = 'Old message fixture-marker-message-5521'" > /dev/null
  sql "$DB" "DELETE FROM meta WHERE key = 'at_rest'" > /dev/null
  sql "$DB" "INSERT INTO meta(key, value) VALUES('log_signer', '$SIGNER')" > /dev/null
  rm "$KEYS/log.key"
  # and from before the commitment key
  sql "$DB" "DELETE FROM meta WHERE key = 'commit_key_id'" > /dev/null
  rm -f "$KEYS/commit.key"
  FIXID=$ID
else
  OLDDB=$E2E_TMP/old.db
  OLDKEYS=$E2E_TMP/old.keys
  sqlite3 "$OLDDB" < "$here/fixtures/v3-plaintext.sql"
  SIGNER=$(sqlite3 "$OLDDB" "SELECT value FROM meta WHERE key = 'log_signer'")
  PUB=646b475ec511513f7bd4b4f9d8cbf7d6a624043cb58312e856ac603ac21a1759
  FIXID=zc6smotrjfa7hu2ubdej5n56m4
  expect_eq "the fixture is 0644, as older dissents left it" "$(mode "$OLDDB")" 644
fi
DB_SAVE=$DB; DB=$OLDDB
serve_refused "serve refuses an unmigrated database" "run 'dissent migrate'"
OUT=$("$DISSENT" migrate --db "$OLDDB" 2>&1); RC=$?
expect_eq "dissent migrate succeeds" "$RC" 0
expect_in "dissent migrate says what it did" "$OUT" "log key moved to the key directory"
expect_eq "the log key moved to the key directory" "$(tr -d '\n' < "$OLDKEYS/log.key")" "$SIGNER"
expect_eq "… and out of the database" "$(sql "$OLDDB" "SELECT COUNT(*) FROM meta WHERE key = 'log_signer'")" 0
expect_in "dissent migrate makes the commitment key" "$OUT" "made the commitment key (commit.key)"
expect_eq "commit.key: 64 hex digits, mode 0600" \
  "$(tr -d '\n' < "$OLDKEYS/commit.key" | grep -c '^[0-9a-f]\{64\}$') $(mode "$OLDKEYS/commit.key")" "1 600"
expect_in "dissent migrate again: nothing to do" "$("$DISSENT" migrate --db "$OLDDB" 2>&1)" "up to date"
expect_not_in "… and the commitment key is made once" "$("$DISSENT" migrate --db "$OLDDB" 2>&1)" "commitment key"
if is_pg "$OLDDB"; then
  "${PG_BIN:+$PG_BIN/}pg_dump" -d "$OLDDB" > "$E2E_TMP/dump2.sql"
  RAW=$E2E_TMP/dump2.sql
else
  expect_eq "the migrated database is 0600" "$(mode "$OLDDB")" 600
  RAW=$OLDDB
fi
expect_eq "no plaintext left in the migrated database" \
  "$(grep -a -c 'fixture-marker' "$RAW" "$OLDDB-wal" 2>/dev/null | awk -F: '{s += $NF} END {print s + 0}')" 0
KEYS_SAVE=$KEYS; KEYS=$OLDKEYS
MARK=fixture-marker-5521-unused
nosecrets "no log or data key in the migrated database" "$RAW"
start_server "$OLDDB"
expect_eq "the log key is the one of before" "$(curl -s "$URL/api/v1/log/key" | json 'd["public_key"]')" "$PUB"
login alice
M=$(as alice memo show "$FIXID" --json)
expect_eq "migrated title reads back" "$(echo "$M" | json 'd["title"]')" "Old title fixture-marker-title-5521"
expect_in "migrated body reads back" "$(echo "$M" | json 'd["version"]["body"]')" "Old body fixture-marker-body-5521"
expect_eq "migrated answer reads back" "$(echo "$M" | json 'd["review"]["answer"]')" "Old answer fixture-marker-answer-5521"
expect_in "migrated message reads back" "$(as alice memo messages "$FIXID")" "Old message fixture-marker-message-5521"
expect_in "migrated extension reason reads back" "$(api alice GET "/api/v1/memos/$FIXID")" "Old reason fixture-marker-reason-5521"
expect_in "the log still verifies (monitor)" \
  "$(DISSENT_LOG_KEYS=$E2E_TMP/pins.json "$DISSENT" log monitor --server "$URL" --state "$E2E_TMP/mon.json" 2>&1; echo "exit $?")" "exit 0"
stop_server

# ---- 5. rotating the data key ----
cp -p "$OLDKEYS/data.key" "$E2E_TMP/old-data.key"
OUT=$("$DISSENT" migrate --db "$OLDDB" --rotate-data-key 2>&1); RC=$?
expect_eq "migrate --rotate-data-key succeeds" "$RC" 0
expect_in "… and says so" "$OUT" "replaced the data key"
if cmp -s "$OLDKEYS/data.key" "$E2E_TMP/old-data.key"; then bad "data.key changed"; else ok "data.key changed"; fi
expect_eq "the new data key file is 0600" "$(mode "$OLDKEYS/data.key")" 600
start_server "$OLDDB"
login alice
expect_eq "after rotation the memo reads back" "$(as alice memo show "$FIXID" --json | json 'd["title"]')" \
  "Old title fixture-marker-title-5521"
stop_server
cp -p "$OLDKEYS/data.key" "$E2E_TMP/new-data.key"
cp -p "$E2E_TMP/old-data.key" "$OLDKEYS/data.key"
serve_refused "serve refuses the data key of before the rotation" "not the one this database is encrypted with"
cp -p "$E2E_TMP/new-data.key" "$OLDKEYS/data.key"
DB=$DB_SAVE; KEYS=$KEYS_SAVE

e2e_summary at-rest
