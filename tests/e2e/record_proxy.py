#!/usr/bin/env python3
"""record_proxy.py DIR — a plain HTTP forward proxy for the end-to-end tests
that keeps a copy of every request body it forwards (DIR/req-N.json), so a
test can replay what a client sent, the way anyone on the path could.

While DIR/drop exists, POSTs are recorded and answered 503 without being
forwarded: the test holds a fresh proof the server never saw. Listens on a
free loopback port and writes it to DIR/port."""
import http.client
import http.server
import os
import sys
import urllib.parse

DIR = sys.argv[1]
count = 0


class Proxy(http.server.BaseHTTPRequestHandler):
    def _relay(self):
        global count
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else None
        if body is not None:
            count += 1
            with open(os.path.join(DIR, "req-%d.json" % count), "wb") as f:
                f.write(body)
        if self.command == "POST" and os.path.exists(os.path.join(DIR, "drop")):
            self.send_response(503)
            self.send_header("Content-Type", "application/json")
            msg = b'{"error":{"code":"unavailable","message":"dropped by the test proxy"}}'
            self.send_header("Content-Length", str(len(msg)))
            self.end_headers()
            self.wfile.write(msg)
            return
        u = urllib.parse.urlsplit(self.path)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        path = u.path + ("?" + u.query if u.query else "")
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() not in ("proxy-connection", "connection")}
        conn.request(self.command, path, body, headers)
        r = conn.getresponse()
        data = r.read()
        self.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _relay

    def log_message(self, *args):
        pass


srv = http.server.HTTPServer(("127.0.0.1", 0), Proxy)
with open(os.path.join(DIR, "port.tmp"), "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(os.path.join(DIR, "port.tmp"), os.path.join(DIR, "port"))
srv.serve_forever()
