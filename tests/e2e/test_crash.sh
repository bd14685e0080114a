#!/usr/bin/env bash
# kill -9 during group commits loses no acknowledged write (issue #12).
#
# Many threads sign and withdraw named co-signatures at once (crash_load.py,
# each (member, memo) pair driven by one thread); the server is killed with
# SIGKILL in the middle of it, three times, and started again. After each
# restart:
#   - every write answered 2xx is there: each pair is in the state its last
#     acknowledged request left, or in the state of the one request still in
#     flight when the server died (which may or may not have committed);
#   - no request is half applied: per memo, the log holds exactly one
#     signature leaf per committed request, the stored counts and the count
#     history equal the signatures themselves;
#   - the log verifies: `dissent log monitor` (its state kept from round to
#     round, so a checkpoint served before a crash must be consistent with
#     the log after it).
# On SQLite, and on PostgreSQL when it is installed (pg.sh).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/pg.sh"
E2E_TMP=$(mktemp -d)
LOAD_PID=
cleanup() {
  [ -n "$LOAD_PID" ] && kill "$LOAD_PID" 2>/dev/null
  [ -n "${SERVER_PID:-}" ] && kill -9 "$SERVER_PID" 2>/dev/null
  pg_stop
  rm -rf "$E2E_TMP"
}
trap cleanup EXIT

USERS="alice bob carol dan"
NMEMOS=8
THREADS=16
ROUNDS=3

# pairs_now DB: the signatures of the test's memos as "user|memo|signed".
pairs_now() {
  sql "$1" "SELECT u.username, m.public_id, CASE WHEN s.version IS NULL THEN 0 ELSE 1 END
            FROM members u CROSS JOIN memos m
            LEFT JOIN signatures s ON s.memo_id = m.id AND s.member_id = u.id
            WHERE m.public_id IN ($MEMO_LIST) AND u.username IN ('alice','bob','carol','dan')
            ORDER BY 1, 2"
}

# facts DB: per memo, "memo|signature leaves|signatures|stored count|history sum".
facts() {
  sql "$1" "SELECT m.public_id,
              (SELECT COUNT(*) FROM tlog_leaves l WHERE l.memo = m.public_id AND l.kind = 'signature'),
              (SELECT COUNT(*) FROM signatures s WHERE s.memo_id = m.id),
              (SELECT COALESCE(SUM(c.count), 0) FROM signature_counts c WHERE c.memo_id = m.id),
              (SELECT COALESCE(SUM(v.delta), 0) FROM signature_events v WHERE v.memo_id = m.id)
            FROM memos m WHERE m.public_id IN ($MEMO_LIST) ORDER BY 1"
}

# run_backend NAME DB
run_backend() {
  local name=$1 db=$2 round acked
  rm -f "$E2E_TMP"/session-*.json "$E2E_TMP/mon.json" "$E2E_TMP/pins.json"
  "$DISSENT" demo --db "$db" > /dev/null || { bad "$name: demo"; return; }
  start_server "$db"
  for u in $USERS; do login "$u"; done
  MEMO_LIST=
  printf 'Body of a memo everyone signs at once.\n' > "$E2E_TMP/body.md"
  for i in $(seq 1 $NMEMOS); do
    id=$(as alice memo new --channel dissent --title "Crash $i" --marking SBU \
      --body-file "$E2E_TMP/body.md" --json | json 'd["id"]')
    as alice memo circulate "$id" > /dev/null
    MEMO_LIST="$MEMO_LIST${MEMO_LIST:+,}'$id'"
  done
  for round in $(seq 1 $ROUNDS); do
    pairs_now "$db" > "$E2E_TMP/pairs.before"
    facts "$db" > "$E2E_TMP/facts.before"
    python3 - "$E2E_TMP" $USERS > "$E2E_TMP/state.in" <<'EOF'
import json, sys
tmp, users = sys.argv[1], sys.argv[2:]
tokens = {u: json.load(open("%s/session-%s.json" % (tmp, u)))["token"] for u in users}
pairs = []
for line in open(tmp + "/pairs.before"):
    u, m, s = line.strip().split("|")
    pairs.append([u, m, s == "1"])
print(json.dumps({"tokens": tokens, "pairs": pairs}))
EOF
    rm -f "$E2E_TMP/load.started"
    python3 "$here/crash_load.py" "$URL" "$E2E_TMP/state.in" "$E2E_TMP/state.out" $THREADS \
      "$E2E_TMP/load.started" &
    LOAD_PID=$!
    # In the middle of the writes: once 20 are acknowledged (not after a
    # fixed second: on a loaded machine the load may not have started by
    # then), and a random moment later.
    wait_until 60 '[ -e "$E2E_TMP/load.started" ] || ! kill -0 "$LOAD_PID" 2>/dev/null'
    sleep "0.$((RANDOM % 9))$((RANDOM % 10))"
    kill -9 "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null
    SERVER_PID=
    wait "$LOAD_PID"
    LOAD_PID=
    start_server "$db"
    pairs_now "$db" > "$E2E_TMP/pairs.after"
    facts "$db" > "$E2E_TMP/facts.after"
    out=$(python3 - "$E2E_TMP" <<'EOF'
import json, sys
tmp = sys.argv[1]
load = json.load(open(tmp + "/state.out"))
after = {}
for line in open(tmp + "/pairs.after"):
    u, m, s = line.strip().split("|")
    after[(u, m)] = s == "1"
def facts(name):
    d = {}
    for line in open(tmp + "/" + name):
        m, leaves, sigs, counts, hist = line.strip().split("|")
        d[m] = (int(leaves), int(sigs), int(counts), int(hist))
    return d
fb, fa = facts("facts.before"), facts("facts.after")
problems, acked, inflight, committed_inflight = [], 0, 0, 0
committed = {m: 0 for m in fa}
for u, m, signed, ops, fl in load["pairs"]:
    acked += ops
    now = after[(u, m)]
    n = ops
    if fl:
        inflight += 1
        if now != signed:  # the request in flight committed
            committed_inflight += 1
            n += 1
    elif now != signed:
        problems.append("%s on %s: acknowledged %s, found %s" % (u, m, signed, now))
    committed[m] += n
for m in fa:
    leaves = fa[m][0] - fb[m][0]
    if leaves != committed[m]:
        problems.append("memo %s: %d signature leaves added for %d committed requests" % (m, leaves, committed[m]))
    if not (fa[m][1] == fa[m][2] == fa[m][3]):
        problems.append("memo %s: signatures %d, stored count %d, history %d" % (m, fa[m][1], fa[m][2], fa[m][3]))
if load["errors"]:
    problems.append("refused writes: " + "; ".join(load["errors"][:3]))
print("acked=%d inflight=%d committed_inflight=%d" % (acked, inflight, committed_inflight))
for p in problems[:10]:
    print("PROBLEM " + p)
EOF
)
    acked=$(printf '%s\n' "$out" | sed -n 's/^acked=\([0-9]*\).*/\1/p')
    if [ "${acked:-0}" -gt 0 ]; then ok "$name round $round: writes were acknowledged before the kill ($(printf '%s' "$out" | head -n 1))"
    else bad "$name round $round: no write was acknowledged" "$out"; fi
    case "$out" in
      *PROBLEM*) bad "$name round $round: every acknowledged write is there, none half applied" "$(printf '%s\n' "$out" | grep PROBLEM)" ;;
      *) ok "$name round $round: every acknowledged write is there, none half applied" ;;
    esac
    mon=$(DISSENT_CONFIG=$E2E_TMP/nobody.json DISSENT_LOG_KEYS=$E2E_TMP/pins.json \
      "$DISSENT" log monitor --server "$URL" --state "$E2E_TMP/mon.json" 2>&1; echo "exit $?")
    expect_in "$name round $round: the log verifies after the crash (log monitor)" "$mon" "exit 0"
  done
  stop_server
}

run_backend sqlite "$E2E_TMP/crash.db"

if pg_find_bin; then
  pg_start > /dev/null || exit 1
  export PG_BIN
  pg_createdb dissent_crash || exit 1
  export DISSENT_KEYS=$E2E_TMP/keys-pg
  run_backend postgresql "$DB_URL"
else
  echo "  skip  PostgreSQL is not installed (scripts/deps.sh test installs it)"
fi
e2e_summary crash
