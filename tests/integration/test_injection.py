"""SMTP injection into the real impulsed (SPEC §5 "durable before
acknowledged", §6; reference/protocols.md §1.2-1.4): what a client sees on
the wire for good and bad input, and what the console shows was queued.

Clients are swaks, Python's smtplib, and a raw socket where the test needs
exact bytes (bare LF, pipelining, over-long lines). Every bad-input test ends
by completing a real transaction on the same connection: the session goes on.
Suspend_Delivery = true keeps every message in its queue (no delivery, no DNS).
"""
import re
import signal
import smtplib
import socket
import subprocess

import pytest

from harness.impulse import ID, QUEUED, RELAY_LOOPBACK, daemon_config, transaction
from harness.impulse import Daemon as ImpulseDaemon
from harness.process import wait_for

HOSTNAME = "mx.impulse.test"
BODY = b"From: alice@sender.test\r\nTo: bob@example.com\r\nSubject: injection\r\n\r\nhello\r\n"


def config(port, listener_options="", relay_hosts=RELAY_LOOPBACK):
    # queues hold their mail: no delivery attempts (and no DNS) in these tests
    listener = f'Banner_Hostname = "{HOSTNAME}"' + (f"\n  {listener_options}" if listener_options else "")
    return daemon_config(port, "Suspend_Delivery = true\n", relay_hosts=relay_hosts, listener=listener)


class Daemon(ImpulseDaemon):
    """A running impulsed with its SMTP port and console socket."""

    def __init__(self, tmp_path, listener_options="", relay_hosts=RELAY_LOOPBACK):
        super().__init__(tmp_path, lambda port: config(port, listener_options, relay_hosts))

    def queued(self, domain):
        """showqueue DOMAIN as {id: "From: <s> To: <r>..."}."""
        lines = self.ctl("showqueue", "binding", "all", domain, "100000,0").splitlines()
        out = {}
        for head, envelope in zip(lines[0::2], lines[1::2]):
            m = re.fullmatch(rf"\[active/default\] ({ID}) Created: \d+", head)
            assert m, head
            out[m.group(1)] = envelope
        return out

    def received_messages(self):
        m = re.search(r"Received Messages: (\d+)", self.ctl("summary"))
        return int(m.group(1))


@pytest.fixture
def daemon(tmp_path):
    """daemon(listener_options="", relay_hosts=...) -> a started Daemon; stopped (exit 0) at the end."""
    started = []

    def make(listener_options="", relay_hosts=RELAY_LOOPBACK):
        d = Daemon(tmp_path, listener_options, relay_hosts).start()
        started.append(d)
        return d

    yield make
    for d in started:
        with d.impulsed:
            assert d.impulsed.stop() == 0, d.impulsed.stderr()


class Session:
    """A raw SMTP client: exact bytes out, replies parsed as (code, [texts])."""

    def __init__(self, port, source=None, timeout=20):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout,
                                             source_address=(source, 0) if source else None)
        self.rfile = self.sock.makefile("rb")
        self.banner = self.reply()

    def send(self, data: bytes):
        self.sock.sendall(data)

    def reply(self):
        """One reply: (code, [text of each line]); (None, []) at end of stream."""
        texts = []
        while True:
            line = self.rfile.readline()
            if not line:
                assert not texts, f"connection closed inside a reply: {texts}"
                return None, []
            assert line.endswith(b"\r\n"), line
            m = re.fullmatch(rb"(\d{3})([ -])(.*)\r\n", line)
            assert m, line
            texts.append(m.group(3).decode())
            if m.group(2) == b" ":
                return int(m.group(1)), texts

    def cmd(self, line: str):
        self.send(line.encode() + b"\r\n")
        return self.reply()

    def text(self, line: str):
        """The command's reply as one 'CODE TEXT' string (last line)."""
        code, texts = self.cmd(line)
        return f"{code} {texts[-1]}"

    def closed(self):
        """True once the server has closed the connection (EOF, no more replies)."""
        return self.rfile.read() == b""

    def transaction(self, sender="alice@sender.test", rcpts=("bob@example.com",), body=BODY):
        """A complete MAIL/RCPT/DATA; returns the queued id."""
        assert self.text(f"MAIL FROM:<{sender}>") == "250 2.1.0 Ok"
        for r in rcpts:
            assert self.text(f"RCPT TO:<{r}>") == "250 2.1.5 Ok"
        assert self.cmd("DATA")[0] == 354
        self.send(body + b".\r\n")
        code, texts = self.reply()
        assert code == 250, texts
        m = QUEUED.match(texts[-1])
        assert m, texts
        return m.group(1)

    def close(self):
        self.rfile.close()
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def ehlo(port, **kw):
    s = Session(port, **kw)
    code, _ = s.cmd("EHLO client.test")
    assert code == 250
    return s


def assert_session_goes_on(s, d):
    """The same connection still carries a full transaction, and it is queued."""
    msgid = s.transaction()
    assert msgid in d.queued("example.com")
    assert s.text("QUIT").startswith("221 2.0.0")


def send_smtplib(port, sender, rcpts, body=BODY):
    with smtplib.SMTP("127.0.0.1", port, timeout=20) as c:
        return transaction(c, sender, rcpts, body)


# ---- accepted mail is queued and durable ------------------------------------

def test_swaks_message_accepted_with_queued_id_is_listed_by_showqueue(tmp_path, daemon):
    d = daemon()
    r = subprocess.run(["swaks", "--server", f"127.0.0.1:{d.port}", "--helo", "client.test",
                        "--from", "alice@sender.test", "--to", "bob@example.com"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    m = re.search(rf"^<-  250 2\.0\.0 Ok: queued as ({ID})$", r.stdout, re.M)
    assert m, r.stdout
    assert d.queued("example.com") == {m.group(1): "From: <alice@sender.test> To: <bob@example.com>"}


def test_message_for_two_domains_is_queued_under_each_domain(tmp_path, daemon):
    d = daemon()
    msgid = send_smtplib(d.port, "alice@sender.test", ["bob@example.com", "carol@example.com", "dave@other.test"])
    assert d.queued("example.com") == {msgid: "From: <alice@sender.test> To: <bob@example.com>, <carol@example.com>"}
    assert d.queued("other.test") == {msgid: "From: <alice@sender.test> To: <dave@other.test>"}


def test_accepted_message_survives_a_restart(tmp_path):
    d = Daemon(tmp_path).start()
    with d.impulsed:
        msgid = send_smtplib(d.port, "alice@sender.test", ["bob@example.com"])
        before = d.ctl("showqueue", "example.com")
        assert msgid in before
        assert d.impulsed.stop() == 0
        assert "recovered" not in d.impulsed.stderr()
        d.start()
        wait_for(lambda: "recovered 1 message(s) from the spool" in d.impulsed.stderr(), what="recovery line")
        assert d.ctl("showqueue", "example.com") == before
        assert d.impulsed.stop() == 0


# ---- relaying ---------------------------------------------------------------------

def test_relaying_refused_outside_relay_hosts_at_rcpt_and_session_goes_on(tmp_path, daemon):
    d = daemon(relay_hosts='Relay_Hosts = ( "127.0.0.2/32" )')
    with ehlo(d.port) as s:  # from 127.0.0.1
        assert s.text("MAIL FROM:<alice@sender.test>") == "250 2.1.0 Ok"
        assert s.text("RCPT TO:<bob@example.com>") == "550 5.7.1 relaying denied"
        assert s.text("RCPT TO:<carol@example.com>") == "550 5.7.1 relaying denied"
        assert s.text("DATA") == "554 5.5.1 No valid recipients"
        assert s.text("RSET") == "250 2.0.0 Ok"
        assert s.text("NOOP") == "250 2.0.0 Ok"
        assert s.text("QUIT").startswith("221 2.0.0")
    assert d.queued("example.com") == {}
    assert d.received_messages() == 0


def test_relaying_allowed_from_inside_relay_hosts(tmp_path, daemon):
    d = daemon(relay_hosts='Relay_Hosts = ( "127.0.0.2/32" )')
    with ehlo(d.port, source="127.0.0.2") as s:
        assert_session_goes_on(s, d)


def test_without_relay_hosts_nobody_may_relay(tmp_path, daemon):
    d = daemon(relay_hosts="")
    for source in ("127.0.0.1", "127.0.0.2"):
        with ehlo(d.port, source=source) as s:
            assert s.text("MAIL FROM:<alice@sender.test>") == "250 2.1.0 Ok"
            assert s.text("RCPT TO:<bob@example.com>") == "550 5.7.1 relaying denied"
            assert s.text("QUIT").startswith("221 2.0.0")
    assert d.received_messages() == 0


# ---- bad input: a precise reply, and the session goes on ---------------------

def test_command_line_over_1000_octets_gets_500_and_session_goes_on(tmp_path, daemon):
    d = daemon()
    with ehlo(d.port) as s:
        line = "NOOP " + "x" * 994  # 999 octets + CRLF = 1001
        assert s.text(line) == "500 5.5.0 Line too long"
        assert_session_goes_on(s, d)


def test_command_line_of_exactly_1000_octets_is_not_too_long(tmp_path, daemon):
    d = daemon()
    with ehlo(d.port) as s:
        line = "NOOP " + "x" * 993  # 998 octets + CRLF = 1000
        assert s.text(line) == "250 2.0.0 Ok"
        assert_session_goes_on(s, d)


def test_unknown_command_gets_500_and_session_goes_on(tmp_path, daemon):
    d = daemon()
    with ehlo(d.port) as s:
        assert s.text("FROBNICATE now") == "500 5.5.1 Command unrecognized"
        assert_session_goes_on(s, d)


@pytest.mark.parametrize("mail", ["MAIL FROM:alice@sender.test", "MAIL FROM:<alice@@sender.test>", "MAIL TO:<a@b.test>"])
def test_bad_mail_syntax_gets_501_and_session_goes_on(tmp_path, daemon, mail):
    d = daemon()
    with ehlo(d.port) as s:
        code, texts = s.cmd(mail)
        assert code == 501, texts
        assert texts[-1].startswith("5.")
        assert_session_goes_on(s, d)


def test_rcpt_before_mail_gets_503_and_session_goes_on(tmp_path, daemon):
    d = daemon()
    with ehlo(d.port) as s:
        assert s.text("RCPT TO:<bob@example.com>") == "503 5.5.1 Bad sequence of commands: send MAIL first"
        assert_session_goes_on(s, d)


def test_data_before_rcpt_gets_503_and_session_goes_on(tmp_path, daemon):
    d = daemon()
    with ehlo(d.port) as s:
        assert s.text("MAIL FROM:<alice@sender.test>") == "250 2.1.0 Ok"
        assert s.text("DATA") == "503 5.5.1 Bad sequence of commands: send RCPT first"
        assert s.text("RSET") == "250 2.0.0 Ok"
        assert_session_goes_on(s, d)


def test_data_before_mail_gets_503_and_session_goes_on(tmp_path, daemon):
    d = daemon()
    with ehlo(d.port) as s:
        assert s.text("DATA") == "503 5.5.1 Bad sequence of commands: send MAIL first"
        assert_session_goes_on(s, d)


def test_mail_without_helo_gets_503_and_session_goes_on(tmp_path, daemon):
    d = daemon()
    with Session(d.port) as s:
        assert s.banner == (220, [f"{HOSTNAME} ESMTP Impulse"])
        assert s.text("MAIL FROM:<alice@sender.test>") == "503 5.5.1 Bad sequence of commands: send EHLO or HELO first"
        assert s.cmd("HELO client.test") == (250, [HOSTNAME])
        assert_session_goes_on(s, d)


def test_size_parameter_over_max_message_size_gets_552_at_mail(tmp_path, daemon):
    d = daemon("Max_Message_Size = 10000")
    with ehlo(d.port) as s:
        assert s.text("MAIL FROM:<alice@sender.test> SIZE=10001") == \
            "552 5.3.4 Message size exceeds fixed maximum message size"
        assert s.text("RCPT TO:<bob@example.com>") == "503 5.5.1 Bad sequence of commands: send MAIL first"
        assert s.text("MAIL FROM:<alice@sender.test> SIZE=10000") == "250 2.1.0 Ok"
        assert s.text("RSET") == "250 2.0.0 Ok"
        assert_session_goes_on(s, d)


def test_data_over_max_message_size_gets_552_after_the_dot_and_nothing_is_queued(tmp_path, daemon):
    d = daemon("Max_Message_Size = 10000")
    with ehlo(d.port) as s:
        assert s.text("MAIL FROM:<alice@sender.test>") == "250 2.1.0 Ok"
        assert s.text("RCPT TO:<bob@example.com>") == "250 2.1.5 Ok"
        assert s.cmd("DATA")[0] == 354
        s.send((b"x" * 78 + b"\r\n") * 200 + b".\r\n")  # 16000 octets
        assert s.reply() == (552, ["5.3.4 Message size exceeds fixed maximum message size"])
        assert d.received_messages() == 0
        assert_session_goes_on(s, d)
    assert d.received_messages() == 1


def test_data_of_exactly_max_message_size_is_accepted(tmp_path, daemon):
    d = daemon("Max_Message_Size = 10000")
    with ehlo(d.port) as s:
        body = (b"x" * 98 + b"\r\n") * 100  # 10000 octets as received (CRLF line ends)
        msgid = s.transaction(body=body)
        assert msgid in d.queued("example.com")


def test_data_line_over_1000_octets_gets_500_after_the_dot_and_nothing_is_queued(tmp_path, daemon):
    d = daemon()
    with ehlo(d.port) as s:
        assert s.text("MAIL FROM:<alice@sender.test>") == "250 2.1.0 Ok"
        assert s.text("RCPT TO:<bob@example.com>") == "250 2.1.5 Ok"
        assert s.cmd("DATA")[0] == 354
        s.send(b"Subject: long\r\n\r\n" + b"y" * 999 + b"\r\n.\r\n")
        assert s.reply() == (500, ["5.5.0 Line too long"])
        assert d.received_messages() == 0
        assert_session_goes_on(s, d)


def test_recipients_over_max_recipients_per_message_get_452(tmp_path, daemon):
    d = daemon("Max_Recipients_Per_Message = 3")
    with ehlo(d.port) as s:
        assert s.text("MAIL FROM:<alice@sender.test>") == "250 2.1.0 Ok"
        for r in ("r1", "r2", "r3"):
            assert s.text(f"RCPT TO:<{r}@example.com>") == "250 2.1.5 Ok"
        assert s.text("RCPT TO:<r4@example.com>") == "452 4.5.3 Too many recipients"
        assert s.text("RCPT TO:<r5@example.com>") == "452 4.5.3 Too many recipients"
        assert s.cmd("DATA")[0] == 354
        s.send(BODY + b".\r\n")
        code, texts = s.reply()
        assert code == 250 and QUEUED.match(texts[-1]), texts
        msgid = QUEUED.match(texts[-1]).group(1)
        assert s.text("QUIT").startswith("221 2.0.0")
    assert d.queued("example.com") == {
        msgid: "From: <alice@sender.test> To: <r1@example.com>, <r2@example.com>, <r3@example.com>"}


def stored_size(d, msgid):
    m = re.search(r"^Size: (\d+)$", d.ctl("message", "details", msgid), re.M)
    return int(m.group(1))


def test_bare_lf_and_bare_cr_in_data_are_stored_as_crlf(tmp_path, daemon):
    # The stored body is not visible from outside yet; its size is (message
    # details). The same text sent with CRLF and with bare LF / bare CR line
    # ends must be stored with the same size (both carry the same Received:
    # header: same helo, recipient, id length and date format).
    d = daemon()
    with ehlo(d.port) as s:
        crlf = s.transaction(body=b"Subject: ends\r\n\r\none\r\ntwo\r\nthree\r\n")
        bare = s.transaction(body=b"Subject: ends\n\none\rtwo\nthree\r\n")
        assert s.text("QUIT").startswith("221 2.0.0")
    assert stored_size(d, bare) == stored_size(d, crlf)


def test_lf_dot_lf_does_not_end_the_data(tmp_path, daemon):
    d = daemon()
    with ehlo(d.port) as s:
        assert s.text("MAIL FROM:<alice@sender.test>") == "250 2.1.0 Ok"
        assert s.text("RCPT TO:<bob@example.com>") == "250 2.1.5 Ok"
        assert s.cmd("DATA")[0] == 354
        # If "\n.\n" (or "\r.\r", "\n.\r\n") ended the data, RSET and NOOP
        # would be answered as commands, and the final "." as an unknown one.
        s.send(b"Subject: smuggle\r\n\r\nfirst\n.\nRSET\r\nsecond\r.\rNOOP\r\nthird\n.\r\nNOOP\r\n.\r\nQUIT\r\n")
        code, texts = s.reply()
        assert code == 250 and QUEUED.match(texts[-1]), texts
        assert s.reply()[0] == 221
        assert s.closed()
    assert d.received_messages() == 1


def test_too_many_errors_get_421_and_close(tmp_path, daemon):
    d = daemon()
    with ehlo(d.port) as s:
        for _ in range(9):
            assert s.text("FROBNICATE") == "500 5.5.1 Command unrecognized"
        assert s.text("NOOP") == "250 2.0.0 Ok"  # good commands do not reset the count
        assert s.text("FROBNICATE") == "500 5.5.1 Command unrecognized"  # the 10th error
        assert s.reply() == (421, [f"4.7.0 {HOSTNAME} Too many errors, closing connection"])
        assert s.closed()
    with ehlo(d.port) as s:  # the daemon is still there
        assert_session_goes_on(s, d)


def test_idle_session_gets_421_after_idle_time(tmp_path, daemon):
    d = daemon("Idle_Time = 1")
    with ehlo(d.port) as s:
        assert s.reply() == (421, [f"4.4.2 {HOSTNAME} Idle timeout, closing connection"])
        assert s.closed()


def test_pipelined_transactions_in_one_write_get_every_reply_in_order(tmp_path, daemon):
    d = daemon()
    with ehlo(d.port) as s:
        s.send(b"MAIL FROM:<alice@sender.test>\r\n"
               b"RCPT TO:<bob@example.com>\r\n"
               b"RCPT TO:<bad address>\r\n"
               b"RCPT TO:<carol@example.com>\r\n"
               b"DATA\r\n" + BODY + b".\r\n"
               b"MAIL FROM:<dave@sender.test>\r\n"
               b"RCPT TO:<erin@other.test>\r\n"
               b"DATA\r\n" + BODY + b".\r\n"
               b"NOOP\r\n"
               b"QUIT\r\n")
        replies = []
        while True:
            code, texts = s.reply()
            if code is None:
                break
            replies.append(f"{code} {texts[-1]}")
    first, second = QUEUED.match(replies[5][4:]), QUEUED.match(replies[9][4:])
    assert first and second, replies
    shown = [re.sub(ID, "<ID>", r) for r in replies]
    assert shown[2].startswith("501 5.1.3 "), replies  # the bad RCPT, answered in its place
    shown[2] = "501"
    assert shown == [
        "250 2.1.0 Ok",
        "250 2.1.5 Ok",
        "501",
        "250 2.1.5 Ok",
        "354 End data with <CR><LF>.<CR><LF>",
        "250 2.0.0 Ok: queued as <ID>",
        "250 2.1.0 Ok",
        "250 2.1.5 Ok",
        "354 End data with <CR><LF>.<CR><LF>",
        "250 2.0.0 Ok: queued as <ID>",
        "250 2.0.0 Ok",
        f"221 2.0.0 {HOSTNAME} closing connection",
    ]
    assert d.queued("example.com") == {
        first.group(1): "From: <alice@sender.test> To: <bob@example.com>, <carol@example.com>"}
    assert d.queued("other.test") == {second.group(1): "From: <dave@sender.test> To: <erin@other.test>"}


def test_ehlo_advertises_pipelining_size_8bitmime_enhancedstatuscodes(tmp_path, daemon):
    d = daemon("Max_Message_Size = 10000")
    with Session(d.port) as s:
        assert s.cmd("EHLO client.test") == (250, [HOSTNAME, "PIPELINING", "SIZE 10000", "8BITMIME",
                                                   "ENHANCEDSTATUSCODES", "SMTPUTF8", "DSN", "CHUNKING"])


def test_ehlo_advertises_bare_size_without_max_message_size(tmp_path, daemon):
    d = daemon()
    with Session(d.port) as s:
        code, texts = s.cmd("EHLO client.test")
        assert code == 250
        assert texts[1:] == ["PIPELINING", "SIZE", "8BITMIME", "ENHANCEDSTATUSCODES", "SMTPUTF8", "DSN", "CHUNKING"]


def test_open_session_gets_421_on_shutdown(tmp_path):
    d = Daemon(tmp_path).start()
    with d.impulsed, ehlo(d.port) as s:
        assert s.text("MAIL FROM:<alice@sender.test>") == "250 2.1.0 Ok"
        d.impulsed.signal(signal.SIGTERM)
        assert s.reply() == (421, [f"4.3.2 {HOSTNAME} Service shutting down, closing connection"])
        assert s.closed()
        assert d.impulsed.proc.wait(15) == 0
