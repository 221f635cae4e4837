"""`message_expiration` whatever tier a message sits in (issue 18): a message
past its expiration is failed ("554 5.4.7 [internal] exceeded max time
without delivery", a P record, a bounce to its sender) within about a retry
interval, whether it waits in the delayed queue after failed attempts
(test_delivery_failures.py::test_message_expiration_fails_with_exceeded_max_time_and_bounces),
in a suspended domain's queue that makes no attempt at all, or in a dead
domain's queue held by a route verdict (every connection refused).

Short timers: Message_Expiration 3 s, retries and the delayed-queue scan
every second. Routes are IP literals; bounces go to a Postfix smtp-sink.
"""
import time

from harness.impulse import Daemon, daemon_config
from harness.process import free_port
from harness.scripted_smtp import ScriptedSmtp
from harness.smtp_peers import SmtpSink

BODY = b"From: alice@sender.test\r\nSubject: expiring\r\n\r\nhello\r\n"
MX = "127.0.54.1"
SENDER_MX = "127.0.54.2"
EXPIRED = "554 5.4.7 [internal] exceeded max time without delivery"
FAST = """\
Message_Expiration = 3
Retry_Interval = 1
Max_Retry_Interval = 1
Delayed_Queue_Scan_Interval = 1
Host_Failure_Retry = 1
"""


def config(port, sink, domain):
    return daemon_config(port, FAST, extra=domain +
                         f'Domain "sender.test" {{ Routes = ( "smtp://{sink.address}?port={sink.port}" ) }}\n')


def check_expired_and_bounced(d, sink, msgid, rcpt_domain, started):
    (p,) = d.wait_records("P", msgid, timeout=30)[:1]
    assert (p["domain"], p["response"]) == (rcpt_domain, EXPIRED), p
    assert time.monotonic() - started < 3 + 8  # the expiry plus a few scan/retry intervals
    [bounce] = sink.wait_messages(1, timeout=30)
    assert bounce.sender == "" and bounce.recipients == ["alice@sender.test"]
    assert b"exceeded max time without delivery" in bounce.data
    (b,) = d.wait_records("B", msgid, name="bouncelog.ec")[:1]
    assert b["raw_response"] == EXPIRED


def test_a_message_in_a_suspended_domain_expires_and_bounces_without_an_attempt(tmp_path):
    with ScriptedSmtp(MX) as mx, SmtpSink(SENDER_MX) as sink:
        held = (f'Domain "held.test" {{\n  Routes = ( "smtp://{mx.address}?port={mx.port}" )\n'
                f'  Suspend_Delivery = true\n}}\n')
        with Daemon(tmp_path, lambda p: config(p, sink, held)) as d:
            started = time.monotonic()
            msgid = d.send("alice@sender.test", ["bob@held.test"], BODY)
            check_expired_and_bounced(d, sink, msgid, "held.test", started)
            assert d.records("T", msgid) == [] and d.records("D", msgid) == []
            assert mx.connections() == []  # suspended: never attempted


def test_a_message_in_a_dead_domains_held_queue_expires_and_bounces(tmp_path):
    with SmtpSink(SENDER_MX) as sink:
        dead = (f'Domain "dead.test" {{\n  Routes = ( "smtp://127.0.0.1?port={free_port()}" )\n'
                f'  Mx_Failures_To_Delay = 1\n}}\n')
        with Daemon(tmp_path, lambda p: config(p, sink, dead)) as d:
            started = time.monotonic()
            msgid = d.send("alice@sender.test", ["bob@dead.test"], BODY)
            check_expired_and_bounced(d, sink, msgid, "dead.test", started)
            assert d.records("D", msgid) == []
