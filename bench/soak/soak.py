"""Soak (issue 18): impulsed under mixed load for MINUTES while its world
misbehaves, then a drain and the count.

Load: C smtplib clients and one HTTP client (POST /api/v1/messages) inject
messages, each with its own `X-Soak-Id: <client>-<n>` header, to four
domains d1..d4.soak.test (MX records served by nsd, reached through a small
switchable DNS proxy) and, one message in twenty, to bounce.soak.test, whose
MX refuses every RCPT with a 5xx (each such message must bounce: the DSN
goes to sender.soak.test's sink). A client whose connection breaks or whose
message gets no 250 tries again later with a new id (only 250s count).

Faults, on a fixed schedule over the run (times are fractions of it):
  - the sinks of d1 and d2 die and come back (twice each, ~8 % of the run);
  - the DNS proxy answers SERVFAIL to everything (~10 % of the run, twice);
  - d3's sink answers every RCPT with a 4xx (a 4xx storm, ~10 %, twice);
  - `config reload` every minute (the configuration toggles an option);
  - impulsed is killed with SIGKILL and restarted KILLS times.
Every minute: RSS and open file descriptors of impulsed (from /proc).

At the end the faults are lifted and the driver waits (DRAIN_S at most)
until every acknowledged message was delivered (its id in a recipient
sink's dump) or bounced (a P record in the mainlog, or its DSN at the
sender sink), and prints one RESULT line:
  accepted delivered bounced lost duplicates, reloads, kills,
  peak_rss_mb, fds (min/max over the samples), rss (first/last sample).
Samples go to soak-samples.csv in --out (default: the work directory).

Run it through bench/soak/run.sh. Loopback only, free ports, every process
started stopped by PID, work directory removed by run.sh.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import signal
import smtplib
import socket
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "integration"))

from harness.dns import NsdServer, zone_header  # noqa: E402
from harness.impulse import QUEUED, Impulsed, daemon_config, impulsectl  # noqa: E402
from harness.logs import parse_records, read_lines  # noqa: E402
from harness.process import free_port, port_open, wait_for  # noqa: E402
from harness.smtp_peers import SmtpSink  # noqa: E402

SOAK_ID = re.compile(rb"^X-Soak-Id: (\S+)\r?$", re.M)
DOMAINS = ["d1", "d2", "d3", "d4"]
ADDR = {"d1": "127.0.61.1", "d2": "127.0.61.2", "d3": "127.0.61.3", "d4": "127.0.61.4",
        "bounce": "127.0.61.5", "sender": "127.0.61.6"}
BODY = "\r\n".join(["soak line " + "s" * 66] * 8) + "\r\n"


class DnsSwitch:
    """UDP DNS proxy on 127.0.0.1: forwards to nsd, or answers SERVFAIL to
    every question while `servfail` is set."""

    def __init__(self, upstream_port):
        self.upstream = ("127.0.0.1", upstream_port)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.servfail = False
        self.answered_servfail = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            try:
                q, client = self.sock.recvfrom(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            if len(q) < 12:
                continue
            if self.servfail:
                end = 12
                while end < len(q) and q[end] != 0:
                    end += q[end] + 1
                question = q[12:end + 5]  # the name, its root label, QTYPE, QCLASS (the OPT record dropped)
                flags = (q[2] | 0x80, (q[3] & 0x10) | 0x80 | 0x02)  # QR, keep RD and CD, RA, RCODE 2
                self.sock.sendto(q[:2] + bytes(flags) + b"\0\1\0\0\0\0\0\0" + question, client)
                self.answered_servfail += 1
                continue
            threading.Thread(target=self._forward, args=(q, client), daemon=True).start()

    def _forward(self, q, client):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as up:
            up.settimeout(2)
            try:
                up.sendto(q, self.upstream)
                self.sock.sendto(up.recv(65535), client)
            except OSError:
                pass

    def close(self):
        self._stop.set()
        self._thread.join(5)
        self.sock.close()


class Sinks:
    """One smtp-sink per role, each on its own address and the shared
    port; restartable. Dumps of every life are kept (hard links)."""

    def __init__(self, port, keep_dir):
        self.port = port
        self.keep_dir = keep_dir
        self.sinks = {}
        self.lives = 0
        self.lock = threading.Lock()

    def start(self, role, **options):
        sink = SmtpSink(ADDR[role], self.port, verbose=False, **options)
        sink.start()
        with self.lock:
            self.sinks[role] = (sink, self.lives)
            self.lives += 1

    def keep(self, role):
        """Link the dump of `role`'s current life (smtp-sink creates the
        file at its first message) so it survives stop()."""
        sink, life = self.sinks[role]
        kept = os.path.join(self.keep_dir, f"{role}.{life}")
        if not os.path.exists(kept) and os.path.exists(sink.dump_path):
            os.link(sink.dump_path, kept)

    def stop(self, role):
        # Link the dump first: a life that ended before the sampler's first
        # keep_all() (a short run, a sink that dies early) would otherwise
        # take its deliveries with it, and they would count as lost.
        self.keep(role)
        sink, _ = self.sinks.pop(role)
        sink.stop()

    def keep_all(self):
        for role in list(self.sinks):
            self.keep(role)

    def stop_all(self):
        for role in list(self.sinks):
            self.keep(role)
            self.stop(role)

    def ids(self, roles):
        """X-Soak-Id values found in every kept dump of `roles`; with counts."""
        seen = {}
        for name in os.listdir(self.keep_dir):
            if name.split(".")[0] not in roles:
                continue
            with open(os.path.join(self.keep_dir, name), "rb") as fh:
                for m in SOAK_ID.finditer(fh.read()):
                    k = m.group(1).decode()
                    seen[k] = seen.get(k, 0) + 1
        return seen


def config(port, http_port, ns_port, remote_port, toggle):
    return daemon_config(port, f"""\
        Nameservers = ( "127.0.0.1:{ns_port}" )
        Remote_SMTP_Port = {remote_port}
        Retry_Interval = 5
        Max_Retry_Interval = {10 + toggle}
        Delayed_Queue_Scan_Interval = 2
        Host_Failure_Retry = 2
        """, listener="Idle_Time = 30", extra=f"""\
        HTTP_Listener {{
          Listen "127.0.0.1:{http_port}" {{ }}
        }}
        """)


class Soak:
    def __init__(self, args):
        self.args = args
        self.work = args.workdir
        self.keep_dir = os.path.join(self.work, "dumps")
        os.makedirs(self.keep_dir)
        self.acked = {}  # soak id -> (msgid, domain)
        self.lock = threading.Lock()
        self.running = threading.Event()
        self.errors = 0
        self.reloads = 0
        self.reload_failures = 0
        self.kills = 0
        self.samples = []  # (t, pid, rss_kb, fds)
        self.events = []

    def log(self, text):
        line = f"soak: {time.time() - self.t0:7.1f}s {text}"
        self.events.append(line)
        print(line, flush=True)

    # -- load ----------------------------------------------------------------------------

    def pick(self, rng):
        return "bounce" if rng.random() < 0.05 else rng.choice(DOMAINS)

    def message(self, sid, domain):
        return (f"From: load@sender.soak.test\r\nTo: user@{domain}.soak.test\r\nSubject: soak {sid}\r\n"
                f"X-Soak-Id: {sid}\r\n\r\n{BODY}")

    def smtp_client(self, n):
        rng = random.Random(n)
        i = 0
        client = None
        while self.running.is_set():
            domain = self.pick(rng)
            sid = f"s{n}-{i}"
            i += 1
            try:
                if client is None:
                    client = smtplib.SMTP("127.0.0.1", self.port, timeout=30)
                    client.ehlo("soak.client")
                code, _ = client.mail("load@sender.soak.test")
                if code != 250:
                    raise smtplib.SMTPException(code)
                code, _ = client.rcpt(f"user@{domain}.soak.test")
                if code != 250:
                    client.rset()
                    raise smtplib.SMTPException(code)
                code, text = client.data(self.message(sid, domain).encode())
                m = QUEUED.match(text.decode(errors="replace"))
                if code == 250 and m:
                    with self.lock:
                        self.acked[sid] = (m.group(1), domain)
            except (OSError, smtplib.SMTPException):
                self.errors += 1
                try:
                    if client:
                        client.close()
                except OSError:
                    pass
                client = None
                time.sleep(0.5)  # pacing a reconnect, not a test timing
            time.sleep(self.args.pause)

    def http_client(self):
        rng = random.Random(1000)
        i = 0
        while self.running.is_set():
            domain = self.pick(rng)
            sid = f"h-{i}"
            i += 1
            body = json.dumps({"envelope_sender": "load@sender.soak.test",
                               "recipients": [f"user@{domain}.soak.test"],
                               "content": self.message(sid, domain)})
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=30)
                c.request("POST", "/api/v1/messages", body, {"Content-Type": "application/json"})
                r = c.getresponse()
                doc = json.loads(r.read() or b"{}")
                c.close()
                if r.status == 200 and "id" in doc:
                    with self.lock:
                        self.acked[sid] = (doc["id"], domain)
            except (OSError, ValueError, http.client.HTTPException):
                self.errors += 1
                time.sleep(0.5)
            time.sleep(self.args.pause * 2)

    # -- the daemon ----------------------------------------------------------------------

    def write_config(self, toggle):
        self.daemon.write_config(config(self.port, self.http_port, self.dns.port, self.remote_port, toggle))

    def sample(self):
        pid = self.daemon.proc.pid
        try:
            with open(f"/proc/{pid}/status") as fh:
                rss = next(int(l.split()[1]) for l in fh if l.startswith("VmRSS:"))
            fds = len(os.listdir(f"/proc/{pid}/fd"))
        except (OSError, StopIteration):
            return
        self.samples.append((round(time.time() - self.t0, 1), pid, rss, fds))

    def kill_and_restart(self):
        self.daemon.kill9()
        self.kills += 1
        self.daemon.start(wait_ports=[("127.0.0.1", self.port), ("127.0.0.1", self.http_port)])
        self.log(f"SIGKILL {self.kills}, restarted as pid {self.daemon.proc.pid}")

    # -- the run -------------------------------------------------------------------------

    def schedule(self, duration):
        """(time, action name, function) sorted by time."""
        f = lambda x: x * duration  # noqa: E731
        s = []
        for start in (0.12, 0.55):
            for role, off in (("d1", 0.0), ("d2", 0.04)):
                s.append((f(start + off), f"sink {role} dies", lambda r=role: self.sinks.stop(r)))
                s.append((f(start + off + 0.08), f"sink {role} returns", lambda r=role: self.sinks.start(r)))
        for start in (0.25, 0.7):
            s.append((f(start), "DNS SERVFAIL on", lambda: setattr(self.dns, "servfail", True)))
            s.append((f(start + 0.1), "DNS SERVFAIL off", lambda: setattr(self.dns, "servfail", False)))
        for start in (0.38, 0.82):
            def storm(on):
                self.sinks.keep("d3")
                self.sinks.stop("d3")
                if on:
                    self.sinks.start("d3", soft_reject={"RCPT"}, soft_reply="451 4.3.0 soak storm")
                else:
                    self.sinks.start("d3")
            s.append((f(start), "4xx storm at d3 on", lambda: storm(True)))
            s.append((f(start + 0.1), "4xx storm at d3 off", lambda: storm(False)))
        kills = self.args.kills
        for k in range(kills):
            s.append((f((k + 1) / (kills + 1)) + 7, "SIGKILL", self.kill_and_restart))
        return sorted(s, key=lambda e: e[0])

    def run(self):
        a = self.args
        self.t0 = time.time()
        self.remote_port = free_port("127.0.0.1")
        self.port, self.http_port = free_port(), free_port()
        zone = zone_header("soak.test", ttl=5, negative_ttl=5)
        for role, ip in ADDR.items():
            zone += f"{role} IN MX 10 mx.{role}\nmx.{role} IN A {ip}\n"
        self.nsd = NsdServer({"soak.test": zone}).start()
        self.dns = DnsSwitch(self.nsd.port)
        self.sinks = Sinks(self.remote_port, self.keep_dir)
        for role in DOMAINS + ["sender"]:
            self.sinks.start(role)
        self.sinks.start("bounce", hard_reject={"RCPT"}, hard_reply="550 5.1.1 soak: no such user")
        self.daemon = Impulsed(os.path.join(self.work, "impulsed"), "")
        self.write_config(0)
        try:
            self.daemon.start(wait_ports=[("127.0.0.1", self.port), ("127.0.0.1", self.http_port)])
            self.log(f"impulsed pid {self.daemon.proc.pid}; {a.minutes} min, {a.clients} SMTP clients + 1 HTTP")
            self.running.set()
            threads = [threading.Thread(target=self.smtp_client, args=(n,), daemon=True) for n in range(a.clients)]
            threads.append(threading.Thread(target=self.http_client, daemon=True))
            for t in threads:
                t.start()
            duration = a.minutes * 60
            plan = self.schedule(duration)
            next_reload, next_sample, toggle = 60.0, 0.0, 0
            while True:
                now = time.time() - self.t0
                if now >= duration:
                    break
                while plan and plan[0][0] <= now:
                    _, name, action = plan.pop(0)
                    action()
                    if name != "SIGKILL":
                        self.log(name)
                if now >= next_reload:
                    toggle ^= 1
                    self.write_config(toggle)
                    r = impulsectl(os.path.join(self.daemon.dir, "console.sock"), "config", "reload")
                    self.reloads += 1
                    if r.returncode != 0:
                        self.reload_failures += 1
                        self.log(f"config reload failed: {r.stdout}{r.stderr}")
                    next_reload += 60
                if now >= next_sample:
                    self.sample()
                    self.sinks.keep_all()
                    next_sample += a.sample_s
                time.sleep(0.2)  # the driver's tick
            self.running.clear()
            for t in threads:
                t.join(60)
            # lift every fault, then drain
            self.dns.servfail = False
            for role in DOMAINS + ["sender"]:
                if role not in self.sinks.sinks:
                    self.sinks.start(role)
            if "d3" in self.sinks.sinks:
                self.sinks.keep("d3")
                self.sinks.stop("d3")
                self.sinks.start("d3")
            self.log(f"load stopped: {len(self.acked)} accepted; draining (at most {a.drain_s} s)")
            t_drain = time.time()
            done = lambda: not self.missing()  # noqa: E731
            while time.time() - t_drain < a.drain_s and not done():
                self.sinks.keep_all()
                self.sample()
                time.sleep(2)  # polling the sinks
            self.sinks.keep_all()
            self.sample()
            drain_s = time.time() - t_drain
            return self.report(drain_s)
        finally:
            self.running.clear()
            self.daemon.__exit__(None, None, None)
            self.sinks.stop_all()
            self.dns.close()
            self.nsd.stop()

    def bounced_ids(self):
        msgids = {r["msgid"] for r in parse_records(read_lines(os.path.join(self.daemon.dir, "mainlog.ec")), "P")}
        by_log = {sid for sid, (mid, _) in self.acked.items() if mid in msgids}
        return by_log | set(self.sinks.ids({"sender"}))

    def missing(self):
        delivered = self.sinks.ids(set(DOMAINS))
        bounced = self.bounced_ids()
        return [sid for sid in self.acked if sid not in delivered and sid not in bounced]

    def report(self, drain_s):
        delivered = self.sinks.ids(set(DOMAINS))
        bounced = self.bounced_ids()
        acked = set(self.acked)
        lost = sorted(acked - set(delivered) - bounced)
        dups = sum(c - 1 for c in delivered.values() if c > 1)
        wrong = [s for s in acked & bounced if self.acked[s][1] != "bounce"]
        path = os.path.join(self.args.out or self.work, "soak-samples.csv")
        with open(path, "w") as fh:
            fh.write("t_s,pid,rss_kb,fds\n")
            for s in self.samples:
                fh.write(",".join(map(str, s)) + "\n")
        rss = [s[2] for s in self.samples]
        fds = [s[3] for s in self.samples]
        per_life = {}
        for _, pid, r, f in self.samples:
            per_life.setdefault(pid, []).append((r, f))
        print("soak: samples (t s, pid, RSS KiB, fds):")
        for s in self.samples:
            print(f"soak:   {s[0]:8.1f} {s[1]:7d} {s[2]:8d} {s[3]:5d}")
        print(f"RESULT accepted={len(acked)} delivered={len(acked & set(delivered))} "
              f"bounced={len(acked & bounced)} lost={len(lost)} duplicates={dups} "
              f"bounced_not_bounce_domain={len(wrong)} client_errors={self.errors} "
              f"reloads={self.reloads} reload_failures={self.reload_failures} kills={self.kills} "
              f"servfail_answers={self.dns.answered_servfail} drain_s={drain_s:.0f} "
              f"peak_rss_mb={max(rss) / 1024:.1f} rss_first_last_mb={rss[0] / 1024:.1f}/{rss[-1] / 1024:.1f} "
              f"fds_min_max={min(fds)}/{max(fds)} samples={path}")
        if lost:
            print("soak: lost (first 20):", [(s, self.acked[s]) for s in lost[:20]])
        return 0 if not lost and self.kills == self.args.kills else 1


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--minutes", type=float, default=30)
    p.add_argument("--clients", type=int, default=4)
    p.add_argument("--kills", type=int, default=3)
    p.add_argument("--pause", type=float, default=0.05, help="seconds between one client's messages")
    p.add_argument("--sample-s", type=float, default=15)
    p.add_argument("--drain-s", type=float, default=600)
    p.add_argument("--workdir", required=True)
    p.add_argument("--out", default=None)
    a = p.parse_args()
    # SIGTERM (timeout(1), a stopped CI job) ends the run through its finally
    # blocks, so nsd, the sinks and impulsed are stopped, not left behind.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.exit(Soak(a).run())


if __name__ == "__main__":
    main()
