#!/usr/bin/env python3
"""The agreement table (issue #8): for every memo state x role, the API, the
memo web page, the CLI and the public record must say the same thing about
what the actor may do and which deadlines are overdue or missed, and that
thing must be the expected table below.

Usage: agreement.py PHASE MEMOS_JSON  (run by test_agreement.sh, which starts a
real server, makes one memo per state and logs every user in). PHASE names
the clock the server was started with; MEMOS_JSON maps row names to memo ids.
Environment: URL, DISSENT, E2E_TMP (sessions are $E2E_TMP/session-<user>.json).
Prints one "ok"/"FAIL" line per check and exits 1 on any failure.
"""
import http.cookiejar
import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

# ---- the expected table: data, not code ----

ROLES = {  # role -> demo user
    "drafter": "alice",
    "co-signer": "bob",
    "member": "dan",
    "reviewer": "rita",
    "leadership": "lena",
    "auditor": "ian",
    "admin": "admin",
}

# Reading the memo: drafters and co-signers always; members while it
# circulates; the office and leadership once submitted (not once withdrawn).
# Auditors read access logs only (403 on the text); admins see nothing (404).
HIDDEN = None  # the actor may not read the memo

# row -> role -> the set of "can" keys that are true (HIDDEN: no access).
D_COMMON = {"read_messages", "signers", "counts", "access_log"}
BEFORE_SUBMIT = D_COMMON - {"read_messages"}  # the message thread opens at submission
OFFICE_READ = {"read_messages", "signers", "counts"}
NO_READ = {"member": HIDDEN, "reviewer": HIDDEN, "leadership": HIDDEN, "auditor": HIDDEN,
           "admin": HIDDEN}
AFTER_SUBMIT = {"member": HIDDEN, "auditor": HIDDEN, "admin": HIDDEN}

CAN = {
    "draft": dict(NO_READ, **{
        "drafter": {"edit", "add_drafter", "circulate", "submit", "withdraw"} | BEFORE_SUBMIT,
        "co-signer": HIDDEN,
    }),
    # bob co-signed the latest version, which is shown
    "circulating": {
        "drafter": {"edit", "add_drafter", "submit", "withdraw", "sign", "refresh_rings"}
        | BEFORE_SUBMIT,
        "co-signer": {"unsign", "counts"},
        "member": {"sign", "counts"},
        "reviewer": HIDDEN, "leadership": HIDDEN, "auditor": HIDDEN, "admin": HIDDEN,
    },
    # bob co-signed version 1; version 2 (the latest) is shown: he may move
    "circulating-v2": {
        "drafter": {"edit", "add_drafter", "submit", "withdraw", "sign", "refresh_rings"}
        | BEFORE_SUBMIT,
        "co-signer": {"move", "unsign", "counts"},
        "member": {"sign", "counts"},
        "reviewer": HIDDEN, "leadership": HIDDEN, "auditor": HIDDEN, "admin": HIDDEN,
    },
    "submitted": dict(AFTER_SUBMIT, **{
        "drafter": {"withdraw", "message"} | D_COMMON,
        "co-signer": {"counts"},
        "reviewer": {"acknowledge", "extend", "message"} | OFFICE_READ,
        "leadership": OFFICE_READ,
    }),
    # a channel whose policy allows no extension (EU directive)
    "submitted-eu": dict(AFTER_SUBMIT, **{
        "drafter": {"withdraw", "message"} | D_COMMON,
        "co-signer": {"counts"},
        "reviewer": {"acknowledge", "message"} | OFFICE_READ,
        "leadership": OFFICE_READ,
    }),
    "acknowledged": dict(AFTER_SUBMIT, **{
        "drafter": {"withdraw", "message"} | D_COMMON,
        "co-signer": {"counts"},
        "reviewer": {"extend", "answer", "message"} | OFFICE_READ,
        "leadership": OFFICE_READ,
    }),
    # the one extension is used
    "extended": dict(AFTER_SUBMIT, **{
        "drafter": {"withdraw", "message"} | D_COMMON,
        "co-signer": {"counts"},
        "reviewer": {"answer", "message"} | OFFICE_READ,
        "leadership": OFFICE_READ,
    }),
    "answered": dict(AFTER_SUBMIT, **{
        "drafter": {"close", "message"} | D_COMMON,
        "co-signer": {"counts"},
        "reviewer": {"close", "message"} | OFFICE_READ,
        "leadership": OFFICE_READ,
    }),
    "closed": dict(AFTER_SUBMIT, **{
        "drafter": set(D_COMMON),
        "co-signer": {"counts"},
        "reviewer": set(OFFICE_READ),
        "leadership": set(OFFICE_READ),
    }),
    # withdrawn after submission, before any deadline
    "withdrawn": dict(NO_READ, **{
        "drafter": set(D_COMMON),
        "co-signer": {"counts"},
    }),
}

# Deadlines: phase -> row -> (overdue_what or None, [missed deadline names]).
# Every row was made at "start" (Fri 2026-11-20 10:00 New York); "later" is
# 2026-11-30 (acknowledgements due 11-24 / 11-27 have passed), "much-later"
# 2027-06-01 (every answer deadline, extended or not, has passed).
NONE = (None, [])
ACK_LATE = ("acknowledgement", ["acknowledgement"])
BOTH_LATE = ("acknowledgement", ["acknowledgement", "answer"])
ANSWER_LATE = ("answer", ["answer"])
DEADLINES = {
    "start": {},
    "later": {"submitted": ACK_LATE, "submitted-eu": ACK_LATE},
    "much-later": {"submitted": BOTH_LATE, "submitted-eu": BOTH_LATE,
                   "acknowledged": ANSWER_LATE, "extended": ANSWER_LATE},
}

# The web page shows these "can" entries as forms or links (marker strings);
# the others (add_drafter, counts) have no control of their own.
PAGE = {
    "edit": 'href="/memos/{id}/edit"',
    "circulate": 'action="/memos/{id}/circulate"',
    "sign": "Co-sign version ",
    "move": "Move my signature to version ",
    "unsign": 'action="/memos/{id}/unsign"',
    "submit": 'action="/memos/{id}/submit"',
    "withdraw": 'action="/memos/{id}/withdraw"',
    "acknowledge": 'action="/memos/{id}/acknowledge"',
    "extend": 'action="/memos/{id}/extend"',
    "answer": 'action="/memos/{id}/answer"',
    "close": 'action="/memos/{id}/close"',
    "message": 'action="/memos/{id}/messages"',
    "refresh_rings": 'action="/memos/{id}/refresh-rings"',
    "signers": 'href="/memos/{id}/signers"',
    "access_log": 'href="/memos/{id}/access"',
    "read_messages": 'id="messages-h"',
}

ALL_KEYS = ["edit", "add_drafter", "circulate", "sign", "move", "unsign", "submit", "withdraw",
            "acknowledge", "extend", "answer", "close", "message", "read_messages", "signers",
            "counts", "access_log", "refresh_rings"]

# ---- drivers ----

URL = os.environ["URL"]
TMP = os.environ["E2E_TMP"]
DISSENT = os.environ["DISSENT"]
passed = failed = 0


def check(name, got, want):
    global passed, failed
    if got == want:
        passed += 1
        print("  ok    " + name)
    else:
        failed += 1
        print("  FAIL  " + name)
        print("        got  %r\n        want %r" % (got, want))


def token(user):
    with open(os.path.join(TMP, "session-%s.json" % user)) as f:
        return json.load(f)["token"]


def get(path, user=None, opener=None):
    req = urllib.request.Request(URL + path)
    if user:
        req.add_header("Authorization", "Bearer " + token(user))
    try:
        with (opener or urllib.request.build_opener()).open(req) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def web_session(user):
    """A browser-like cookie session, logged in through the login form."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = opener.open(URL + "/login").read().decode()
    csrf = re.search(r'name="login_csrf" value="([^"]+)"', form).group(1)
    body = urllib.parse.urlencode({"username": user, "password": user + "-demo-pass",
                                   "login_csrf": csrf}).encode()
    try:
        opener.open(urllib.request.Request(URL + "/login", data=body)).read()
    except urllib.error.HTTPError:
        pass
    return opener


def cli(user, *args):
    env = dict(os.environ, DISSENT_CONFIG=os.path.join(TMP, "session-%s.json" % user))
    p = subprocess.run([DISSENT, *args], env=env, capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


def api_view(memo, user):
    st, body = get("/api/v1/memos/" + memo, user)
    if st != 200:
        return st, HIDDEN, None
    d = json.loads(body)
    can = {k for k, v in d.get("can", {}).items() if v is True}
    rv = d.get("review") or {}
    return st, can, (rv.get("overdue_what") if rv.get("overdue") else None,
                     [m["deadline"] for m in rv.get("missed", [])])


def page_view(memo, opener):
    st, html = get("/memos/" + memo, opener=opener)
    if st != 200:
        return st, HIDDEN, None
    shown = {k for k, marker in PAGE.items() if marker.format(id=memo) in html}
    m = re.search(r"The (acknowledgement|answer) is overdue\.", html)
    return st, shown, m.group(1) if m else None


def cli_view(memo, user):
    rc, out = cli(user, "memo", "show", memo)
    if rc != 0:
        return HIDDEN, None
    m = re.search(r"^You may: (.*)$", out, re.M)
    can = set() if not m or m.group(1) == "read only" else set(m.group(1).split(", "))
    late = re.search(r"OVERDUE: the (\w+) is late", out)
    missed = re.findall(r"MISSED: the (\w+) was due", out)
    return can, (late.group(1) if late else None, missed)


def public_view(memo):
    st, body = get("/api/v1/public/memos/" + memo)
    if st != 200:
        return st, None
    rv = json.loads(body).get("review") or {}
    return st, (rv.get("overdue_what") if rv.get("overdue") else None,
                [m["deadline"] for m in rv.get("missed", [])])


def public_page_view(memo):
    st, html = get("/public?memo=" + memo)
    return re.findall(r"<li>the (\w+) was due", html)


def main():
    phase, memos = sys.argv[1], json.loads(sys.argv[2])
    deadlines = DEADLINES[phase]
    openers = {role: web_session(user) for role, user in ROLES.items()}
    for row, memo in memos.items():
        want_dl = deadlines.get(row, NONE)
        for role, user in ROLES.items():
            want = CAN[row][role]
            where = "%s: %s, %s" % (phase, row, role)
            st, api_can, api_dl = api_view(memo, user)
            pst, page_can, page_late = page_view(memo, openers[role])
            cli_can, cli_dl = cli_view(memo, user)
            check(where + ": API can", api_can, want)
            check(where + ": page status = API status", pst, st)
            if want is HIDDEN:
                check(where + ": CLI refuses too", cli_can, HIDDEN)
                continue
            check(where + ": API can has every key", set(json.loads(
                get("/api/v1/memos/" + memo, user)[1]).get("can", {})), set(ALL_KEYS))
            check(where + ": page controls = can", page_can, want & set(PAGE))
            check(where + ": CLI can", cli_can, want)
            check(where + ": API deadlines", api_dl, want_dl)
            check(where + ": page overdue", page_late, want_dl[0])
            check(where + ": CLI deadlines", cli_dl, want_dl)
        pub_st, pub_dl = public_view(memo)
        if row == "draft":
            check("%s: %s: not public" % (phase, row), pub_st, 404)
            continue
        check("%s: %s: public record deadlines" % (phase, row), pub_dl, want_dl)
        check("%s: %s: public page missed deadlines" % (phase, row), public_page_view(memo),
              want_dl[1])
    # Leadership's banner lists exactly the memos the public record shows overdue.
    st, home = get("/", opener=openers["leadership"])
    want_banner = sorted(memos[r] for r, dl in deadlines.items() if dl[0])
    banner = re.search(r'id="overdue-h".*?</section>', home, re.S)
    got_banner = sorted(m for m in memos.values() if banner and m in banner.group(0))
    check(phase + ": leadership banner = overdue rows", got_banner, want_banner)
    public_overdue = sorted(memos[r] for r in memos if r != "draft" and public_view(memos[r])[1][0])
    check(phase + ": public record overdue = leadership banner", public_overdue, got_banner)
    st, metrics = get("/metrics")
    m = re.search(r"^dissent_memos_overdue (\d+)", metrics, re.M)
    check(phase + ": /metrics overdue count", int(m.group(1)) if m else None, len(want_banner))
    print("agreement %s: %d passed, %d failed" % (phase, passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
