# lib.sh — helpers for the end-to-end tests: a real server on a free
# loopback port over a real database, driven by the real CLI and curl.
# Sourced by tests/e2e/*.sh; every check prints one line and is counted.
#
# A database is named as `dissent --db` takes it: a SQLite file path, or a
# postgres:// / postgresql:// URL (tests that support both take it from
# DB_URL; see test_postgres.sh and pg.sh). snapshot and sql work on both.

E2E_PASS=0
E2E_FAIL=0

ok() { E2E_PASS=$((E2E_PASS + 1)); printf '  ok    %s\n' "$1"; }
bad() { E2E_FAIL=$((E2E_FAIL + 1)); printf '  FAIL  %s\n' "$1"; [ -n "${2:-}" ] && printf '        %s\n' "$2"; return 0; }

# expect_eq NAME GOT WANT
expect_eq() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1" "got '$2', want '$3'"; fi; }
# expect_in NAME HAYSTACK NEEDLE
expect_in() { case "$2" in *"$3"*) ok "$1" ;; *) bad "$1" "'$3' not in: $(printf '%s' "$2" | head -c 400)" ;; esac; }
expect_not_in() { case "$2" in *"$3"*) bad "$1" "'$3' found in: $(printf '%s' "$2" | head -c 400)" ;; *) ok "$1" ;; esac; }

# json FILTER: reads JSON on stdin and prints a field (python3, no jq needed).
# FILTER is a Python expression over `d`, e.g. 'd["memo"]["id"]'.
json() { python3 -c 'import json,sys; d=json.load(sys.stdin); v='"$1"'; print(v if not isinstance(v,(dict,list)) else json.dumps(v, sort_keys=True))'; }

# wait_until SECONDS CONDITION: polls the shell CONDITION (eval'd) every 0.1 s
# until it holds or SECONDS pass; returns its last status. The bounds are
# generous on purpose: CI runs on a loaded 2-core machine, and a wait that
# ends early costs nothing (the check after it says what was wrong).
wait_until() {
  local end=$((SECONDS + $1))
  while :; do
    eval "$2" && return 0
    [ "$SECONDS" -ge "$end" ] && return 1
    sleep 0.1
  done
}

# avoid_midnight SECONDS: when UTC midnight is less than SECONDS away, waits
# until it has passed, so that a test comparing the day the server stored
# with today's date (taken once) does not run across two days.
avoid_midnight() {
  local left=$((86400 - $(date -u +%s) % 86400))
  if [ "$left" -lt "$1" ]; then
    echo "  (waiting $left s for UTC midnight: this test compares days)"
    sleep $((left + 2))
  fi
}

# wait_port_file FILE PID: waits (up to 60 s) for a server started in the
# background to write its port to FILE; fails at once if PID is gone.
wait_port_file() {
  local _pf=$1 _pid=$2
  wait_until 60 '[ -s "$_pf" ] || ! kill -0 "$_pid" 2>/dev/null'
  [ -s "$_pf" ]
}

# start_server DB [ENV=VALUE...]: starts dissent serve on a free port; sets URL, SERVER_PID.
start_server() {
  local db=$1; shift
  rm -f "$E2E_TMP/port"
  env DISSENT_BATCH_INTERVAL=0 "$@" "$DISSENT" serve --db "$db" --listen 127.0.0.1:0 --port-file "$E2E_TMP/port" \
    > "$E2E_TMP/server.log" 2>&1 &
  SERVER_PID=$!
  wait_port_file "$E2E_TMP/port" "$SERVER_PID" || { echo "server did not start"; cat "$E2E_TMP/server.log"; exit 1; }
  URL="http://127.0.0.1:$(cat "$E2E_TMP/port")"
}

stop_server() {
  [ -n "${SERVER_PID:-}" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  SERVER_PID=
}

# as USER CMD...: runs the CLI with USER's saved session.
as() { local u=$1; shift; DISSENT_CONFIG="$E2E_TMP/session-$u.json" "$DISSENT" "$@"; }

# login USER: logs USER in through the CLI (demo password).
login() {
  printf '%s-demo-pass\n' "$1" > "$E2E_TMP/pw"
  as "$1" login --server "$URL" --user "$1" --password-file "$E2E_TMP/pw" > /dev/null
}

# web_login USER JAR [PASSWORD]: signs USER in through the login form like a
# browser (the form's pre-session token first), keeping cookies in JAR.
# Prints the final HTTP status.
web_login() {
  local u=$1 jar=$2 pw=${3:-$1-demo-pass} tok
  tok=$(curl -s -c "$jar" -b "$jar" "$URL/login" | sed -n 's/.*name="login_csrf" value="\([^"]*\)".*/\1/p')
  curl -s -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" \
    --data-urlencode "username=$u" --data-urlencode "password=$pw" \
    --data-urlencode "login_csrf=$tok" "$URL/login"
}

# token USER: the bearer token of USER's saved session.
token() { json 'd["token"]' < "$E2E_TMP/session-$1.json"; }

# api USER METHOD PATH [BODY]: curl with USER's token; prints "STATUS BODY".
# BODY "@FILE" sends the file. CTYPE (default application/json) may be set.
api() {
  local u=$1 m=$2 p=$3 body=${4:-} auth=()
  [ "$u" != - ] && auth=(-H "Authorization: Bearer $(token "$u")")
  if [ -n "$body" ]; then
    curl -s -o "$E2E_TMP/resp" -w '%{http_code}' -X "$m" "${auth[@]}" \
      -H "Content-Type: ${CTYPE:-application/json}" --data-binary "$body" "$URL$p"
  else
    curl -s -o "$E2E_TMP/resp" -w '%{http_code}' -X "$m" "${auth[@]}" "$URL$p"
  fi
  printf ' '
  cat "$E2E_TMP/resp"
}

# is_pg DB: true when DB is a PostgreSQL URL.
is_pg() { case "$1" in postgres://*|postgresql://*) return 0 ;; *) return 1 ;; esac; }

# sql DB QUERY: runs one query and prints its rows, columns separated by '|'
# (sqlite3's default output; psql unaligned, tuples only).
sql() {
  if is_pg "$1"; then "${PG_BIN:+$PG_BIN/}psql" -X -q -t -A -v ON_ERROR_STOP=1 -d "$1" -c "$2"
  else sqlite3 "$1" "$2"; fi
}

# snapshot DB: a digest of everything stored except login failures (and the
# throttling rows), which a refused login records on purpose (throttling
# needs them), and enrollment challenges, which a client asks for before it
# tries. On PostgreSQL,
# the data as pg_dump writes it, without the sequences' positions: a rolled
# back insert still uses up an identity number, which is no change of data;
# nor the random key of the \restrict lines newer pg_dumps write.
snapshot() {
  if is_pg "$1"; then
    "${PG_BIN:+$PG_BIN/}pg_dump" --data-only --exclude-table-data=login_failures \
      --exclude-table-data=enroll_challenges --exclude-table-data=login_throttle -d "$1" |
      grep -v -e 'pg_catalog.setval' -e '^\\restrict ' -e '^\\unrestrict ' | sha256sum | cut -d' ' -f1
  else
    sqlite3 "$1" .dump | grep -v -e 'login_failures' -e 'enroll_challenges' -e 'login_throttle' |
      sha256sum | cut -d' ' -f1
  fi
}

# refused NAME DB WANT_STATUS WANT_CODE USER METHOD PATH [BODY]: the request
# must be refused with that status and error code, and change nothing.
refused() {
  local name=$1 db=$2 st=$3 code=$4; shift 4
  local before after out
  before=$(snapshot "$db")
  out=$(api "$@")
  after=$(snapshot "$db")
  case "$out" in
    "$st "*'"error":{"code":"'"$code"'"'*) 
      if [ "$before" = "$after" ]; then ok "$name ($st $code, nothing changed)"
      else bad "$name" "the database changed"; fi ;;
    *) bad "$name" "got: $(printf '%s' "$out" | head -c 300)" ;;
  esac
}

e2e_summary() {
  echo "e2e $1: $E2E_PASS passed, $E2E_FAIL failed"
  [ "$E2E_FAIL" -eq 0 ]
}

# rehash_log DB: the operator's rewrite of a SQLite log behind the server's
# back: leaf 1's time changed, then every stored node of the tree recomputed
# from the leaves (RFC 9162), so the tree is self-consistent and the server
# signs it, but it is not the tree anyone saw before.
rehash_log() {
  python3 -c "import sqlite3, sys; db = sqlite3.connect(sys.argv[1]); db.execute(\"UPDATE tlog_leaves SET data = json_set(CAST(data AS TEXT), '\$.at', '2020-01-01T00:00:00Z') WHERE idx = 1\"); db.commit()" "$1"
  rehash_tree "$1"
}

# start_witness_at NAME KEYFILE STATEDIR LOGKEY...: starts `dissent witness
# serve` on a free port following the logs LOGKEY...; sets WPID_<NAME> and
# WURL_<NAME>. Stop it with kill "$WPID_<NAME>".
start_witness_at() {
  local name=$1 key=$2 state=$3 args=() k; shift 3
  for k in "$@"; do args+=(--log "$k"); done
  rm -f "$E2E_TMP/wport-$name"
  "$DISSENT" witness serve --listen 127.0.0.1:0 --port-file "$E2E_TMP/wport-$name" \
    --state "$state" --key "$key" "${args[@]}" > "$E2E_TMP/witness-$name.log" 2>&1 &
  eval "WPID_$name=$!"
  wait_port_file "$E2E_TMP/wport-$name" $! || { echo "witness $name did not start"; cat "$E2E_TMP/witness-$name.log"; exit 1; }
  eval "WURL_$name=http://127.0.0.1:$(cat "$E2E_TMP/wport-$name")"
}

# start_server_at NAME DB [ARGS...]: starts `dissent serve` on a free port
# with ARGS; sets SPID_<NAME> and SURL_<NAME> (several servers at once).
start_server_at() {
  local name=$1 db=$2; shift 2
  rm -f "$E2E_TMP/sport-$name"
  "$DISSENT" serve --db "$db" --listen 127.0.0.1:0 --port-file "$E2E_TMP/sport-$name" "$@" \
    >> "$E2E_TMP/server-$name.log" 2>&1 &
  eval "SPID_$name=$!"
  wait_port_file "$E2E_TMP/sport-$name" $! || { echo "server $name did not start"; cat "$E2E_TMP/server-$name.log"; exit 1; }
  eval "SURL_$name=http://127.0.0.1:$(cat "$E2E_TMP/sport-$name")"
}

# ---- ring keys and the lying proxy (anonymous signing tests) ----

# keyf NAME / ppf NAME: the ring key file and passphrase file of NAME.
keyf() { printf '%s/%s.key' "$E2E_TMP" "$1"; }
ppf() { printf '%s/%s.pass' "$E2E_TMP" "$1"; }

# enroll_key USER [NAME]: USER makes ring key NAME (default USER) and enrolls it.
enroll_key() {
  local u=$1 n=${2:-$1}
  printf '%s ring passphrase\n' "$n" > "$(ppf "$n")"
  as "$u" key new --key "$(keyf "$n")" --passphrase-file "$(ppf "$n")" > /dev/null
  as "$u" key enroll --key "$(keyf "$n")" --passphrase-file "$(ppf "$n")" > /dev/null
}

# make_extra_keys N FILE: N ring keys nobody enrolled ("random points" a
# server could pad a ring with), one hex key a line in FILE.
make_extra_keys() {
  local i
  printf 'x passphrase\n' > "$E2E_TMP/x.pass"
  for i in $(seq 1 "$1"); do
    "$DISSENT" key new --key "$E2E_TMP/x$i.key" --passphrase-file "$E2E_TMP/x.pass" > /dev/null
    "$DISSENT" key show --key "$E2E_TMP/x$i.key"
  done > "$2"
}

# start_evil_proxy MODE ORG VICTIM [KEYS_FILE]: evil_proxy.py in front of
# $URL; sets PROXY_PID and PURL; POST paths go to $E2E_TMP/posts, GET paths
# to $E2E_TMP/posts.get, every request with whether it carried a session to
# $E2E_TMP/posts.hdr. Stop it with stop_proxy.
PROXY_PID=
start_evil_proxy() {
  rm -f "$E2E_TMP/pport"; : > "$E2E_TMP/posts"; : > "$E2E_TMP/posts.get"; : > "$E2E_TMP/posts.hdr"
  python3 "$(dirname "${BASH_SOURCE[0]}")/evil_proxy.py" "$URL" "$E2E_TMP/pport" "$E2E_TMP/posts" \
    "$@" 2> "$E2E_TMP/proxy.err" &
  PROXY_PID=$!
  wait_port_file "$E2E_TMP/pport" "$PROXY_PID" || { echo "proxy did not start"; cat "$E2E_TMP/proxy.err"; exit 1; }
  PURL="http://127.0.0.1:$(cat "$E2E_TMP/pport")"
}
stop_proxy() { [ -n "$PROXY_PID" ] && kill "$PROXY_PID" 2>/dev/null && wait "$PROXY_PID" 2>/dev/null; PROXY_PID=; }

# rehash_tree DB: every stored node of a SQLite log recomputed from its
# leaves (RFC 9162), as an operator rewriting the log behind the server would.
rehash_tree() {
  python3 - "$1" <<'PY'
import hashlib, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = [r[0] for r in db.execute("SELECT CAST(data AS TEXT) FROM tlog_leaves ORDER BY idx")]
level = [hashlib.sha256(b"\0" + d.encode()).digest() for d in rows]
db.execute("DELETE FROM tlog_tree")
lv = 0
while level:
    db.executemany("INSERT INTO tlog_tree(completed_by, level, hash) VALUES(?, ?, ?)",
                   [(((i + 1) << lv) - 1, lv, h) for i, h in enumerate(level)])
    level = [hashlib.sha256(b"\1" + level[2*i] + level[2*i+1]).digest() for i in range(len(level) // 2)]
    lv += 1
db.commit()
PY
}
