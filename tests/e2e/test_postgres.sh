#!/usr/bin/env bash
# dissent on PostgreSQL, against a real throwaway server (pg.sh):
#   1. the whole lifecycle test (test_lifecycle.sh) with --db postgres://…;
#   2. the transparency log: checkpoint, inclusion and consistency proofs
#      checked here from the RFC 9162 definitions (python3), and with the CLI
#      (`dissent log proof`, `log monitor`, `verify`);
#   3. ring keys and anonymous co-signatures (bytea keys, tags and proofs),
#      re-verified from public data;
#   4. two servers on one database taking requests at the same time: every
#      request succeeds and the log stays one consistent tree (the writers'
#      advisory lock in db_pg.c);
#   5. co-signatures racing through those two servers on one memo: nine
#      members sign at once, split between the servers, then three sign,
#      move, withdraw and sign again on both servers at the same moment,
#      across the milestone of 10. Every request is a 200 or a 409 conflict
#      (the loser of a race); each 200 wrote exactly one leaf and each 409
#      none; replayed in log order, every member's leaves are a legal
#      sequence and every leaf's counts are the state after it; the public
#      count and signer list (from both servers), the SQL tables (signatures,
#      signature_counts, memo_signature_totals, memo_milestones: the held
#      writes of db_exec_later) and the memo's timeline all agree with that
#      replay; the log monitor passes and the servers serve one tree.
# Skipped (exit 0, with a message) when the PostgreSQL server binaries are
# not installed: `scripts/deps.sh test` installs them.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/pg.sh"
E2E_TMP=$(mktemp -d)
SERVER2_PID=
cleanup() {
  stop_server
  [ -n "$SERVER2_PID" ] && kill "$SERVER2_PID" 2>/dev/null && wait "$SERVER2_PID" 2>/dev/null
  pg_stop
  rm -rf "$E2E_TMP"
}
trap cleanup EXIT
# The whole run happens in an empty working directory, checked at the end: a
# step that opens a postgres:// database without a key directory
# (DISSENT_KEYS) would leave its keys in ./dissent.keys.
case ${DISSENT:?} in /*) ;; *) DISSENT=$PWD/$DISSENT ;; esac
mkdir "$E2E_TMP/cwd" && cd "$E2E_TMP/cwd" || exit 1

if ! pg_find_bin; then
  echo "  skip  PostgreSQL is not installed (scripts/deps.sh test installs it)"
  e2e_summary postgres
  exit 0
fi
pg_start || exit 1
export PG_BIN

# ---- 1. the lifecycle, unchanged, on PostgreSQL ----
pg_createdb dissent_lifecycle || exit 1
# Each database has its own key directory (a PostgreSQL URL has no file to
# put one beside).
if DISSENT_KEYS=$E2E_TMP/keys-lifecycle DB_URL=$DB_URL bash "$here/test_lifecycle.sh" > "$E2E_TMP/lifecycle.out" 2>&1; then
  ok "lifecycle on PostgreSQL: $(tail -n 1 "$E2E_TMP/lifecycle.out")"
else
  bad "lifecycle on PostgreSQL" "$(grep -A1 FAIL "$E2E_TMP/lifecycle.out" | head -20)"
fi

# Secrets at rest on PostgreSQL: a pg_dump holds no memo text and no key;
# migrate from the format of before (test_at_rest.sh).
pg_createdb dissent_at_rest || exit 1
if DISSENT_KEYS=$E2E_TMP/keys-at-rest DB_URL=$DB_URL bash "$here/test_at_rest.sh" > "$E2E_TMP/at_rest.out" 2>&1; then
  ok "secrets at rest on PostgreSQL: $(tail -n 1 "$E2E_TMP/at_rest.out")"
else
  bad "secrets at rest on PostgreSQL" "$(grep -A1 FAIL "$E2E_TMP/at_rest.out" | head -20)"
fi

# The store's unit tests (test_db's conformance run and the tests of each
# store source through store.h), when built next to the binary: each
# program on a database of its own, with a working directory and $TMPDIR of
# its own that must be empty after it (as scripts/run-tests.sh checks: a
# store opened without a key directory would put its keys in ./dissent.keys).
for UNIT in "$(dirname "$DISSENT")"/tests/unit/store/test_*; do
  [ -x "$UNIT" ] || continue
  name=$(basename "$UNIT")
  pg_createdb "dissent_unit_$name" || exit 1
  run=$E2E_TMP/unit-$name
  mkdir -p "$run/tmp" "$run/cwd"
  if (cd "$run/cwd" && DISSENT_TEST_PG_URL=$DB_URL TMPDIR=$run/tmp exec "$UNIT") > "$E2E_TMP/unit.out" 2>&1; then
    ok "store unit test $name on PostgreSQL"
  else
    bad "store unit test $name on PostgreSQL" "$(grep -B2 -A3 -e FAIL -e ERROR "$E2E_TMP/unit.out" | head -20)"
  fi
  left=$(cd "$run" && find tmp cwd -mindepth 1 | sort | head -20)
  if [ -z "$left" ]; then
    ok "store unit test $name on PostgreSQL left nothing behind"
  else
    bad "store unit test $name on PostgreSQL left files behind (tmp/ is its \$TMPDIR, cwd/ its working directory)" "$(printf '%s' "$left" | tr '\n' ' ')"
  fi
  rm -rf "$run"
done

# Accounts without shared secrets, unchanged, on PostgreSQL.
pg_createdb dissent_accounts || exit 1
if DISSENT_KEYS=$E2E_TMP/keys-accounts DB_URL=$DB_URL bash "$here/test_accounts.sh" > "$E2E_TMP/accounts.out" 2>&1; then
  ok "accounts on PostgreSQL: $(tail -n 1 "$E2E_TMP/accounts.out")"
else
  bad "accounts on PostgreSQL" "$(grep -A1 FAIL "$E2E_TMP/accounts.out" | head -20)"
fi

# Missed deadlines written once by the scheduler, and the responsiveness
# figures, unchanged, on PostgreSQL.
pg_createdb dissent_deadlines || exit 1
if DISSENT_KEYS=$E2E_TMP/keys-deadlines DB_URL=$DB_URL bash "$here/test_deadlines.sh" > "$E2E_TMP/deadlines.out" 2>&1; then
  ok "deadlines on PostgreSQL: $(tail -n 1 "$E2E_TMP/deadlines.out")"
else
  bad "deadlines on PostgreSQL" "$(grep -A1 FAIL "$E2E_TMP/deadlines.out" | head -20)"
fi
# A server left running while its database is migrated by a newer dissent
# (the rolling upgrade of several servers on one PostgreSQL) writes nothing
# more, and says why (test_upgrade.sh).
pg_createdb dissent_upgrade || exit 1
if DISSENT_KEYS=$E2E_TMP/keys-upgrade DB_URL=$DB_URL bash "$here/test_upgrade.sh" > "$E2E_TMP/upgrade.out" 2>&1; then
  ok "a server across an upgrade on PostgreSQL: $(tail -n 1 "$E2E_TMP/upgrade.out")"
else
  bad "a server across an upgrade on PostgreSQL" "$(grep -A1 FAIL "$E2E_TMP/upgrade.out" | head -20)"
fi
# PostgreSQL's error text (an operator's trigger) reaches the server's log,
# not a client; its DETAIL lines not even the log (test_db_errors.sh).
pg_createdb dissent_db_errors || exit 1
if DISSENT_KEYS=$E2E_TMP/keys-db-errors DB_URL=$DB_URL bash "$here/test_db_errors.sh" > "$E2E_TMP/db_errors.out" 2>&1; then
  ok "driver errors on PostgreSQL: $(tail -n 1 "$E2E_TMP/db_errors.out")"
else
  bad "driver errors on PostgreSQL" "$(grep -A1 FAIL "$E2E_TMP/db_errors.out" | head -20)"
fi
# Notifications and mail (a real SMTP server), unchanged, on PostgreSQL.
pg_createdb dissent_notify || exit 1
if DISSENT_KEYS=$E2E_TMP/keys-notify DB_URL=$DB_URL bash "$here/test_notify.sh" > "$E2E_TMP/notify.out" 2>&1; then
  ok "notifications on PostgreSQL: $(tail -n 1 "$E2E_TMP/notify.out")"
else
  bad "notifications on PostgreSQL" "$(grep -A1 FAIL "$E2E_TMP/notify.out" | head -20)"
fi
# The second factor and privileged roles in the log, unchanged, on PostgreSQL.
pg_createdb dissent_totp || exit 1
if DISSENT_KEYS=$E2E_TMP/keys-totp DB_URL=$DB_URL bash "$here/test_totp.sh" > "$E2E_TMP/totp.out" 2>&1; then
  ok "second factor on PostgreSQL: $(tail -n 1 "$E2E_TMP/totp.out")"
else
  bad "second factor on PostgreSQL" "$(grep -A1 FAIL "$E2E_TMP/totp.out" | head -20)"
fi

# Finding memos (search, filters, pages, the list's access rows recorded
# in one statement), unchanged, on PostgreSQL.
pg_createdb dissent_find || exit 1
if DISSENT_KEYS=$E2E_TMP/keys-find DB_URL=$DB_URL bash "$here/test_find.sh" > "$E2E_TMP/find.out" 2>&1; then
  ok "finding memos on PostgreSQL: $(tail -n 1 "$E2E_TMP/find.out")"
else
  bad "finding memos on PostgreSQL" "$(grep -A1 FAIL "$E2E_TMP/find.out" | head -20)"
fi

# Lists that grow with the institution, a page at a time (the signer list:
# keyset pages by index), unchanged, on PostgreSQL.
pg_createdb dissent_lists || exit 1
if DISSENT_KEYS=$E2E_TMP/keys-lists DB_URL=$DB_URL bash "$here/test_lists.sh" > "$E2E_TMP/lists.out" 2>&1; then
  ok "lists in pages on PostgreSQL: $(tail -n 1 "$E2E_TMP/lists.out")"
else
  bad "lists in pages on PostgreSQL" "$(grep -A1 FAIL "$E2E_TMP/lists.out" | head -20)"
fi

# ---- 2. the transparency log ----
pg_createdb dissent_log || exit 1
export DISSENT_KEYS=$E2E_TMP/keys-log
DB=$DB_URL
expect_in "demo on postgres://" "$("$DISSENT" demo --db "$DB")" "created the demo"
expect_in "demo again: already there" "$("$DISSENT" demo --db "$DB")" "already holds the demo"
expect_eq "schema version in meta" "$(sql "$DB" "SELECT value FROM meta WHERE key = 'schema_version'")" 26
export DISSENT_LOG_KEYS=$E2E_TMP/pins.json
STATE=$E2E_TMP/monitor.json
start_server "$DB" DISSENT_FAKE_NOW=2026-11-20T15:00:00Z
expect_eq "serve --db postgres:// answers" "$(curl -s "$URL/healthz")" '{"status":"ok"}'
for u in alice bob carol dan rita; do login "$u"; done
nobody() { DISSENT_CONFIG="$E2E_TMP/session-nobody.json" "$DISSENT" "$@"; }
monitor() { MON=$(nobody log monitor --server "$URL" --state "$STATE" "$@" 2>&1); MON_RC=$?; }

printf 'First paragraph.\n\nSecond paragraph.\n' > "$E2E_TMP/v1.md"
ID=$(as alice memo new --channel dissent --title "Keep the consulates" --marking SBU \
      --body-file "$E2E_TMP/v1.md" --json | json 'd["id"]')
monitor
expect_eq "log monitor: first run passes" "$MON_RC" 0
CP1=$(curl -s "$URL/api/v1/log/checkpoint")
printf 'First paragraph.\n\nSecond paragraph, revised.\n' > "$E2E_TMP/v2.md"
as alice memo edit "$ID" --body-file "$E2E_TMP/v2.md" > /dev/null
as alice memo circulate "$ID" > /dev/null
as bob sign "$ID" > /dev/null
as carol sign "$ID" --version 1 > /dev/null
as carol sign "$ID" --version 2 > /dev/null
as alice submit "$ID" > /dev/null
CP2=$(curl -s "$URL/api/v1/log/checkpoint")
N1=$(echo "$CP1" | json 'd["size"]')
N2=$(echo "$CP2" | json 'd["size"]')
[ "$N2" -gt "$N1" ] && ok "the log grew ($N1 -> $N2 leaves)" || bad "the log grew" "$N1 -> $N2"
monitor --incremental
expect_eq "log monitor --incremental: consistent" "$MON_RC" 0
expect_in "log monitor checked a consistency proof" "$MON" "consistent with the checkpoint seen before"

# RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency), from the
# definitions: every hash the server sends is recomputed here.
cat > "$E2E_TMP/rfc9162.py" <<'EOF'
import base64, hashlib, json, sys
def H(*parts): return hashlib.sha256(b"".join(parts)).digest()
def b(s): return base64.b64decode(s)
def inclusion(index, size, leaf, path, root):
    if index >= size: return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0: return False
        if fn & 1 or fn == sn:
            r = H(b"\x01", p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0: fn >>= 1; sn >>= 1
        else:
            r = H(b"\x01", r, p)
        fn >>= 1; sn >>= 1
    return sn == 0 and r == root
def consistency(first, second, h1, h2, path):
    if first == second: return not path and h1 == h2
    if first == 0 or first > second or not path and first & (first - 1): return False
    if first & (first - 1) == 0: path = [h1] + path
    fn, sn = first - 1, second - 1
    while fn & 1: fn >>= 1; sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0: return False
        if fn & 1 or fn == sn:
            fr = H(b"\x01", c, fr); sr = H(b"\x01", c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0: fn >>= 1; sn >>= 1
        else:
            sr = H(b"\x01", sr, c)
        fn >>= 1; sn >>= 1
    return fr == h1 and sr == h2 and sn == 0
what = sys.argv[1]
d = json.load(sys.stdin)
if what == "inclusion":
    leaf = d["leaf"]; proof = d["proof"]; cp = d["checkpoint"]
    lh = H(b"\x00", leaf["data"].encode())
    ok = lh == b(leaf["leaf_hash"]) == b(proof["leaf_hash"]) and inclusion(
        proof["index"], proof["size"], lh, [b(p) for p in proof["proof"]], b(cp["root"]))
else:
    a = d["old"]; c = d["new"]; proof = d["proof"]
    ok = consistency(a["size"], c["size"], b(a["root"]), b(c["root"]), [b(p) for p in proof["proof"]])
print("verified" if ok else "FAILED")
EOF
I=1
LEAF=$(curl -s "$URL/api/v1/log/leaves?start=$I&end=$((I + 1))" | json 'd["leaves"][0]')
PROOF=$(curl -s "$URL/api/v1/log/proof/inclusion?index=$I&size=$N2")
expect_eq "inclusion proof of leaf $I in the checkpoint (curl, RFC 9162)" \
  "$(printf '{"leaf":%s,"proof":%s,"checkpoint":%s}' "$LEAF" "$PROOF" "$CP2" | python3 "$E2E_TMP/rfc9162.py" inclusion)" verified
PROOF=$(curl -s "$URL/api/v1/log/proof/consistency?from=$N1&to=$N2")
expect_eq "consistency proof $N1 -> $N2 (curl, RFC 9162)" \
  "$(printf '{"old":%s,"new":%s,"proof":%s}' "$CP1" "$CP2" "$PROOF" | python3 "$E2E_TMP/rfc9162.py" consistency)" verified
BADCP=$(echo "$CP1" | python3 -c 'import json,sys; d=json.load(sys.stdin); d["root"]="A"*43+"="; print(json.dumps(d))')
expect_eq "a wrong old root fails the consistency check" \
  "$(printf '{"old":%s,"new":%s,"proof":%s}' "$BADCP" "$CP2" "$PROOF" | python3 "$E2E_TMP/rfc9162.py" consistency)" FAILED
expect_in "log proof (CLI) checks an inclusion proof" "$(nobody log proof "$I" --server "$URL" 2>&1)" "inclusion proof of"
expect_eq "log checkpoint (CLI)" "$(nobody log checkpoint --server "$URL" --json 2>/dev/null | json 'd["size"]')" "$N2"
expect_eq "leaves stored = checkpoint size" "$(sql "$DB" "SELECT COUNT(*) FROM tlog_leaves")" "$N2"
as alice memo render "$ID" > "$E2E_TMP/copy.txt" 2>/dev/null || \
  curl -s -H "Authorization: Bearer $(token alice)" "$URL/api/v1/memos/$ID/versions/2/rendering" > "$E2E_TMP/copy.txt"
OUT=$(nobody verify "$E2E_TMP/copy.txt" --server "$URL" 2>&1); RC=$?
expect_eq "verify: the official copy matches the log (exit 0)" "$RC" 0
sed 's/revised/rewritten/' "$E2E_TMP/copy.txt" > "$E2E_TMP/altered.txt"
OUT=$(nobody verify "$E2E_TMP/altered.txt" --server "$URL" 2>&1); RC=$?
[ "$RC" -ne 0 ] && ok "verify: an altered copy does not match (exit $RC)" || bad "verify: an altered copy" "$OUT"

# ---- 3. ring keys and anonymous co-signatures ----
keyf() { printf '%s/%s.key' "$E2E_TMP" "$1"; }
ppf() { printf '%s/%s.pass' "$E2E_TMP" "$1"; }
for u in bob dan; do
  printf '%s ring passphrase\n' "$u" > "$(ppf "$u")"
  as "$u" key new --key "$(keyf "$u")" --passphrase-file "$(ppf "$u")" > /dev/null
  expect_in "$u enrolls a ring key" "$(as "$u" key enroll --key "$(keyf "$u")" --passphrase-file "$(ppf "$u")")" "enrolled"
done
OUT=$(as bob key enroll --key "$(keyf bob)" --passphrase-file "$(ppf bob)" 2>&1); RC=$?
expect_eq "enrolling the same key twice is refused (exit 1)" "$RC" 1
ID2=$(as alice memo new --channel dissent --title "Anonymous support" --marking SBU --body "Text." --json | json 'd["id"]')
as alice memo circulate "$ID2" > /dev/null
anon() { local u=$1 c=$2; shift 2; as "$u" "$c" "$@" --anonymous --key "$(keyf "$u")" --passphrase-file "$(ppf "$u")" --min-ring 2; }
expect_in "bob signs anonymously" "$(anon bob sign "$ID2" 2>/dev/null)" "anonymous signature added"
expect_in "dan signs anonymously" "$(anon dan sign "$ID2" 2>/dev/null)" "anonymous signature added"
expect_in "dan signing again replaces his signature" "$(anon dan sign "$ID2" 2>/dev/null)" "anonymous signature replaced"
expect_eq "two anonymous signatures counted" \
  "$(curl -s "$URL/api/v1/public/memos/$ID2" | json 'd["counts"]["anonymous"]["total"]')" 2
# the browser's download: a ring by its digest, in binary, is the facts' keys
P=$(curl -s "$URL/api/v1/public/memos/$ID2")
D=$(echo "$P" | json 'd["rings"][0]["digest"]')
expect_eq "a ring by its digest: the facts' keys, 32 bytes each (bytea read back)" \
  "$(curl -s "$URL/api/v1/public/rings/$D" | od -An -tx1 -v | tr -d ' \n')" "$(echo "$P" | json '"".join(d["rings"][0]["keys"])')"
V=$(nobody verify-signatures "$ID2" --server "$URL" 2>&1); RC=$?
expect_eq "verify-signatures from public data (exit 0)" "$RC" 0
expect_in "every signature verifies" "$V" "OK: every signature verifies"
# dissent migrate's re-verification of stored anonymous proofs (schema 14;
# docs/protocol-ring.md §15), on PostgreSQL: rows as stored before the mark
sql "$DB" "UPDATE anon_signatures SET protocol = NULL" > /dev/null
OUT=$("$DISSENT" migrate --db "$DB" 2>&1); RC=$?
expect_eq "migrate re-verifies the stored anonymous proofs (exit 0)" "$RC" 0
expect_in "both made under v2" "$OUT" "2 stored anonymous signatures re-verified: 0 made before protocol v2"
expect_eq "and marked so" "$(sql "$DB" "SELECT COUNT(*) FROM anon_signatures WHERE protocol = 2")" 2
expect_eq "still counted" \
  "$(curl -s "$URL/api/v1/public/memos/$ID2" | json 'd["counts"]["anonymous"]["total"]')" 2
OUT=$("$DISSENT" migrate --db "$DB" 2>&1)
expect_not_in "a second migrate re-verifies nothing" "$OUT" "re-verified"
monitor
expect_eq "log monitor (full audit) after everything" "$MON_RC" 0

# ---- 4. two servers, one database, concurrent writers ----
stop_server
start_server "$DB" DISSENT_FAKE_NOW=2026-11-20T15:00:00Z
URL_A=$URL
# No batches, as start_server's: in section 5 carol (an organization smaller
# than min_ring: batch.c) signs through this server.
DISSENT_BATCH_INTERVAL=0 DISSENT_FAKE_NOW=2026-11-20T15:00:00Z "$DISSENT" serve --db "$DB" --listen 127.0.0.1:0 --port-file "$E2E_TMP/port2" > "$E2E_TMP/server2.log" 2>&1 &
SERVER2_PID=$!
wait_port_file "$E2E_TMP/port2" "$SERVER2_PID" || { echo "server 2 did not start"; cat "$E2E_TMP/server2.log"; exit 1; }
URL_B="http://127.0.0.1:$(cat "$E2E_TMP/port2")"
BEFORE=$(curl -s "$URL_A/api/v1/log/checkpoint" | json 'd["size"]')
TOK=$(token alice)
post() { # post BASE N: creates a memo; prints the HTTP status
  curl -s -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer $TOK" -H 'Content-Type: application/json' \
    -d "{\"channel\":\"dissent\",\"title\":\"Concurrent $2\",\"marking\":\"SBU\",\"body\":\"Body $2.\"}" "$1/api/v1/memos"
}
pids=()
for i in $(seq 1 12); do
  post "$URL_A" "a$i" >> "$E2E_TMP/codes" & pids+=($!)
  post "$URL_B" "b$i" >> "$E2E_TMP/codes" & pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
expect_eq "24 memos created at once through two servers: all 201" \
  "$(sort "$E2E_TMP/codes" | uniq -c | tr -s ' ')" " 24 201"
AFTER=$(curl -s "$URL_B/api/v1/log/checkpoint" | json 'd["size"]')
expect_eq "each added its leaf to one log" "$((AFTER - BEFORE))" 24
expect_eq "both servers sign the same tree head" "$(curl -s "$URL_A/api/v1/log/checkpoint" | json 'd["root"]')" \
  "$(curl -s "$URL_B/api/v1/log/checkpoint" | json 'd["root"]')"
URL=$URL_B monitor
expect_eq "log monitor (full audit) of the tree both wrote" "$MON_RC" 0
expect_eq "the leaf indexes have no gap" "$(sql "$DB" "SELECT COUNT(*) = MAX(idx) + 1 FROM tlog_leaves")" t

# ---- 5. co-signatures racing through the two servers ----
# Twelve members co-sign one memo: nine at once, split between the servers,
# then three sign, move, withdraw and sign again on both servers at the same
# moment. Each write holds the writers' lock while it reads the signer's
# state and the counts, appends its leaf, and notes the running total and any
# milestone (chan_timeline_note_signature; held writes: db_exec_later); so the
# log, the counts, the totals and the milestones must tell one story,
# whichever server took which request. Members enough to cross the milestone
# of 10 (timeline.c's marks: 1, 5, 10 …): the demo has four who may sign
# (role member), eight more join "state" through setup links.
login admin
declare -A STOK
for u in alice bob carol dan; do STOK[$u]=$(token "$u"); done
for i in $(seq 1 8); do
  u=signer$i
  R=$(api admin POST /api/v1/members \
    "{\"username\":\"$u\",\"display_name\":\"Signer $i\",\"organization\":\"state\",\"roles\":[\"member\"]}")
  S=$(printf '%s' "${R#* }" | json 'd["setup"]["token"]')
  R=$(api - POST "/api/v1/setup/$S" "{\"password\":\"$u-long-password\"}")
  STOK[$u]=$(printf '%s' "${R#* }" | json 'd["token"]')
done
R=$(api alice POST /api/v1/memos '{"channel":"dissent","title":"Signed through two servers","marking":"SBU","body":"Version one."}')
ID5=$(printf '%s' "${R#* }" | json 'd["id"]')
api alice POST "/api/v1/memos/$ID5/versions" '{"body":"Version two."}' > /dev/null
expect_in "a memo of two versions circulates" "$(api alice POST "/api/v1/memos/$ID5/circulate" '{}')" '200 '
RACE=$E2E_TMP/race
mkdir -p "$RACE"
# job SERVER USER STEP…: once $RACE/go exists, USER's requests to SERVER (A or
# B) in turn; a STEP is sign (the latest version), sign:N or unsign. Each
# request appends "USER SERVER METHOD STATUS BODY-FILE" to $RACE/reqs (one
# short write: O_APPEND keeps the lines whole).
job() {
  local srv=$1 u=$2 base=$URL_A k=0 step st args; shift 2
  [ "$srv" = B ] && base=$URL_B
  while [ ! -e "$RACE/go" ]; do sleep 0.01; done
  for step in "$@"; do
    k=$((k + 1))
    case $step in
      sign) args=(-X POST --data-binary '{}') ;;
      sign:*) args=(-X POST --data-binary "{\"version\":${step#sign:}}") ;;
      *) args=(-X DELETE) ;;
    esac
    st=$(curl -s -o "$RACE/$u-$srv-$k.json" -w '%{http_code}' "${args[@]}" -H "Authorization: Bearer ${STOK[$u]}" \
      -H 'Content-Type: application/json' "$base/api/v1/memos/$ID5/signatures")
    echo "$u $srv ${args[1]} $st $RACE/$u-$srv-$k.json" >> "$RACE/reqs"
  done
}
PLAIN_A="alice bob signer1 signer2 signer3"
PLAIN_B="carol signer4 signer5 signer6" # carol's organization is smaller than min_ring: batch.c's path
TWINS="dan signer7" # the same steps on both servers: 6 signs, 4 withdrawals: at most 5 signs can win
CROSS="signer8"     # versions 1, 2 on one server while 2, 1 on the other: a move, whatever the order
BEFORE=$(curl -s "$URL_A/api/v1/log/checkpoint" | json 'd["size"]')
T0=$SECONDS
# race PID…: lets the waiting jobs PID… go at once, and waits for them all.
race() { sleep 0.3; touch "$RACE/go"; for p in "$@"; do wait "$p"; done; rm -f "$RACE/go"; }
# First nine members sign at once, five through A, four through B (count 9)…
pids=()
for u in $PLAIN_A; do job A "$u" sign & pids+=($!); done
for u in $PLAIN_B; do job B "$u" sign:1 & pids+=($!); done
race "${pids[@]}"
# …then three race to and fro across the milestone of 10, on both servers at once.
pids=()
for u in $TWINS; do
  job A "$u" sign unsign sign unsign sign & pids+=($!)
  job B "$u" sign unsign sign unsign sign & pids+=($!)
done
for u in $CROSS; do
  job A "$u" sign:1 sign:2 unsign sign:1 & pids+=($!)
  job B "$u" sign:2 sign:1 unsign sign:2 & pids+=($!)
done
race "${pids[@]}"
echo "  (the race: $(wc -l < "$RACE/reqs") requests in $((SECONDS - T0)) s;" \
  "$(awk '$4 == 409' "$RACE/reqs" | wc -l) lost)"
AFTER=$(curl -s "$URL_B/api/v1/log/checkpoint" | json 'd["size"]')
# What both servers, each member and the database say afterwards.
for s in A B; do
  eval "base=\$URL_$s"
  curl -s "$base/api/v1/log/memos/$ID5?kind=signature" > "$RACE/leaves-$s.json"
  curl -s "$base/api/v1/public/memos/$ID5" > "$RACE/public-$s.json"
  curl -s -H "Authorization: Bearer ${STOK[alice]}" "$base/api/v1/memos/$ID5" > "$RACE/memo-$s.json"
  curl -s -H "Authorization: Bearer ${STOK[alice]}" "$base/api/v1/memos/$ID5/signatures" > "$RACE/signers-$s.json"
done
s=A
for u in $PLAIN_A $PLAIN_B $TWINS $CROSS; do
  eval "base=\$URL_$s"
  curl -s -H "Authorization: Bearer ${STOK[$u]}" "$base/api/v1/memos/$ID5/signatures/receipt" > "$RACE/receipt-$u.json"
  [ $s = A ] && s=B || s=A
done
sql "$DB" "SELECT total FROM memo_signature_totals WHERE memo = '$ID5'" > "$RACE/sql-total"
sql "$DB" "SELECT idx, mark FROM memo_milestones WHERE memo = '$ID5' ORDER BY idx" > "$RACE/sql-milestones"
sql "$DB" "SELECT g.version, COUNT(*) FROM signatures g JOIN memos m ON m.id = g.memo_id
  WHERE m.public_id = '$ID5' GROUP BY g.version ORDER BY g.version" > "$RACE/sql-signatures"
sql "$DB" "SELECT c.version, SUM(c.count) FROM signature_counts c JOIN memos m ON m.id = c.memo_id
  WHERE m.public_id = '$ID5' GROUP BY c.version HAVING SUM(c.count) > 0 ORDER BY c.version" > "$RACE/sql-counts"
# sigrace.py: replays the memo's signature leaves (each member's found by the
# commitment in the member's receipt) and prints "NAME<TAB>GOT<TAB>WANT" lines.
cat > "$E2E_TMP/sigrace.py" <<'EOF'
import collections, json, os, sys
R, memo, before, after = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
plain, twins, cross = sys.argv[5].split(), sys.argv[6].split(), sys.argv[7].split()
users = plain + twins + cross
org = {u: "eeas" if u == "carol" else "state" for u in users}
MARKS = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000]  # timeline.c
def load(name):
    try:
        with open(os.path.join(R, name)) as f: return json.load(f)
    except (OSError, ValueError): return None
def check(name, got, want): print("%s\t%s\t%s" % (name, got, want))
def rows(name):  # psql's unaligned rows as (int, int)
    with open(os.path.join(R, name)) as f:
        return [tuple(int(x) for x in l.split("|")) for l in f if l.strip()]

reqs = []
with open(os.path.join(R, "reqs")) as f:
    for line in f:
        u, srv, method, st, body = line.split()
        with open(body) as g:
            try: b = json.load(g)
            except ValueError: b = None
        reqs.append((u, srv, method, int(st), b))
# A lost race is can.c's refusal ("you have already co-signed version N",
# "you have not co-signed this memo"), not any 409: a store's duplicate key
# (two writers on one leaf index) is a 409 conflict too.
def documented(st, b):
    if not isinstance(b, dict): return False
    if st == 200: return b.get("id") == memo
    err = b.get("error", {})
    return st == 409 and err.get("code") == "conflict" and "co-signed" in err.get("message", "")
odd = ["%s@%s %s %d %s" % (u, s, m, st, json.dumps(b)[:160]) for u, s, m, st, b in reqs if not documented(st, b)]
check("%d requests: each 200 (the memo) or 409 conflict, the signer's state (a lost race)" % len(reqs),
      "; ".join(odd) or "all", "all")
check("the plain co-signers (no race): all 200",
      " ".join(sorted(u for u, s, m, st, b in reqs if u in plain and st != 200)) or "all", "all")
wins = sum(1 for r in reqs if r[3] == 200)
check("the log grew by one leaf per 200, none per 409", after - before, wins)

LA, LB = load("leaves-A.json"), load("leaves-B.json")
check("the memo's signature leaves: the same from both servers, one page", LA == LB and LA["more"] is False, True)
leaves = sorted((l["index"], json.loads(l["data"])) for l in LA["leaves"])
c2u, receipts = {}, {}
for u in users:
    r = load("receipt-" + u + ".json") or {}
    receipts[u] = [(x["index"], x["action"], x["version"]) for x in r.get("leaves", [])]
    c2u[r.get("commitment")] = u
mine = collections.defaultdict(list)
for i, d in leaves: mine[c2u.get(d["commitment"], "?")].append((i, d["action"], d["version"]))
check("every signature leaf carries a member's receipt commitment", len(mine.get("?", [])), 0)
check("each member's receipt lists exactly the log's leaves of that commitment",
      all(receipts[u] == mine.get(u, []) for u in users), True)
per = []
for u in users:
    got = (sum(1 for r in reqs if r[0] == u and r[2] == "POST" and r[3] == 200),
           sum(1 for r in reqs if r[0] == u and r[2] == "DELETE" and r[3] == 200))
    want = (sum(1 for x in mine[u] if x[1] in ("add", "move")), sum(1 for x in mine[u] if x[1] == "withdraw"))
    if got != want: per.append("%s: 200s (sign, unsign) %s, leaves %s" % (u, got, want))
check("per member: each 200 wrote one leaf (sign: add or move; unsign: withdraw), each 409 none",
      "; ".join(per) or "yes", "yes")
check("the cross racer moved (the second sign to commit names the other version)",
      " ".join(u for u in cross if not any(x[1] == "move" for x in mine[u])) or "all", "all")
check("each twin lost a race (6 signs, 4 withdrawals: at most 5 signs can win)",
      " ".join(u for u in twins if not any(r[0] == u and r[3] == 409 for r in reqs)) or "all", "all")

# The replay: a legal order per member, and each leaf's counts are the
# state after it; the milestones are where the total first reaches a mark
# from below (timeline.c's rule, leaf after leaf).
state, illegal, wrong, expect_ms, prev = {}, [], [], [], 0
for i, d in leaves:
    u, a, v = c2u.get(d["commitment"]), d["action"], d["version"]
    cur = state.get(u)
    if (a == "add" and cur) or (a == "move" and (not cur or cur == v)) or (a == "withdraw" and cur != v):
        illegal.append("leaf %d: %s %s v%d with v%s" % (i, u, a, v, cur))
    state[u] = None if a == "withdraw" else v
    on = {w: x for w, x in state.items() if x}
    want = (len(on), sorted(collections.Counter(on.values()).items()),
            sorted(collections.Counter(org[w] for w in on).items()))
    c = d["counts"]
    got = (c["total"], sorted((x["version"], x["count"]) for x in c["by_version"] if x["count"]),
           sorted((x["organization"], x["count"]) for x in c["by_organization"] if x["count"]))
    if got != want: wrong.append("leaf %d: %s, replay %s" % (i, got, want))
    for m in reversed(MARKS):
        if prev < m <= c["total"]:
            expect_ms.append((i, m))
            break
    prev = c["total"]
check("every member's leaves replay in a legal order (add, move, withdraw)", "; ".join(illegal) or "yes", "yes")
check("every leaf's counts (total, by version, by organization) = the replay up to it",
      "; ".join(wrong[:3]) or "yes", "yes")
final = sorted((u, v) for u, v in state.items() if v)
adds = sum(1 for i, d in leaves if d["action"] == "add")
drops = sum(1 for i, d in leaves if d["action"] == "withdraw")
for s in "AB":
    pub = load("public-%s.json" % s)
    check("server %s: public count = members whose last successful action signed" % s,
          pub["counts"]["total"], len(final))
    check("server %s: signer list = those members, on their versions" % s,
          sorted((x["username"], x["version"]) for x in load("signers-%s.json" % s)["signatures"]), final)
    tl = [x["count"] for x in load("memo-%s.json" % s)["timeline"] if x["what"] == "signatures"]
    check("server %s: the memo's timeline shows the milestones of the leaves" % s, tl, [m for i, m in expect_ms])
check("count = add leaves - withdraw leaves (%d - %d)" % (adds, drops), adds - drops, len(final))
check("the last leaf's total = the count", leaves[-1][1]["counts"]["total"], len(final))
check("memo_signature_totals = the last leaf's total", rows("sql-total"), [(len(final),)])
check("memo_milestones = the replay's (leaf, mark)", rows("sql-milestones"), expect_ms)
check("the count crossed 10: a milestone row says so", any(m == 10 for i, m in rows("sql-milestones")), True)
by_version = sorted(collections.Counter(v for u, v in final).items())
check("signatures by version (SQL) = the replay", rows("sql-signatures"), by_version)
check("signature_counts by version (SQL) = the replay", rows("sql-counts"), by_version)
EOF
while IFS=$'\t' read -r name got want; do
  expect_eq "$name" "$got" "$want"
done < <(python3 "$E2E_TMP/sigrace.py" "$RACE" "$ID5" "$BEFORE" "$AFTER" "$PLAIN_A $PLAIN_B" "$TWINS" "$CROSS" \
  2> "$RACE/sigrace.err" || printf 'sigrace.py ran to the end\t%s\tyes\n' "$(tail -n 1 "$RACE/sigrace.err")")
expect_eq "both servers sign the same tree head after the race" \
  "$(curl -s "$URL_A/api/v1/log/checkpoint" | json 'd["root"]')" "$(curl -s "$URL_B/api/v1/log/checkpoint" | json 'd["root"]')"
URL=$URL_A monitor --incremental
expect_eq "log monitor (incremental, server A) after the race" "$MON_RC" 0
URL=$URL_B monitor
expect_eq "log monitor (full audit, server B) after the race" "$MON_RC" 0
expect_eq "the leaf indexes still have no gap" "$(sql "$DB" "SELECT COUNT(*) = MAX(idx) + 1 FROM tlog_leaves")" t
kill "$SERVER2_PID" 2>/dev/null && wait "$SERVER2_PID" 2>/dev/null
SERVER2_PID=

stop_server
left=$(cd "$E2E_TMP/cwd" && find . -mindepth 1 | sort | head -20)
if [ -z "$left" ]; then
  ok "nothing left in the working directory"
else
  bad "left in the working directory" "$(printf '%s' "$left" | tr '\n' ' ')"
fi
e2e_summary postgres
