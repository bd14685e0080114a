#!/usr/bin/env python3
"""indep_verify.py — an independent verifier of a dissent memo's public record,
written from docs/protocol-tlog.md and docs/protocol-ring.md alone (issue #10,
"Done when": an outsider can write a compatible verifier). It uses no dissent
code and no third-party library: Python's standard library, and the `openssl`
command (Debian's) for Ed25519, which Python lacks.

It checks everything that needs no ristretto255 arithmetic:
  - the checkpoint: a C2SP signed note, Ed25519 under the pinned verifier key
    (key id recomputed), origin = key name (protocol-tlog §5);
  - the log: every leaf re-hashed (RFC 9162) to the signed root, every leaf in
    canonical form (§2 "Encoding");
  - the rosters: replayed from the roster leaves (§2 `roster`, v2 rules);
  - the memo's public facts: its memo id and origin; every ring's keys
    distinct, its digest (protocol-ring §4) and count, the memo's ring leaf,
    ring 1 = the roster snapshot at roster_size, ring n+1 = ring n plus active
    roster keys, the coalition ring from every roster before its leaf
    (protocol-ring §14 "Checking the rings"); every version's public hash =
    its version leaf's; the published anonymous signatures each have their
    leaf, and the counts are theirs;
  - receipts (--receipts FILE, the CLI's receipts file): signed by the log
    key over "dissent-receipt-v2\\n" + canonical JSON, and kept (their leaf in
    the log) once publish_by has passed (protocol-ring §14 "Receipts");
  - a version commitment (--rendering FILE, an official rendering): opened
    with the rendering's key (protocol-tlog §2 `version`).
It does not verify ring-signature proofs (that needs ristretto255).

Usage: indep_verify.py SERVER VERIFIER_KEY MEMO [--receipts FILE] [--rendering FILE]
Prints one line per check; exit 0 and a last line "OK" when everything holds,
else exit 1 with "FAIL: ..." lines.
"""
import base64
import hashlib
import hmac
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request

FAILS = []


def fail(msg):
    FAILS.append(msg)
    print("FAIL: " + msg)


def ok(msg):
    print("ok: " + msg)


def get(server, path):
    with urllib.request.urlopen(server + path) as r:
        return json.loads(r.read())


def b64d(s):
    out = base64.b64decode(s, validate=True)
    if base64.b64encode(out).decode() != s:
        raise ValueError("not canonical base64")
    return out


# ---- Ed25519 with the openssl command (RFC 8032, pure) ----
def ed25519_verify(pk, msg, sig):
    # SubjectPublicKeyInfo of an Ed25519 key: the fixed 12-byte DER prefix
    der = bytes.fromhex("302a300506032b6570032100") + pk
    with tempfile.TemporaryDirectory() as d:
        paths = {n: os.path.join(d, n) for n in ("pk.der", "msg", "sig")}
        for n, data in (("pk.der", der), ("msg", msg), ("sig", sig)):
            with open(paths[n], "wb") as f:
                f.write(data)
        r = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-keyform", "DER",
                            "-inkey", paths["pk.der"], "-rawin", "-in", paths["msg"],
                            "-sigfile", paths["sig"]], capture_output=True)
        return r.returncode == 0


# ---- keys and notes (protocol-tlog §5) ----
def parse_verifier_key(s):
    name, kid, k = s.split("+", 2)
    raw = b64d(k)
    if len(raw) != 33 or raw[0] != 1:
        raise ValueError("not an Ed25519 verifier key")
    pk = raw[1:]
    want = hashlib.sha256(name.encode() + b"\n\x01" + pk).digest()[:4]
    if want.hex() != kid:
        raise ValueError("the key id does not match name and key")
    return name, want, pk


def open_note(note, name, kid, pk):
    text, sep, sigs = note.rpartition("\n\n")
    if not sep:
        raise ValueError("no blank line")
    text += "\n"
    good = 0
    for line in sigs.rstrip("\n").split("\n"):
        m = re.fullmatch("\u2014 (\\S+) (\\S+)", line)
        if not m:
            raise ValueError("bad signature line")
        raw = b64d(m.group(2))
        if m.group(1) != name or raw[:4] != kid:
            continue  # a witness's cosignature: not looked at here
        if len(raw) != 68 or not ed25519_verify(pk, text.encode(), raw[4:]):
            raise ValueError("the log key's signature does not verify")
        good += 1
    if not good:
        raise ValueError("no signature by the pinned key")
    origin, size, root = text.rstrip("\n").split("\n")
    if origin != name:
        raise ValueError("origin %r is not the key name" % origin)
    if not re.fullmatch("0|[1-9][0-9]*", size):
        raise ValueError("bad size")
    return origin, int(size), b64d(root)


# ---- the tree (protocol-tlog §1) ----
def leaf_hash(data):
    return hashlib.sha256(b"\x00" + data).digest()


def mth(hashes):
    if not hashes:
        return hashlib.sha256(b"").digest()
    if len(hashes) == 1:
        return hashes[0]
    k = 1
    while k * 2 < len(hashes):
        k *= 2
    return hashlib.sha256(b"\x01" + mth(hashes[:k]) + mth(hashes[k:])).digest()


def canonical(obj):
    return json.dumps(obj, separators=(",", ":"), sort_keys=True, ensure_ascii=True)


# ---- rings (protocol-ring §4) ----
def ring_digest(keys):
    dst = b"DISSENT-RING-V1-RING-DIGEST"
    h = hashlib.sha512(bytes([len(dst)]) + dst + struct.pack(">Q", len(keys)))
    for k in keys:
        h.update(bytes.fromhex(k))
    return h.hexdigest()


class Roster:
    """One organization's roster replayed from its leaves (v2 rules; the gap
    of a v1 re-key filled by the retire leaf `dissent migrate` appended)."""

    def __init__(self, late):
        self.entries = []  # (action, key) in log order; size = len
        self.ever = set()
        self.broken = None
        self.late = late  # size -> (position, key) of this organization's retire leaves
        self.used = set()  # positions of retire leaves that filled a gap

    def add(self, leaf, pos):
        act, key, size = leaf["action"], leaf["public_key"], leaf["size"]
        if pos in self.used:
            return
        gap = len(self.entries) + 1
        if act == "rekey" and size == gap + 1 and gap in self.late and self.late[gap][0] > pos \
                and self.late[gap][1] in self.active(len(self.entries)):
            self.entries.append(("retire", self.late[gap][1]))
            self.used.add(self.late[gap][0])
        if size != len(self.entries) + 1:
            self.broken = "sizes skip (%d after %d)" % (size, len(self.entries))
        elif act in ("add", "rekey"):
            if key in self.ever:
                self.broken = "key %s added twice" % key[:16]
            self.ever.add(key)
        elif act == "retire":
            if key not in self.active(len(self.entries)):
                self.broken = "an inactive key is retired"
        self.entries.append((act, key))

    def active(self, size):
        keys = []
        for act, key in self.entries[:size]:
            if act in ("add", "rekey"):
                keys.append(key)
            elif key in keys:
                keys.remove(key)
        return keys


def main():
    args = sys.argv[1:]
    opts = {}
    while len(args) > 3 and args[-2].startswith("--"):
        opts[args[-2]] = args[-1]
        args = args[:-2]
    server, vkey, memo = args
    name, kid, pk = parse_verifier_key(vkey)

    # the claims first, then the log they must agree with
    pub = get(server, "/api/v1/public/memos/" + memo)
    cp = get(server, "/api/v1/log/checkpoint")
    try:
        origin, size, root = open_note(cp["note"], name, kid, pk)
    except ValueError as e:
        fail("checkpoint: %s" % e)
        return 1
    ok("checkpoint of size %d signed by %s" % (size, vkey.split("+")[1]))

    leaves, hashes = [], []
    while len(leaves) < size:
        page = get(server, "/api/v1/log/leaves?start=%d&end=%d" % (len(leaves), size))["leaves"]
        if not page:
            break
        for row in page:
            if row["index"] != len(leaves):
                fail("leaves out of order at %d" % len(leaves))
                return 1
            data = row["data"].encode()
            hashes.append(leaf_hash(data))
            leaf = json.loads(row["data"])
            if canonical(leaf).encode() != data:
                fail("leaf %d is not in canonical form" % row["index"])
            leaves.append(leaf)
    if len(leaves) != size or mth(hashes) != root:
        fail("the leaves do not hash to the signed root (size %d)" % size)
        return 1
    ok("%d leaves hash to the signed root" % size)

    # rosters, with the position of every roster leaf (for the coalition)
    rosters, roster_at, late = {}, [], {}
    for i, leaf in enumerate(leaves):
        if leaf.get("kind") == "roster" and leaf["action"] == "retire":
            late.setdefault(leaf["organization"], {})[leaf["size"]] = (i, leaf["public_key"])
    for i, leaf in enumerate(leaves):
        if leaf.get("kind") == "roster":
            org = leaf["organization"]
            rosters.setdefault(org, Roster(late.get(org, {}))).add(leaf, i)
            roster_at.append((i, org, leaf["size"]))
    for org, r in sorted(rosters.items()):
        if r.broken:
            fail("the roster of %s cannot be replayed: %s" % (org, r.broken))
    ok("%d rosters replayed" % len(rosters))

    if pub.get("memo") != memo:
        fail("the reply is about memo %r, not %r" % (pub.get("memo"), memo))
    if pub.get("origin") != origin:
        fail("the public facts name origin %r, the log %r" % (pub.get("origin"), origin))
    mine = [(i, l) for i, l in enumerate(leaves) if l.get("memo") == memo]
    ring_leaf = {(l["organization"], l["ring"]): (i, l) for i, l in mine if l["kind"] == "ring"}
    rings = {(r["organization"], r["ring"]): r for r in pub["rings"]}
    for (org, n), r in sorted(rings.items()):
        keys, where = r["keys"], "ring %d of %s" % (n, org)
        if len(set(keys)) != len(keys):
            fail(where + ": a key appears more than once")
        if r.get("digest") != ring_digest(keys) or r.get("count") != len(keys):
            fail(where + ": digest or count is not that of its keys")
        if (org, n) not in ring_leaf:
            fail(where + ": no ring leaf in the log")
            continue
        idx, leaf = ring_leaf[(org, n)]
        if leaf["digest"] != ring_digest(keys) or leaf["count"] != len(keys):
            fail(where + ": not the ring the log records")
        if org == "_coalition":
            # every roster as the roster leaves before this leaf leave it
            sizes = {}  # each roster's length at the ring leaf: its largest size so far
            for i, o, sz in roster_at:
                if i < idx:
                    sizes[o] = max(sizes.get(o, 0), sz)
            if sum(sizes.values()) != leaf["roster_size"]:
                fail(where + ": roster sizes do not sum to roster_size")
            allkeys = []
            for o in sorted(sizes, key=lambda s: s.encode()):
                allkeys += rosters[o].active(sizes[o])
            want_first, pool = allkeys, set(allkeys)
        else:
            roster = rosters.get(org)
            if roster is None or roster.broken:
                fail(where + ": no replayable roster")
                continue
            want_first = roster.active(leaf["roster_size"])
            pool = set(want_first)
        if n == 1:
            if keys != want_first:
                fail(where + ": is not the roster snapshot at size %d" % leaf["roster_size"])
        else:
            prev = rings.get((org, n - 1))
            if prev is None or keys[:len(prev["keys"])] != prev["keys"]:
                fail(where + ": does not extend ring %d" % (n - 1))
            elif not set(keys[len(prev["keys"]):]) <= pool:
                fail(where + ": adds keys that are not active roster keys")
    ok("%d rings checked against the log" % len(rings))

    vleaf = {l["version"]: l for _, l in mine if l["kind"] == "version"}
    for v in pub["versions"]:
        if vleaf.get(v["number"], {}).get("hash") != v["hash"]:
            fail("version %d: public hash is not its leaf's" % v["number"])
    ok("%d versions match their leaves" % len(pub["versions"]))

    # anonymous signatures: the last leaf of each tag is the published state
    last = {}
    for _, l in mine:
        if l["kind"] == "anonymous-signature":
            last[l["tag"]] = l
    sigs = pub["signatures"]
    for s in sigs:
        l = last.get(s["tag"])
        if not l or l["action"] == "withdrawn" or l["version"] != s["version"] or \
                l["organization"] != s["organization"] or l["ring"] != s["ring"]:
            fail("anonymous signature %s: not what its last leaf says" % s["tag"][:16])
    live = [t for t, l in last.items() if l["action"] != "withdrawn"]
    if sorted(live) != sorted(s["tag"] for s in sigs):
        fail("the published anonymous signatures are not those the log says are live")
    counts = pub["counts"]["anonymous"]
    byv, byo = {}, {}
    for s in sigs:
        byv[s["version"]] = byv.get(s["version"], 0) + 1
        if s["organization"] != "_coalition":
            byo[s["organization"]] = byo.get(s["organization"], 0) + 1
    pre = pub.get("pre_v2", 0)
    if pre:
        # signatures made before v2 are listed, not counted (protocol-ring.md
        # §15); telling which ones needs the proofs verified, not done here
        if counts["total"] != len(sigs) - pre:
            fail("the anonymous counts are not those of the published signatures less pre_v2")
    elif counts["total"] != len(sigs) or \
            {r["version"]: r["count"] for r in counts["by_version"]} != byv or \
            {r["organization"]: r["count"] for r in counts["by_organization"]} != byo:
        fail("the anonymous counts are not those of the published signatures")
    ok("%d anonymous signatures have their leaves and counts (proofs not verified here)" % len(sigs))

    if "--receipts" in opts:
        now = time.time()
        kept = pending = 0
        for entry in json.load(open(opts["--receipts"])):
            rec = entry["receipt"]
            r, sig = (rec["receipt"], rec["signature"]) if "signature" in rec else \
                (rec, entry["signature"])
            signed = b"dissent-receipt-v2\n" + canonical(r).encode()
            if not ed25519_verify(pk, signed, b64d(sig)):
                fail("receipt %s: the log key's signature does not verify" % r["tag"][:16])
                continue
            if r["origin"] != origin:
                fail("receipt %s: another origin" % r["tag"][:16])
            found = any(l.get("kind") == "anonymous-signature" and
                        all(l.get(f) == r[f] for f in
                            ("memo", "tag", "action", "version", "organization", "ring"))
                        for l in leaves)
            due = time.mktime(time.strptime(r["publish_by"], "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
            if found:
                kept += 1
            elif now > due + 60:
                fail("receipt %s: BROKEN PROMISE, not in the log by %s" % (r["tag"][:16], r["publish_by"]))
            else:
                pending += 1
        ok("receipts: %d kept, %d pending" % (kept, pending))

    if "--rendering" in opts:
        text = open(opts["--rendering"]).read()
        m = re.search(r"^dissent-verify: (\S+) (\d+) ([0-9a-f]{64})$", text, re.M)
        lines = text.split("\n")
        # MARKING, "", title, "", body..., "", dissent-verify line, "", MARKING
        marking, title = lines[0], lines[2]
        vl = lines.index(m.group(0))
        body = "\n".join(lines[4:vl - 1])
        key, number = bytes.fromhex(m.group(3)), int(m.group(2))
        want = {v["number"]: v["hash"] for v in pub["versions"]}.get(number)
        opened = False
        # the rendering adds "\n" to a body that does not end with one, so a
        # body stored with its final "\n" renders the same: try both
        for b in (body, body + "\n"):
            canon = "dissent-memo-version-v1\ntitle: %s\nmarking: %s\n\n%s" % (title, marking, b)
            c = hmac.new(key, b"dissent-version-commitment-v2\n" + canon.encode(),
                         hashlib.sha256).hexdigest()
            opened = opened or c == want
        if m.group(1) != memo or not opened:
            fail("the rendering does not open version %d's commitment" % number)
        else:
            ok("the rendering opens version %d's commitment" % number)

    if FAILS:
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
