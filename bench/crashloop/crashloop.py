"""Crash loop (issue 18): injection while impulsed is killed with SIGKILL
and restarted, delivery to Postfix's smtp-sink, then a drain and the count.

N messages from C smtplib clients (each message carries its own
`X-Crash-Id: c<client>-m<index>` header and goes to its own recipient).
K SIGKILLs land at random moments: each after a randomly chosen number of
acknowledged messages (uniform over the run) plus a random 0-200 ms, and
the daemon is restarted at once (ready when its SMTP port answers). A
client whose connection breaks, or whose message gets a 4xx, reconnects
and sends the same message again. At the end, after the last message is
acknowledged, the driver waits until every acknowledged message is in
smtp-sink's dump (the drain) and counts:

  acked      messages that got `250 ... queued as`
  lost       acked messages never delivered (must be 0)
  duplicates deliveries beyond the first of a message (a delivery in
             flight when the daemon died, or a retried message whose
             earlier copy had been made durable before the kill)
  drain_s    seconds from the last 250 to the last acked message delivered

Run it through bench/crashloop/run.sh (the long form) or import it
(tests/integration/test_crash_loop.py, a short form). Everything runs on
loopback, on free ports, in one work directory; every process started is
stopped by PID. Failures raise; a timeout names what was awaited.
"""
from __future__ import annotations

import argparse
import os
import queue
import random
import re
import smtplib
import sys
import threading
import time
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "integration"))

from harness.impulse import QUEUED, Impulsed, daemon_config, impulsectl  # noqa: E402
from harness.process import free_port, port_open, wait_for  # noqa: E402
from harness.smtp_peers import SmtpSink  # noqa: E402

CRASH_ID = re.compile(rb"^X-Crash-Id: (c\d+-m\d+)$", re.M)
BODY = "\r\n".join(["crash loop line " + "x" * 60] * 12) + "\r\n"


@dataclass
class Result:
    messages: int = 0
    clients: int = 0
    kills: int = 0
    acked: int = 0
    delivered_unique: int = 0
    duplicates: int = 0
    lost: list = field(default_factory=list)
    delivered_unacked: int = 0  # in flight at a kill, then retried: delivered though no 250 was seen
    inject_s: float = 0.0
    drain_s: float = 0.0

    def line(self) -> str:
        return (f"RESULT messages={self.messages} clients={self.clients} kills={self.kills} acked={self.acked} "
                f"delivered={self.delivered_unique} lost={len(self.lost)} duplicates={self.duplicates} "
                f"delivered_without_250={self.delivered_unacked} inject_s={self.inject_s:.1f} "
                f"drain_s={self.drain_s:.1f}")


def config(port: int, sink: SmtpSink) -> str:
    return daemon_config(port, """\
        Retry_Interval = 1
        Max_Retry_Interval = 2
        Delayed_Queue_Scan_Interval = 1
        """, bouncelog=False,
        extra=f'Domain "crash.test" {{ Routes = ( "smtp://{sink.address}?port={sink.port}" ) }}\n')


class Daemon:
    """impulsed, killed and restarted on demand (the stderr file collects
    every run's lines)."""

    def __init__(self, workdir: str, sink: SmtpSink, ready_timeout: float):
        self.port = free_port()
        self.impulsed = Impulsed(workdir, config(self.port, sink))
        self.ready_timeout = ready_timeout
        self.lock = threading.Lock()
        self.generation = 0  # bumped by every restart

    def start(self):
        self.impulsed.start(wait_ports=[("127.0.0.1", self.port)], timeout=self.ready_timeout)

    def kill_and_restart(self):
        with self.lock:
            if self.impulsed.proc.poll() is not None:
                raise RuntimeError(f"impulsed had died (status {self.impulsed.proc.returncode}): "
                                   + self.impulsed.stderr()[-2000:])
            self.impulsed.kill9()
            self.impulsed.start(wait_ports=[("127.0.0.1", self.port)], timeout=self.ready_timeout)
            self.generation += 1

    def alive(self) -> bool:
        return self.impulsed.proc is not None and self.impulsed.proc.poll() is None


def send_all(d: Daemon, client: int, count: int, acked: dict, lock: threading.Lock, progress, stop: threading.Event,
             errors: list, deadline: float):
    """Client `client`: messages c<client>-m0..m<count-1>, each until it gets a 250."""
    c = None
    i = 0
    while i < count and not stop.is_set():
        if time.monotonic() > deadline:
            errors.append(f"client {client}: deadline passed at message {i}")
            return
        tag = f"c{client}-m{i}"
        try:
            if c is None:
                c = smtplib.SMTP("127.0.0.1", d.port, timeout=30)
                c.ehlo("crashloop.test")
            if c.mail("sender@crashloop.test")[0] != 250 or c.rcpt(f"{tag}@crash.test")[0] != 250:
                raise smtplib.SMTPException("MAIL or RCPT refused")
            code, text = c.data(f"Subject: {tag}\r\nX-Crash-Id: {tag}\r\n\r\n{BODY}".encode())
            m = QUEUED.match(text.decode(errors="replace"))
            if code == 250 and m:
                with lock:
                    acked[tag] = m.group(1)
                progress()
                i += 1
            else:
                c.rset()
        except (OSError, smtplib.SMTPException):
            # The daemon died (or refused): reconnect once it listens again.
            try:
                if c is not None:
                    c.close()
            except OSError:
                pass
            c = None
            wait_for(lambda: port_open("127.0.0.1", d.port), timeout=120, interval=0.05,
                     what=f"client {client}: the daemon to listen again")
    if c is not None:
        try:
            c.quit()
        except (OSError, smtplib.SMTPException):
            pass


def delivered_ids(sink: SmtpSink) -> list[bytes]:
    try:
        with open(sink.dump_path, "rb") as f:
            return CRASH_ID.findall(f.read())
    except FileNotFoundError:
        return []


def run(workdir: str, messages: int, clients: int, kills: int, seed: int | None = None,
        sink_address: str = "127.0.0.71", deadline_s: float = 3600, ready_timeout: float = 120,
        log=print) -> Result:
    rng = random.Random(seed)
    os.makedirs(workdir, exist_ok=True)
    result = Result(messages=messages, clients=clients)
    acked: dict[str, str] = {}
    lock = threading.Lock()
    errors: list = []
    stop = threading.Event()
    deadline = time.monotonic() + deadline_s
    # Kill points: after this many acknowledged messages (distinct, sorted).
    points = sorted(rng.sample(range(max(1, messages // 20), max(messages * 19 // 20, messages // 20 + kills + 1)),
                               kills))
    kill_now: queue.Queue = queue.Queue()  # one token per kill point passed
    count = [0]

    def progress():
        with lock:
            count[0] += 1
            while points and count[0] >= points[0]:
                points.pop(0)
                kill_now.put(count[0])

    with SmtpSink(sink_address, verbose=False, backlog=256) as sink:
        d = Daemon(os.path.join(workdir, "impulsed"), sink, ready_timeout)
        with d.impulsed:
            d.start()

            def killer():
                # Until injection is over and every kill point passed was used.
                while not (stop.is_set() and kill_now.empty()):
                    try:
                        kill_now.get(timeout=0.05)
                    except queue.Empty:
                        continue
                    time.sleep(rng.uniform(0, 0.2))  # a random moment, not a round number
                    try:
                        d.kill_and_restart()
                    except Exception as e:  # noqa: BLE001 - stops the run below
                        errors.append(f"restart {result.kills + 1}: {e}")
                        stop.set()
                        return
                    result.kills += 1
                    log(f"kill {result.kills}: {count[0]} acked, restarted")

            k = threading.Thread(target=killer, daemon=True)
            k.start()
            per = [messages // clients + (1 if c < messages % clients else 0) for c in range(clients)]
            start = time.monotonic()
            threads = [threading.Thread(target=send_all,
                                        args=(d, c, per[c], acked, lock, progress, stop, errors, deadline),
                                        daemon=True) for c in range(clients)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(max(1.0, deadline - time.monotonic()))
            stop.set()
            k.join(ready_timeout + 10)
            injected_at = time.monotonic()
            result.inject_s = injected_at - start
            if errors:
                raise RuntimeError(f"injection failed: {errors[:5]}")
            if any(t.is_alive() for t in threads):
                raise RuntimeError("injection did not finish before the deadline")
            result.acked = len(acked)

            want = set(acked)

            def drained():
                got = {x.decode() for x in delivered_ids(sink)}
                return want <= got
            try:
                wait_for(drained, timeout=max(30.0, deadline - time.monotonic()), interval=0.25,
                         what="every acknowledged message at the sink")
            except TimeoutError:
                pass  # counted as lost below
            result.drain_s = time.monotonic() - injected_at
            # Copies still queued (retried messages whose first copy was
            # durable too) go out before the count, so duplicates are all seen.
            ctl = os.path.join(d.impulsed.dir, "console.sock")
            try:
                wait_for(lambda: "Total Queue Size: 0" in impulsectl(ctl, "summary").stdout, timeout=60,
                         interval=0.5, what="an empty queue")
            except TimeoutError:
                pass
            if not d.alive():
                raise RuntimeError(f"impulsed died on its own (status {d.impulsed.proc.returncode}): "
                                   + d.impulsed.stderr()[-2000:])
            ids = [x.decode() for x in delivered_ids(sink)]
            unique = set(ids)
            result.delivered_unique = len(unique)
            result.duplicates = len(ids) - len(unique)
            result.lost = sorted(want - unique)
            result.delivered_unacked = len(unique - want)
            log(impulsectl(ctl, "summary").stdout.strip())
            d.impulsed.stop()
    return result


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--messages", type=int, default=100000)
    p.add_argument("--clients", type=int, default=20)
    p.add_argument("--kills", type=int, default=20)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--workdir", required=True)
    p.add_argument("--deadline", type=float, default=3600, help="seconds for the whole run")
    a = p.parse_args(argv)
    r = run(a.workdir, a.messages, a.clients, a.kills, a.seed, deadline_s=a.deadline,
            log=lambda text: print(text, flush=True))
    print(r.line(), flush=True)
    if r.lost:
        print(f"LOST {len(r.lost)}: {r.lost[:20]}", flush=True)
    return 1 if r.lost or r.kills < a.kills else 0


if __name__ == "__main__":
    sys.exit(main())
