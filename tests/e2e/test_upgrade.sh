#!/usr/bin/env bash
# A server left running while a newer dissent migrates its database (a
# rolling upgrade of several servers on one PostgreSQL, or `dissent migrate`
# run beside a SQLite server) refuses its writes: they would skip
# what the new schema keeps (running totals, new keys, new rows), and
# nothing told the operator. Each write transaction now checks the schema
# version once it holds the writers' lock:
#   1. after the version moves under the running server, a write (over the
#      API and through the writer's group) fails with a message that says
#      what happened and what to do, and changes nothing; reads go on;
#   2. with the version back (the dissent it knows), writes go on.
# On SQLite by default; on PostgreSQL when DB_URL names an empty database.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
E2E_TMP=$(mktemp -d)
trap 'stop_server; rm -rf "$E2E_TMP"' EXIT
DB=${DB_URL:-$E2E_TMP/dissent.db}

"$DISSENT" demo --db "$DB" > "$E2E_TMP/demo.out" || { echo "demo failed"; exit 1; }
KNOWN=$(sql "$DB" "SELECT value FROM meta WHERE key = 'schema_version'")
start_server "$DB"
login alice
login bob
B=/api/v1/memos
memo() { api alice POST $B "{\"channel\":\"dissent\",\"title\":\"$1\",\"marking\":\"SBU\",\"body\":\"text\"}"; }
R=$(memo "before")
expect_eq "a write before the upgrade (201)" "${R%% *}" 201
ID=$(echo "${R#* }" | json 'd["id"]')
as alice memo circulate "$ID" > /dev/null
COUNT=$(sql "$DB" "SELECT COUNT(*) FROM memos")
SIGS=$(sql "$DB" "SELECT COUNT(*) FROM signatures")

# a newer dissent migrates the database while this server runs
sql "$DB" "UPDATE meta SET value = '$((KNOWN + 1))' WHERE key = 'schema_version'" > /dev/null
R=$(memo "after")
expect_eq "a write after it is refused (500)" "${R%% *}" 500
expect_in "saying what happened" "$R" "schema version $((KNOWN + 1)), not $KNOWN"
expect_in "and what to do" "$R" "refuses its writes; restart it with that dissent"
expect_eq "nothing was written" "$(sql "$DB" "SELECT COUNT(*) FROM memos")" "$COUNT"
R=$(api - GET /api/v1/log/checkpoint)
expect_eq "reads go on (200)" "${R%% *}" 200
R=$(api bob POST "$B/$ID/signatures" '{}')
expect_eq "a co-signature (the writer's group) is refused too" "${R%% *}" 500
expect_in "with the same message" "$R" "schema version $((KNOWN + 1))"
expect_eq "and not counted" "$(sql "$DB" "SELECT COUNT(*) FROM signatures")" "$SIGS"
expect_in "the server's log tells the operator" "$(cat "$E2E_TMP/server.log")" \
  "schema version $((KNOWN + 1))"

# the version this server knows back: writes go on
sql "$DB" "UPDATE meta SET value = '$KNOWN' WHERE key = 'schema_version'" > /dev/null
R=$(memo "again")
expect_eq "with the version back, writes go on (201)" "${R%% *}" 201
R=$(api bob POST "$B/$ID/signatures" '{}')
expect_eq "and co-signatures (200)" "${R%% *}" 200
stop_server

echo "test_upgrade: $E2E_PASS passed, $E2E_FAIL failed"
[ "$E2E_FAIL" -eq 0 ]
