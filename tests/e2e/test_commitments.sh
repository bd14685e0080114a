#!/usr/bin/env bash
# Public values never confirm private text (issue #10, break 5; protocol v2):
# a dictionary attack over everything public — every leaf of the log, the
# public memo facts — finds no SHA-256 of any version's canonical form,
# title or body, nor of the answer or the extension reason, nor of a small
# dictionary of likely answers. Two versions with identical text get
# different public hashes, and whoever holds the official rendering (its
# verification key) opens its version's commitment.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
E2E_TMP=$(mktemp -d)
trap 'stop_server; rm -rf "$E2E_TMP"' EXIT
DB=$E2E_TMP/dissent.db

"$DISSENT" demo --db "$DB" > "$E2E_TMP/demo.out" || { echo "demo failed"; exit 1; }
start_server "$DB"
for u in alice rita; do login "$u"; done

ID=$(as alice memo new --channel dissent --title "Declined." --marking SBU --body "Declined." \
      --json | json 'd["id"]')
as alice memo edit "$ID" --body "Approved." > /dev/null
as alice memo edit "$ID" --body "Declined." > /dev/null
as alice memo circulate "$ID" > /dev/null
as alice submit "$ID" > /dev/null
as rita review ack "$ID" > /dev/null
as rita review extend "$ID" --reason "Declined." > /dev/null
as rita review answer "$ID" --body "Declined." > /dev/null

curl -s "$URL/api/v1/log/leaves?start=0&end=1000" > "$E2E_TMP/leaves.json"
curl -s "$URL/api/v1/public/memos/$ID" > "$E2E_TMP/public.json"
as alice memo render "$ID" --version 3 > "$E2E_TMP/render3.txt"
expect_in "the log has the answer's commitment, named so" "$(cat "$E2E_TMP/leaves.json")" 'answer_commitment'
expect_in "and the extension reason's" "$(cat "$E2E_TMP/leaves.json")" 'reason_commitment'
expect_not_in "no new leaf calls a commitment a hash" "$(cat "$E2E_TMP/leaves.json")" '_hash\"'

OUT=$(python3 - "$E2E_TMP" <<'PY'
import hashlib, hmac, json, re, sys
d = sys.argv[1]
public = []
def strings(x):
    if isinstance(x, str): public.append(x)
    elif isinstance(x, dict): [strings(v) for v in x.values()]
    elif isinstance(x, list): [strings(v) for v in x]
for row in json.load(open(d + "/leaves.json"))["leaves"]:
    strings(json.loads(row["data"]))
pub = json.load(open(d + "/public.json"))
strings(pub)
public = set(public)
words = ["Declined.", "Approved.", "Yes.", "No.", "Agreed.", "Noted.", "Rejected."]
texts = {}
for body in ["Declined.", "Approved."]:
    for marking in ["UNCLASSIFIED", "SBU", "CONFIDENTIAL", "SECRET"]:
        canon = "dissent-memo-version-v1\ntitle: Declined.\nmarking: %s\n\n%s" % (marking, body)
        texts["canonical form (%s, %s)" % (marking, body)] = canon
for w in words:
    texts["word " + w] = w
    texts["word+nl " + w] = w + "\n"
found = [name for name, t in texts.items() if hashlib.sha256(t.encode()).hexdigest() in public]
print("dictionary hits:", len(found), found)
hashes = {v["number"]: v["hash"] for v in pub["versions"]}
print("v1 != v3:", hashes[1] != hashes[3])
# open version 3's commitment from the official rendering
text = open(d + "/render3.txt").read()
m = re.search(r"dissent-verify: (\S+) (\d+) ([0-9a-f]{64})", text)
key = bytes.fromhex(m.group(3))
canon = "dissent-memo-version-v1\ntitle: Declined.\nmarking: SBU\n\nDeclined."
c = hmac.new(key, b"dissent-version-commitment-v2\n" + canon.encode(), hashlib.sha256).hexdigest()
print("opens:", c == hashes[3])
PY
)
expect_in "no public value is the SHA-256 of a version, answer, reason or dictionary word" "$OUT" "dictionary hits: 0 []"
expect_in "identical texts (v1, v3) have different public hashes" "$OUT" "v1 != v3: True"
expect_in "the rendering's key opens version 3's commitment" "$OUT" "opens: True"

e2e_summary commitments
