"""A Postfix smtpd that requires SMTP AUTH (RFC 4954), checked by a private
Dovecot's SASL service, for testing Impulse's outbound AUTH against a real
server.

DovecotSasl is harness.dovecot.DovecotLmtp (same self-contained instance,
passwd-file users, start-up and PID-based stop) whose auth service also
listens on a Unix socket <dir>/auth-postfix for Postfix (mode 0666, as the
smtpd runs as `postfix`), with the PLAIN and LOGIN mechanisms and plaintext
authentication allowed (Postfix decides where AUTH is offered). Users log in
with their full address and the "password" option (default "secret").

sasl_main_cf(dovecot) gives the main.cf parameters that make a
harness.smtp_peers.PostfixSmtpd use it and relay only for authenticated
clients (loopback included: no permit_mynetworks):

    from harness.postfix_sasl import DovecotSasl, sasl_main_cf
    from harness.smtp_peers import PostfixSmtpd

    with DovecotSasl({"alice": {"password": "wonderland"}}, domain="sasl.test") as sasl, \\
         PostfixSmtpd("127.0.0.50", main_cf=sasl_main_cf(sasl)) as mx:
        ...                                   # AUTH PLAIN alice@sasl.test / wonderland
        mx.wait_log(r"sasl_method=PLAIN, sasl_username=alice@sasl\\.test")

    tls_only=True adds smtpd_tls_auth_only = yes: AUTH is offered only after
    STARTTLS (give the PostfixSmtpd a certificate).

Postfix answers a bad password with "535 5.7.8 Error: authentication
failed: ..." and an unauthenticated RCPT with "554 5.7.1 ... Relay access
denied"-style refusals. Failures raise harness.dovecot.DovecotError with
Dovecot's log.
"""

from __future__ import annotations

import os
import time

from harness.dovecot import DovecotError, DovecotLmtp

__all__ = ["DovecotSasl", "sasl_main_cf"]


class DovecotSasl(DovecotLmtp):
    """DovecotLmtp with its SASL service on <dir>/auth-postfix."""

    @property
    def auth_socket(self) -> str:
        return os.path.join(self.dir or "", "auth-postfix")

    def _write_config(self) -> None:
        super()._write_config()
        path = os.path.join(self.dir, "dovecot.conf")
        with open(path) as fh:
            text = fh.read()
        text = text.replace("auth_mechanisms = plain\n", "auth_mechanisms = plain login\n")
        text += ("disable_plaintext_auth = no\n"
                 "service auth {\n"
                 f"  unix_listener {self.auth_socket} {{\n"
                 "    mode = 0666\n"
                 "  }\n"
                 "}\n")
        with open(path, "w") as fh:
            fh.write(text)

    def _wait_ready(self) -> str:
        state = super()._wait_ready()
        if state != "ready":
            return state
        deadline = time.monotonic() + self.ready_timeout
        while not os.path.exists(self.auth_socket):
            if time.monotonic() > deadline:
                return f"dovecot made no {self.auth_socket} within {self.ready_timeout} s\n" + self.log()
            time.sleep(0.02)
        return "ready"


def sasl_main_cf(dovecot: DovecotSasl, *, tls_only: bool = False) -> dict:
    """main.cf parameters: AUTH through `dovecot`, relaying only when authenticated."""
    if not dovecot.dir:
        raise DovecotError("start the DovecotSasl before configuring Postfix with it")
    cf = {
        "smtpd_sasl_auth_enable": "yes",
        "smtpd_sasl_type": "dovecot",
        "smtpd_sasl_path": dovecot.auth_socket,
        "smtpd_sasl_security_options": "noanonymous",
        "smtpd_relay_restrictions": "permit_sasl_authenticated, reject",
        "broken_sasl_auth_clients": "no",
    }
    if tls_only:
        cf["smtpd_tls_auth_only"] = "yes"
    return cf
