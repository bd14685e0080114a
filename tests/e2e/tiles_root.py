#!/usr/bin/env python3
"""Rebuilds the log from C2SP tlog-tiles alone and checks it against the
signed checkpoint: usage tiles_root.py URL. Reads /checkpoint, the level-0
hash tiles and the entry bundles the size needs (and every level-1 tile the
size covers); checks each entry's RFC 9162 leaf hash against the hash tile,
each level-1 hash against the 256 level-0 hashes under it, and the root
computed from the leaf hashes against the checkpoint's root. Prints the
size, or exits 1 naming what did not match."""
import base64, hashlib, sys, urllib.request

URL = sys.argv[1]

def get(path):
    with urllib.request.urlopen(URL + path) as r:
        return r.read()

def tile_path(kind, n, width):
    s = "%03d" % (n % 1000)
    n //= 1000
    while n:
        s = "x%03d/%s" % (n % 1000, s)
        n //= 1000
    p = "/tile/%s/%s" % (kind, s)
    return p + (".p/%d" % width if width < 256 else "")

def leaf(b): return hashlib.sha256(b"\x00" + b).digest()
def node(l, r): return hashlib.sha256(b"\x01" + l + r).digest()

def mth(h):  # RFC 9162 §2.1.1 over leaf hashes
    if len(h) == 1:
        return h[0]
    k = 1
    while k * 2 < len(h):
        k *= 2
    return node(mth(h[:k]), mth(h[k:]))

def fail(msg):
    print("tiles: " + msg)
    sys.exit(1)

note = get("/checkpoint").decode()
lines = note.split("\n")
size, root = int(lines[1]), base64.b64decode(lines[2])
hashes = []
for n in range((size + 255) // 256):
    w = min(256, size - n * 256)
    t = get(tile_path("0", n, w))
    if len(t) != 32 * w:
        fail("tile 0/%d is %d bytes, want %d" % (n, len(t), 32 * w))
    tile = [t[i:i + 32] for i in range(0, len(t), 32)]
    b, i, entries = get(tile_path("entries", n, w)), 0, []
    while i < len(b):
        ln = int.from_bytes(b[i:i + 2], "big")
        entries.append(b[i + 2:i + 2 + ln])
        i += 2 + ln
    if i != len(b) or len(entries) != w:
        fail("entry bundle %d holds %d entries, want %d" % (n, len(entries), w))
    for j, e in enumerate(entries):
        if leaf(e) != tile[j]:
            fail("entry %d does not hash to its leaf in tile 0/%d" % (n * 256 + j, n))
    hashes += tile
for n in range((size // 256 + 255) // 256):
    w = min(256, size // 256 - n * 256)
    t = get(tile_path("1", n, w))
    for j in range(w):
        k = (n * 256 + j) * 256
        if t[32 * j:32 * j + 32] != mth(hashes[k:k + 256]):
            fail("tile 1/%d hash %d is not the root of its 256 leaves" % (n, j))
if size == 0 or mth(hashes) != root:
    fail("the root of %d leaves from tiles is not the checkpoint's" % size)
print(size)
