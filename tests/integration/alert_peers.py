#!/usr/bin/python3
"""The alert endpoints of the tests, as real servers: an HTTPS server that
answers in the shapes of Slack's incoming webhooks, PagerDuty's Events API
v2, ntfy's JSON publishing, Pushover's messages API and a plain webhook, and
Debian's aiosmtpd as an SMTP server with STARTTLS (required) and AUTH on the
submission port and implicit TLS on 465. Every request and every mail is
recorded as one JSON line (with the client's address: which uplink it came
through) in DIR/requests.jsonl and DIR/mail.jsonl.

Faults come from DIR/control.json, read on every request:
  {"/services/": {"status": 429, "retry_after": "2", "times": 1}, ...}
the first path prefix that matches answers with that status (Retry-After
when given) "times" times (absent: always), then normally again.

    alert_peers.py --dir DIR --cert CRT --key KEY --bind ADDR [--bind ADDR6]
                   [--https 443] [--smtp 587] [--smtps 465] [--user U --password P]
                   [--bad-cert CRT --bad-key KEY [--bad-port 8443]]
"""
import argparse
import http.server
import json
import os
import socket
import ssl
import sys
import threading
import time
import urllib.parse
import uuid

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

LOCK = threading.Lock()
ARGS = None


def record(name, obj):
    with LOCK, open(os.path.join(ARGS.dir, name), "a") as f:
        f.write(json.dumps(obj) + "\n")
        f.flush()


def fault(path):
    """The control file's rule for path (decremented), or None."""
    p = os.path.join(ARGS.dir, "control.json")
    with LOCK:
        try:
            with open(p) as f:
                ctl = json.load(f)
        except (OSError, ValueError):
            return None
        for prefix, rule in ctl.items():
            if not path.startswith(prefix):
                continue
            if "times" in rule:
                if rule["times"] <= 0:
                    continue
                rule["times"] -= 1
                with open(p + ".tmp", "w") as f:
                    json.dump(ctl, f)
                os.replace(p + ".tmp", p)
            return rule
    return None


def slack(body, headers):
    try:
        doc = json.loads(body)
    except ValueError:
        return 400, "text/plain", "invalid_payload"
    if not isinstance(doc, dict) or not doc.get("text"):
        return 400, "text/plain", "no_text"
    return 200, "text/plain", "ok"


def pagerduty(body, headers, change=False):
    try:
        doc = json.loads(body)
    except ValueError:
        doc = None
    errors = []
    if not isinstance(doc, dict) or not doc.get("routing_key"):
        errors.append("'routing_key' is missing")
    elif change:
        if not (doc.get("payload") or {}).get("summary"):
            errors.append("'payload.summary' is missing")
    else:
        act = doc.get("event_action")
        if act not in ("trigger", "acknowledge", "resolve"):
            errors.append("'event_action' is invalid")
        if act == "trigger":
            pl = doc.get("payload") or {}
            for k in ("summary", "source", "severity"):
                if not pl.get(k):
                    errors.append("'payload.%s' is missing" % k)
            if pl.get("severity") not in ("critical", "error", "warning", "info"):
                errors.append("'payload.severity' is invalid")
        elif not doc.get("dedup_key"):
            errors.append("'dedup_key' is missing")
    if errors:
        return 400, "application/json", json.dumps({"status": "invalid event",
                                                    "message": "Event object is invalid",
                                                    "errors": errors})
    out = {"status": "success", "message": "Event processed"}
    if not change:
        out["dedup_key"] = doc.get("dedup_key") or uuid.uuid4().hex
    return 202, "application/json", json.dumps(out)


def ntfy(body, headers):
    try:
        doc = json.loads(body)
    except ValueError:
        return 400, "application/json", json.dumps({"code": 40024, "error": "invalid JSON"})
    if not isinstance(doc, dict) or not doc.get("topic"):
        return 400, "application/json", json.dumps({"code": 40009, "error": "invalid topic"})
    return 200, "application/json", json.dumps({"id": uuid.uuid4().hex[:12],
                                                "time": int(time.time()), "event": "message",
                                                "topic": doc["topic"],
                                                "message": doc.get("message", "")})


def pushover(body, headers):
    form = urllib.parse.parse_qs(body, keep_blank_values=True)
    errors = [k + " invalid" for k in ("token", "user", "message") if not form.get(k, [""])[0]]
    if errors:
        return 400, "application/json", json.dumps({"status": 0, "errors": errors,
                                                    "request": uuid.uuid4().hex})
    return 200, "application/json", json.dumps({"status": 1, "request": uuid.uuid4().hex})


def webhook(body, headers):
    return 200, "application/json", '{"ok":true}'


ROUTES = [("/services/", slack), ("/v2/change/enqueue", lambda b, h: pagerduty(b, h, True)),
          ("/v2/enqueue", pagerduty), ("/1/messages.json", pushover), ("/hook", webhook),
          ("/", ntfy)]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, code, ctype, text, extra=()):
        data = text.encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode("utf-8", "replace")
        rule = fault(self.path)
        entry = {"t": time.time(), "host": self.headers.get("Host", ""), "path": self.path,
                 "client": self.client_address[0], "headers": dict(self.headers.items()),
                 "body": body}
        if rule:
            entry["fault"] = rule.get("status")
            record("requests.jsonl", entry)
            extra = [("Retry-After", rule["retry_after"])] if "retry_after" in rule else []
            self.reply(int(rule.get("status", 500)), "text/plain", rule.get("text", "fault"),
                       extra)
            return
        for prefix, fn in ROUTES:
            if self.path.startswith(prefix):
                code, ctype, text = fn(body, self.headers)
                entry["status"] = code
                record("requests.jsonl", entry)
                self.reply(code, ctype, text)
                return


class HTTPS(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, addr, ctx):
        self.address_family = socket.AF_INET6 if ":" in addr[0] else socket.AF_INET
        super().__init__(addr, Handler)
        self.socket = ctx.wrap_socket(self.socket, server_side=True)


class Mail:
    async def handle_DATA(self, server, session, envelope):
        port = server.transport.get_extra_info("sockname")[1]
        record("mail.jsonl", {"t": time.time(), "client": session.peer[0], "port": port,
                              "from": envelope.mail_from, "to": envelope.rcpt_tos,
                              "tls": session.ssl is not None,
                              "auth": bool(session.authenticated),
                              "data": envelope.content.decode("utf-8", "replace")})
        return "250 OK"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == ARGS.user and
          auth_data.password.decode() == ARGS.password)
    return AuthResult(success=ok)


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--bind", action="append", required=True)
    ap.add_argument("--https", type=int, default=443)
    ap.add_argument("--smtp", type=int, default=587)
    ap.add_argument("--smtps", type=int, default=465)
    ap.add_argument("--bad-cert", help="a certificate the daemon must not trust, on --bad-port")
    ap.add_argument("--bad-key")
    ap.add_argument("--bad-port", type=int, default=8443)
    ap.add_argument("--user", default="alerts@example.net")
    ap.add_argument("--password", default="s3cret-pass")
    ARGS = ap.parse_args()
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(ARGS.cert, ARGS.key)
    servers = [(addr, ARGS.https, ctx) for addr in ARGS.bind]
    if ARGS.bad_cert:
        bad = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        bad.load_cert_chain(ARGS.bad_cert, ARGS.bad_key)
        servers += [(addr, ARGS.bad_port, bad) for addr in ARGS.bind]
    for addr, port, c in servers:
        srv = HTTPS((addr, port), c)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
    smtp = []
    for addr in ARGS.bind:
        smtp.append(Controller(Mail(), hostname=addr, port=ARGS.smtp, tls_context=ctx,
                               require_starttls=True, authenticator=authenticator,
                               auth_require_tls=True, auth_exclude_mechanism=["CRAM-MD5"]))
        smtp.append(Controller(Mail(), hostname=addr, port=ARGS.smtps, ssl_context=ctx,
                               authenticator=authenticator, auth_require_tls=False))
    for c in smtp:
        c.start()
    with open(os.path.join(ARGS.dir, "peers.ready"), "w") as f:
        f.write("ready\n")
    sys.stdout.flush()
    threading.Event().wait()


if __name__ == "__main__":
    main()
