#!/usr/bin/env python3
"""crash_load.py — named sign/unsign writes from many threads at once, for
test_crash.sh: runs until the server goes away (kill -9), then writes what
each (user, memo) pair was acknowledged and what was still in flight.

Usage: crash_load.py URL STATE_IN STATE_OUT THREADS [STARTED_FILE]
STATE_IN: {"tokens": {user: token}, "pairs": [[user, memo, signed]]}
(signed: the pair's state when the load starts). STATE_OUT: the pairs as
[[user, memo, acked_signed, acked_ops, inflight]] where inflight is null,
"sign" or "unsign": a request sent and not answered when the server died.
Each pair is driven by one thread, one request at a time, so a pair has at
most one request in flight. STARTED_FILE is created once 20 writes have
been acknowledged, so the test kills the server in the middle of the writes
however slowly they start."""
import http.client
import json
import sys
import threading
import urllib.parse

url, state_in, state_out, nthreads = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
started_file = sys.argv[5] if len(sys.argv) > 5 else None
acked = [0]
acked_lock = threading.Lock()
with open(state_in) as f:
    st = json.load(f)
tokens = st["tokens"]
pairs = [{"user": u, "memo": m, "signed": s, "ops": 0, "inflight": None, "errors": []}
         for u, m, s in st["pairs"]]
host = urllib.parse.urlparse(url)


def worker(mine):
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
    i = 0
    while True:
        p = mine[i % len(mine)]
        i += 1
        op = "unsign" if p["signed"] else "sign"
        p["inflight"] = op
        try:
            conn.request("DELETE" if op == "unsign" else "POST",
                         "/api/v1/memos/%s/signatures" % p["memo"],
                         body=None if op == "unsign" else "{}",
                         headers={"Authorization": "Bearer " + tokens[p["user"]],
                                  "Content-Type": "application/json"})
            r = conn.getresponse()
            body = r.read()
        except Exception:
            return  # the server is gone: this request stays in flight
        if 200 <= r.status < 300:
            p["signed"] = op == "sign"
            p["ops"] += 1
            p["inflight"] = None
            with acked_lock:
                acked[0] += 1
                if acked[0] == 20 and started_file:
                    open(started_file, "w").close()
        else:
            # A refusal must change nothing, so it is not in flight either.
            p["inflight"] = None
            p["errors"].append("%d %s" % (r.status, body[:200].decode("utf-8", "replace")))
            if len(p["errors"]) > 20:
                return


groups = [pairs[k::nthreads] for k in range(nthreads)]
threads = [threading.Thread(target=worker, args=(g,)) for g in groups if g]
for t in threads:
    t.start()
for t in threads:
    t.join()
with open(state_out, "w") as f:
    json.dump({"pairs": [[p["user"], p["memo"], p["signed"], p["ops"], p["inflight"]]
                         for p in pairs],
               "errors": [e for p in pairs for e in p["errors"]][:20]}, f)
