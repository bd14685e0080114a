#!/usr/bin/env bash
# A database driver's text never reaches a client; the operator's log has it.
# The operator puts a trigger on the table a named co-signature writes:
#   1. one that aborts (SQLite RAISE(ABORT), PostgreSQL unique_violation):
#      the API and the memo page answer 409 conflict as before, with our
#      sentence, not the trigger's text, "constraint" or "SQL"; the server's
#      log has a warn line with the method, the route pattern, the status,
#      the code and the trigger's text (not the memo's id, and on
#      PostgreSQL not the DETAIL line, which can hold key values);
#   2. one that fails otherwise (a missing table, a plain exception): 500
#      storage_error, our sentence to the client, an error line in the log;
#   3. without the trigger, signing works again.
# The messages of ours that tests check for 5xx (the schema guard's) are
# test_upgrade.sh's; it must still pass.
# On SQLite by default; on PostgreSQL when DB_URL names an empty database
# (test_postgres.sh runs it so).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
E2E_TMP=$(mktemp -d)
trap 'stop_server; rm -rf "$E2E_TMP"' EXIT
DB=${DB_URL:-$E2E_TMP/dissent.db}
SECRET=secret-internal-text

"$DISSENT" demo --db "$DB" > "$E2E_TMP/demo.out" || { echo "demo failed"; exit 1; }
start_server "$DB"
login alice
login bob
B=/api/v1/memos
printf 'text\n' > "$E2E_TMP/body.md"
ID=$(as alice memo new --channel dissent --title "Triggers" --marking SBU \
  --body-file "$E2E_TMP/body.md" --json | json 'd["id"]')
as alice memo circulate "$ID" > /dev/null
JAR=$E2E_TMP/bob.jar
expect_eq "bob signs in on the web (303)" "$(web_login bob "$JAR")" 303

# trigger KIND: replaces the operator's trigger on signatures: abort (a
# constraint-like failure, 409), fail (another failure, 500) or none.
trigger() {
  if is_pg "$DB"; then
    case $1 in
      abort) sql "$DB" "CREATE OR REPLACE FUNCTION op_trigger() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN RAISE EXCEPTION '$SECRET' USING ERRCODE = 'unique_violation', DETAIL = 'Key (secret_detail)=(secret-detail-value) already exists.'; END \$\$; DROP TRIGGER IF EXISTS op_t ON signatures; CREATE TRIGGER op_t BEFORE INSERT ON signatures FOR EACH ROW EXECUTE FUNCTION op_trigger();" ;;
      fail) sql "$DB" "CREATE OR REPLACE FUNCTION op_trigger() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN RAISE EXCEPTION '$SECRET'; END \$\$; DROP TRIGGER IF EXISTS op_t ON signatures; CREATE TRIGGER op_t BEFORE INSERT ON signatures FOR EACH ROW EXECUTE FUNCTION op_trigger();" ;;
      none) sql "$DB" "DROP TRIGGER IF EXISTS op_t ON signatures" ;;
    esac
  else
    case $1 in
      abort) sql "$DB" "DROP TRIGGER IF EXISTS op_t; CREATE TRIGGER op_t BEFORE INSERT ON signatures BEGIN SELECT RAISE(ABORT, '$SECRET'); END;" ;;
      fail) sql "$DB" "DROP TRIGGER IF EXISTS op_t; CREATE TRIGGER op_t BEFORE INSERT ON signatures BEGIN SELECT * FROM secret_internal_table; END;" ;;
      none) sql "$DB" "DROP TRIGGER IF EXISTS op_t" ;;
    esac
  fi > /dev/null
}

# told NAME BODY: the body holds nothing of the driver's.
told() {
  expect_not_in "$1: not the trigger's text" "$2" "secret"
  expect_not_in "$1: no 'constraint'" "$2" "constraint"
  expect_not_in "$1: no 'SQL'" "$2" "SQL"
  expect_not_in "$1: no 'ERROR:'" "$2" "ERROR:"
}

# web_sign: bob's "Co-sign" on the memo page; the page in $E2E_TMP/page,
# prints the status.
web_sign() {
  local csrf
  csrf=$(curl -s -b "$JAR" "$URL/memos/$ID" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
  curl -s -o "$E2E_TMP/page" -w '%{http_code}' -b "$JAR" --data-urlencode "csrf=$csrf" \
    "$URL/memos/$ID/sign"
}

# mark / since: the server's log lines written after the mark.
mark() { MARK=$(wc -l < "$E2E_TMP/server.log"); }
since() { tail -n +$((MARK + 1)) "$E2E_TMP/server.log"; }

# ---- 1. an abort: 409 conflict ----
trigger abort
mark
R=$(api bob POST "$B/$ID/signatures" '{}')
expect_eq "API: 409 as before" "${R%% *}" 409
expect_eq "API: code conflict as before" "$(echo "${R#* }" | json 'd["error"]["code"]')" conflict
expect_in "API: our sentence" "$R" "reload and try again"
told "API 409" "$R"
expect_eq "web: 409 as before" "$(web_sign)" 409
told "web 409" "$(cat "$E2E_TMP/page")"
expect_in "web: our sentence" "$(cat "$E2E_TMP/page")" "reload and try again"
LOG=$(since)
expect_in "log: the API's failure, with the route pattern and the trigger's text" "$LOG" \
  "warn  http POST /api/v1/memos/:id/signatures 409 conflict: "
expect_in "log: the trigger's text" "$(since | grep 'signatures 409 conflict' | head -1)" "$SECRET"
expect_in "log: the page's failure too" "$LOG" "warn  http POST /memos/:id/sign 409 conflict: "
expect_not_in "log: not the memo's id" "$LOG" "$ID"
expect_not_in "log: not the DETAIL line (key values)" "$LOG" "secret-detail-value"
expect_eq "nothing was signed" "$(sql "$DB" "SELECT COUNT(*) FROM signatures")" 0

# ---- 2. another failure: 500 storage_error ----
trigger fail
mark
R=$(api bob POST "$B/$ID/signatures" '{}')
expect_eq "API: 500 as before" "${R%% *}" 500
expect_eq "API: code storage_error as before" "$(echo "${R#* }" | json 'd["error"]["code"]')" storage_error
expect_in "API: our sentence" "$R" "the server's log says why"
told "API 500" "$R"
expect_not_in "API 500: no table name" "$R" "table"
expect_eq "web: 500 as before" "$(web_sign)" 500
told "web 500" "$(cat "$E2E_TMP/page")"
LOG=$(since)
expect_in "log: an error line for the API's 500" "$LOG" \
  "error http POST /api/v1/memos/:id/signatures 500 storage_error: "
expect_in "log: with the driver's text" "$(since | grep 'signatures 500 storage_error' | head -1)" "secret"
expect_in "log: an error line for the page's 500" "$LOG" "error http POST /memos/:id/sign 500 storage_error: "
expect_not_in "log: not the memo's id" "$LOG" "$ID"

# ---- 3. the operator removes it ----
trigger none
R=$(api bob POST "$B/$ID/signatures" '{}')
expect_eq "without the trigger, bob signs (200)" "${R%% *}" 200

stop_server
e2e_summary db_errors
