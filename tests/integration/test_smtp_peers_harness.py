"""The receiving-side harnesses themselves (harness.smtp_peers, harness.test_ca):
smtp-sink and a private Postfix smtpd take mail from Python's smtplib, show
what arrived and from which client address, STARTTLS verifies against the
test CA (and fails on a wrong name), and nothing is left running or on disk
after stop()."""

import os
import smtplib
import socket
import ssl
import subprocess
import time

import pytest

from harness.process import session_pids
from harness.smtp_peers import PeerError, PostfixSmtpd, SmtpSink
from harness.test_ca import TestCA

MESSAGE = (b"From: a@sender.test\r\nTo: x@rcpt.test\r\nSubject: harness\r\n\r\n"
           b"line one\r\n.leading dot\r\n8-bit: \xc3\xa9t\xc3\xa9\r\n")
# what both servers store: LF line ends, the dot unstuffed, bytes unchanged
STORED = MESSAGE.replace(b"\r\n", b"\n")


class NamedSMTP(smtplib.SMTP):
    """smtplib.SMTP whose STARTTLS checks the certificate against `tls_name`
    instead of the address it connected to."""

    def __init__(self, host, port, tls_name, **kw):
        super().__init__(host, port, **kw)
        self._host = tls_name  # what starttls() passes as server_hostname


def send(host, port, rcpts, source=None, data=MESSAGE, sender="a@sender.test", **kw):
    with smtplib.SMTP(host, port, source_address=(source, 0) if source else None, timeout=10) as s:
        s.ehlo("client.test")
        refused = s.sendmail(sender, rcpts, data, **kw)
        assert refused == {}


def gone(pids):
    return [p for p in pids if os.path.exists(f"/proc/{p}") and open(f"/proc/{p}/stat").read().split(")")[-1].split()[0] != "Z"]


# --- test CA ----------------------------------------------------------------


def test_ca_issues_certificates_for_names_and_ips(tmp_path):
    ca = TestCA(tmp_path)
    cert, key = ca.issue("mx.tls.test", "alt.tls.test", ips=["127.0.0.5"])
    assert os.path.isfile(cert) and os.path.isfile(key) and os.path.isfile(ca.ca_path)
    text = subprocess.run(["openssl", "x509", "-in", cert, "-noout", "-text"], capture_output=True,
                          text=True, check=True).stdout
    assert "DNS:mx.tls.test, DNS:alt.tls.test, IP Address:127.0.0.5" in text
    assert subprocess.run(["openssl", "verify", "-CAfile", ca.ca_path, cert], capture_output=True).returncode == 0
    expired, _ = ca.issue("mx.tls.test", expired=True)
    assert expired != cert
    out = subprocess.run(["openssl", "verify", "-CAfile", ca.ca_path, expired], capture_output=True, text=True)
    assert out.returncode != 0 and "expired" in out.stdout + out.stderr
    other = TestCA(tmp_path / "other")
    foreign, _ = other.issue("mx.tls.test")
    assert subprocess.run(["openssl", "verify", "-CAfile", ca.ca_path, foreign], capture_output=True).returncode != 0
    selfsigned, _ = ca.self_signed("mx.tls.test")
    assert subprocess.run(["openssl", "verify", "-CAfile", ca.ca_path, selfsigned], capture_output=True).returncode != 0
    # the key matches the certificate (a server context loads the pair)
    ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(cert, key)


# --- smtp-sink ----------------------------------------------------------------


def test_sink_records_envelope_data_and_client_address():
    with SmtpSink("127.0.0.30") as sink:
        assert sink.hostport == f"127.0.0.30:{sink.port}"
        send(sink.address, sink.port, ["x@rcpt.test", "y@rcpt.test"], mail_options=["BODY=8BITMIME"])
        send(sink.address, sink.port, ["z@rcpt.test"], source="127.0.0.2", sender="")
        first, second = sink.wait_messages(2)
        assert first.client_addr == "127.0.0.1"
        assert first.helo == "client.test"
        assert first.client_proto == "ESMTP"
        assert first.sender == "a@sender.test"
        assert first.mail_params == ["BODY=8BITMIME"]
        assert first.recipients == ["x@rcpt.test", "y@rcpt.test"]
        assert first.rcpt_params == [[], []]
        assert first.data == STORED
        assert first.message["Subject"] == "harness"
        assert second.client_addr == "127.0.0.2"
        assert second.sender == ""
        assert second.recipients == ["z@rcpt.test"]
        assert sink.connections() == ["127.0.0.1", "127.0.0.2"]
        assert sink.count == 2
        pids, tmp = sink.pids(), sink.dir
        assert pids == [sink.pid]
    assert not gone(pids) and not os.path.exists(tmp)
    assert sink.pids() == []


def test_sink_feature_switches_and_chosen_failures():
    with SmtpSink("127.0.0.31", disable={"PIPELINING", "8BITMIME", "DSN"}, hostname="sink.test") as sink:
        with smtplib.SMTP(sink.address, sink.port, timeout=10) as s:
            code, text = s.ehlo()
            assert code == 250 and text.startswith(b"sink.test")
            assert not s.has_extn("pipelining") and not s.has_extn("8bitmime") and not s.has_extn("dsn")
            assert s.has_extn("enhancedstatuscodes")
            assert s.docmd("STARTTLS")[0] == 500  # smtp-sink has no TLS at all

    with SmtpSink("127.0.0.31", soft_reject={"RCPT"}, soft_reply="451 4.3.0 try later") as sink:
        with smtplib.SMTP(sink.address, sink.port, timeout=10) as s:
            s.ehlo()
            assert s.mail("a@sender.test")[0] == 250
            assert s.rcpt("x@rcpt.test") == (451, b"4.3.0 try later")

    with SmtpSink("127.0.0.31", hard_reject={"."}, hard_reply="554 5.7.1 rejected content") as sink:
        with pytest.raises(smtplib.SMTPDataError) as err:
            send(sink.address, sink.port, ["x@rcpt.test"])
        assert err.value.smtp_code == 554
        [m] = sink.wait_messages(1)  # the data arrived before the "." was rejected
        assert m.recipients == ["x@rcpt.test"]

    with SmtpSink("127.0.0.31", disconnect={"DATA"}) as sink:
        with pytest.raises(smtplib.SMTPServerDisconnected):
            send(sink.address, sink.port, ["x@rcpt.test"])
        assert sink.wait_connections(1) == ["127.0.0.1"]
        assert sink.messages() == []  # an aborted transaction is not a message

    with SmtpSink("127.0.0.31", reply_421={"MAIL"}) as sink:
        with smtplib.SMTP(sink.address, sink.port, timeout=10) as s:
            s.ehlo()
            assert s.docmd("MAIL FROM:<a@sender.test>")[0] == 421

    with SmtpSink("127.0.0.31", abort_after_data=0, delays={"MAIL": 1}) as sink:
        with smtplib.SMTP(sink.address, sink.port, timeout=10) as s:
            s.ehlo()
            started = time.monotonic()
            assert s.mail("a@sender.test")[0] == 250
            assert time.monotonic() - started >= 0.9
            s.rcpt("x@rcpt.test", ["NOTIFY=NEVER"])
            assert s.data(MESSAGE) == (550, b"This violates SMTP")
        assert sink.messages() == []


def test_sink_on_a_busy_port_fails_cleanly():
    with socket.socket() as busy:
        busy.bind(("127.0.0.32", 0))
        busy.listen()
        port = busy.getsockname()[1]
        sink = SmtpSink("127.0.0.32", port)
        with pytest.raises(PeerError, match="smtp-sink"):
            sink.start()
        assert sink.process is None and sink.dir is None


def test_sink_on_ipv6_loopback():
    if not socket.has_ipv6:
        pytest.skip("no IPv6")
    with SmtpSink("::1") as sink:
        assert sink.hostport == f"[::1]:{sink.port}"
        send("::1", sink.port, ["x@rcpt.test"])
        [m] = sink.wait_messages(1)
        assert m.client_addr == "::1"


# --- Postfix smtpd ------------------------------------------------------------------


def test_postfix_delivers_each_recipient_and_shows_the_client_address():
    with PostfixSmtpd("127.0.0.33", hostname="mx.plain.test") as mx:
        master = mx.pid
        assert master in mx.pids()
        send(mx.address, mx.port, ["x@rcpt.test", "Y@Other.Test"])
        send(mx.address, mx.port, ["z@rcpt.test"], source="127.0.0.2")
        msgs = mx.wait_messages(3)
        by_rcpt = {m.recipient: m for m in msgs}
        assert sorted(by_rcpt) == ["Y@Other.Test", "x@rcpt.test", "z@rcpt.test"]
        for r in ("x@rcpt.test", "Y@Other.Test"):
            assert by_rcpt[r].client_addr == "127.0.0.1"
        z = by_rcpt["z@rcpt.test"]
        assert z.client_addr == "127.0.0.2"
        assert z.client_name == "unknown"
        assert z.helo == "client.test"
        assert z.sender == "a@sender.test"
        assert z.protocol == "ESMTP" and z.tls is None
        assert z.data == STORED
        assert "by mx.plain.test (Postfix)" in z.received
        assert sorted(mx.clients()) == ["127.0.0.1", "127.0.0.2"]
        assert "status=sent (delivered to maildir)" in mx.log()
        pids, tmp = mx.pids(), mx.dir
        assert len(pids) >= 3  # master, qmgr, smtpd, postlogd, ...
    assert not gone(pids), f"left running: {gone(pids)}"
    assert session_pids(master) == []
    assert not os.path.exists(tmp)


def test_postfix_starttls_verifies_against_the_test_ca(tmp_path):
    ca = TestCA(tmp_path)
    cert, key = ca.issue("mx.tls.test", ips=["127.0.0.34"])
    with PostfixSmtpd("127.0.0.34", hostname="mx.tls.test", tls=(cert, key)) as mx:
        # right name: verified, and the Received header records the TLS session
        with NamedSMTP(mx.address, mx.port, "mx.tls.test", source_address=("127.0.0.2", 0), timeout=10) as s:
            s.ehlo("client.test")
            assert s.has_extn("starttls")
            assert s.starttls(context=ca.client_context())[0] == 220
            assert s.sock.version().startswith("TLSv1.")
            s.ehlo("client.test")
            assert s.sendmail("a@sender.test", ["x@rcpt.test"], MESSAGE) == {}
        # the IP address in the SAN verifies too
        with NamedSMTP(mx.address, mx.port, "127.0.0.34", timeout=10) as s:
            s.ehlo("client.test")
            s.starttls(context=ca.client_context())
        # wrong name: verification fails
        with NamedSMTP(mx.address, mx.port, "wrong.tls.test", timeout=10) as s:
            s.ehlo("client.test")
            with pytest.raises(ssl.SSLCertVerificationError, match="Hostname mismatch"):
                s.starttls(context=ca.client_context())
        # a CA that did not issue the certificate: verification fails
        other = TestCA(tmp_path / "other")
        with NamedSMTP(mx.address, mx.port, "mx.tls.test", timeout=10) as s:
            s.ehlo("client.test")
            with pytest.raises(ssl.SSLCertVerificationError):
                s.starttls(context=other.client_context())
        # plain text still accepted (smtpd_tls_security_level = may)
        send(mx.address, mx.port, ["plain@rcpt.test"])
        msgs = {m.recipient: m for m in mx.wait_messages(2)}
        tls_msg = msgs["x@rcpt.test"]
        assert tls_msg.protocol == "ESMTPS"
        assert tls_msg.tls and tls_msg.tls.startswith("TLSv1.")
        assert tls_msg.client_addr == "127.0.0.2"
        assert tls_msg.data == STORED
        assert msgs["plain@rcpt.test"].tls is None
        mx.wait_log(r"TLS connection established from unknown\[127\.0\.0\.2\]")


def test_postfix_tls_required():
    with TestCA() as ca:
        cert, key = ca.issue("mx.must.test")
        with PostfixSmtpd("127.0.0.35", hostname="mx.must.test", tls=(cert, key), tls_level="encrypt") as mx:
            with NamedSMTP(mx.address, mx.port, "mx.must.test", timeout=10) as s:
                s.ehlo("client.test")
                assert s.mail("a@sender.test")[0] == 530  # Must issue a STARTTLS command first
                s.rset()
                s.starttls(context=ca.client_context())
                s.ehlo("client.test")
                assert s.sendmail("a@sender.test", ["x@rcpt.test"], MESSAGE) == {}
            [m] = mx.wait_messages(1)
            assert m.protocol == "ESMTPS"


def test_two_postfix_instances_in_parallel_and_start_failure_leaves_nothing():
    a = PostfixSmtpd("127.0.0.36").start()
    try:
        b = PostfixSmtpd("127.0.0.36").start()
        try:
            assert a.port != b.port and a.dir != b.dir
            send(b.address, b.port, ["b@rcpt.test"])
            send(a.address, a.port, ["a@rcpt.test"])
            assert [m.recipient for m in a.wait_messages(1)] == ["a@rcpt.test"]
            assert [m.recipient for m in b.wait_messages(1)] == ["b@rcpt.test"]
        finally:
            b.stop()
    finally:
        a.stop()
    # a configuration Postfix refuses: the error is reported and nothing stays behind
    bad = PostfixSmtpd("127.0.0.37", main_cf={"inet_interfaces": "192.0.2.1"})
    with pytest.raises(PeerError, match="no local interface found"):
        bad.start()
    assert bad.process is None and bad.dir is None and bad.pids() == []
