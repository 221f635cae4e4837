"""Recovery of a spool with thousands of messages over many queues (issue 19;
SPEC §5): after a graceful restart every queued message of every domain is
queued again (the recovery batches its queue additions and applies them on a
second thread, Scheduler::recover), and once delivery resumes each
recipient is delivered exactly once. No timing is asserted; the speed is
bench/bigqueue's business.

2,500 messages to 40 suspended domains (each its own queue, spread over the
event loops), every 10th message split over two domains; they are
delivered to a Postfix smtp-sink (the gateway of all 40, at most 4
connections per domain) once the suspension is lifted by a configuration
reload.
"""
import re
import smtplib
import threading

from harness.impulse import Daemon, daemon_config, transaction
from harness.process import wait_for
from harness.smtp_peers import SmtpSink

MESSAGES = 2500
DOMAINS = 40
CLIENTS = 5


def recipients_of(i):
    rcpts = [f"r{i}@d{i % DOMAINS:02d}.test"]
    if i % 10 == 0:
        rcpts.append(f"s{i}@d{(i + 1) % DOMAINS:02d}.test")
    return rcpts


def config(port, sink, suspended):
    domains = "".join(
        f'Domain "d{n:02d}.test" {{\n  Suspend_Delivery = {"true" if suspended else "false"}\n'
        f'  Gateway = "{sink.address}:{sink.port}"\n  Max_Outbound_Connections = 4\n}}\n' for n in range(DOMAINS))
    return daemon_config(port, "Delayed_Queue_Scan_Interval = 1\n", extra=domains)


def summary(d):
    out = {}
    for line in d.ctl("summary").splitlines():
        m = re.fullmatch(r"\t([A-Za-z /]+): (\d+)", line)
        if m:
            out[m.group(1)] = int(m.group(2))
    return out


def inject(d):
    errors = []

    def client(k):
        try:
            with smtplib.SMTP("127.0.0.1", d.port, timeout=60) as c:
                for i in range(k, MESSAGES, CLIENTS):
                    body = f"From: a@sender.test\r\nSubject: m{i}\r\n\r\nmessage {i}\r\n".encode()
                    transaction(c, "a@sender.test", recipients_of(i), body)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(f"client {k}: {e!r}")

    threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_thousands_of_messages_over_many_queues_come_back_after_a_restart_and_are_delivered_once(tmp_path):
    expected = sorted(r for i in range(MESSAGES) for r in recipients_of(i))
    queued = MESSAGES + MESSAGES // 10  # one queue entry per (message, domain)
    # 40 domains, one gateway: up to 160 connections at once (smtp-sink's
    # default accept backlog of 64 would drop some of their handshakes).
    with SmtpSink("127.0.0.1", backlog=1024) as sink:
        holder = {}
        d = Daemon(tmp_path, lambda p: config(p, holder.setdefault("sink", sink), True))
        with d:
            inject(d)
            wait_for(lambda: summary(d).get("Total Queue Size") == queued, timeout=60, what="all queued")
            assert d.impulsed.stop() == 0, d.impulsed.stderr()

            d.start()
            assert f"recovered {MESSAGES} message(s) from the spool" in d.impulsed.stderr()
            wait_for(lambda: summary(d).get("Total Queue Size") == queued, timeout=60, what="all queued again")
            for n in (0, 1, DOMAINS - 1):
                listing = d.ctl("domain", f"d{n:02d}.test")
                want = sum(len([r for r in recipients_of(i) if r.endswith(f"@d{n:02d}.test")])
                           for i in range(MESSAGES))
                assert re.search(rf"\b{want}\b", listing), (n, want, listing)
            assert sink.count == 0  # still suspended

            d.write_config(config(d.port, sink, False))
            assert d.ctl("config", "reload") == "Configuration reloaded.\n"
            got = sink.wait_messages(queued, timeout=180)
            delivered = sorted(r for m in got for r in m.recipients)
            assert delivered == expected  # every recipient once: none lost, none twice
            wait_for(lambda: summary(d).get("Total Queue Size") == 0, timeout=60, what="queues empty")
            assert len(d.wait_records("D", count=len(expected), timeout=30)) == len(expected)
