"""Route verdicts end to end (SPEC §3 rule 5; issue 10): a dead domain's
active queue moves to the delayed queue once, with one paniclog line, instead
of a fabricated 421 per message; the console shows the hold; `flush domain`
lifts it and the mail goes out to a real smtp-sink."""
import re

from harness.impulse import Daemon, daemon_config
from harness.process import free_port, wait_for
from harness.smtp_peers import SmtpSink

DATA = "Subject: verdict\r\n\r\nhello\r\n"


def dead_domain_config(port, sink_port):
    # Nothing listens on 127.0.0.1:sink_port yet: every connection is refused.
    # Host_Failure_Retry = 1 so the address is usable again soon after.
    return daemon_config(port, extra=f"""\
        Domain dead.test {{
          Routes = ( "smtp://127.0.0.1?port={sink_port}" )
          Mx_Failures_To_Delay = 1
          Host_Failure_Retry = 1
        }}
        """)


def held_line(d):
    return [line for line in d.lines("paniclog.ec") if "default/dead.test: queue held for" in line]


def test_dead_domain_is_delayed_once_without_a_record_per_message(tmp_path):
    sink_port = free_port()
    with Daemon(tmp_path, lambda port: dead_domain_config(port, sink_port)) as d:
        ids = [d.send("a@sender.test", [f"u{i}@dead.test"], DATA) for i in range(3)]
        wait_for(lambda: held_line(d), what="the paniclog line of the hold")
        [line] = held_line(d)
        assert "consecutive connection failures" in line, line

        # The messages were not failed one by one: no T (or P) record for any.
        for msgid in ids:
            assert d.records("T", msgid) == [], d.log_text()
            assert d.records("P", msgid) == [], d.log_text()

        # All three wait in the delayed queue, and the console says why.
        shown = d.ctl("showqueue", "dead.test")
        for msgid in ids:
            assert msgid in shown, shown
        mailq = d.ctl("mailq")
        assert re.search(r"^Held: \S+/default dead\.test until \d+: no MX could be reached", mailq, re.M), mailq
        domain = d.ctl("domain", "dead.test")
        assert "Queue: Active: 0 Delayed: 3" in domain, domain
        assert re.search(r"^Queue held until \d+: no MX could be reached", domain, re.M), domain


def test_flush_domain_lifts_the_hold_and_the_mail_is_delivered(tmp_path):
    sink_port = free_port()
    with Daemon(tmp_path, lambda port: dead_domain_config(port, sink_port)) as d:
        ids = [d.send("a@sender.test", [f"u{i}@dead.test"], DATA) for i in range(3)]
        wait_for(lambda: held_line(d), what="the paniclog line of the hold")
        with SmtpSink("127.0.0.1", sink_port) as sink:
            # The refused address is quarantined for Host_Failure_Retry (1 s):
            # wait until the console no longer marks it, then try now.
            wait_for(lambda: "* [127.0.0.1]" not in d.ctl("domain", "dead.test"), what="quarantine to end")
            d.ctl("flush", "domain", "dead.test")
            for msgid in ids:
                [rec] = d.wait_records("D", msgid)
                assert rec["remote_ip"] == "127.0.0.1", rec
            sink.wait_messages(3)
            assert "Queue held until" not in d.ctl("domain", "dead.test")
        assert len(held_line(d)) == 1
