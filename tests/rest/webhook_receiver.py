#!/usr/bin/env python3
"""A webhook receiver for the tests, on 127.0.0.1 only.

  webhook_receiver.py DIR

Listens on a free loopback port and writes it to DIR/port. For every POST
it verifies the Standard Webhooks signature with the secrets in
DIR/secrets (one "whsec_..." a line, read at each request), answers 500
while DIR/fail holds a number above 0 (counting it down), a redirect to
/elsewhere while DIR/mode says "redirect", waits N seconds first while it
says "slow N", else 200 (with a body of N bytes of invalid UTF-8, NUL and
control bytes while it says "junk N"), and
appends one JSON line to DIR/log: the webhook-id, -timestamp, whether a
signature matched, the status it answered and the body.
"""
import base64
import hashlib
import hmac
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DIR = sys.argv[1]
LOCK = threading.Lock()


def secrets():
    try:
        with open(os.path.join(DIR, "secrets")) as f:
            return [l.strip() for l in f if l.strip().startswith("whsec_")]
    except FileNotFoundError:
        return []


def verified(msg_id, ts, body, header):
    signed = msg_id.encode() + b"." + ts.encode() + b"." + body
    given = [p.split(",", 1)[1] for p in header.split() if p.startswith("v1,")]
    for s in secrets():
        key = base64.b64decode(s[len("whsec_"):])
        mac = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
        if any(hmac.compare_digest(mac, g) for g in given):
            return True
    return False


def mode():
    try:
        with open(os.path.join(DIR, "mode")) as f:
            return f.read().split()
    except FileNotFoundError:
        return []


def take_failure():
    path = os.path.join(DIR, "fail")
    try:
        with open(path) as f:
            n = int(f.read().strip() or "0")
    except (FileNotFoundError, ValueError):
        return False
    if n <= 0:
        return False
    with open(path, "w") as f:
        f.write(str(n - 1))
    return True


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        msg_id = self.headers.get("webhook-id", "")
        ts = self.headers.get("webhook-timestamp", "")
        ok = verified(msg_id, ts, body, self.headers.get("webhook-signature", ""))
        m = mode()
        if m[:1] == ["slow"]:
            time.sleep(float(m[1]))
        with LOCK:
            if m[:1] == ["redirect"]:
                status = 302
            else:
                status = 500 if take_failure() else (200 if ok else 400)
            with open(os.path.join(DIR, "log"), "a") as f:
                f.write(json.dumps({"id": msg_id, "timestamp": ts, "verified": ok,
                                    "status": status, "path": self.path,
                                    "body": body.decode("utf-8", "replace")}) + "\n")
        reply = b"ok" if status == 200 else b"no"
        if m[:1] == ["junk"] and status == 200:
            pattern = b"ok \xff\xfe\xc3\x28\x00\x01\x1b[2J\xed\xa0\x80 "
            reply = (pattern * (int(m[1]) // len(pattern) + 1))[:int(m[1])]
        self.send_response(status)
        if status == 302:
            self.send_header("Location", "/elsewhere")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def handle(self):
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the sender went away (killed, or read no further)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(os.path.join(DIR, "port.tmp"), "w") as f:
    f.write(str(server.server_address[1]))
os.rename(os.path.join(DIR, "port.tmp"), os.path.join(DIR, "port"))
server.serve_forever()
