#!/usr/bin/python3
"""Slow-receiver benchmark (issue 19, item 3), run by bench/slow/run.sh.

    slow.py --tools DIR [-n N] [--connections C] [--delay S] [--size BYTES]
            [--sessions S] [--pipelining] [--only impulse|postfix|sink]
            [--impulsed PATH] [--event-loops L]

A sink (sink.py) that waits --delay (50 ms) before each reply; N messages of
--size (4 KiB) injected by smtp-source (--sessions 20, one connection per
message) into the MTA, which relays them to the sink with C connections
(Impulse: Max_Outbound_Connections = C; Postfix: default_ and
smtp_destination_concurrency_limit = C). Measured in this order, one sink
each, same sitting:
  sink alone   smtp-source -d (C sessions, connections kept) straight into it:
               shows the sink itself reaches the bound at C connections;
  impulse      a copy of build/release's impulsed, durable RocksDB spool;
  postfix      the private Postfix of the shared harness (peers/postfix.sh,
               state under build/slowbench/peers), durable queue.
Rate = (messages - 1) / (last - first message at the sink): the delivery
rate once under way; steady = the same over the middle 80 % of the messages
(no ramp, no tail). The bound is C / (replies per message x delay), where
replies per message are the replies the client waits for on a reused
connection: MAIL, RCPT, DATA (354) and the final dot = 4 (the sink answers
pipelined commands one DELAY apart too, so PIPELINING does not shorten it);
the banner, EHLO, RSET and QUIT the sink actually answered are counted from
its stats and printed per message beside it. Prints one RESULT line per
MTA (also appended to bench/slow/results.log) and a table; the load average
before and after each run is in the RESULT line. Cleans up every process
it started (by PID). Needs root (Postfix's users, cgroup of the harness).
"""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
started = []

IMPULSE_CONF = """\
Spoolbase = "spool"
Nameservers = ( "127.0.0.1:9" )
Delivery_Method = ESMTP
Gateway = "127.0.0.1:{sink}"
Max_Outbound_Connections = {conns}
Idle_Timeout = 5
Retry_Interval = 5
ESMTP_Listener {{
  Relay_Hosts = ( "127.0.0.0/8" )
  Listen "127.0.0.1:{port}" {{ }}
}}
Control_Listener {{
  Listen "./console.sock" {{ }}
}}
ec_logger "ec_logger" {{
  mainlog = "mainlog.ec"
  paniclog = "paniclog.ec"
}}
"""


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def load():
    return open("/proc/loadavg").read().split()[0]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port):
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def wait_until(pred, timeout, what):
    end = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > end:
            raise RuntimeError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


def spawn(cmd, out, **kw):
    p = subprocess.Popen(cmd, stdout=open(out, "w"), stderr=subprocess.STDOUT, start_new_session=True, **kw)
    started.append(p)
    return p


def stop(p, timeout=30):
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


class Sink:
    def __init__(self, work, tag, a):
        self.path = os.path.join(work, f"sink-{tag}.json")
        self.port = free_port()
        cmd = ["/usr/bin/python3", os.path.join(HERE, "sink.py"), self.path, str(self.port), "--delay", str(a.delay)]
        if a.pipelining:
            cmd.append("--pipelining")
        self.p = spawn(cmd, os.path.join(work, f"sink-{tag}.out"))
        wait_until(lambda: self.p.poll() is not None or os.path.exists(self.path), 10, "the sink")
        if self.p.poll() is not None:
            raise RuntimeError("sink exited: " + open(os.path.join(work, f"sink-{tag}.out")).read())

    def stats(self):
        try:
            return json.load(open(self.path))
        except (OSError, ValueError):
            return {"messages": 0}

    def stop(self):
        stop(self.p)
        return self.stats()


def inject(tools, port, a, sessions, keep=False):
    cmd = [os.path.join(tools, "bin", "smtp-source"), "-s", str(sessions), "-l", str(a.size), "-m", str(a.n),
           "-f", "from@bench.test", "-t", "to@slow.test"]
    if keep:
        cmd.insert(1, "-d")
    t0 = time.time()
    r = subprocess.run(cmd + [f"127.0.0.1:{port}"], capture_output=True, text=True, timeout=3600)
    if r.returncode != 0:
        raise RuntimeError(f"smtp-source failed: {r.stderr[-500:]}")
    return time.time() - t0


def wait_delivered(sink, a, what):
    last, changed = -1, time.monotonic()
    while True:
        m = sink.stats().get("messages", 0)
        if m >= a.n:
            return sink.stats()
        if m != last:
            last, changed = m, time.monotonic()
        if time.monotonic() - changed > a.stall:
            raise RuntimeError(f"{what}: no message delivered for {a.stall} s ({m} of {a.n})")
        time.sleep(0.05)


def result(name, s, a, load0, extra):
    span = s["last"] - s["first"]
    rate = (s["messages"] - 1) / span if span > 0 else 0.0
    bound = a.connections / (4 * a.delay)
    # steady: the middle 80 % of the messages, without the ramp and the tail
    t = sorted(s["times"])
    lo, hi = len(t) // 10, len(t) - 1 - len(t) // 10
    steady = (hi - lo) / (t[hi] - t[lo]) if hi > lo and t[hi] > t[lo] else 0.0
    replies = {k: round(v / s["messages"], 3) for k, v in sorted(s["replies"].items())}
    r = {"mta": name, "n": a.n, "size": a.size, "connections_limit": a.connections, "delay_ms": round(a.delay * 1000),
         "pipelining": int(a.pipelining), "msg_s": round(rate, 1), "bound_msg_s": round(bound, 1),
         "of_bound_pct": round(100 * rate / bound, 1),
         "steady_msg_s": round(steady, 1), "steady_of_bound_pct": round(100 * steady / bound, 1), "connections_opened": s["connections"],
         "peak_open": s["peak_open"], "replies_per_msg": replies, "client_ms": s.get("client_ms", {}), "sink_cpu_s": round(s["cpu"], 2),
         "load_before": load0, "load_after": load(), "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    r.update(extra)
    r.pop("times", None)
    line = "RESULT " + " ".join(f"{k}={json.dumps(v, separators=(',', ':')) if isinstance(v, dict) else v}"
                                for k, v in r.items())
    print(line, flush=True)
    with open(os.path.join(HERE, "results.log"), "a") as fh:
        fh.write(line + "\n")
    return r


def run_sink_alone(work, a):
    load0 = load()
    sink = Sink(work, "alone", a)
    try:
        inject(a.tools, sink.port, a, a.connections, keep=True)
        s = wait_delivered(sink, a, "sink alone")
    finally:
        s = sink.stop()
    return result("sink-alone", s, a, load0, {"client": f"smtp-source -d -s {a.connections}"})


def run_impulse(work, a):
    d = os.path.join(work, "impulse")
    os.makedirs(d)
    binary = os.path.join(work, "impulsed")
    shutil.copy(a.impulsed, binary)
    load0 = load()
    sink = Sink(work, "impulse", a)
    port = free_port()
    open(os.path.join(d, "impulse.conf"), "w").write(IMPULSE_CONF.format(sink=sink.port, port=port,
                                                                         conns=a.connections))
    cmd = [binary, "-c", "impulse.conf"] + (["--event-loops", str(a.event_loops)] if a.event_loops else [])
    p = spawn(cmd, os.path.join(d, "impulsed.out"), cwd=d)
    try:
        wait_until(lambda: p.poll() is not None or port_open(port), 30, "impulsed to listen")
        if p.poll() is not None:
            raise RuntimeError("impulsed exited: " + open(os.path.join(d, "impulsed.out")).read()[-2000:])
        inj = inject(a.tools, port, a, a.sessions)
        wait_delivered(sink, a, "impulse")
    finally:
        stop(p, 60)
        s = sink.stop()
    mainlog = open(os.path.join(d, "mainlog.ec"), errors="replace").read()
    return result("impulse", s, a, load0, {"inject_s": round(inj, 2), "mainlog_D": mainlog.count("@D@"),
                                           "event_loops": a.event_loops or os.cpu_count(),
                                           "built": time.strftime("%Y-%m-%dT%H:%MZ",
                                                                  time.gmtime(os.path.getmtime(a.impulsed)))})


def run_postfix(work, a):
    load0 = load()
    sink = Sink(work, "postfix", a)
    port = free_port()
    env = dict(os.environ, BENCH_TOOLS_DIR=a.tools, BENCH_PEERS_DIR=os.path.join(ROOT, "build", "slowbench", "peers"),
               BENCH_RUN_DIR=os.path.join(work, "run"), BENCH_INJECT_PORT=str(port), BENCH_SINK_PORT=str(sink.port),
               POSTFIX_CONCURRENCY=str(a.connections))
    peer = os.path.join(a.bench, "peers", "postfix.sh")
    try:
        subprocess.run([peer, "start"], env=env, check=True, timeout=120)
        inj = inject(a.tools, port, a, a.sessions)
        wait_delivered(sink, a, "postfix")
    finally:
        subprocess.run([peer, "stop"], env=env, timeout=120)
        s = sink.stop()
    return result("postfix", s, a, load0, {"inject_s": round(inj, 2)})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tools", required=True)
    ap.add_argument("--bench", default="/work/shared/bench")
    ap.add_argument("-n", type=int, default=3000)
    ap.add_argument("--connections", type=int, default=20)
    ap.add_argument("--delay", type=float, default=0.05)
    ap.add_argument("--size", type=int, default=4096)
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--pipelining", action="store_true")
    ap.add_argument("--only", choices=["impulse", "postfix", "sink"])
    ap.add_argument("--impulsed", default=os.path.join(ROOT, "build", "release", "apps", "impulsed", "impulsed"))
    ap.add_argument("--event-loops", type=int, default=0)
    ap.add_argument("--stall", type=float, default=30)
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="impulse-slow.", dir="/var/tmp")
    rows = []
    try:
        if a.only in (None, "sink"):
            rows.append(run_sink_alone(work, a))
        if a.only in (None, "impulse"):
            rows.append(run_impulse(work, a))
        if a.only in (None, "postfix"):
            rows.append(run_postfix(work, a))
    finally:
        for p in started:
            if p.poll() is None:
                stop(p)
        shutil.rmtree(work, ignore_errors=True)
    print(f"\nbound: {a.connections} connections / (4 replies x {a.delay * 1000:.0f} ms) = "
          f"{a.connections / (4 * a.delay):.1f} msg/s")
    print("| run | msg/s | % of bound | steady msg/s (middle 80 %) | % of bound | connections opened | peak open | replies per message | client turnaround ms "
          "(MAIL: gap between messages) | load before/after |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        rp = ", ".join(f"{k} {v}" for k, v in r["replies_per_msg"].items())
        ct = ", ".join(f"{k} {v}" for k, v in sorted(r["client_ms"].items()) if k in ("MAIL", "RCPT", "DATA", "DOT",
                                                                                        "RSET"))
        print(f"| {r['mta']} | {r['msg_s']} | {r['of_bound_pct']} | {r['steady_msg_s']} | {r['steady_of_bound_pct']} "
              f"| {r['connections_opened']} | {r['peak_open']} | "
              f"{rp} | {ct} | {r['load_before']}/{r['load_after']} |")


if __name__ == "__main__":
    main()
