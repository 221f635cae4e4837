"""SMTPUTF8, DSN and CHUNKING through the real impulsed (SPEC §19; RFC 6531,
RFC 3461, RFC 3030): smtplib in, a private Postfix smtpd out (it lists
SMTPUTF8, DSN and CHUNKING; its verbose log for our client shows every
command), and smtp-sink as a next hop without DSN or SMTPUTF8:

  - UTF-8 envelope addresses and headers arrive at Postfix unchanged, MAIL
    FROM carrying SMTPUTF8;
  - RET/ENVID on MAIL and NOTIFY/ORCPT on RCPT are relayed to Postfix, the
    body goes as BDAT, Postfix (not Impulse) reports the success;
  - to a next hop without DSN, a NOTIFY=SUCCESS recipient gets a "relayed"
    report from Impulse (null sender, to the envelope sender, ENVID kept);
  - final delivery over LMTP (Dovecot lists no DSN) gives a "delivered"
    report;
  - an SMTPUTF8 message to a hop without SMTPUTF8 fails with 553 5.6.7 and
    bounces with message/global-delivery-status;
  - NOTIFY=DELAY with a short delay_dsn_retry_interval gets exactly one
    "delayed" report while the message keeps being retried.
"""
import smtplib

from harness.dovecot import DovecotLmtp
from harness.impulse import QUEUED, Daemon, daemon_config
from harness.process import wait_for
from harness.smtp_peers import PostfixSmtpd, SmtpSink

SENDER = "a@sender.test"


def route(domain, peer):
    return f'Domain "{domain}" {{ Routes = ( "smtp://{peer.address}?port={peer.port}" ) }}\n'


def send(d, sender, rcpts, data, mail_options=(), rcpt_options=()):
    """One message with ESMTP parameters over smtplib; returns its queue id."""
    with smtplib.SMTP("127.0.0.1", d.port, timeout=20) as c:
        c.ehlo("client.test")
        code, text = c.mail(sender, list(mail_options))
        assert code == 250, text
        for r in rcpts:
            code, text = c.rcpt(r, list(rcpt_options))
            assert code == 250, text
        code, text = c.data(data)
        assert code == 250, text
        m = QUEUED.match(text.decode())
        assert m, text
        return m.group(1)


def internal_receptions(d):
    """Messages Impulse generated itself (bounces and DSN reports)."""
    return [r for r in d.records("R") if r["protocol"] == "internal"]


def test_smtputf8_addresses_arrive_intact_at_postfix(tmp_path):
    with PostfixSmtpd("127.0.0.44", hostname="mx.utf8.test", main_cf={"debug_peer_list": "127.0.0.0/8"}) as mx:
        with Daemon(tmp_path, lambda port: daemon_config(port, extra=route("b\u00fccher.example", mx))) as d:
            data = "From: j\u00f6rg@sender.test\r\nTo: d\u00f6rte@b\u00fccher.example\r\nSubject: Gr\u00fc\u00dfe\r\n\r\nHall\u00f6\r\n"
            msgid = send(d, "j\u00f6rg@sender.test", ["d\u00f6rte@b\u00fccher.example"], data.encode(),
                         mail_options=["SMTPUTF8"])
            [m] = mx.wait_messages(1)
            assert m.recipient == "d\u00f6rte@b\u00fccher.example"
            assert m.sender == "j\u00f6rg@sender.test"
            assert "Subject: Gr\u00fc\u00dfe\n" in m.text and "Hall\u00f6\n" in m.text
            mx.wait_log(r"< \S+\[127\.0\.0\.1\]: MAIL FROM:<j\u00f6rg@sender\.test>.* SMTPUTF8")
            [rec] = d.wait_records("D", msgid)
            assert rec["domain"] == "b\u00fccher.example"


def test_dsn_parameters_are_relayed_to_postfix_over_bdat_and_postfix_reports(tmp_path):
    with PostfixSmtpd("127.0.0.45", hostname="mx.dsn.test", main_cf={"debug_peer_list": "127.0.0.0/8"}) as mx:
        with Daemon(tmp_path, lambda port: daemon_config(port, extra=route("example.net", mx))) as d:
            msgid = send(d, SENDER, ["b@example.net"], b"Subject: dsn\r\n\r\nbody\r\n",
                         mail_options=["RET=HDRS", "ENVID=QQ314159"],
                         rcpt_options=["NOTIFY=SUCCESS,FAILURE", "ORCPT=rfc822;orig+2Bx@example.net"])
            mx.wait_log(r"< \S+\[127\.0\.0\.1\]: MAIL FROM:<a@sender\.test> .*RET=HDRS ENVID=QQ314159")
            mx.wait_log(r"< \S+\[127\.0\.0\.1\]: RCPT TO:<b@example\.net> NOTIFY=SUCCESS,FAILURE "
                        r"ORCPT=rfc822;orig\+2Bx@example\.net")
            mx.wait_log(r"< \S+\[127\.0\.0\.1\]: BDAT \d+ LAST")
            # Postfix owns the reports now: its own success notice goes to the sender
            mx.wait_log(r"status=sent \(delivered to maildir\)")
            mx.wait_log(r"sender delivery status notification")
            d.wait_records("D", msgid)
            # Any report of ours would be spooled (R) before the next message is.
            later = send(d, SENDER, ["c@example.net"], b"Subject: later\r\n\r\nx\r\n")
            d.wait_records("R", later)
            assert internal_receptions(d) == []


def test_next_hop_without_dsn_gives_a_relayed_report_to_the_sender(tmp_path):
    with SmtpSink("127.0.0.46", disable={"DSN"}) as sink:
        extra = route("example.net", sink) + route("sender.test", sink)
        with Daemon(tmp_path, lambda port: daemon_config(port, extra=extra)) as d:
            msgid = send(d, SENDER, ["b@example.net"], b"Subject: relay me\r\nMessage-ID: <r1@sender.test>\r\n\r\nx\r\n",
                         mail_options=["ENVID=ENV-77"], rcpt_options=["NOTIFY=SUCCESS"])
            original, report = sink.wait_messages(2)
            assert original.recipients == ["b@example.net"]
            assert original.rcpt_params == [[]] and original.mail_params == [], original.raw
            assert report.sender == "" and report.recipients == [SENDER]
            text = report.text
            assert "report-type=delivery-status" in text
            for line in ("Action: relayed", "Status: 2.0.0", "Final-Recipient: rfc822; b@example.net",
                         "Original-Envelope-Id: ENV-77", f"X-Impulse-Message-Id: {msgid}",
                         "Subject: Delivery Status Notification (Success)", "In-Reply-To: <r1@sender.test>"):
                assert line + "\n" in text, (line, text)
            wait_for(lambda: len(internal_receptions(d)) == 1, what="the report's R record")


def test_final_delivery_over_lmtp_gives_a_delivered_report(tmp_path):
    with DovecotLmtp(["alice"], domain="lmtp.test", address="127.0.0.55") as store, \
            SmtpSink("127.0.0.56") as sender_mx:
        extra = (f'Domain "lmtp.test" {{ Delivery_Method = LMTP  Gateway = "{store.target}" }}\n'
                 + route("sender.test", sender_mx))
        with Daemon(tmp_path, lambda port: daemon_config(port, extra=extra)) as d:
            msgid = send(d, SENDER, ["alice@lmtp.test"], b"Subject: to the store\r\n\r\nx\r\n",
                         rcpt_options=["NOTIFY=SUCCESS,FAILURE", "ORCPT=rfc822;alice@lmtp.test"])
            store.wait_mailbox("alice", 1)
            [report] = sender_mx.wait_messages(1)
            assert report.sender == "" and report.recipients == [SENDER]
            for line in ("Action: delivered", "Status: 2.0.0", "Final-Recipient: rfc822; alice@lmtp.test",
                         "Original-Recipient: rfc822;alice@lmtp.test", f"X-Impulse-Message-Id: {msgid}"):
                assert line + "\n" in report.text, (line, report.text)


def test_smtputf8_message_to_a_hop_without_smtputf8_fails_with_553_5_6_7(tmp_path):
    with SmtpSink("127.0.0.47") as sink:  # smtp-sink lists no SMTPUTF8
        extra = route("example.net", sink) + route("sender.test", sink)
        with Daemon(tmp_path, lambda port: daemon_config(port, extra=extra)) as d:
            msgid = send(d, SENDER, ["d\u00f6rte@example.net"], b"Subject: utf8\r\n\r\nx\r\n", mail_options=["SMTPUTF8"])
            [p] = d.wait_records("P", msgid)
            assert p["response"].startswith("553 5.6.7"), p
            [bounce] = sink.wait_messages(1)  # the original never arrived; the bounce did
            assert bounce.sender == "" and bounce.recipients == [SENDER]
            assert "message/global-delivery-status" in bounce.text
            assert "Final-Recipient: utf-8; d\u00f6rte@example.net\n" in bounce.text
            assert "Status: 5.6.7\n" in bounce.text


def test_notify_delay_gets_one_delayed_report_while_retrying(tmp_path):
    settings = ("retry_interval = 1\nmax_retry_interval = 1\ndelayed_queue_scan_interval = 1\n"
                "delay_dsn_retry_interval = 2\n")
    with SmtpSink("127.0.0.48", soft_reject={"RCPT"}) as down, SmtpSink("127.0.0.49") as sender_mx:
        extra = route("example.net", down) + route("sender.test", sender_mx)
        with Daemon(tmp_path, lambda port: daemon_config(port, settings, extra=extra)) as d:
            msgid = send(d, SENDER, ["b@example.net"], b"Subject: slow\r\n\r\nx\r\n",
                         mail_options=["ENVID=SLOW-1"], rcpt_options=["NOTIFY=DELAY,FAILURE"])
            [report] = sender_mx.wait_messages(1)
            assert report.sender == "" and report.recipients == [SENDER]
            text = report.text
            for line in ("Action: delayed", "Final-Recipient: rfc822; b@example.net", "Original-Envelope-Id: SLOW-1",
                         "Subject: Delivery Status Notification (Delay)"):
                assert line + "\n" in text, (line, text)
            assert "Will-Retry-Until: " in text and "Status: 4." in text
            [warning] = d.wait_records("R", count=2)[1:]
            assert warning["protocol"] == "internal"
            # two more failed attempts after the warning: still one report
            attempts = len(d.records("T", msgid))
            d.wait_records("T", msgid, count=attempts + 2)
            later = send(d, SENDER, ["c@sender.test"], b"Subject: later\r\n\r\nx\r\n")
            d.wait_records("R", later)
            assert len(internal_receptions(d)) == 1
            wait_for(lambda: len(sender_mx.messages()) >= 2, what="the later message")
            assert [m.sender for m in sender_mx.messages()] == ["", SENDER]
