"""Outbound delivery failures (SPEC §4-5; reference/momentum.md §6 stage
codes, §7.2-7.3 retries and bounces, §7.6 [internal] texts, §10.1 log
formats): a real impulsed delivers to scripted SMTP servers
(harness.scripted_smtp) that refuse, stall or hang up at every stage, and
each test checks what the user sees: the T / P / D records of the mainlog
field by field, the bouncelog B records and their classification, what the
server was sent, and the bounce (RFC 3464 multipart/report) that reaches the
sender's domain, which has its own route to a Postfix smtp-sink.

Routes are IP literals (no DNS). Timers are short: retries every second,
the delayed queue scanned every second, quarantine of a failed address
(Host_Failure_Retry) one second, per-phase timeouts one second where a test
stalls the server.
"""
import email
import email.policy
import re

import pytest

from harness.impulse import Daemon as ImpulseDaemon
from harness.impulse import daemon_config
from harness.logs import logged
from harness.scripted_smtp import ScriptedSmtp
from harness.smtp_peers import SmtpSink

BODY = b"From: alice@sender.test\r\nTo: bob@example.com\r\nSubject: failures\r\n\r\nhello\r\n"
# Big enough that the client is still writing when the server stops reading
# (with a 4 KiB receive buffer at the server).
BIG_BODY = b"From: alice@sender.test\r\nSubject: big\r\n\r\n" + (b"y" * 76 + b"\r\n") * 40000

# One address per role; each test has its own daemon, ports are free ones.
MX = "127.0.51.1"
SENDER_MX = "127.0.51.2"

FAST = """\
Retry_Interval = 1
Max_Retry_Interval = 1
Delayed_Queue_Scan_Interval = 1
Host_Failure_Retry = 1
"""
TIMEOUTS_1S = """\
Ehlo_Timeout = 1
Mailfrom_Timeout = 1
Rcptto_Timeout = 1
Body_Timeout = 1
"""


def config(port, mx, sink, extra):
    sender_route = (f'Domain "sender.test" {{ Routes = ( "smtp://{sink.address}?port={sink.port}" ) }}'
                    if sink else "")
    return daemon_config(port, extra=f'Domain "example.com" {{ Routes = ( "smtp://{mx.address}?port={mx.port}" ) }}\n'
                         + sender_route + "\n" + extra)


class Daemon(ImpulseDaemon):
    """impulsed with example.com routed to `mx` and sender.test (the
    bounces) routed to `sink`, plus `extra` global configuration."""

    def __init__(self, tmp_path, mx, sink=None, extra=FAST):
        super().__init__(tmp_path, lambda port: config(port, mx, sink, extra))

    def mainlog(self, kind, msgid=None):
        return self.records(kind, msgid)

    def wait_mainlog(self, kind, msgid, count=1, timeout=20.0):
        """The first `count` records, once there are that many."""
        return self.wait_records(kind, msgid, count, timeout=timeout)[:count]

    def wait_bouncelog(self, msgid, count=1):
        return self.wait_records("B", msgid, count, name="bouncelog.ec")[:count]

    def send(self, sender, rcpts, body=BODY):
        return super().send(sender, rcpts, body, timeout=30)

    def bounces(self):
        """R records of the bounces impulsed generated (protocol internal)."""
        return [r for r in self.mainlog("R") if r["protocol"] == "internal"]


def check_failure(rec, msgid, stage, response, retries, mx=MX, kind="T"):
    """A mainlog T or P record, field by field."""
    assert rec["type"] == kind
    assert rec["msgid"] == msgid
    assert rec["domain"] == "example.com"
    assert (rec["binding_group"], rec["binding"]) == ("default", "default")
    assert rec["stage"] == str(stage), rec
    assert rec["retries"] == str(retries), rec
    assert re.fullmatch(r"\d+(\.\d+)?", rec["seconds"]), rec
    assert re.fullmatch(r"\d+", rec["bytes_sent"]), rec
    assert rec["remote_ip"] == mx, rec
    assert rec["response"] == logged(response), rec


def dsn(sink_message):
    """(the bounce as an email.message, its per-recipient delivery-status
    fields as a list of dicts)."""
    msg = email.message_from_bytes(sink_message.data, policy=email.policy.default)
    assert msg.get_content_type() == "multipart/report"
    assert msg.get_param("report-type") == "delivery-status"
    parts = list(msg.iter_parts())
    [status] = [p for p in parts if p.get_content_type() == "message/delivery-status"]
    blocks = [b for b in status.get_payload()]
    per_recipient = [{k.lower(): " ".join(str(v).split()) for k, v in b.items()} for b in blocks[1:]]
    return msg, per_recipient


def wait_bounce(sink, n=1):
    ms = sink.wait_messages(n)
    return ms[n - 1]


# ---- the banner -----------------------------------------------------------------------

def test_banner_421_is_logged_as_a_transient_failure_at_stage_12_and_retried(tmp_path):
    banner = "421 4.3.2 Service not available, closing transmission channel"
    with ScriptedSmtp(MX, banner=banner) as mx, Daemon(tmp_path, mx) as d:
        msgid = d.send("alice@sender.test", ["bob@example.com"])
        t1, t2 = d.wait_mainlog("T", msgid, 2)
        check_failure(t1, msgid, 12, banner, 0)
        check_failure(t2, msgid, 12, banner, 1)
        assert len(mx.connections()) >= 2  # the retry made a new connection
        assert mx.commands(1) in ([], ["QUIT"])  # no transaction after a 421 greeting
        mx.update(banner="220 mx.example.com ESMTP")
        (rec,) = d.wait_mainlog("D", msgid)
        assert rec["remote_ip"] == MX
        [m] = mx.wait_messages(1)
        assert m.recipients == ["bob@example.com"]
        assert d.mainlog("P", msgid) == [] and d.bouncelog(msgid) == []


# ---- EHLO -----------------------------------------------------------------------------

def test_ehlo_refused_with_5xx_falls_back_to_helo_and_delivers(tmp_path):
    with ScriptedSmtp(MX, ehlo="550 5.5.1 EHLO not accepted here") as mx, Daemon(tmp_path, mx) as d:
        msgid = d.send("alice@sender.test", ["bob@example.com"])
        (rec,) = d.wait_mainlog("D", msgid)
        assert (rec["domain"], rec["retries"], rec["remote_ip"]) == ("example.com", "0", MX)
        [m] = mx.wait_messages(1)
        assert not m.esmtp
        assert (m.sender, m.recipients) == ("alice@sender.test", ["bob@example.com"])
        cmds = [c.split()[0].upper() for c in mx.commands(1)]
        assert cmds[:3] == ["EHLO", "HELO", "MAIL"], mx.dialogue()
        assert d.mainlog("T", msgid) == []


# ---- RCPT -----------------------------------------------------------------------------

def test_rcpt_450_and_550_in_one_transaction_retry_one_and_bounce_the_other(tmp_path):
    busy = "450 4.2.1 mailbox busy, try again later"
    gone = "550 5.1.1 <gone@example.com>: no such user here"
    # Retries every 2 s and idle connections closed after 1 s: the retry
    # after update() comes on a new connection, which gets the new script.
    extra = FAST.replace("Retry_Interval = 1", "Retry_Interval = 2").replace(
        "Max_Retry_Interval = 1", "Max_Retry_Interval = 2") + "Idle_Timeout = 1\n"
    with ScriptedSmtp(MX, rcpt={"busy@example.com": busy, "gone@example.com": gone}) as mx, \
            SmtpSink(SENDER_MX) as sink, Daemon(tmp_path, mx, sink, extra) as d:
        msgid = d.send("alice@sender.test", ["busy@example.com", "gone@example.com"])
        (t,) = d.wait_mainlog("T", msgid)
        (p,) = d.wait_mainlog("P", msgid)
        check_failure(t, msgid, 4, busy, 0)
        check_failure(p, msgid, 4, gone, 0, kind="P")
        # both recipients were in one transaction (one MAIL)
        first = mx.commands(1)
        assert [c.split(":")[0].upper() for c in first[1:4]] == ["MAIL FROM", "RCPT TO", "RCPT TO"], mx.dialogue()
        assert mx.messages() == []

        (b,) = d.wait_bouncelog(msgid)
        assert (b["rcpt_local"], b["rcpt_domain"]) == ("gone", "example.com")
        assert (b["sender_local"], b["sender_domain"]) == ("alice", "sender.test")
        assert (b["binding_group"], b["binding"]) == ("default", "default")
        assert b["stage"] == "4"
        assert b["classification"] == "10"  # Invalid Recipient
        assert b["remote_ip"] == MX
        assert b["raw_response"] == logged(gone)

        # The bounce goes to the sender's domain, from the null sender.
        bounce = wait_bounce(sink)
        assert bounce.sender == ""
        assert bounce.recipients == ["alice@sender.test"]
        msg, rcpts = dsn(bounce)
        assert msgid in msg.get_body(("plain",)).get_content()
        assert len(rcpts) == 1, rcpts
        assert rcpts[0]["final-recipient"] == "rfc822; gone@example.com"
        assert rcpts[0]["action"] == "failed"
        assert rcpts[0]["status"] == "5.1.1"
        assert rcpts[0]["diagnostic-code"] == f"smtp; {gone}"

        # The server now accepts busy@: the retry delivers it, and only it.
        mx.update(rcpt="250 2.1.5 Ok")
        (dlv,) = d.wait_mainlog("D", msgid)
        assert int(dlv["retries"]) >= 1
        assert dlv["remote_ip"] == MX
        [m] = mx.wait_messages(1)
        assert m.recipients == ["busy@example.com"]
        assert sum(1 for c in mx.commands() if "gone@" in c) == 1  # never tried again
        assert len(d.mainlog("P", msgid)) == 1
        assert len(d.bounces()) == 1


# ---- DATA and the final dot -----------------------------------------------------------

def test_data_452_is_a_transient_failure_at_stage_6_and_retried(tmp_path):
    reply = "452 4.3.1 Insufficient system storage"
    with ScriptedSmtp(MX, data=reply) as mx, Daemon(tmp_path, mx) as d:
        msgid = d.send("alice@sender.test", ["bob@example.com"])
        t1, t2 = d.wait_mainlog("T", msgid, 2)
        check_failure(t1, msgid, 6, reply, 0)
        check_failure(t2, msgid, 6, reply, 1)
        assert mx.messages() == []
        assert d.mainlog("P", msgid) == [] and d.bouncelog(msgid) == []


def test_554_after_the_final_dot_is_permanent_and_bounced(tmp_path):
    reply = "554 5.7.1 Message rejected as spam"
    with ScriptedSmtp(MX, after_data=reply) as mx, SmtpSink(SENDER_MX) as sink, \
            Daemon(tmp_path, mx, sink) as d:
        msgid = d.send("alice@sender.test", ["bob@example.com"])
        (p,) = d.wait_mainlog("P", msgid)
        check_failure(p, msgid, 9, reply, 0, kind="P")
        assert int(p["bytes_sent"]) > len(BODY)  # the body went out
        (b,) = d.wait_bouncelog(msgid)
        assert (b["rcpt_local"], b["rcpt_domain"], b["stage"]) == ("bob", "example.com", "9")
        assert b["classification"] == "52"  # Spam Content
        assert b["raw_response"] == reply
        bounce = wait_bounce(sink)
        assert (bounce.sender, bounce.recipients) == ("", ["alice@sender.test"])
        _, rcpts = dsn(bounce)
        assert [(r["final-recipient"], r["action"], r["status"], r["diagnostic-code"]) for r in rcpts] == [
            ("rfc822; bob@example.com", "failed", "5.7.1", f"smtp; {reply}")]
        assert len(mx.messages()) == 1  # not tried again
        assert d.mainlog("T", msgid) == []


def test_disconnect_in_the_middle_of_data_is_transient_connection_closed_at_stage_8(tmp_path):
    with ScriptedSmtp(MX, disconnect_at={"data_body"}, rcvbuf=4096) as mx, Daemon(tmp_path, mx) as d:
        msgid = d.send("alice@sender.test", ["bob@example.com"], BIG_BODY)
        (t,) = d.wait_mainlog("T", msgid)
        check_failure(t, msgid, 8, "451 4.4.2 [internal] connection closed by remote host", 0)
        assert 0 < int(t["bytes_sent"]) < len(BIG_BODY)
        [body] = mx.transcript(1, "body")
        assert body["complete"] is False  # the server hung up part-way
        d.wait_mainlog("T", msgid, 2)  # and it is retried
        assert d.mainlog("P", msgid) == []


# ---- a server too slow for each timeout -----------------------------------------------

@pytest.mark.parametrize("stage, code, text", [
    ("banner", 12, "no banner"),
    ("ehlo", 10, "no HELO/EHLO response"),
    ("mail", 2, "no MAIL FROM response"),
    ("rcpt", 4, "no RCPT TO response"),
    ("data", 6, "no DATA response"),
    ("after_data", 9, "no BODY response"),
])
def test_server_stalling_past_the_timeout_is_a_transient_failure(tmp_path, stage, code, text):
    with ScriptedSmtp(MX, delay={stage: "forever"}) as mx, Daemon(tmp_path, mx, extra=FAST + TIMEOUTS_1S) as d:
        msgid = d.send("alice@sender.test", ["bob@example.com"])
        (t,) = d.wait_mainlog("T", msgid)
        check_failure(t, msgid, code, f"451 4.4.2 [internal] {text}", 0)
        mx.wait_events(lambda e: e["type"] == "close" and e["by"] == "client" and e["conn"] == 1)
        assert d.mainlog("P", msgid) == [] and d.mainlog("D", msgid) == []


def test_server_that_stops_reading_the_body_fails_with_send_body_failed(tmp_path):
    with ScriptedSmtp(MX, delay={"data_body": "forever"}, rcvbuf=4096) as mx, \
            Daemon(tmp_path, mx, extra=FAST + TIMEOUTS_1S) as d:
        msgid = d.send("alice@sender.test", ["bob@example.com"], BIG_BODY)
        (t,) = d.wait_mainlog("T", msgid)
        check_failure(t, msgid, 8, "451 4.4.2 [internal] send BODY failed", 0)
        assert 0 < int(t["bytes_sent"]) < len(BIG_BODY)
        assert d.mainlog("P", msgid) == []


# ---- retries and expiry ---------------------------------------------------------------

def test_max_retries_1_makes_the_second_transient_failure_final_and_bounces(tmp_path):
    busy = "450 4.2.1 mailbox busy"
    with ScriptedSmtp(MX, rcpt=busy) as mx, SmtpSink(SENDER_MX) as sink, \
            Daemon(tmp_path, mx, sink, FAST + "Max_Retries = 1\n") as d:
        msgid = d.send("alice@sender.test", ["bob@example.com"])
        (p,) = d.wait_mainlog("P", msgid)
        text = "554 5.4.7 [internal] exceeded max retries without delivery"
        assert (p["domain"], p["stage"], p["retries"], p["response"]) == ("example.com", "4", "1", text)
        (t,) = d.mainlog("T", msgid)  # the first attempt; the second one is the P
        check_failure(t, msgid, 4, busy, 0)
        assert sum(1 for c in mx.commands() if c.upper().startswith("RCPT TO:<BOB@")) == 2
        (b,) = d.wait_bouncelog(msgid)
        assert (b["rcpt_local"], b["raw_response"], b["classification"]) == ("bob", text, "24")  # Timeout
        bounce = wait_bounce(sink)
        assert bounce.sender == ""
        _, rcpts = dsn(bounce)
        assert [(r["final-recipient"], r["action"], r["status"], r["diagnostic-code"]) for r in rcpts] == [
            ("rfc822; bob@example.com", "failed", "5.4.7", f"smtp; {text}")]


def test_message_expiration_fails_with_exceeded_max_time_and_bounces(tmp_path):
    with ScriptedSmtp(MX, rcpt="450 4.2.1 mailbox busy") as mx, SmtpSink(SENDER_MX) as sink, \
            Daemon(tmp_path, mx, sink, FAST + "Message_Expiration = 2\n") as d:
        msgid = d.send("alice@sender.test", ["bob@example.com"])
        (p,) = d.wait_mainlog("P", msgid)
        text = "554 5.4.7 [internal] exceeded max time without delivery"
        assert (p["domain"], p["response"]) == ("example.com", text)
        assert float(p["seconds"]) >= 2
        assert len(d.mainlog("T", msgid)) == int(p["retries"])  # one T per earlier attempt
        (b,) = d.wait_bouncelog(msgid)
        assert (b["rcpt_local"], b["raw_response"]) == ("bob", text)
        _, rcpts = dsn(wait_bounce(sink))
        assert [(r["final-recipient"], r["status"], r["diagnostic-code"]) for r in rcpts] == [
            ("rfc822; bob@example.com", "5.4.7", f"smtp; {text}")]
        assert mx.messages() == []


def test_null_sender_message_that_fails_gets_no_bounce(tmp_path):
    gone = "550 5.1.1 no such user"
    with ScriptedSmtp(MX, rcpt=gone) as mx, SmtpSink(SENDER_MX) as sink, Daemon(tmp_path, mx, sink) as d:
        null = d.send("<>", ["bob@example.com"])
        (p,) = d.wait_mainlog("P", null)
        check_failure(p, null, 4, gone, 0, kind="P")
        (b,) = d.wait_bouncelog(null)
        assert (b["sender_local"], b["sender_domain"], b["raw_response"]) == ("", "", gone)
        # A failing message with a sender, after it: its bounce is the only one.
        loud = d.send("alice@sender.test", ["carol@example.com"])
        d.wait_mainlog("P", loud)
        bounce = wait_bounce(sink)
        _, rcpts = dsn(bounce)
        assert [r["final-recipient"] for r in rcpts] == ["rfc822; carol@example.com"]
        assert bounce.recipients == ["alice@sender.test"]
        assert [(r["rcpt_local"], r["rcpt_domain"]) for r in d.bounces()] == [("alice", "sender.test")]
        assert len(sink.messages()) == 1
