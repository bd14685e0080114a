#!/usr/bin/env python3
"""evil_proxy.py — a lying server for the end-to-end tests: an HTTP proxy on
loopback in front of a real dissent server that forwards everything but
rewrites the rings a memo's public facts show (and, in one mode, the log's
ring leaf), as a malicious server would.

Usage: evil_proxy.py UPSTREAM_URL PORT_FILE POST_LOG MODE ORG VICTIM_KEY [KEYS_FILE]

MODE (ring 1 of ORG becomes):
  dup        VICTIM_KEY five times
  random     VICTIM_KEY and the 7 keys of KEYS_FILE (one hex key a line)
  reorder    the real ring in reverse order (not the roster snapshot)
  forged-log as random, and the memo's ring leaf in /log/leaves says so too
             (digest, count and leaf hash recomputed: the leaf is not the
             one the signed checkpoint covers)
  hide-signatures  the rings as they are, but no published signature: a
             client then does not know its own and sends what the server
             alone must refuse
  honest     nothing rewritten: a window on what a client asks for
  other-memo the public facts of every memo answer for memo ORG instead
             (the reply is about another memo than the one asked for)
  forged-leaf  the leaf whose index is ORG, in /log/leaves, gets another
             time ("at"), its leaf_hash recomputed: well-formed and
             self-consistent, but not the leaf the signed checkpoint covers
Every POST path is appended to POST_LOG, so a test can tell that nothing was
sent, and every GET path (query included) to POST_LOG.get, so a test can
tell which leaves a client fetched; every request also to POST_LOG.hdr as
"METHOD PATH authorization=0|1 cookie=0|1", so a test can tell which ones
carried a session. Digests follow docs/protocol-ring.md §4, so the fabricated rings are
self-consistent.
"""
import base64
import hashlib
import http.server
import json
import os
import struct
import sys
import urllib.error
import urllib.request

UPSTREAM, PORT_FILE, POST_LOG, MODE, ORG, VICTIM = sys.argv[1:7]
EXTRA = []
if len(sys.argv) > 7:
    with open(sys.argv[7]) as f:
        EXTRA = [line.strip() for line in f if line.strip()]
FORGED = {}  # memo -> (digest, count) of the fabricated ring 1


def ring_digest(keys):
    dst = b"DISSENT-RING-V1-RING-DIGEST"
    h = hashlib.sha512(bytes([len(dst)]) + dst + struct.pack(">Q", len(keys)))
    for k in keys:
        h.update(bytes.fromhex(k))
    return h.hexdigest()


def fabricate(ring):
    keys = ring["keys"]
    if MODE == "dup":
        return [VICTIM] * 5
    if MODE in ("random", "forged-log"):
        return [VICTIM] + EXTRA[:7]
    if MODE == "reorder":
        return list(reversed(keys))
    return keys


def rewrite_public(body):
    d = json.loads(body)
    if MODE == "other-memo":
        return json.dumps(d).replace(d["memo"], ORG).encode()
    if MODE == "hide-signatures":
        d["signatures"] = []
        return json.dumps(d).encode()
    for r in d.get("rings", []):
        if r.get("organization") == ORG and r.get("ring") == 1:
            r["keys"] = fabricate(r)
            r["count"] = len(r["keys"])
            r["digest"] = ring_digest(r["keys"])
            FORGED[d.get("memo")] = (r["digest"], r["count"])
    return json.dumps(d).encode()


def canonical(obj):
    return json.dumps(obj, separators=(",", ":"), sort_keys=True).encode()


def rewrite_leaves(body):
    d = json.loads(body)
    for row in d.get("leaves", []):
        if MODE == "forged-leaf":
            if row.get("index") == int(ORG):
                leaf = json.loads(row["data"])
                leaf["at"] = "2001-01-01T00:00:00Z"[:len(leaf["at"])]  # a day stays a day
                data = canonical(leaf)
                row["data"] = data.decode()
                row["leaf_hash"] = base64.b64encode(hashlib.sha256(b"\0" + data).digest()).decode()
            continue
        leaf = json.loads(row["data"])
        forged = FORGED.get(leaf.get("memo"))
        if leaf.get("kind") == "ring" and leaf.get("organization") == ORG and forged:
            leaf["digest"], leaf["count"] = forged
            data = canonical(leaf)
            row["data"] = data.decode()
            row["leaf_hash"] = base64.b64encode(hashlib.sha256(b"\0" + data).digest()).decode()
    return json.dumps(d).encode()


class Proxy(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def forward(self, method):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        with open(POST_LOG if method == "POST" else POST_LOG + ".get", "a") as f:
            f.write(self.path + "\n")
        with open(POST_LOG + ".hdr", "a") as f:
            f.write("%s %s authorization=%d cookie=%d\n" % (
                method, self.path, bool(self.headers.get("Authorization")),
                bool(self.headers.get("Cookie"))))
        req = urllib.request.Request(UPSTREAM + self.path, data=body, method=method)
        for h in ("Content-Type", "Authorization", "Cookie"):
            if self.headers.get(h):
                req.add_header(h, self.headers[h])
        try:
            with urllib.request.urlopen(req) as r:
                status, ctype, out = r.status, r.headers.get("Content-Type"), r.read()
        except urllib.error.HTTPError as err:
            status, ctype, out = err.code, err.headers.get("Content-Type"), err.read()
        path = self.path.split("?")[0]
        if method == "GET" and status == 200 and MODE != "honest":
            if path.startswith("/api/v1/public/memos/"):
                out = rewrite_public(out)
            elif MODE in ("forged-log", "forged-leaf") and path == "/api/v1/log/leaves":
                out = rewrite_leaves(out)
        self.send_response(status)
        self.send_header("Content-Type", ctype or "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def do_GET(self):
        self.forward("GET")

    def do_POST(self):
        self.forward("POST")


srv = http.server.HTTPServer(("127.0.0.1", 0), Proxy)
with open(PORT_FILE + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(PORT_FILE + ".tmp", PORT_FILE)
srv.serve_forever()
