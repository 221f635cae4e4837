"""Outbound SMTP AUTH (SPEC §19; RFC 4954) against a real Postfix smtpd that
requires it, its SASL checked by a private Dovecot (harness.postfix_sasl):
good credentials deliver with PLAIN and LOGIN (Postfix logs the SASL login
and the ESMTPA protocol); a bad password is a transient failure carrying
Postfix's 535 (the queue retries, SPEC §19 / smtp_auth.hpp); without
credentials Postfix refuses to relay; and where Postfix offers AUTH only
after STARTTLS (smtpd_tls_auth_only), Impulse authenticates inside TLS with
tls = ifavailable, and with tls = no sends no credentials at all
("451 4.7.0 [internal] AUTH mechanism not advertised"). Everything runs on
loopback, where SPEC §19 also allows AUTH without TLS.
"""
import re

import pytest

from harness.impulse import Daemon, daemon_config
from harness.postfix_sasl import DovecotSasl, sasl_main_cf
from harness.smtp_peers import PostfixSmtpd
from harness.test_ca import TestCA

USERS = {"alice": {"password": "wonderland"}}
BODY = b"Subject: outbound auth\r\n\r\nhello\r\n"


def sender(mx, user, password, mech="PLAIN", tls="no"):
    auth = ""
    if user:
        auth = (f'  outbound_smtp_auth_type = "{mech}"\n  outbound_smtp_auth_user = "{user}"\n'
                f'  outbound_smtp_auth_pass = "{password}"\n')
    return lambda port: daemon_config(port, extra=(
        f'Domain "example.com" {{\n  Routes = ( "smtp://{mx.address}?port={mx.port}" )\n'
        f'  tls = "{tls}"\n{auth}}}\n'))


@pytest.fixture
def sasl():
    with DovecotSasl(USERS, domain="sasl.test") as d:
        yield d


@pytest.mark.parametrize("mech", ["PLAIN", "LOGIN"])
def test_good_credentials_deliver_through_postfix_requiring_auth(tmp_path, sasl, mech):
    with PostfixSmtpd("127.0.0.51", hostname="mx.auth.test", main_cf=sasl_main_cf(sasl)) as mx:
        with Daemon(tmp_path, sender(mx, "alice@sasl.test", "wonderland", mech)) as d:
            msgid = d.send("a@sender.test", ["carol@example.com"], BODY)
            [m] = mx.wait_messages(1)
            assert m.recipient == "carol@example.com" and m.protocol == "ESMTPA", m.received
            mx.wait_log(rf"sasl_method={mech}, sasl_username=alice@sasl\.test")
            [rec] = d.wait_records("D", msgid)
            assert rec["remote_ip"] == "127.0.0.51"


def test_bad_password_is_transient_with_postfixs_reply(tmp_path, sasl):
    with PostfixSmtpd("127.0.0.52", hostname="mx.auth.test", main_cf=sasl_main_cf(sasl)) as mx:
        with Daemon(tmp_path, sender(mx, "alice@sasl.test", "not-her-password")) as d:
            msgid = d.send("a@sender.test", ["carol@example.com"], BODY)
            rec = d.first_outcome(msgid)
            assert rec["type"] == "T", rec
            assert rec["response"].startswith("535 5.7.8 Error: authentication failed"), rec
            mx.wait_log(r"SASL PLAIN authentication failed")
            assert mx.count == 0


def test_without_credentials_postfix_refuses_to_relay(tmp_path, sasl):
    with PostfixSmtpd("127.0.0.53", hostname="mx.auth.test", main_cf=sasl_main_cf(sasl)) as mx:
        with Daemon(tmp_path, sender(mx, "", "")) as d:
            msgid = d.send("a@sender.test", ["carol@example.com"], BODY)
            rec = d.first_outcome(msgid)
            assert rec["type"] == "P" and rec["response"].startswith("554 5.7.1"), rec
            assert mx.count == 0


def test_auth_only_inside_tls_when_postfix_offers_it_after_starttls(tmp_path, sasl):
    ca = TestCA(tmp_path / "ca")
    cert, key = ca.issue("mx.auth.test", ips=["127.0.0.54"])
    main_cf = dict(sasl_main_cf(sasl, tls_only=True), debug_peer_list="127.0.0.0/8")
    with PostfixSmtpd("127.0.0.54", hostname="mx.auth.test", tls=(cert, key), main_cf=main_cf) as mx:
        with Daemon(tmp_path / "tls", sender(mx, "alice@sasl.test", "wonderland", tls="ifavailable")) as d:
            msgid = d.send("a@sender.test", ["carol@example.com"], BODY)
            [m] = mx.wait_messages(1)
            assert m.protocol == "ESMTPSA" and m.tls, m.received
            d.wait_records("D", msgid)
        with Daemon(tmp_path / "clear", sender(mx, "alice@sasl.test", "wonderland", tls="no")) as d:
            msgid = d.send("a@sender.test", ["dave@example.com"], BODY)
            rec = d.first_outcome(msgid)
            assert rec["type"] == "T", rec
            assert rec["response"] == "451 4.7.0 [internal] AUTH mechanism not advertised", rec
        # Postfix's per-session command counts: AUTH inside TLS in the first
        # session, none in the clear one (the first line is the harness's
        # readiness probe)
        sessions = re.findall(r"disconnect from \S+ (.*)$", mx.log(), re.M)
        assert sessions[1:] == ["ehlo=2 starttls=1 auth=1 mail=1 rcpt=1 bdat=1 quit=1 commands=8",
                                "ehlo=1 quit=1 commands=2"], sessions
        assert mx.count == 1
