#!/usr/bin/env bash
# Two dissent installations witnessing each other, on loopback: servers A
# (a.example.gov/dissent) and B (b.example.gov/dissent), each with its own
# `dissent witness serve` (wa run by A, wb run by B); A's log is cosigned
# by B's witness and B's by A's, each server publishing only cosigned
# checkpoints. Then:
#   - a third-party C2SP verifier (Go's golang.org/x/mod/sumdb/note, built
#     offline from the Debian package) opens both checkpoints with the log
#     keys and checks the cosignatures (tests/interop/noteopen.go);
#   - a frozen view (cosignatures older than the policy's max-age) is
#     reported by every client command that reads a checkpoint;
#   - A's operator rewrites and rehashes its log: B's witness refuses it,
#     nothing is published, and every client that trusts the witness policy
#     refuses it, a fresh `dissent verify` with no history included, even
#     when A drops its witness; a client with history keeps evidence that
#     `dissent log evidence --check` proves with no server;
#   - B's key is replaced: the public page says so, clients name both key ids,
#     A's witness refuses the checkpoint.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
E2E_TMP=$(mktemp -d)
SPID_a= SPID_b= WPID_a= WPID_b=
stop_all() { for p in $SPID_a $SPID_b $WPID_a $WPID_b; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done; }
trap 'stop_all; rm -rf "$E2E_TMP"' EXIT
export DISSENT_CONFIG=$E2E_TMP/nobody.json

# ---- two installations, named by their origins ----
"$DISSENT" demo --db "$E2E_TMP/bad.db" --log-origin "https://a.example.gov/dissent" > "$E2E_TMP/out" 2>&1
expect_eq "an origin with a scheme is refused at start-up" "$?" 1
expect_in "it says why (C2SP: a schema-less URL)" "$(cat "$E2E_TMP/out")" "write it without one"
for s in a b; do
  "$DISSENT" demo --db "$E2E_TMP/$s.db" --log-origin "$s.example.gov/dissent" > /dev/null ||
    { echo "demo $s failed"; exit 1; }
done
"$DISSENT" serve --db "$E2E_TMP/a.db" --listen 127.0.0.1:0 --log-origin other.example.gov/x > "$E2E_TMP/out" 2>&1
expect_eq "serve with another origin than the log's is refused" "$?" 1
expect_in "the refusal names the log's origin and key id" "$(cat "$E2E_TMP/out")" \
  "differs from the origin of this log, a.example.gov/dissent"
start_server_at a "$E2E_TMP/a.db"
start_server_at b "$E2E_TMP/b.db"
KEY_a=$(curl -s "$SURL_a/api/v1/log/key" | json 'd["verifier_key"]')
KEY_b=$(curl -s "$SURL_b/api/v1/log/key" | json 'd["verifier_key"]')
expect_eq "A's log key is named by its origin" "${KEY_a%%+*}" "a.example.gov/dissent"
expect_eq "the key has not changed since the log was made" \
  "$(curl -s "$SURL_a/api/v1/log/key" | json '[d["key_changed"], d["first_verifier_key"] == d["verifier_key"]]')" "[false, true]"
kill "$SPID_a" "$SPID_b"; wait "$SPID_a" "$SPID_b" 2>/dev/null; SPID_a= SPID_b=

# ---- each runs a witness of the other's log ----
"$DISSENT" witness new-key a.example.gov/witness --key "$E2E_TMP/wa.key" > "$E2E_TMP/wa.pub"
"$DISSENT" witness new-key b.example.gov/witness --key "$E2E_TMP/wb.key" > "$E2E_TMP/wb.pub"
start_witness_at a "$E2E_TMP/wa.key" "$E2E_TMP/wa.state" "$KEY_b"
start_witness_at b "$E2E_TMP/wb.key" "$E2E_TMP/wb.state" "$KEY_a"
WITNESS_OF_a="$(cat "$E2E_TMP/wb.pub")+$WURL_b"
WITNESS_OF_b="$(cat "$E2E_TMP/wa.pub")+$WURL_a"
start_server_at a "$E2E_TMP/a.db" --witness "$WITNESS_OF_a"
start_server_at b "$E2E_TMP/b.db" --witness "$WITNESS_OF_b"
# wait_published S SIZE: waits up to 10 s for server S to publish SIZE
published() { eval "curl -s \"\$SURL_$1/api/v1/log/checkpoint\"" | json 'd.get("size", d.get("error", {}).get("code"))'; }
wait_published() { local _w=$1 _n=$2; wait_until 60 '[ "$(published "$_w")" = "$_n" ]'; }
for s in a b; do
  n=$(sqlite3 "$E2E_TMP/$s.db" 'SELECT COUNT(*) FROM tlog_leaves')
  wait_published "$s" "$n" && ok "$s publishes its log once the other's witness cosigned it" \
    || bad "$s publishes its log once the other's witness cosigned it" "$(published "$s")"
done
curl -s "$SURL_a/api/v1/log/checkpoint?format=note" > "$E2E_TMP/a.note"
curl -s "$SURL_b/api/v1/log/checkpoint?format=note" > "$E2E_TMP/b.note"
expect_in "A's checkpoint carries B's witness's cosignature" "$(cat "$E2E_TMP/a.note")" "— b.example.gov/witness "
expect_in "B's checkpoint carries A's witness's cosignature" "$(cat "$E2E_TMP/b.note")" "— a.example.gov/witness "
expect_not_in "A's checkpoint carries no cosignature by its own witness" "$(cat "$E2E_TMP/a.note")" "— a.example.gov/witness "

# ---- a third-party C2SP verifier opens both checkpoints ----
GO_OK=0
if ! command -v go > /dev/null 2>&1 || [ ! -d /usr/share/gocode/src/golang.org/x/mod/sumdb/note ]; then
  "$here/../../scripts/deps.sh" test > "$E2E_TMP/deps.log" 2>&1
fi
if command -v go > /dev/null 2>&1 && [ -d /usr/share/gocode/src/golang.org/x/mod/sumdb/note ]; then
  mkdir -p "$E2E_TMP/go"
  cp "$here/../interop/noteopen.go" "$E2E_TMP/go/"
  if (cd "$E2E_TMP/go" && GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE=$E2E_TMP/go/cache \
        GOFLAGS= GOPROXY=off go build -o noteopen noteopen.go) > "$E2E_TMP/go.log" 2>&1; then
    GO_OK=1
    ok "the Go interop checker builds offline against golang.org/x/mod/sumdb/note"
  else
    bad "the Go interop checker builds offline against golang.org/x/mod/sumdb/note" "$(cat "$E2E_TMP/go.log")"
  fi
else
  echo "  SKIP  third-party note verifier: Go or golang-golang-x-mod-dev is not installed and scripts/deps.sh test could not install them ($(tail -1 "$E2E_TMP/deps.log" 2>/dev/null))"
fi
if [ "$GO_OK" = 1 ]; then
  OUT=$("$E2E_TMP/go/noteopen" "$KEY_a" "$(cat "$E2E_TMP/wb.pub")" < "$E2E_TMP/a.note" 2>&1)
  expect_eq "sumdb/note opens A's checkpoint: every check passes" "$?" 0
  expect_in "sumdb/note verifies the log's signature with the log key alone" "$OUT" "ok   note.Open verifies the log's signature (a.example.gov/dissent)"
  expect_in "sumdb/note lists the cosignature it cannot verify by itself" "$OUT" "the cosignature line of b.example.gov/witness+$(cut -d+ -f2 "$E2E_TMP/wb.pub") is listed as unverified"
  expect_in "sumdb/note refuses a cosignature/v1 key as a note key" "$OUT" "sumdb/note refuses the witness key b.example.gov/witness"
  expect_in "through note.Verifier, the cosignature verifies" "$OUT" "ok   note.Open verifies the cosignature of b.example.gov/witness"
  expect_in "a changed note does not open" "$OUT" "ok   a note whose size was changed does not open"
  OUT=$("$E2E_TMP/go/noteopen" "$KEY_b" "$(cat "$E2E_TMP/wa.pub")" < "$E2E_TMP/b.note" 2>&1)
  expect_eq "sumdb/note opens B's checkpoint and A's witness's cosignature" "$?" 0
  OUT=$("$E2E_TMP/go/noteopen" "$KEY_a" "$(cat "$E2E_TMP/wa.pub")" < "$E2E_TMP/a.note" 2>&1)
  expect_eq "sumdb/note finds no cosignature of a witness that did not cosign" "$?" 1
  OUT=$("$E2E_TMP/go/noteopen" "$KEY_b" < "$E2E_TMP/a.note" 2>&1)
  expect_eq "sumdb/note does not open A's checkpoint with B's key" "$?" 1
fi

# ---- readers trust a witness policy ----
printf '# A is witnessed by B\nwitness %s\nquorum 1\n' "$(cat "$E2E_TMP/wb.pub")" > "$E2E_TMP/policy-a"
URL=$SURL_a
login alice
MID=$(as alice memo new --channel dissent --title "Keep the consulates" --marking UNCLASSIFIED \
      --body "First paragraph." --json | json 'd["id"]')
as alice memo render "$MID" > "$E2E_TMP/copy.txt"
as alice memo circulate "$MID" > /dev/null
N1=$(sqlite3 "$E2E_TMP/a.db" 'SELECT COUNT(*) FROM tlog_leaves')
wait_published a "$N1" || bad "A publishes the new leaves" "$(published a)"
# client NAME POLICY ARGS...: the CLI against A with its own history and pins;
# NAME's history survives between calls (fresh: rm -rf first). Sets OUT, RC.
client() {
  local name=$1 policy=$2; shift 2
  OUT=$(DISSENT_LOG_HISTORY=$E2E_TMP/hist-$name DISSENT_LOG_KEYS=$E2E_TMP/pins-$name.json \
        DISSENT_WITNESS_POLICY=$policy "$DISSENT" "$@" 2>&1)
  RC=$?
}
client keeper "$E2E_TMP/policy-a" verify "$E2E_TMP/copy.txt" --server "$SURL_a" --log-key "$KEY_a"
expect_eq "verify with A's witness policy accepts the cosigned log" "$RC" 0
client keeper "$E2E_TMP/policy-a" log monitor --state "$E2E_TMP/mon-a.json" --server "$SURL_a" --log-key "$KEY_a"
expect_eq "the monitor with the policy accepts it" "$RC" 0
expect_eq "the monitor keeps every signed note it saw, cosignatures included" \
  "$(cat "$E2E_TMP"/hist-keeper/*.seen/*.note | grep -c '— b.example.gov/witness ')" \
  "$(ls "$E2E_TMP"/hist-keeper/*.seen/*.note | wc -l)"

# ---- a frozen view: cosignatures older than the policy allows ----
# A asks its witness again every 60 s, and a loaded machine may take that
# long: a command just after such a refresh sees fresh cosignatures (rightly
# accepted), so each is tried again (2 s apart) for a while.
cp "$E2E_TMP/policy-a" "$E2E_TMP/policy-frozen"; echo "max-age 1" >> "$E2E_TMP/policy-frozen"
sleep 2
frozen_try() {
  rm -rf "$E2E_TMP/hist-frozen"
  # shellcheck disable=SC2086
  client frozen "$E2E_TMP/policy-frozen" $1 --server "$SURL_a" --log-key "$KEY_a"
  [ "$RC" != 0 ] || { sleep 2; return 1; }
}
for cmd in "verify $E2E_TMP/copy.txt" "log checkpoint" "log proof 0" \
           "log monitor --state $E2E_TMP/mon-frozen.json" "verify-signatures $MID"; do
  wait_until 120 'frozen_try "$cmd"'
  what="dissent $(echo "$cmd" | awk '{print $1, ($2 ~ /^[a-z]+$/ ? $2 : "")}')"
  [ "$RC" != 0 ] && case "$OUT" in *"the log's view may be frozen"*) ok "$what: a frozen view is reported" ;;
    *) bad "$what: a frozen view is reported" "$OUT" ;; esac ||
    bad "$what: a frozen view is reported" "exit $RC: $OUT"
done

# ---- A's operator rewrites and rehashes its log ----
kill "$SPID_a"; wait "$SPID_a" 2>/dev/null; SPID_a=
cp "$E2E_TMP/a.db" "$E2E_TMP/a-before.db"
rehash_log "$E2E_TMP/a.db"
start_server_at a "$E2E_TMP/a.db" --witness "$WITNESS_OF_a"
wait_until 60 'grep -q "refused the checkpoint" "$E2E_TMP/server-a.log"'
expect_eq "B's witness refuses the rewritten log: A publishes nothing" "$(published a)" "not_found"
expect_in "A's server says its witness refused" "$(cat "$E2E_TMP/server-a.log")" "refused the checkpoint"
expect_in "… because B's witness saw a fork" "$(cat "$E2E_TMP/server-a.log")" "fork"
# A drops its witness and serves the rewritten log, signed by its own key only
kill "$SPID_a"; wait "$SPID_a" 2>/dev/null; SPID_a=
start_server_at a "$E2E_TMP/a.db"
expect_eq "without its witness, A signs the rewritten log of the same size" "$(published a)" "$N1"
curl -s "$SURL_a/api/v1/log/checkpoint?format=note" > "$E2E_TMP/a-rewritten.note"
ST=$( { printf 'old %s\n\n' "$N1"; cat "$E2E_TMP/a-rewritten.note"; } |
      curl -s -o "$E2E_TMP/resp" -w '%{http_code}' --data-binary @- "$WURL_b/add-checkpoint")
expect_eq "B's witness refuses the inconsistent checkpoint (409: same size, another root)" "$ST" 409
rm -rf "$E2E_TMP/hist-fresh"
client fresh "$E2E_TMP/policy-a" verify "$E2E_TMP/copy.txt" --server "$SURL_a" --log-key "$KEY_a"
expect_eq "a fresh verify (no history) with the policy refuses the rewritten log" "$RC" 1
expect_in "it says the witness policy failed, naming the missing witness's key id" "$OUT" \
  "fails the witness policy: checkpoint has 0 of the 1 witness cosignatures the policy needs"
expect_in "… with its key id" "$OUT" "$(cut -d+ -f2 "$E2E_TMP/wb.pub")"
rm -rf "$E2E_TMP/hist-fresh"
client fresh "" verify "$E2E_TMP/copy.txt" --server "$SURL_a" --log-key "$KEY_a"
expect_eq "(without a policy, a fresh verify cannot tell)" "$RC" 0
for cmd in "log checkpoint" "log proof 0" "verify-signatures $MID"; do
  rm -rf "$E2E_TMP/hist-fresh"
  # shellcheck disable=SC2086
  client fresh "$E2E_TMP/policy-a" $cmd --server "$SURL_a" --log-key "$KEY_a"
  what="dissent $(echo "$cmd" | awk '{print $1, ($2 ~ /^[a-z]+$/ ? $2 : "")}')"
  [ "$RC" != 0 ] && ok "a fresh $what with the policy refuses the rewritten log" ||
    bad "a fresh $what with the policy refuses the rewritten log" "$OUT"
done
rm -f "$E2E_TMP/mon-fresh.json"
client fresh "$E2E_TMP/policy-a" log monitor --state "$E2E_TMP/mon-fresh.json" --server "$SURL_a" --log-key "$KEY_a"
expect_eq "a fresh monitor with the policy refuses it" "$RC" 1
# the keeper saw the log before: without a policy it still refuses, and keeps evidence
client keeper "" log monitor --state "$E2E_TMP/mon-a.json" --server "$SURL_a" --log-key "$KEY_a"
expect_eq "the monitor that saw the log before refuses the rewrite" "$RC" 1
expect_in "it says so" "$OUT" "LOG INCONSISTENT"
EV=$(ls "$E2E_TMP"/hist-keeper/evidence-*.json 2>/dev/null | head -1)
OUT=$("$DISSENT" log evidence --check "$EV" 2>&1)
expect_eq "the evidence checks with no server" "$?" 0
expect_in "it proves the rewrite" "$OUT" "PROVEN: the log forked or rewrote its history"
expect_in "the old note in it carries B's witness's cosignature" "$OUT" "signed by b.example.gov/witness"
OUT=$(DISSENT_WITNESS_POLICY=$E2E_TMP/policy-a "$DISSENT" log evidence --check "$EV" 2>&1)
expect_in "with the reader's policy, that cosignature is verified" "$OUT" \
  "signed by b.example.gov/witness (key id $(cut -d+ -f2 "$E2E_TMP/wb.pub")): a cosignature of a witness of your policy, verified"
expect_not_in "… and no witness of the policy cosigned both views" "$OUT" "cosigned both notes"

# ---- B's log key is replaced ----
kill "$SPID_b"; wait "$SPID_b" 2>/dev/null; SPID_b=
"$DISSENT" demo --db "$E2E_TMP/c.db" --log-origin b.example.gov/dissent > /dev/null
cp "$E2E_TMP/c.keys/log.key" "$E2E_TMP/b.keys/log.key"
start_server_at b "$E2E_TMP/b.db"
NEWKEY_b=$(curl -s "$SURL_b/api/v1/log/key" | json 'd["verifier_key"]')
expect_eq "B's key changed: /log/key says so" "$(curl -s "$SURL_b/api/v1/log/key" | json '[d["key_changed"], d["first_verifier_key"]]')" \
  "[true, \"$KEY_b\"]"
PAGE=$(curl -s "$SURL_b/public")
expect_in "the public page warns that the log's key changed" "$PAGE" "The log's key has changed"
expect_in "… naming the first key" "$PAGE" "$KEY_b"
expect_in "… and the new key id" "$PAGE" "$(echo "$NEWKEY_b" | cut -d+ -f2)"
expect_not_in "A's page (key unchanged) has no such warning" "$(curl -s "$SURL_a/public")" "The log's key has changed"
OUT=$(DISSENT_LOG_KEYS=$E2E_TMP/pins-b.json DISSENT_LOG_HISTORY=$E2E_TMP/hist-b "$DISSENT" log checkpoint --server "$SURL_b" --log-key "$KEY_b" 2>&1)
expect_in "a client pinning the first key names the expected key id" "$OUT" "expected key id $(echo "$KEY_b" | cut -d+ -f2)"
expect_in "… and the one the note carries" "$OUT" "$(echo "$NEWKEY_b" | cut -d+ -f2)"
OUT=$(DISSENT_LOG_KEYS=$E2E_TMP/pins-b2.json DISSENT_LOG_HISTORY=$E2E_TMP/hist-b2 "$DISSENT" log checkpoint --server "$SURL_b" 2>&1)
expect_in "a client with no pin refuses a log whose key changed, naming both key ids" "$OUT" \
  "signs with key id $(echo "$NEWKEY_b" | cut -d+ -f2), but it was made with key id $(echo "$KEY_b" | cut -d+ -f2)"
ST=$( { printf 'old 0\n\n'; curl -s "$SURL_b/api/v1/log/checkpoint?format=note"; } |
      curl -s -o "$E2E_TMP/resp" -w '%{http_code}' --data-binary @- "$WURL_a/add-checkpoint")
expect_eq "A's witness refuses a checkpoint signed by B's new key (403)" "$ST" 403

e2e_summary test_witness_pair
