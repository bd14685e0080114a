#!/usr/bin/env python3
"""smtp_sink.py — a real SMTP server for the end-to-end tests (aiosmtpd):
every message it accepts is saved as DIR/<n>.eml with its envelope on the
first lines ("X-Envelope-From:", "X-Envelope-To:"). Writes the port it
listens on (127.0.0.1) to PORT_FILE; runs until killed.

usage: smtp_sink.py DIR PORT_FILE [PORT]   (PORT 0 or absent: a free port)

With SINK_AUTH=user:password in the environment it requires that login
(AUTH PLAIN or LOGIN; no TLS, for tests on 127.0.0.1), refuses mail before
it, and saves the login as "X-Auth-Login:" on each message.
"""
import os
import signal
import socket
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Save:
    def __init__(self, out):
        self.out = out
        self.n = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.n += 1
            name = os.path.join(self.out, "%03d.eml" % self.n)
        tmp = name + ".part"
        with open(tmp, "wb") as f:
            f.write(b"X-Envelope-From: " + envelope.mail_from.encode() + b"\n")
            f.write(b"X-Envelope-To: " + ",".join(envelope.rcpt_tos).encode() + b"\n")
            if getattr(session, "authenticated", False):
                login = session.auth_data.login if isinstance(session.auth_data, LoginPassword) else b"?"
                f.write(b"X-Auth-Login: " + login + b"\n")
            f.write(envelope.original_content)
        os.rename(tmp, name)  # readers never see half a message
        return "250 OK"


def main():
    out, port_file = sys.argv[1], sys.argv[2]
    port = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    if port == 0:
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
    os.makedirs(out, exist_ok=True)
    kw = {}
    want = os.environ.get("SINK_AUTH")
    if want:
        user, _, password = want.encode().partition(b":")

        def check(server, session, envelope, mechanism, data):
            ok = isinstance(data, LoginPassword) and data.login == user and data.password == password
            # handled=False: aiosmtpd answers a refusal itself (535); with its
            # default (handled=True) it answered nothing and the client hung
            return AuthResult(success=ok, handled=False, auth_data=data if ok else None)

        kw = dict(authenticator=check, auth_required=True, auth_require_tls=False)
    ctl = Controller(Save(out), hostname="127.0.0.1", port=port, **kw)
    ctl.start()
    with open(port_file + ".part", "w") as f:
        f.write("%d\n" % port)
    os.rename(port_file + ".part", port_file)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    ctl.stop()


if __name__ == "__main__":
    main()
