#!/usr/bin/env bash
# Cacheable public reads over a real server: ETag and Cache-Control on the
# public log, roster and memo-facts reads, 304 on If-None-Match, a new tag
# once the log grows; C2SP tlog-tiles whose entries and hashes rebuild the
# signed checkpoint's root (tiles_root.py), full tiles immutable; nothing
# public on authenticated or cookie responses.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
E2E_TMP=$(mktemp -d)
trap 'stop_server; rm -rf "$E2E_TMP"' EXIT
DB=$E2E_TMP/dissent.db
"$DISSENT" demo --db "$DB" > /dev/null || { echo "demo failed"; exit 1; }
start_server "$DB"
login alice
login bob

# hdr PATH [CURL ARGS...]: status line and headers of a GET, lower-cased names.
hdr() { local p=$1; shift; : > "$E2E_TMP/body"; curl -s -D - -o "$E2E_TMP/body" "$@" "$URL$p" | tr -d '\r' |
  sed 's/^\([A-Za-z-]*\):/\L\1:/'; }
hval() { printf '%s\n' "$1" | sed -n "s/^$2: //p" | head -n 1; }
status() { printf '%s\n' "$1" | sed -n '1s/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p'; }

# ---- the checkpoint: short-lived, revalidated ----
H=$(hdr /api/v1/log/checkpoint)
TAG=$(hval "$H" etag)
expect_eq "checkpoint: 200" "$(status "$H")" 200
expect_eq "checkpoint: a strong ETag" "$(printf '%s' "$TAG" | grep -cE '^"[0-9a-f]{32}"$')" 1
expect_eq "checkpoint: public, short-lived" "$(hval "$H" cache-control)" "public, max-age=5"
H=$(hdr /api/v1/log/checkpoint -H "If-None-Match: $TAG")
expect_eq "checkpoint: 304 on a matching If-None-Match" "$(status "$H")" 304
expect_eq "checkpoint: 304 keeps the ETag" "$(hval "$H" etag)" "$TAG"
expect_eq "checkpoint: 304 has no body" "$(wc -c < "$E2E_TMP/body")" 0
H=$(hdr /api/v1/log/checkpoint -H 'If-None-Match: "0123456789abcdef0123456789abcdef"')
expect_eq "checkpoint: 200 on another tag" "$(status "$H")" 200
NT=$(hval "$(hdr '/api/v1/log/checkpoint?format=note')" etag)
[ "$NT" != "$TAG" ] && ok "the note and the JSON have different tags" || bad "note tag" "$NT"
expect_eq "/checkpoint (the same note): the note's tag" "$(hval "$(hdr /checkpoint)" etag)" "$NT"
expect_eq "/checkpoint: 304 on the note's tag" "$(status "$(hdr /checkpoint -H "If-None-Match: $NT")")" 304
expect_eq "checkpoint: 304 on the JSON tag among others" \
  "$(status "$(hdr /api/v1/log/checkpoint -H "If-None-Match: \"00\", $TAG")")" 304
expect_eq "checkpoint: a 200 again carries the same tag" "$(hval "$(hdr /api/v1/log/checkpoint)" etag)" "$TAG"

ID=$(as alice memo list --json | json 'd["memos"][0]["id"]')
S0=$(curl -s "$URL/api/v1/log/checkpoint" | json 'd["size"]')
api bob POST "/api/v1/memos/$ID/signatures" '{}' > /dev/null
S1=$(curl -s "$URL/api/v1/log/checkpoint" | json 'd["size"]')
[ "$S1" -gt "$S0" ] && ok "a signature adds a leaf ($S0 -> $S1)" || bad "a leaf added" "$S0 -> $S1"
H=$(hdr /api/v1/log/checkpoint -H "If-None-Match: $TAG")
expect_eq "checkpoint after a new leaf: 200, not 304" "$(status "$H")" 200
[ -n "$(hval "$H" etag)" ] && [ "$(hval "$H" etag)" != "$TAG" ] && ok "checkpoint after a new leaf: a new ETag" ||
  bad "new ETag" "$(hval "$H" etag)"
expect_eq "checkpoint after a new leaf: the new size in the body" "$(json 'd["size"]' < "$E2E_TMP/body")" "$S1"
TAG1=$(hval "$H" etag)
H=$(hdr /api/v1/log/checkpoint -H "If-None-Match: $TAG1")
expect_eq "checkpoint: 304 on the tag of the new checkpoint" "$(status "$H")" 304
expect_eq "checkpoint: that 304 keeps the new tag" "$(hval "$H" etag)" "$TAG1"
expect_eq "the note after a new leaf: 200 on the old note tag" \
  "$(status "$(hdr /checkpoint -H "If-None-Match: $NT")")" 200

# ---- leaves and proofs: immutable below the tree size ----
H=$(hdr "/api/v1/log/leaves?start=0&end=2")
expect_eq "leaves below the size: immutable" "$(hval "$H" cache-control)" "public, max-age=31536000, immutable"
H2=$(hdr "/api/v1/log/leaves?start=0&end=2" -H "If-None-Match: $(hval "$H" etag)")
expect_eq "leaves: 304 on match" "$(status "$H2")" 304
H=$(hdr "/api/v1/log/leaves?start=0&end=$((S1 + 5))")
expect_eq "leaves past the end: short-lived" "$(hval "$H" cache-control)" "public, max-age=5"
H=$(hdr "/api/v1/log/proof/inclusion?index=0&size=2")
expect_eq "inclusion proof: immutable" "$(hval "$H" cache-control)" "public, max-age=31536000, immutable"
H=$(hdr "/api/v1/log/proof/consistency?from=1&to=2")
expect_eq "consistency proof: immutable" "$(hval "$H" cache-control)" "public, max-age=31536000, immutable"
H=$(hdr "/api/v1/log/proof/inclusion?index=0&size=$((S1 + 100))")
expect_eq "a bad proof request: 400" "$(status "$H")" 400
expect_eq "errors stay no-store" "$(hval "$H" cache-control)" "no-store"
expect_eq "errors carry no ETag" "$(hval "$H" etag)" ""

# ---- public memo facts and rosters ----
for p in "/api/v1/public/memos/$ID" /api/v1/rosters /api/v1/log/key "/api/v1/log/memos/$ID"; do
  H=$(hdr "$p")
  expect_eq "$p: public, short-lived" "$(hval "$H" cache-control)" "public, max-age=5"
  expect_eq "$p: 304 on match" "$(status "$(hdr "$p" -H "If-None-Match: $(hval "$H" etag)")")" 304
done
# nothing changed, a second later: the same facts, the same ETag (a server
# without batches once put "now" in batch.next_at, a new ETag every second)
H=$(hdr "/api/v1/public/memos/$ID"); sleep 1.1
expect_eq "public memo facts: the same ETag a second later" \
  "$(hval "$(hdr "/api/v1/public/memos/$ID")" etag)" "$(hval "$H" etag)"

# ---- nothing public about a caller ----
H=$(hdr "/api/v1/memos/$ID" -H "Authorization: Bearer $(token alice)")
expect_eq "an authenticated read: 200" "$(status "$H")" 200
expect_eq "an authenticated read: no-store" "$(hval "$H" cache-control)" "no-store"
expect_eq "an authenticated read: no ETag" "$(hval "$H" etag)" ""
JAR=$E2E_TMP/jar
expect_eq "web sign-in" "$(web_login alice "$JAR")" 303
H=$(hdr "/memos/$ID" -b "$JAR")
expect_eq "a page read with a cookie: no-store" "$(hval "$H" cache-control)" "no-store"
expect_eq "a page read with a cookie: no ETag" "$(hval "$H" etag)" ""
H=$(hdr /login)
expect_not_in "the login form (sets a cookie) is not public" "$(hval "$H" cache-control)" "public"

# ---- tiles ----
for _ in $(seq 1 140); do # past 256 leaves: one full tile
  api bob DELETE "/api/v1/memos/$ID/signatures" > /dev/null
  api bob POST "/api/v1/memos/$ID/signatures" '{}' > /dev/null
done
N=$(python3 "$here/tiles_root.py" "$URL")
RC=$?
expect_eq "tiles: the checkpoint's root rebuilt from tiles and entry bundles" "$RC" 0
[ "${N:-0}" -gt 256 ] 2>/dev/null && ok "tiles: over one full tile checked ($N leaves)" || bad "size" "$N"
H=$(hdr /tile/0/000)
expect_eq "a full hash tile: 8 KiB" "$(wc -c < "$E2E_TMP/body")" 8192
expect_eq "a full hash tile: immutable" "$(hval "$H" cache-control)" "public, max-age=31536000, immutable"
expect_eq "a full hash tile: 304 on match" "$(status "$(hdr /tile/0/000 -H "If-None-Match: $(hval "$H" etag)")")" 304
H=$(hdr /tile/entries/000)
expect_eq "a full entry bundle: immutable" "$(hval "$H" cache-control)" "public, max-age=31536000, immutable"
H=$(hdr "/tile/0/001.p/$((N - 256))")
expect_eq "a partial tile: 200" "$(status "$H")" 200
expect_eq "a partial tile: short-lived" "$(hval "$H" cache-control)" "public, max-age=5"
expect_eq "a tile past the tree: 404" "$(status "$(hdr "/tile/0/001.p/$((N - 255))")")" 404
expect_eq "a tile not yet full: 404" "$(status "$(hdr /tile/0/001)")" 404
expect_eq "a non-canonical path: 404" "$(status "$(hdr /tile/0/x000/000)")" 404
H=$(hdr /checkpoint)
expect_in "/checkpoint is the signed note" "$(cat "$E2E_TMP/body")" "— dissent.local/log-"
expect_eq "/checkpoint: short-lived" "$(hval "$H" cache-control)" "public, max-age=5"

stop_server
e2e_summary cache
