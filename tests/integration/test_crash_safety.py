"""Durable before acknowledged (SPEC §5; DESIGN house rule 6): `kill -9`
in the middle of a busy injection loses no message that got a 250.

Ten smtplib clients inject 2,000 messages (each to its own recipient, so an
id can be checked against the envelope it was given for), recording the id
of every `250 2.0.0 Ok: queued as ID`. Once about half are acknowledged the
daemon gets SIGKILL. After a restart every acknowledged id is in the queue
with its own envelope; the only extra messages allowed are the ones whose
250 was in flight when the daemon died (at most one per client).
"""
import os
import re
import smtplib
import threading

from harness.impulse import ID, QUEUED, Impulsed, daemon_config, impulsectl
from harness.process import free_port, wait_for

MESSAGES = 2000
CLIENTS = 10
BODY = b"Subject: crash safety\r\n\r\n" + (b"x" * 98 + b"\r\n") * 10


def config(port):
    # queues hold their mail: no delivery attempts (and no DNS) in these tests
    return daemon_config(port, "Suspend_Delivery = true\n", bouncelog=False)


def inject(port, client, count, acked, lock, errors):
    """Sends `count` messages over one connection until the server goes away
    (an error then is expected; `errors` keeps it for the test to judge)."""
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as c:
            c.ehlo("client.test")
            for i in range(count):
                rcpt = f"c{client}-m{i}@example.com"
                replies = [c.mail(f"c{client}@sender.test"), c.rcpt(rcpt), c.data(BODY)]
                m = QUEUED.match(replies[-1][1].decode())
                if [code for code, _ in replies] != [250, 250, 250] or not m:
                    raise RuntimeError(f"client {client} message {i}: {replies}")
                with lock:
                    acked[m.group(1)] = rcpt
    except Exception as e:  # noqa: BLE001 - reported by the test
        errors.append(e)


def queued(console):
    r = impulsectl(console, "showqueue", "binding", "all", "example.com", "100000,0")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    out = {}
    for head, envelope in zip(lines[0::2], lines[1::2]):
        m = re.fullmatch(rf"\[active/default\] ({ID}) Created: \d+", head)
        assert m, head
        assert m.group(1) not in out
        out[m.group(1)] = envelope
    return out


def test_kill_9_during_injection_loses_no_acknowledged_message(tmp_path):
    port = free_port()
    d = Impulsed(tmp_path, config(port))
    console = os.path.join(d.dir, "console.sock")
    acked, lock, errors = {}, threading.Lock(), []
    with d:
        d.start(wait_ports=[("127.0.0.1", port)])
        threads = [threading.Thread(target=inject, args=(port, k, MESSAGES // CLIENTS, acked, lock, errors),
                                    daemon=True)
                   for k in range(CLIENTS)]
        for t in threads:
            t.start()
        wait_for(lambda: errors or len(acked) >= MESSAGES // 2, timeout=120, interval=0.005,
                 what="half the messages acknowledged")
        assert errors == []  # nothing went wrong before the kill
        d.kill9()
        for t in threads:
            t.join(60)
        assert not any(t.is_alive() for t in threads)
        assert all(isinstance(e, (OSError, smtplib.SMTPException)) for e in errors), errors
        assert MESSAGES // 2 <= len(acked) < MESSAGES  # the kill landed mid-injection

        d.start(wait_ports=[("127.0.0.1", port)])
        wait_for(lambda: os.path.exists(console), what="console socket")
        recovered = re.search(r"recovered (\d+) message\(s\) from the spool", d.stderr())
        assert recovered, d.stderr()
        after = queued(console)
        assert int(recovered.group(1)) == len(after)

        lost = sorted(set(acked) - set(after))
        assert lost == [], f"{len(lost)} acknowledged message(s) lost, e.g. {lost[:5]}"
        for msgid, rcpt in acked.items():
            assert after[msgid] == f"From: <{rcpt.split('-')[0]}@sender.test> To: <{rcpt}>"
        assert len(after) - len(acked) <= CLIENTS
        assert d.stop() == 0
