"""Outbound STARTTLS (SPEC §4; reference/momentum.md §3 `tls`, `tls_verify`,
`tls_ca`, §7.6 [internal] texts; reference/protocols.md §1.8): a real
impulsed delivers to a private Postfix smtpd that offers STARTTLS with a
certificate from a throw-away CA (harness.test_ca), or to a scripted server
that does not offer it. What the user sees is checked: Postfix's Received
header ("with ESMTPS" and the TLS session) or the scripted server's
transcript, and the mainlog D / T records field by field.

Routes are IP literals (no DNS); a failed session is retried every second.
"""
import re

import pytest

from harness.impulse import Daemon as ImpulseDaemon
from harness.impulse import daemon_config
from harness.scripted_smtp import ScriptedSmtp
from harness.smtp_peers import PostfixSmtpd
from harness.test_ca import TestCA

BODY = b"From: alice@sender.test\r\nTo: bob@tls.test\r\nSubject: tls\r\n\r\nover TLS, I hope\r\n"

MX = "127.0.52.1"      # Postfix with STARTTLS
PLAIN = "127.0.52.2"   # a server without STARTTLS
MX_NAME = "mx.tls.test"

FAST = """\
Retry_Interval = 1
Max_Retry_Interval = 1
Delayed_Queue_Scan_Interval = 1
Host_Failure_Retry = 1
"""


@pytest.fixture(scope="module")
def ca(tmp_path_factory):
    return TestCA(tmp_path_factory.mktemp("ca"))


def domain(name, peer, options):
    return f'Domain "{name}" {{\n  Routes = ( "smtp://{peer.address}?port={peer.port}" )\n  {options}\n}}\n'


class Daemon(ImpulseDaemon):
    """impulsed (no console) with FAST retries and the test's `domains`."""

    def __init__(self, tmp_path, domains):
        super().__init__(tmp_path, lambda port: daemon_config(port, console=None, bouncelog=False,
                                                              extra=FAST + domains), console=False)

    def wait_records(self, kind, msgid, count=1):
        """The first `count` records, once there are that many."""
        return super().wait_records(kind, msgid, count)[:count]

    def send(self, rcpt, body=BODY):
        return super().send("alice@sender.test", [rcpt], body, timeout=30)


def check_delivered(d, msgid, domain_name, remote_ip):
    (rec,) = d.wait_records("D", msgid)
    assert (rec["domain"], rec["binding_group"], rec["binding"]) == (domain_name, "default", "default")
    assert (rec["retries"], rec["remote_ip"]) == ("0", remote_ip)
    assert d.records("T", msgid) == []


def check_transient(rec, msgid, stage, response, remote_ip):
    assert (rec["msgid"], rec["domain"], rec["binding"]) == (msgid, "tls.test", "default")
    assert rec["stage"] == str(stage), rec
    assert rec["retries"] == "0"
    assert rec["remote_ip"] == remote_ip
    assert rec["response"] == response


def check_tls(m):
    """A copy Postfix received over TLS: its Received header says so."""
    assert m.protocol == "ESMTPS", m.received
    assert m.tls and re.match(r"TLSv1\.[23] with cipher \S+", m.tls), m.received
    assert m.client_addr == "127.0.0.1"


# ---- tls = required ---------------------------------------------------------------------

def test_tls_required_with_verify_ca_delivers_over_tls(tmp_path, ca):
    cert = ca.issue(MX_NAME, ips=[MX])
    with PostfixSmtpd(MX, hostname=MX_NAME, tls=cert) as mx, \
            Daemon(tmp_path, domain("tls.test", mx, f'tls = required\n  tls_verify = ca\n  tls_ca = "{ca.ca_path}"')) as d:
        msgid = d.send("bob@tls.test")
        check_delivered(d, msgid, "tls.test", MX)
        [m] = mx.wait_messages(1)
        check_tls(m)
        assert (m.sender, m.recipient) == ("alice@sender.test", "bob@tls.test")
        assert b"over TLS, I hope" in m.data


def test_tls_required_without_starttls_offered_is_transient_and_sends_no_mail(tmp_path):
    with ScriptedSmtp(PLAIN) as plain, Daemon(tmp_path, domain("tls.test", plain, "tls = required")) as d:
        msgid = d.send("bob@tls.test")
        t1, t2 = d.wait_records("T", msgid, 2)
        text = "451 4.7.6 [internal] STARTTLS required but not advertised"
        check_transient(t1, msgid, 11, text, PLAIN)  # stage 11: after EHLO
        assert t2["response"] == text and t2["retries"] == "1"
        assert plain.messages() == []
        assert not any(re.match(r"(?i)(MAIL|STARTTLS)\b", c) for c in plain.commands()), plain.dialogue()
        assert d.records("D", msgid) == [] and d.records("P", msgid) == []


# ---- tls = ifavailable ----------------------------------------------------------------------

def test_tls_ifavailable_uses_starttls_where_offered_and_plain_text_elsewhere(tmp_path, ca):
    cert = ca.issue(MX_NAME, ips=[MX])
    with PostfixSmtpd(MX, hostname=MX_NAME, tls=cert) as mx, ScriptedSmtp(PLAIN) as plain, \
            Daemon(tmp_path, domain("tls.test", mx, "tls = ifavailable") +
                   domain("plain.test", plain, "tls = ifavailable")) as d:
        over_tls = d.send("bob@tls.test")
        in_plain = d.send("carol@plain.test")
        check_delivered(d, over_tls, "tls.test", MX)
        check_delivered(d, in_plain, "plain.test", PLAIN)
        [m] = mx.wait_messages(1)
        check_tls(m)
        assert m.recipient == "bob@tls.test"
        [p] = plain.wait_messages(1)
        assert p.recipients == ["carol@plain.test"]
        assert not p.tls
        assert not any(c.upper().startswith("STARTTLS") for c in plain.commands()), plain.dialogue()


# ---- tls_verify ---------------------------------------------------------------------------

def test_tls_verify_host_rejects_a_certificate_for_another_name(tmp_path, ca):
    cert = ca.issue("other.example")  # signed by the trusted CA, but neither the route host nor the domain
    with PostfixSmtpd(MX, hostname=MX_NAME, tls=cert) as mx, \
            Daemon(tmp_path, domain("tls.test", mx, f'tls = required\n  tls_verify = host\n  tls_ca = "{ca.ca_path}"')) as d:
        msgid = d.send("bob@tls.test")
        (t,) = d.wait_records("T", msgid)
        check_transient(t, msgid, 17, "451 4.7.5 [internal] SSL cert common name does not match host", MX)
        d.wait_records("T", msgid, 2)  # retried, and refused again
        assert mx.count == 0
        assert mx.clients() == []  # no MAIL FROM reached Postfix


def test_tls_verify_host_accepts_a_certificate_for_the_route_host(tmp_path, ca):
    cert = ca.issue(MX_NAME, ips=[MX])  # the route names the host by its address
    with PostfixSmtpd(MX, hostname=MX_NAME, tls=cert) as mx, \
            Daemon(tmp_path, domain("tls.test", mx, f'tls = required\n  tls_verify = host\n  tls_ca = "{ca.ca_path}"')) as d:
        msgid = d.send("bob@tls.test")
        check_delivered(d, msgid, "tls.test", MX)
        check_tls(mx.wait_messages(1)[0])


def test_tls_verify_ca_rejects_a_certificate_from_an_unknown_ca(tmp_path, ca, tmp_path_factory):
    stranger = TestCA(tmp_path_factory.mktemp("other-ca"), name="Stranger CA")
    cert = stranger.issue(MX_NAME, ips=[MX])
    with PostfixSmtpd(MX, hostname=MX_NAME, tls=cert) as mx, \
            Daemon(tmp_path, domain("tls.test", mx, f'tls = required\n  tls_verify = ca\n  tls_ca = "{ca.ca_path}"')) as d:
        msgid = d.send("bob@tls.test")
        (t,) = d.wait_records("T", msgid)
        check_transient(t, msgid, 17, "451 4.7.5 [internal] SSL cert must be signed by a valid CA", MX)
        assert mx.count == 0


def test_tls_verify_optional_delivers_despite_a_certificate_for_another_name(tmp_path, ca):
    cert = ca.issue("other.example")
    with PostfixSmtpd(MX, hostname=MX_NAME, tls=cert) as mx, \
            Daemon(tmp_path, domain("tls.test", mx,
                                    f'tls = required\n  tls_verify = optional\n  tls_ca = "{ca.ca_path}"')) as d:
        msgid = d.send("bob@tls.test")
        check_delivered(d, msgid, "tls.test", MX)
        check_tls(mx.wait_messages(1)[0])
