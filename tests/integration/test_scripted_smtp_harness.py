"""The scripted SMTP/LMTP server harness itself (harness.scripted_smtp), driven
by Python's smtplib (and a raw socket where smtplib cannot say it): every
scripted behaviour does what it says, the transcript and messages record the
conversation, and nothing is left running after stop()."""

import os
import smtplib
import socket
import ssl
import time

import pytest

from harness.scripted_smtp import STAGES, ScriptedSmtp, ScriptedSmtpError
from harness.test_ca import TestCA

MESSAGE = (b"From: a@sender.test\r\nTo: x@rcpt.test\r\nSubject: scripted\r\n\r\n"
           b"line one\r\n.leading dot\r\n8-bit: \xc3\xa9t\xc3\xa9\r\n")


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def connect(mx, timeout=5, source=None, cls=smtplib.SMTP):
    return cls(mx.address, mx.port, timeout=timeout, source_address=(source, 0) if source else None)


class Raw:
    """A line-level client for what smtplib cannot do (pipelining, LHLO
    details, commands after a refused greeting)."""

    def __init__(self, mx, timeout=5):
        fam = socket.AF_INET6 if ":" in mx.address else socket.AF_INET
        self.sock = socket.socket(fam, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect((mx.address, mx.port))
        self.file = self.sock.makefile("rb")

    def send(self, text):
        self.sock.sendall(text.encode() if isinstance(text, str) else text)

    def reply(self):
        lines = []
        while True:
            line = self.file.readline().decode().rstrip("\r\n")
            if not line:
                raise EOFError("connection closed")
            lines.append(line)
            if line[3:4] != "-":
                return lines

    def eof(self):
        return self.file.readline() == b""

    def close(self):
        self.file.close()
        self.sock.close()


# --- replies at each stage --------------------------------------------------------


def test_defaults_accept_mail_and_record_everything():
    with ScriptedSmtp("127.0.0.41") as mx:
        assert mx.hostport == f"127.0.0.41:{mx.port}" and mx.port > 0
        with connect(mx, source="127.0.0.2") as s:
            code, caps = s.ehlo("client.test")
            assert code == 250
            assert caps.decode().split("\n") == ["scripted.test", "PIPELINING", "8BITMIME", "ENHANCEDSTATUSCODES"]
            refused = s.sendmail("a@sender.test", ["x@rcpt.test", "y@rcpt.test"], MESSAGE,
                                 mail_options=["BODY=8BITMIME", "SIZE=100"])
            assert refused == {}
            s.sendmail("", ["z@rcpt.test"], b"Subject: two\r\n\r\nsecond\r\n")
        first, second = mx.wait_messages(2)
        assert first.client_addr == "127.0.0.2" and first.conn == 1
        assert first.helo == "client.test" and first.esmtp and not first.tls
        assert first.sender == "a@sender.test"
        assert first.mail_params == ["BODY=8BITMIME", "SIZE=100"]
        assert first.recipients == ["x@rcpt.test", "y@rcpt.test"]
        assert first.data == MESSAGE  # CRLF kept, the stuffed dot removed
        assert first.message["Subject"] == "scripted"
        assert first.replies == ["250 2.0.0 Ok: queued as SCRIPTED"] and first.replied and first.accepted
        assert second.sender == "" and second.recipients == ["z@rcpt.test"] and second.conn == 1
        mx.wait_closed(1)
        assert mx.connections() == ["127.0.0.2"]
        cmds = mx.commands()
        assert cmds[0] == "ehlo client.test"
        assert cmds[1] == "mail FROM:<a@sender.test> BODY=8BITMIME SIZE=100"
        assert cmds[-1] == "QUIT"  # smtplib.quit() sends upper case
        assert mx.replies(stage="banner") == ["220 scripted.test ESMTP scripted"]
        assert mx.closes() == [{**mx.closes()[0], "by": "server", "stage": "quit"}]
        assert "C: rcpt TO:<y@rcpt.test>" in mx.dialogue()


def test_banner_421_closes_the_connection():
    with ScriptedSmtp("127.0.0.42", banner="421 4.3.2 mx.test busy, try later") as mx:
        with pytest.raises(smtplib.SMTPConnectError) as e:
            connect(mx)
        assert e.value.smtp_code == 421 and b"busy" in e.value.smtp_error
        [close] = mx.wait_closed(1)
        assert close["by"] == "server" and close["stage"] == "banner"
        assert mx.replies() == ["421 4.3.2 mx.test busy, try later"]
        assert mx.commands() == []


def test_banner_554_answers_503_until_quit():
    with ScriptedSmtp("127.0.0.42", banner="554 5.7.1 no service for you") as mx:
        c = Raw(mx)
        assert c.reply() == ["554 5.7.1 no service for you"]
        c.send("EHLO client.test\r\n")
        assert c.reply()[0].startswith("503 ")
        c.send("MAIL FROM:<a@x.test>\r\n")
        assert c.reply()[0].startswith("503 ")
        c.send("QUIT\r\n")
        assert c.reply() == ["221 2.0.0 Bye"]
        assert c.eof()
        c.close()


@pytest.mark.parametrize("refusal", ["500 5.5.1 command unrecognized", "502 5.5.2 Error: command not recognized",
                                     "550 5.7.1 no EHLO from you"])
def test_ehlo_refused_then_helo_works(refusal):
    with ScriptedSmtp("127.0.0.43", ehlo=refusal, helo="250 mx.old.test") as mx:
        with connect(mx) as s:
            code, text = s.ehlo("client.test")
            assert (code, text.decode()) == (int(refusal[:3]), refusal[4:])
            assert s.helo("client.test") == (250, b"mx.old.test")
            assert s.sendmail("a@sender.test", ["x@rcpt.test"], MESSAGE) == {}
        [m] = mx.wait_messages(1)
        assert m.helo == "client.test" and m.esmtp is False
        assert [c.split()[0].upper() for c in mx.commands()] == ["EHLO", "HELO", "MAIL", "RCPT", "DATA", "QUIT"]


def test_mail_refused_before_helo_and_by_script():
    with ScriptedSmtp("127.0.0.43", mail={"bad@sender.test": "553 5.7.1 sender rejected"}) as mx:
        with connect(mx) as s:
            assert s.docmd("MAIL", "FROM:<a@sender.test>")[0] == 503  # no EHLO yet
            s.ehlo("client.test")
            assert s.mail("bad@sender.test") == (553, b"5.7.1 sender rejected")
            assert s.mail("good@sender.test") == (250, b"2.1.0 Ok")


def test_rcpt_450_and_550_in_one_transaction_third_accepted():
    rcpt = {"Busy@rcpt.test": "450 4.2.1 mailbox busy", "gone@rcpt.test": "550 5.1.1 no such user"}
    with ScriptedSmtp("127.0.0.44", rcpt=rcpt) as mx:
        with connect(mx) as s:
            refused = s.sendmail("a@sender.test", ["busy@RCPT.test", "gone@rcpt.test", "ok@rcpt.test"], MESSAGE)
        assert refused == {"busy@RCPT.test": (450, b"4.2.1 mailbox busy"),
                           "gone@rcpt.test": (550, b"5.1.1 no such user")}
        [m] = mx.wait_messages(1)
        assert m.recipients == ["ok@rcpt.test"]
        assert m.refused == {"busy@RCPT.test": "450 4.2.1 mailbox busy", "gone@rcpt.test": "550 5.1.1 no such user"}
        assert mx.replies(stage="rcpt") == ["450 4.2.1 mailbox busy", "550 5.1.1 no such user", "250 2.1.5 Ok"]


def test_rcpt_default_from_the_dict_and_data_without_recipients():
    with ScriptedSmtp("127.0.0.44", rcpt={"*": "550 5.7.1 relaying denied", "ok@rcpt.test": "250 ok"}) as mx:
        with connect(mx) as s:
            s.ehlo("client.test")
            s.mail("a@sender.test")
            assert s.rcpt("x@rcpt.test")[0] == 550
            assert s.docmd("DATA") == (554, b"5.5.1 Error: no valid recipients")
            s.rset()
            s.mail("a@sender.test")
            assert s.rcpt("ok@rcpt.test") == (250, b"ok")


def test_data_452_refuses_the_data_command():
    with ScriptedSmtp("127.0.0.45", data="452 4.3.1 insufficient system storage") as mx:
        with connect(mx) as s:
            with pytest.raises(smtplib.SMTPDataError) as e:
                s.sendmail("a@sender.test", ["x@rcpt.test"], MESSAGE)
            assert (e.value.smtp_code, e.value.smtp_error) == (452, b"4.3.1 insufficient system storage")
        mx.wait_closed(1)
        assert mx.messages() == []
        assert mx.replies(stage="data") == ["452 4.3.1 insufficient system storage"]
        assert [c.upper() for c in mx.commands()[-2:]] == ["DATA", "QUIT"]


def test_554_after_the_final_dot():
    with ScriptedSmtp("127.0.0.45", after_data="554 5.7.1 message content rejected") as mx:
        with connect(mx) as s:
            with pytest.raises(smtplib.SMTPDataError) as e:
                s.sendmail("a@sender.test", ["x@rcpt.test"], MESSAGE)
            assert (e.value.smtp_code, e.value.smtp_error) == (554, b"5.7.1 message content rejected")
        [m] = mx.wait_messages(1)  # it reached the dot: listed, with its refusal
        assert m.data == MESSAGE and m.replies == ["554 5.7.1 message content rejected"]
        assert m.replied and not m.accepted and m.codes == [554]


def test_disconnect_in_the_middle_of_data():
    body = b"Subject: big\r\n\r\n" + b"x" * 998 + b"\r\n"
    big = body * 300  # ~300 KB: the server drops after 5000 bytes while the client still writes
    with ScriptedSmtp("127.0.0.46", disconnect_at="data_body", disconnect_after_bytes=5000) as mx:
        with connect(mx) as s:
            with pytest.raises(smtplib.SMTPServerDisconnected):
                s.sendmail("a@sender.test", ["x@rcpt.test"], big)
        [close] = mx.wait_closed(1)
        assert close["by"] == "server" and close["stage"] == "data_body"
        [body_ev] = mx.transcript(type="body")
        assert 5000 <= body_ev["bytes"] < len(big) and body_ev["complete"] is False
        assert mx.replies(stage="data") == ["354 End data with <CR><LF>.<CR><LF>"]
        assert mx.replies(stage="data_body") == [] and mx.messages() == []


def test_disconnect_after_the_dot_and_421_at_rcpt():
    with ScriptedSmtp("127.0.0.46", disconnect_at=["after_data"]) as mx:
        with connect(mx) as s:
            with pytest.raises(smtplib.SMTPServerDisconnected):
                s.sendmail("a@sender.test", ["x@rcpt.test"], MESSAGE)
        [m] = mx.wait_messages(1)
        assert m.data == MESSAGE and m.replies == [] and not m.replied
    with ScriptedSmtp("127.0.0.46", rcpt={"x@rcpt.test": "421 4.3.2 shutting down"}) as mx:
        with connect(mx) as s:
            with pytest.raises(smtplib.SMTPRecipientsRefused):
                s.sendmail("a@sender.test", ["x@rcpt.test", "y@rcpt.test"], MESSAGE)
        [close] = mx.wait_closed(1)
        assert close["by"] == "server" and close["stage"] == "rcpt"
        assert mx.commands()[-1] == "rcpt TO:<x@rcpt.test>"  # nothing read after the 421


@pytest.mark.parametrize("stage", ["mail", "data", "quit"])
def test_disconnect_at_a_command(stage):
    with ScriptedSmtp("127.0.0.47", disconnect_at=stage) as mx:
        s = connect(mx)
        s.ehlo("client.test")
        with pytest.raises(smtplib.SMTPServerDisconnected):
            s.sendmail("a@sender.test", ["x@rcpt.test"], MESSAGE)
            s.quit()
        [drop] = mx.transcript(type="drop")
        assert drop["stage"] == stage
        assert mx.replies(stage=stage) == []
        s.close()


def test_close_after_a_reply():
    with ScriptedSmtp("127.0.0.47", close_after={"after_data"}) as mx:
        with connect(mx) as s:
            assert s.sendmail("a@sender.test", ["x@rcpt.test"], MESSAGE) == {}
            with pytest.raises(smtplib.SMTPServerDisconnected):
                s.noop()
        [close] = mx.wait_closed(1)
        assert close["by"] == "server"


# --- stalls -------------------------------------------------------------------


def _drive_to(s, stage):
    """Run an smtplib session up to the command whose reply stalls."""
    if stage == "banner":
        s.connect(*s._target)
        return
    s.connect(*s._target)
    s.ehlo("client.test")
    if stage == "ehlo":
        s.ehlo("client.test")
        return
    if stage == "mail":
        s.mail("a@sender.test")
        return
    s.mail("a@sender.test")
    if stage == "rcpt":
        s.rcpt("x@rcpt.test")
        return
    s.rcpt("x@rcpt.test")
    if stage == "data":
        s.docmd("DATA")
        return
    s.data(MESSAGE)  # after_data


@pytest.mark.parametrize("stage", ["banner", "ehlo", "mail", "rcpt", "data", "after_data"])
def test_a_stall_makes_the_client_time_out(stage):
    with ScriptedSmtp("127.0.0.48", delay={stage: 30}) as mx:
        s = smtplib.SMTP(timeout=0.5)
        s._target = (mx.address, mx.port)
        started = time.monotonic()
        with pytest.raises(smtplib.SMTPServerDisconnected) as e:
            _drive_to(s, stage)
        elapsed = time.monotonic() - started
        assert "timed out" in str(e.value)
        assert elapsed < 10
        s.close()
        [close] = mx.wait_closed(1)
        assert close["by"] == "client" and close["stage"] == stage
        [stall] = mx.transcript(type="stall")
        assert stall["stage"] == stage and stall["seconds"] == 30
        assert mx.replies(stage=stage) == []  # the client left before the reply
        if stage == "after_data":
            [m] = mx.messages()
            assert m.data == MESSAGE and not m.replied


def test_a_short_delay_is_just_slow_and_forever_stalls():
    with ScriptedSmtp("127.0.0.48", delay={"rcpt": 0.6, "lhlo": "forever"}) as mx:
        with connect(mx) as s:
            s.helo("client.test")
            s.mail("a@sender.test")
            started = time.monotonic()
            assert s.rcpt("x@rcpt.test")[0] == 250
            assert time.monotonic() - started >= 0.55
        s = connect(mx, timeout=0.5)
        with pytest.raises(smtplib.SMTPServerDisconnected):
            s.ehlo("client.test")
        s.close()
        stalls = mx.transcript(type="stall")
        assert [(x["stage"], x["seconds"]) for x in stalls] == [("rcpt", 0.6), ("ehlo", None)]


def test_body_stall_with_a_small_receive_buffer_blocks_the_client_writes():
    big = b"Subject: big\r\n\r\n" + (b"y" * 998 + b"\r\n") * 4000  # 4 MB
    # The server does not read during the stall, so it sees the client's
    # close only when it reads again, after the stall
    with ScriptedSmtp("127.0.0.48", delay={"data_body": 2}, rcvbuf=4096) as mx:
        with connect(mx, timeout=0.5) as s:
            s.ehlo("client.test")
            s.mail("a@sender.test")
            s.rcpt("x@rcpt.test")
            with pytest.raises(smtplib.SMTPServerDisconnected) as e:
                s.data(big)  # sendall() times out: smtplib says "Server not connected"
            assert "not connected" in str(e.value) or "timed out" in str(e.value)
        [close] = mx.wait_closed(1)
        assert close["stage"] == "data_body" and close["by"] == "client"


# --- LMTP, PIPELINING, STARTTLS, XCLIENT ------------------------------------------


def test_lmtp_per_recipient_replies_after_the_dot():
    after = {"full@rcpt.test": "452 4.2.2 mailbox full", "gone@rcpt.test": "550 5.1.1 no such user",
             "*": "250 2.0.0 delivered"}
    with ScriptedSmtp("127.0.0.49", lmtp=True, rcpt={"bad@rcpt.test": "550 5.1.1 unknown"},
                      after_data=after) as mx:
        s = connect(mx, cls=smtplib.LMTP)
        assert s.docmd("EHLO", "client.test")[0] == 500  # EHLO is not LMTP
        assert s.docmd("HELO", "client.test")[0] == 500
        code, caps = s.ehlo("client.test")  # smtplib.LMTP sends LHLO
        assert code == 250 and s.has_extn("pipelining") and s.has_extn("enhancedstatuscodes")
        s.mail("a@sender.test")
        for r in ("ok@rcpt.test", "full@rcpt.test", "bad@rcpt.test", "gone@rcpt.test"):
            s.rcpt(r)
        first = s.data(MESSAGE)  # smtplib reads one reply: the others follow
        replies = [first, s.getreply(), s.getreply()]
        assert replies == [(250, b"2.0.0 delivered"), (452, b"4.2.2 mailbox full"), (550, b"5.1.1 no such user")]
        assert s.noop()[0] == 250  # in step
        s.quit()
        [m] = mx.wait_messages(1)
        assert m.recipients == ["ok@rcpt.test", "full@rcpt.test", "gone@rcpt.test"]
        assert m.outcomes == {"ok@rcpt.test": "250 2.0.0 delivered", "full@rcpt.test": "452 4.2.2 mailbox full",
                              "gone@rcpt.test": "550 5.1.1 no such user"}
        assert m.codes == [250, 452, 550] and m.refused == {"bad@rcpt.test": "550 5.1.1 unknown"}
        assert mx.replies(stage="banner") == ["220 scripted.test LMTP scripted"]


def test_lmtp_data_without_accepted_recipients_is_503():
    with ScriptedSmtp("127.0.0.49", lmtp=True, rcpt="550 5.1.1 unknown") as mx:
        c = Raw(mx)
        c.reply()
        c.send("LHLO client.test\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@x.test>\r\nDATA\r\n")
        assert c.reply()[0] == "250-scripted.test"
        assert c.reply() == ["250 2.1.0 Ok"]
        assert c.reply() == ["550 5.1.1 unknown"]
        assert c.reply()[0].startswith("503 5.5.1")
        c.close()


def test_pipelined_commands_get_their_replies_in_order():
    with ScriptedSmtp("127.0.0.50", rcpt={"b@x.test": "550 5.1.1 no"}) as mx:
        c = Raw(mx)
        c.reply()
        c.send("EHLO client.test\r\n")
        assert "250-PIPELINING" in c.reply()
        c.send("MAIL FROM:<a@x.test>\r\nRCPT TO:<b@x.test>\r\nRCPT TO:<c@x.test>\r\nDATA\r\n")
        assert [c.reply() for _ in range(4)] == [["250 2.1.0 Ok"], ["550 5.1.1 no"], ["250 2.1.5 Ok"],
                                                 ["354 End data with <CR><LF>.<CR><LF>"]]
        c.send("Subject: p\r\n\r\nbody\r\n.\r\nMAIL FROM:<>\r\nRCPT TO:<d@x.test>\r\nDATA\r\n")
        assert [c.reply() for _ in range(4)] == [["250 2.0.0 Ok: queued as SCRIPTED"], ["250 2.1.0 Ok"],
                                                 ["250 2.1.5 Ok"], ["354 End data with <CR><LF>.<CR><LF>"]]
        c.send("second\r\n.\r\nQUIT\r\n")
        assert c.reply()[0].startswith("250 ") and c.reply() == ["221 2.0.0 Bye"]
        c.close()
        first, second = mx.wait_messages(2)
        assert first.recipients == ["c@x.test"] and first.data == b"Subject: p\r\n\r\nbody\r\n"
        assert second.sender == "" and second.data == b"second\r\n"


def test_ehlo_capabilities_switches_and_explicit_list():
    with ScriptedSmtp("127.0.0.50", pipelining=False, size=10485760, dsn=True, smtputf8=True,
                      enhancedstatuscodes=False, extra_capabilities=["CHUNKING"], xclient=True) as mx:
        with connect(mx) as s:
            s.ehlo("c.test")
            assert s.ehlo_resp.decode().split("\n") == [
                "scripted.test", "SIZE 10485760", "8BITMIME", "DSN", "SMTPUTF8", "XCLIENT NAME ADDR PROTO HELO",
                "CHUNKING"]
    with ScriptedSmtp("127.0.0.50", ehlo=["SIZE", "AUTH PLAIN"], hostname="mx.list.test") as mx:
        with connect(mx) as s:
            assert s.ehlo("c.test") == (250, b"mx.list.test\nSIZE\nAUTH PLAIN")


def test_starttls_upgrades_and_records_tls(tmp_path):
    ca = TestCA(tmp_path)
    cert, key = ca.issue("mx.tls.test", ips=["127.0.0.51"])
    with ScriptedSmtp("127.0.0.51", starttls=(cert, key)) as mx:
        with connect(mx) as s:
            s.ehlo("client.test")
            assert s.has_extn("starttls")
            ctx = ssl.create_default_context(cafile=ca.ca_path)
            assert s.starttls(context=ctx)[0] == 220
            s.ehlo("client.test")
            assert not s.has_extn("starttls")
            assert s.sendmail("a@sender.test", ["x@rcpt.test"], MESSAGE) == {}
        [m] = mx.wait_messages(1)
        assert m.tls and m.esmtp
        [tls] = mx.transcript(type="tls")
        assert tls["version"].startswith("TLS")
        assert mx.replies(stage="starttls") == ["220 2.0.0 Ready to start TLS"]
    with ScriptedSmtp("127.0.0.51", starttls=(cert, key), starttls_reply="454 4.7.0 TLS not available now") as mx:
        with connect(mx) as s:
            s.ehlo("client.test")
            with pytest.raises(smtplib.SMTPResponseException) as e:
                s.starttls()
            assert (e.value.smtp_code, e.value.smtp_error) == (454, b"4.7.0 TLS not available now")
    # a client that does not trust the certificate: the failed handshake is recorded
    other = TestCA(tmp_path / "other")
    with ScriptedSmtp("127.0.0.51", starttls=(cert, key)) as mx:
        s = connect(mx)
        s.ehlo("client.test")
        with pytest.raises(ssl.SSLCertVerificationError):
            s.starttls(context=ssl.create_default_context(cafile=other.ca_path))
        s.close()
        [close] = mx.wait_closed(1)
        assert close["stage"] == "starttls"
        assert mx.transcript(type="tls") == [] and len(mx.transcript(type="tls_failed")) == 1


def test_xclient_resets_the_session_and_is_recorded():
    with ScriptedSmtp("127.0.0.52", xclient=True) as mx:
        with connect(mx) as s:
            s.ehlo("relay.test")
            assert s.has_extn("xclient")
            assert s.docmd("XCLIENT", "NAME=orig.test ADDR=192.0.2.7 HELO=orig+2Ehelo")[0] == 220
            s.ehlo("relay.test")
            assert s.sendmail("a@sender.test", ["x@rcpt.test"], MESSAGE) == {}
        [m] = mx.wait_messages(1)
        assert m.xclient == {"NAME": "orig.test", "ADDR": "192.0.2.7", "HELO": "orig.helo"}
    with ScriptedSmtp("127.0.0.52") as mx:  # not announced: not known
        with connect(mx) as s:
            s.ehlo("relay.test")
            assert s.docmd("XCLIENT", "ADDR=192.0.2.7")[0] == 502


# --- changing the script, several servers, clean-up -------------------------------


def test_per_connection_script_and_update():
    with ScriptedSmtp("127.0.0.53", per_connection=[{"banner": "421 4.7.0 try again later"}],
                      rcpt={"x@rcpt.test": "450 4.2.1 later"}) as mx:
        with pytest.raises(smtplib.SMTPConnectError):
            connect(mx)
        with connect(mx) as s:
            assert s.sendmail("a@sender.test", ["x@rcpt.test", "y@rcpt.test"], MESSAGE) == {
                "x@rcpt.test": (450, b"4.2.1 later")}
        mx.update(rcpt="250 2.1.5 fine now")
        with connect(mx) as s:
            assert s.sendmail("a@sender.test", ["x@rcpt.test"], MESSAGE) == {}
        mx.update(rcpt=None)  # back to the default
        with connect(mx) as s:
            assert s.sendmail("a@sender.test", ["x@rcpt.test"], MESSAGE) == {}
        mx.wait_closed(4)
        assert [m.recipients for m in mx.messages()] == [["y@rcpt.test"], ["x@rcpt.test"], ["x@rcpt.test"]]
        assert [m.conn for m in mx.messages()] == [2, 3, 4]
        assert mx.replies(conn=3, stage="rcpt") == ["250 2.1.5 fine now"]
        assert mx.replies(conn=4, stage="rcpt") == ["250 2.1.5 Ok"]


def test_idle_timeout_closes_a_silent_client():
    with ScriptedSmtp("127.0.0.53", idle_timeout=0.5) as mx:
        with connect(mx) as s:
            s.ehlo("client.test")
            time.sleep(1.0)
            with pytest.raises(smtplib.SMTPServerDisconnected):
                s.noop()
        [close] = mx.wait_closed(1)
        assert close["by"] == "server" and mx.transcript(type="idle_timeout")[0]["stage"] == "ehlo"


def test_several_servers_at_once_and_ipv6():
    servers = [ScriptedSmtp(f"127.0.0.{n}", after_data=f"250 2.0.0 from {n}") for n in (60, 61, 62)]
    if socket.has_ipv6 and os.path.exists("/proc/net/tcp6"):
        servers.append(ScriptedSmtp("::1", after_data="250 2.0.0 from v6"))
    try:
        for mx in servers:
            mx.start()
        assert len({mx.pid for mx in servers}) == len(servers)
        for mx in servers:
            with connect(mx) as s:
                s.sendmail("a@sender.test", ["x@rcpt.test"], MESSAGE)
        for mx in servers:
            [m] = mx.wait_messages(1)
            assert m.replies[0].startswith("250 2.0.0 from ")
            assert m.client_addr == ("::1" if mx.address == "::1" else "127.0.0.1")
    finally:
        for mx in servers:
            mx.stop()


def test_stop_leaves_no_process_and_no_listener():
    mx = ScriptedSmtp("127.0.0.63", delay={"mail": "forever"})
    mx.start()
    pid, port = mx.pid, mx.port
    assert mx.pids() == [pid] and alive(pid)
    s = connect(mx, timeout=5)  # a connection stuck in a stall does not delay the stop
    s.ehlo("client.test")
    s.sock.sendall(b"MAIL FROM:<a@x.test>\r\n")
    mx.wait_commands(r"^MAIL FROM")
    started = time.monotonic()
    mx.stop()
    assert time.monotonic() - started < 3
    assert not alive(pid) and mx.pids() == []
    with pytest.raises(smtplib.SMTPServerDisconnected):
        s.getreply()
    s.close()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.63", port), timeout=1).close()
    # the transcript stays readable after stop
    assert mx.transcript()[-1]["type"] == "stopped"
    assert mx.closes()[0]["by"] == "server"
    d = mx.dir
    mx.cleanup()
    assert not os.path.exists(d)


def test_a_busy_port_and_bad_options_are_reported():
    with ScriptedSmtp("127.0.0.64") as mx:
        with pytest.raises(ScriptedSmtpError, match="exited"):
            ScriptedSmtp("127.0.0.64", port=mx.port).start()
    with pytest.raises(ValueError):
        ScriptedSmtp("127.0.0.64", delay={"dta": 3})
    with pytest.raises(ValueError):
        ScriptedSmtp("10.0.0.1")
    with pytest.raises(TypeError):
        ScriptedSmtp("127.0.0.64", rcpt_reply="550 x")
    assert set(STAGES) >= {"banner", "ehlo", "mail", "rcpt", "data", "data_body", "after_data"}
