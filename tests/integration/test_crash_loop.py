"""Crash loop, short form (issue 18; SPEC §5: a crash may duplicate a
delivery in flight, never lose an accepted message).

3,000 messages from 10 smtplib clients while impulsed is killed with
SIGKILL three times at random moments and restarted at once, delivering to
Postfix's smtp-sink: every message that got a 250 is delivered at least
once. The long form (100,000 messages, 20 clients, 20 kills) is
bench/crashloop/run.sh, with the same driver (bench/crashloop/crashloop.py);
its numbers, duplicates and drain time, are in bench/README.md. No timing
is asserted here.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench", "crashloop"))

import crashloop  # noqa: E402


def test_sigkill_during_injection_and_delivery_loses_no_acknowledged_message(tmp_path):
    r = crashloop.run(str(tmp_path), messages=3000, clients=10, kills=3, deadline_s=600, log=lambda _: None)
    assert r.kills == 3
    assert r.acked == 3000  # every client got through its messages despite the kills
    assert r.lost == [], f"{len(r.lost)} acknowledged message(s) never delivered, e.g. {r.lost[:5]}"
    assert r.delivered_unique >= r.acked
