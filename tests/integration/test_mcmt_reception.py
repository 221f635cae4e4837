"""MCMT_Reception on the ESMTP listener (SPEC §11; reference/momentum.md §9.1):
what the real impulsed answers at the end of DATA for an MCMT message
(`multipart/vnd.msys.mcmt`: a message/rfc822 rendering plus channel parts)
under each mode, and what an email recipient then receives from it
(Postfix's smtp-sink as the next hop, reached by an IP route: no DNS).

reject   -> 554 5.6.0 MCMT messages are not accepted here (plain mail still taken)
allow    -> structure checked (554 5.6.0 without an rfc822 part or malformed);
            email recipients receive only the message/rfc822 part
passthru -> (the default) stored and delivered unchanged
A Peer scope's value applies to the clients inside its CIDR only.
"""
import smtplib

import pytest

from harness.impulse import QUEUED, Daemon, daemon_config
from harness.smtp_peers import SmtpSink

RFC822 = (b"From: shop@example.com\r\nTo: customer@example.net\r\nSubject: Your order\r\n\r\n"
          b"Your order has shipped.\r\n")
APN_PART = (b"Content-Type: message/vnd.msys.apn\r\n"
            b"X-Device-Token: 8fb0f9f4d3b1c2a1e0d9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7\r\n"
            b"X-APNs-Topic: com.example.shop\r\nContent-Transfer-Encoding: 7bit\r\n\r\n"
            b'{"aps":{"alert":"Your order has shipped","badge":1}}')
HEADER = (b"From: shop@example.com\r\nTo: customer@example.net\r\nSubject: Your order\r\nMIME-Version: 1.0\r\n"
          b'Content-Type: multipart/vnd.msys.mcmt;\r\n\tboundary="=_mcmt_1"\r\n\r\n'
          b"This is a multi-channel message in MCMT format.\r\n")
MCMT = (HEADER + b"--=_mcmt_1\r\nContent-Type: message/rfc822\r\n\r\n" + RFC822 +
        b"\r\n--=_mcmt_1\r\n" + APN_PART + b"\r\n--=_mcmt_1--\r\n")
MCMT_NO_EMAIL = HEADER + b"--=_mcmt_1\r\n" + APN_PART + b"\r\n--=_mcmt_1--\r\n"
MCMT_UNCLOSED = HEADER + b"--=_mcmt_1\r\nContent-Type: message/rfc822\r\n\r\n" + RFC822
PLAIN = b"From: a@sender.test\r\nTo: b@example.com\r\nSubject: plain\r\n\r\nhello\r\n"
REFUSED = "5.6.0 MCMT messages are not accepted here"


def held(port, listener=""):
    """Mail stays queued: these tests look at the SMTP dialogue only."""
    return daemon_config(port, "Suspend_Delivery = true\n", listener=listener)


def to_sink(sink, listener=""):
    return lambda port: daemon_config(
        port, listener=listener,
        extra=f'Domain "example.net" {{ Routes = ( "smtp://{sink.address}?port={sink.port}" ) }}\n')


def data_reply(d, body, source=None):
    """(code, text) of the reply to the message data; code 250 means queued."""
    c = smtplib.SMTP("127.0.0.1", d.port, timeout=20, source_address=(source, 0) if source else None)
    try:
        c.ehlo("client.test")
        c.mail("shop@example.com")
        code, _ = c.rcpt("customer@example.net")
        assert code == 250
        code, text = c.data(body)
        return code, text.decode()
    finally:
        c.quit()


def body_after_trace(data: bytes) -> bytes:
    """A delivered message without the Received: field impulsed put on top."""
    assert data.startswith(b"Received: "), data[:200]
    lines = data.split(b"\n")
    i = 1
    while lines[i][:1] in (b" ", b"\t"):
        i += 1
    return b"\n".join(lines[i:])


def lf(b: bytes) -> bytes:
    return b.replace(b"\r\n", b"\n")


def test_reject_answers_mcmt_554_5_6_0_and_takes_plain_mail(tmp_path):
    with Daemon(tmp_path, lambda port: held(port, 'MCMT_Reception = "reject"')) as d:
        assert data_reply(d, MCMT) == (554, REFUSED)
        code, text = data_reply(d, PLAIN)
        assert code == 250 and QUEUED.match(text), text
        assert len(d.wait_records("R")) == 1  # only the plain message was received


def test_allow_refuses_mcmt_without_an_rfc822_part_or_malformed_at_end_of_data(tmp_path):
    with Daemon(tmp_path, lambda port: held(port, 'MCMT_Reception = "allow"')) as d:
        assert data_reply(d, MCMT_NO_EMAIL) == (554, "5.6.0 no message/rfc822 part in the MCMT message")
        assert data_reply(d, MCMT_UNCLOSED) == (
            554, "5.6.0 malformed MCMT message: multipart body without its closing boundary")
        code, text = data_reply(d, MCMT)
        assert code == 250 and QUEUED.match(text), text
        assert len(d.wait_records("R")) == 1


def test_passthru_is_the_default_and_delivers_mcmt_unchanged(tmp_path):
    with SmtpSink() as sink, Daemon(tmp_path, to_sink(sink)) as d:
        code, text = data_reply(d, MCMT_NO_EMAIL)  # no structure check under passthru
        assert code == 250, text
        msgid = QUEUED.match(text).group(1)
        d.wait_records("D", msgid)
        [m] = sink.wait_messages(1)
        assert body_after_trace(m.data) == lf(MCMT_NO_EMAIL)


def test_allow_email_recipient_receives_only_the_rfc822_part(tmp_path):
    with SmtpSink() as sink, Daemon(tmp_path, to_sink(sink, 'MCMT_Reception = "allow"')) as d:
        code, text = data_reply(d, MCMT)
        assert code == 250, text
        msgid = QUEUED.match(text).group(1)
        [rec] = d.wait_records("D", msgid)
        [m] = sink.wait_messages(1)
        assert m.recipients == ["customer@example.net"]
        assert m.data == lf(RFC822)  # no MCMT wrapper, no channel part, no trace of the mark
        assert b"vnd.msys" not in m.data and b"X-Impulse-MCMT" not in m.data


def test_a_forged_allow_mark_is_ignored_under_passthru(tmp_path):
    forged = b"X-Impulse-MCMT-Reception: allow\r\n" + MCMT
    with SmtpSink() as sink, Daemon(tmp_path, to_sink(sink)) as d:
        code, text = data_reply(d, forged)
        assert code == 250, text
        [m] = sink.wait_messages(1)
        assert body_after_trace(m.data) == lf(MCMT)  # whole, and the forged field gone


def test_a_peer_scope_sets_the_mode_for_its_clients_only(tmp_path):
    listener = 'MCMT_Reception = "allow"\n  Peer "127.0.0.2/32" { MCMT_Reception = "reject" }'
    with Daemon(tmp_path, lambda port: held(port, listener)) as d:
        assert data_reply(d, MCMT, source="127.0.0.2") == (554, REFUSED)
        code, text = data_reply(d, MCMT, source="127.0.0.3")
        assert code == 250 and QUEUED.match(text), text
