#!/usr/bin/env python3
"""slow_clients.py — slow and greedy clients against a real server, for
tests/e2e/test_slow.sh (loopback addresses only).

While it holds open
  - slow connections that send their request head one header line every
    --every seconds (spread over the source addresses 127.0.0.2 ...),
  - slow uploads that send a declared body one byte every --every seconds,
  - busy keep-alive connections that ask --busy-path back to back,
it probes each --probe path from 127.0.0.1 on a fresh connection every
--probe-every seconds and times the answer. At the end it prints one JSON
object of what it saw (the shell test asserts on it) and exits 0; it asserts
nothing itself.

A slow connection counts as "closed" when the server ends it (EOF, reset, or
a response followed by EOF); "refused" when that happens within --refused-within
seconds of the connection being opened (a per-address limit, say).
"""
import argparse
import errno
import json
import resource
import selectors
import socket
import sys
import threading
import time


def raise_fd_limit(need):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = need if hard == resource.RLIM_INFINITY else min(need, hard)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


class Slow:
    """A client that trickles its request head (or its body)."""

    def __init__(self, kind, src, dst, every, host):
        self.kind = kind
        self.every = every
        self.opened = time.monotonic()
        self.closed = None  # seconds after opening that the server ended it
        self.status = None  # status line the server sent, if any
        self.sent_lines = 0
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setblocking(False)
        self.sock.bind((src, 0))
        self.connected = False
        err = self.sock.connect_ex(dst)
        if err not in (0, errno.EINPROGRESS):
            self.finish()
        if kind == "head":
            self.first = ("GET /healthz HTTP/1.1\r\nHost: %s\r\n" % host).encode()
        else:
            self.first = (
                "POST /api/v1/login HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
                "Content-Length: 1000\r\n\r\n{" % host
            ).encode()
        self.next_send = self.opened

    def finish(self):
        if self.closed is None:
            self.closed = time.monotonic() - self.opened
        try:
            self.sock.close()
        except OSError:
            pass

    def tick(self, now):
        if self.closed is not None or now < self.next_send:
            return
        try:
            if self.sent_lines == 0:
                self.sock.send(self.first)
            elif self.kind == "head":
                self.sock.send(b"X-Slow-%d: still-coming\r\n" % self.sent_lines)
            else:
                self.sock.send(b" ")
            self.sent_lines += 1
        except BlockingIOError:
            pass
        except OSError:
            self.finish()
            return
        self.next_send = now + self.every

    def readable(self):
        try:
            data = self.sock.recv(4096)
        except BlockingIOError:
            return
        except OSError:
            self.finish()
            return
        if not data:
            self.finish()
        elif self.status is None:
            self.status = data.split(b"\r\n", 1)[0].decode("latin-1")


class Busy:
    """A keep-alive client that sends the next request as soon as the last is answered."""

    def __init__(self, src, dst, path, host):
        self.src, self.dst = src, dst
        self.req = ("GET %s HTTP/1.1\r\nHost: %s\r\n\r\n" % (path, host)).encode()
        self.done = 0
        self.errors = 0
        self.reconnects = 0
        self.sock = None

    def connect(self, sel):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setblocking(False)
        self.sock.bind((self.src, 0))
        self.sock.connect_ex(self.dst)
        self.buf = b""
        self.pending = self.req
        sel.register(self.sock, selectors.EVENT_WRITE | selectors.EVENT_READ, self)

    def reconnect(self, sel):
        sel.unregister(self.sock)
        self.sock.close()
        self.reconnects += 1
        self.connect(sel)

    def event(self, sel, mask):
        if mask & selectors.EVENT_WRITE and self.pending:
            try:
                n = self.sock.send(self.pending)
                self.pending = self.pending[n:]
            except BlockingIOError:
                pass
            except OSError:
                self.errors += 1
                self.reconnect(sel)
                return
            if not self.pending:
                sel.modify(self.sock, selectors.EVENT_READ, self)
        if mask & selectors.EVENT_READ:
            try:
                data = self.sock.recv(65536)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            if not data:
                # The server may end a keep-alive connection between requests.
                if self.buf:
                    self.errors += 1
                self.reconnect(sel)
                return
            self.buf += data
            while True:
                end = self.buf.find(b"\r\n\r\n")
                if end < 0:
                    return
                head = self.buf[:end].decode("latin-1").lower()
                length = 0
                close = False
                for line in head.split("\r\n")[1:]:
                    k, _, v = line.partition(":")
                    if k.strip() == "content-length":
                        length = int(v.strip())
                    if k.strip() == "connection" and "close" in v:
                        close = True
                if len(self.buf) < end + 4 + length:
                    return
                if not head.startswith("http/1.1 200"):
                    self.errors += 1
                self.buf = self.buf[end + 4 + length:]
                self.done += 1
                if close:
                    self.reconnect(sel)
                    return
                self.pending = self.req
                sel.modify(self.sock, selectors.EVENT_WRITE | selectors.EVENT_READ, self)


def probe(dst, path, limit, host):
    """One request on a fresh connection: (status or error text, seconds)."""
    t0 = time.monotonic()
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(limit)
    result = "timeout"
    try:
        s.bind(("127.0.0.1", 0))
        s.connect(dst)
        s.sendall(("GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" % (path, host)).encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        line = data.split(b"\r\n", 1)[0].decode("latin-1")
        result = line.split(" ")[1] if line.startswith("HTTP/1.1 ") else "bad reply: " + line[:60]
    except socket.timeout:
        result = "timeout"
    except OSError as e:
        result = "error: " + e.strerror if e.strerror else "error"
    finally:
        s.close()
    return result, time.monotonic() - t0


def max_or_none(times):
    times = [t for t in times if t is not None]
    return round(max(times), 2) if times else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("--slow", type=int, default=0)
    ap.add_argument("--slow-body", type=int, default=0)
    ap.add_argument("--slow-addrs", type=int, default=1)
    ap.add_argument("--slow-first-addr", type=int, default=2, help="first source address 127.0.0.N")
    ap.add_argument("--every", type=float, default=2.0)
    ap.add_argument("--busy", type=int, default=0)
    ap.add_argument("--busy-addrs", type=int, default=1)
    ap.add_argument("--busy-path", default="/api/v1/log/checkpoint")
    ap.add_argument("--probe", action="append", default=[])
    ap.add_argument("--probe-every", type=float, default=0.25)
    ap.add_argument("--min-probe-rounds", type=int, default=0,
                    help="probe at least this many rounds, even past --duration")
    ap.add_argument("--limit", type=float, default=2.0)
    ap.add_argument("--duration", type=float, default=5.0)
    ap.add_argument("--linger", type=float, default=0.0,
                    help="after probing, keep trickling this long before counting closes")
    ap.add_argument("--refused-within", type=float, default=0.5)
    ap.add_argument("--wait-closed", type=float, default=0.0,
                    help="then wait up to this long for the server to close every slow connection")
    a = ap.parse_args()

    dst = ("127.0.0.1", a.port)
    host = "127.0.0.1:%d" % a.port
    raise_fd_limit(a.slow + a.slow_body + a.busy + 256)
    sel = selectors.DefaultSelector()
    stop = threading.Event()
    slows = []
    busies = []
    all_opened = threading.Event()

    # Busy clients run in their own thread so the probes' timings are not
    # distorted by this script's own event loop.
    def run_slow_and_busy():
        for i in range(a.busy):
            b = Busy("127.0.0.%d" % (200 + i % a.busy_addrs), dst, a.busy_path, host)
            b.connect(sel)
            busies.append(b)
        for i in range(a.slow + a.slow_body):
            src = "127.0.0.%d" % (a.slow_first_addr + i % a.slow_addrs)
            s = Slow("head" if i < a.slow else "body", src, dst, a.every, host)
            slows.append(s)
            if s.closed is None:
                sel.register(s.sock, selectors.EVENT_READ, s)
        all_opened.set()
        while not stop.is_set():
            now = time.monotonic()
            for s in slows:
                was_open = s.closed is None
                s.tick(now)
                if was_open and s.closed is not None:
                    try:
                        sel.unregister(s.sock)
                    except (KeyError, ValueError):
                        pass
            for key, mask in sel.select(timeout=0.05):
                obj = key.data
                if isinstance(obj, Slow):
                    obj.readable()
                    if obj.closed is not None:
                        try:
                            sel.unregister(key.fileobj)
                        except (KeyError, ValueError):
                            pass
                else:
                    obj.event(sel, mask)

    t = threading.Thread(target=run_slow_and_busy, daemon=True)
    t.start()
    time.sleep(min(1.0, a.duration / 4))  # let the connections pile up first
    probes = []
    end = time.monotonic() + a.duration
    rounds = 0
    while time.monotonic() < end or rounds < a.min_probe_rounds:
        for p in a.probe:
            r, secs = probe(dst, p, a.limit, host)
            probes.append({"path": p, "result": r, "secs": secs})
        rounds += 1
        time.sleep(a.probe_every)
    if a.linger:
        time.sleep(a.linger)
    # The slow connections are watched by the other thread until stop is set.
    give_up = time.monotonic() + a.wait_closed
    all_opened.wait(a.wait_closed)
    while time.monotonic() < give_up and any(s.closed is None for s in list(slows)):
        time.sleep(0.1)
    stop.set()
    t.join(5)

    closed = [s.closed for s in slows if s.closed is not None]
    out = {
        "slow_opened": len(slows),
        "slow_refused": sum(1 for c in closed if c <= a.refused_within),
        "slow_closed": len(closed),
        "slow_still_open": sum(1 for s in slows if s.closed is None),
        "slow_close_max_s": round(max(closed), 2) if closed else None,
        "slow_head_close_max_s": max_or_none(s.closed for s in slows if s.kind == "head"),
        "slow_body_close_max_s": max_or_none(s.closed for s in slows if s.kind == "body"),
        "slow_close_min_s": round(min(closed), 2) if closed else None,
        "slow_statuses": sorted(set(s.status for s in slows if s.status)),
        "busy_requests": sum(b.done for b in busies),
        "busy_errors": sum(b.errors for b in busies),
        "busy_reconnects": sum(b.reconnects for b in busies),
        "probes": len(probes),
        "probes_ok": sum(1 for p in probes if p["result"] == "200" and p["secs"] <= a.limit),
        "probe_max_s": round(max(p["secs"] for p in probes), 3) if probes else None,
        "probe_failures": sorted(set(p["result"] for p in probes if p["result"] != "200")),
    }
    for s in slows:
        if s.closed is None:
            s.sock.close()
    for b in busies:
        b.sock.close()
    json.dump(out, sys.stdout, sort_keys=True)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
