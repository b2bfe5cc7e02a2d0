#!/usr/bin/python3
"""smtpd.py - the SMTP server the mail suite (tests/rest/test_mail.c) sends
to: Debian's aiosmtpd on a loopback port, each message written whole to a
file of its own in DIR (written aside, then renamed in), with two lines
ahead of it: X-Envelope-To (the recipients of the SMTP transaction) and
X-TLS (yes when the transaction ran over TLS). With --tls CERT KEY the
server offers STARTTLS and requires it; with --smtps CERT KEY it speaks
TLS from the start; with --auth USER:PASSWORD it also requires that login.
It runs until SIGTERM.

    /usr/bin/python3 tests/smtpd.py PORT DIR [--tls|--smtps CERT KEY] [--auth U:P]
"""
import argparse
import os
import signal
import ssl
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Maildir:
    def __init__(self, path):
        self.path = path
        self.n = 0
        os.makedirs(path, exist_ok=True)

    async def handle_DATA(self, server, session, envelope):
        self.n += 1
        name = "%d-%d-%d.eml" % (time.time_ns(), os.getpid(), self.n)
        tmp = os.path.join(self.path, "." + name)
        with open(tmp, "wb") as f:
            f.write(b"X-Envelope-To: " + ",".join(envelope.rcpt_tos).encode() + b"\r\n")
            tls = (session.ssl is not None
                   or server.transport.get_extra_info("ssl_object") is not None)
            f.write(b"X-TLS: " + (b"yes" if tls else b"no") + b"\r\n")
            f.write(envelope.original_content or envelope.content)
        os.rename(tmp, os.path.join(self.path, name))
        return "250 OK"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("port", type=int)
    p.add_argument("dir")
    p.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    p.add_argument("--smtps", nargs=2, metavar=("CERT", "KEY"))
    p.add_argument("--auth")
    a = p.parse_args()
    kw = {}
    if a.tls:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.tls[0], a.tls[1])
        kw.update(tls_context=ctx, require_starttls=True)
    if a.smtps:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.smtps[0], a.smtps[1])
        kw.update(ssl_context=ctx, auth_require_tls=False)  # TLS from the start
    if a.auth:
        user, password = a.auth.split(":", 1)

        def check(server, session, envelope, mechanism, data):
            ok = (isinstance(data, LoginPassword) and data.login.decode() == user
                  and data.password.decode() == password)
            return AuthResult(success=ok)

        kw.update(authenticator=check, auth_required=True)
    c = Controller(Maildir(a.dir), hostname="127.0.0.1", port=a.port, **kw)
    c.start()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait()
    c.stop()


if __name__ == "__main__":
    main()
