#!/usr/bin/python3
"""Fan-out benchmark (issue 19, items 1 and 2): N messages of SIZE bytes to
DOMAINS recipient domains, each with its own MX on its own loopback address,
through impulsed and through Postfix in the same sitting. Run by run.sh
(which documents the options); this file does the work:

  1. nsd (tests/integration/harness/dns.py) serves the zone fan.test on
     127.0.0.1:<free port>: d0000.fan.test MX 10 mx.d0000.fan.test, whose A
     is 127.1.0.1; domain i has 127.1.(i // 250).(i % 250 + 1).
  2. sink.py listens on port 25 of every one of those addresses (two processes
     sharing the sockets by SO_REUSEPORT, so that the sink can use both
     cores; restarted for every MTA so that its counters start at zero). Before the
     MTAs it is measured alone: smtp-source (one connection per message,
     SESSIONS sessions) straight into it, then with inject.py straight into
     it (the ceiling of the load generator and sink without an MTA).
  3. impulsed (a copy of the release binary), durable RocksDB spool in a
     fresh directory on disk, Nameservers = the nsd, then inject.py (SESSIONS
     sessions) into it; the clock runs from the injector's first connection
     to the sink's last message.
  4. Postfix (the Debian binaries unpacked by /work/shared/bench/setup-tools.sh,
     a private instance: own config, own durable queue on disk, chroot off)
     pointed at the same nsd: Postfix's smtp client resolves MX records
     through the libc resolver, which reads /etc/resolv.conf, so Postfix is
     started inside a private mount namespace (`unshare -m`) in which a
     generated resolv.conf is bind-mounted over /etc/resolv.conf; it names a
     private unbound on 127.53.0.1:53 whose stub zone fan.test points at the
     nsd (unbound's default local zone "test." is switched off). Nothing
     outside that namespace sees the change.
  5. Peak RSS: impulsed's VmHWM; for Postfix (a master and many daemons) the
     peak over 0.5 s samples of the summed RSS and of the summed PSS
     (shared pages divided among the processes sharing them) of every
     process running a Postfix binary.

Everything it starts is stopped by PID at the end (also on failure); the
work directory is removed unless --keep. RESULT lines go to results.log.
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
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from harness.dns import NsdServer, build_query, parse_reply, zone_header  # noqa: E402
from harness.process import free_port, spawn, stop_group  # noqa: E402

ZONE = "fan.test"
RESOLVER_ADDR = "127.53.0.1"
started: list[subprocess.Popen] = []


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def address(i):
    return f"127.1.{i // 250}.{i % 250 + 1}"


def wait_until(pred, timeout, what):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(0.05)
    raise RuntimeError(f"timed out after {timeout} s waiting for {what}")


def port_open(host, port):
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def load():
    return open("/proc/loadavg").read().split()[0:3]


class Sink:
    """SINK_PROCESSES copies of sink.py sharing the listening addresses."""

    def __init__(self, work, domains, tag, processes=2):
        self.paths, self.procs = [], []
        for k in range(processes):
            path, out = os.path.join(work, f"sink-{tag}-{k}.json"), os.path.join(work, f"sink-{tag}-{k}.log")
            p = spawn(["/usr/bin/python3", os.path.join(HERE, "sink.py"), path, "25",
                       "@" + os.path.join(work, "addresses")], out)
            started.append(p)
            wait_until(lambda: p.poll() is not None or "ready" in open(out).read(), 60, "the sink")
            if p.poll() is not None:
                raise RuntimeError("sink failed: " + open(out).read())
            self.paths.append(path)
            self.procs.append(p)

    def stats(self):
        total = {"connections": 0, "messages": 0, "bytes": 0, "first": 0.0, "last": 0.0, "cpu": 0.0}
        for path in self.paths:
            try:
                s = json.load(open(path))
            except (OSError, ValueError):
                continue
            for k in ("connections", "messages", "bytes", "cpu"):
                total[k] += s[k]
            total["last"] = max(total["last"], s["last"])
            if s["first"]:
                total["first"] = min(total["first"] or s["first"], s["first"])
        return total

    def stop(self):
        for p in self.procs:
            stop_group(p, timeout=10)
        return self.stats()


class RssSampler(threading.Thread):
    """Peak of summed RSS and PSS (kB) of the processes pids() returns."""

    def __init__(self, pids):
        super().__init__(daemon=True)
        self.pids, self.peak_rss, self.peak_pss, self.halt = pids, 0, 0, threading.Event()

    def run(self):
        while not self.halt.wait(0.5):
            rss = pss = 0
            for pid in self.pids():
                try:
                    for line in open(f"/proc/{pid}/smaps_rollup"):
                        if line.startswith("Rss:"):
                            rss += int(line.split()[1])
                        elif line.startswith("Pss:"):
                            pss += int(line.split()[1])
                except OSError:
                    pass
            self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)


def inject(port, a):
    out = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "inject.py"), "127.0.0.1", str(port),
                          str(a.n), str(a.domains), ZONE, str(a.size), str(a.sessions), str(a.per_connection)],
                         capture_output=True, text=True, timeout=a.timeout)
    if out.returncode != 0:
        raise RuntimeError(f"injector failed: {out.stdout} {out.stderr}")
    return json.loads(out.stdout)


def wait_delivered(sink, a, what):
    """All N at the sink; a stall of --stall s (no new message) is a failure."""
    last_count, last_change, end = -1, time.monotonic(), time.monotonic() + a.timeout
    while time.monotonic() < end:
        s = sink.stats()
        if s["messages"] >= a.n:
            return s
        if s["messages"] != last_count:
            last_count, last_change = s["messages"], time.monotonic()
        elif time.monotonic() - last_change > a.stall:
            raise RuntimeError(f"{what}: no delivery for {a.stall} s at {last_count}/{a.n}")
        time.sleep(0.1)
    raise RuntimeError(f"{what}: {last_count}/{a.n} at the sink after {a.timeout} s")


def recursive_a(server, name):
    """The first A record of name from server (RD set), or None."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(1)
        try:
            s.sendto(build_query(name, "A", 4242, recursion_desired=True), (server, 53))
            _, reply = parse_reply(s.recv(4096))
        except OSError:
            return None
    values = reply.values("A")
    return values[0] if values else None


def proc_cpu(pid):
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")


def summarize(name, inj, s, a, peak_rss_kb, extra):
    e2e = s["last"] - inj["start"]
    r = {"mta": name, "n": a.n, "domains": a.domains, "size": a.size, "sessions": a.sessions,
         "e2e_s": round(e2e, 2), "e2e_msg_s": round(a.n / e2e, 1),
         "e2e_MB_s": round(s["bytes"] / e2e / 1e6, 2), "inject_msg_s": round(inj["accepted"] / inj["elapsed"], 1),
         "connections": s["connections"], "peak_rss_MB": round(peak_rss_kb / 1024, 1),
         "sink_cpu_us_msg": round(s["cpu"] * 1e6 / a.n), "injector_cpu_us_msg": round(inj["cpu"] * 1e6 / a.n)}
    r.update(extra)
    return r


def run_sink_alone(work, a, tools):
    m = min(a.n, 10000)
    sink = Sink(work, a.domains, "alone")
    t0 = time.time()
    subprocess.run([os.path.join(tools, "bin", "smtp-source"), "-s", str(a.sessions), "-m", str(m),
                    "-l", str(a.size), "-f", "sender@bench.example", "-t", f"rcpt@d0000.{ZONE}",
                    f"{address(a.domains - 1)}:25"], check=True, timeout=a.timeout)
    s = wait_delivered(sink, argparse.Namespace(n=m, timeout=60, stall=30), "sink alone")
    s = sink.stop()
    dt = s["last"] - t0
    return {"mta": "sink-alone", "n": m, "size": a.size, "msg_s": round(m / dt, 1),
            "sink_cpu_us_msg": round(s["cpu"] * 1e6 / m), "connections": s["connections"]}


def run_ceiling(work, a):
    """inject.py straight into the sink (no MTA): what the load generator and
    the sink together can do on this machine at this moment."""
    m = min(a.n, 10000)
    sink = Sink(work, a.domains, "ceiling")
    b = argparse.Namespace(**vars(a))
    b.n = m
    try:
        out = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "inject.py"), address(0), "25", str(m),
                              str(a.domains), ZONE, str(a.size), str(a.sessions), str(a.per_connection)],
                             capture_output=True, text=True, timeout=a.timeout, check=True)
        inj = json.loads(out.stdout)
        s = wait_delivered(sink, argparse.Namespace(n=m, timeout=60, stall=30), "ceiling")
    finally:
        s = sink.stop()
    dt = s["last"] - inj["start"]
    return {"mta": "ceiling", "n": m, "size": a.size, "msg_s": round(m / dt, 1),
            "sink_cpu_us_msg": round(s["cpu"] * 1e6 / m), "injector_cpu_us_msg": round(inj["cpu"] * 1e6 / m),
            "connections": s["connections"]}


IMPULSE_CONF = """\
# Written by bench/fanout/fanout.py: impulsed for the fan-out benchmark.
Spoolbase = "spool"
Nameservers = ( "{ns}" )
Delivery_Method = ESMTP
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


def run_impulse(work, a, dns):
    d = os.path.join(work, "impulse")
    os.makedirs(d)
    binary = os.path.join(work, "impulsed")
    shutil.copy(a.impulsed, binary)
    port = free_port()
    open(os.path.join(d, "impulse.conf"), "w").write(IMPULSE_CONF.format(ns=dns.nameserver, port=port))
    sink = Sink(work, a.domains, "impulse")
    argv = [binary, "-c", "impulse.conf"] + (["--event-loops", str(a.loops)] if a.loops else [])
    p = spawn(argv, os.path.join(d, "impulsed.out"), cwd=d)
    started.append(p)
    try:
        wait_until(lambda: p.poll() is not None or port_open("127.0.0.1", port), 30, "impulsed to listen")
        if p.poll() is not None:
            raise RuntimeError("impulsed exited: " + open(os.path.join(d, "impulsed.out")).read()[-2000:])
        cpu0 = proc_cpu(p.pid)
        perf = None
        if a.perf:
            perf = spawn(["perf", "record", "-F", "499", "-g", "-p", str(p.pid), "-o",
                          "/var/tmp/impulse-fanout-perf.data"], os.path.join(work, "perf.log"))
            started.append(perf)
        inj = inject(port, a)
        s = wait_delivered(sink, a, "impulse")
        cpu = proc_cpu(p.pid) - cpu0
        if perf:
            perf.send_signal(signal.SIGINT)
            perf.wait(timeout=60)
        hwm = int([l for l in open(f"/proc/{p.pid}/status") if l.startswith("VmHWM:")][0].split()[1])
    finally:
        stop_group(p, timeout=60)
        s2 = sink.stop()
    mainlog = open(os.path.join(d, "mainlog.ec"), errors="replace").read()
    return summarize("impulse" + (f"-loops{a.loops}" if a.loops else ""), inj, s2 if s2["messages"] >= a.n else s, a, hwm,
                     {"mta_cpu_us_msg": round(cpu * 1e6 / a.n), "rejected": inj["rejected"],
                      "mainlog_D": mainlog.count("@D@"), "binary": a.impulsed,
                      "built": time.strftime("%Y-%m-%dT%H:%MZ", time.gmtime(os.path.getmtime(a.impulsed)))})


UNBOUND_CONF = """\
server:
    interface: {addr}
    port: 53
    do-ip6: no
    do-not-query-localhost: no
    username: ""
    chroot: ""
    directory: "{d}"
    pidfile: "{d}/unbound.pid"
    logfile: "{d}/unbound.log"
    use-syslog: no
    module-config: "iterator"
    local-zone: "test." nodefault
    domain-insecure: "{zone}"
    num-threads: 1
remote-control:
    control-enable: no
stub-zone:
    name: "{zone}"
    stub-addr: {ns}
"""

MAIN_CF = """\
# Written by bench/fanout/fanout.py: a private Postfix relaying to MX hosts.
compatibility_level = 3.6
command_directory = {pf}/usr/sbin
daemon_directory = {pf}/usr/lib/postfix/sbin
shlib_directory = {pf}/usr/lib/postfix
meta_directory = {pf}/etc/postfix
sendmail_path = {pf}/usr/sbin/sendmail
newaliases_path = {pf}/usr/bin/newaliases
mailq_path = {pf}/usr/bin/mailq
manpage_directory = {pf}/usr/share/man
html_directory = no
readme_directory = no
queue_directory = {d}/spool
data_directory = {d}/data
mail_owner = postfix
setgid_group = postdrop
import_environment = MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ LANG=C POSTLOG_SERVICE POSTLOG_HOSTNAME LD_LIBRARY_PATH
maillog_file_prefixes = {d}/log
maillog_file = {d}/log/maillog
myhostname = mta.bench.local
mydomain = bench.local
myorigin = $myhostname
mydestination =
local_recipient_maps =
local_transport = error:5.1.1 local delivery disabled
alias_maps =
alias_database =
relay_domains =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
smtpd_recipient_restrictions =
append_dot_mydomain = no
smtputf8_enable = no
biff = no
default_process_limit = 200
"""


def run_postfix(work, a, dns, tools):
    pf = os.path.join(tools, "pfx")
    d = os.path.join(work, "postfix")
    etc = os.path.join(d, "etc")
    for sub in ("etc", "data", "log", "spool", "unbound"):
        os.makedirs(os.path.join(d, sub))
    os.chmod(d, 0o755)
    shutil.chown(os.path.join(d, "data"), "postfix")
    env = dict(os.environ, LD_LIBRARY_PATH=os.path.join(pf, "usr/lib/postfix"))
    ns = dns.nameserver.replace(":", "@")
    ub_dir = os.path.join(d, "unbound")
    open(os.path.join(ub_dir, "unbound.conf"), "w").write(
        UNBOUND_CONF.format(addr=RESOLVER_ADDR, d=ub_dir, zone=ZONE, ns=ns))
    if port_open(RESOLVER_ADDR, 53):
        raise RuntimeError(f"{RESOLVER_ADDR}:53 is taken")
    ub = spawn(["unbound", "-d", "-c", os.path.join(ub_dir, "unbound.conf")], os.path.join(ub_dir, "out"))
    started.append(ub)
    resolv = os.path.join(d, "resolv.conf")
    open(resolv, "w").write(f"nameserver {RESOLVER_ADDR}\noptions attempts:2 timeout:2\n")
    wait_until(lambda: ub.poll() is not None or recursive_a(RESOLVER_ADDR, f"mx.d0000.{ZONE}") == address(0),
               30, "unbound to answer")
    if ub.poll() is not None:
        raise RuntimeError("unbound exited: " + open(os.path.join(ub_dir, "out")).read())
    port = free_port()
    open(os.path.join(etc, "main.cf"), "w").write(MAIN_CF.format(pf=pf, d=d))
    shutil.copy(os.path.join(pf, "usr/share/postfix/master.cf.dist"), os.path.join(etc, "master.cf"))
    postconf = [os.path.join(pf, "usr/sbin/postconf"), "-c", etc]
    subprocess.run(postconf + ["-MX", "smtp/inet"], check=True, env=env)
    subprocess.run(postconf + ["-M", f"127.0.0.1:{port}/inet=127.0.0.1:{port} inet n - n - - smtpd"],
                   check=True, env=env)
    subprocess.run(postconf + ["-F", "*/*/chroot = n"], check=True, env=env)
    postfix = [os.path.join(pf, "usr/sbin/postfix"), "-c", etc]
    subprocess.run(postfix + ["check"], env=env, capture_output=True)
    sink = Sink(work, a.domains, "postfix")
    # the private resolv.conf: only inside this mount namespace (master and
    # every daemon it forks inherit it)
    subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c",
                    f'mount --bind "{resolv}" /etc/resolv.conf && exec "$@"', "sh"] + postfix + ["start"],
                   check=True, env=env, capture_output=True)
    pidfile = os.path.join(d, "spool", "pid", "master.pid")
    master = None

    def pf_pids():
        out = []
        for p in os.listdir("/proc"):
            if p.isdigit():
                try:
                    if os.readlink(f"/proc/{p}/exe").startswith(pf + "/"):
                        out.append(int(p))
                except OSError:
                    pass
        return out

    sampler = RssSampler(pf_pids)
    try:
        wait_until(lambda: port_open("127.0.0.1", port), 30, "postfix to listen")
        master = int(open(pidfile).read().split()[0])
        ns_master = os.readlink(f"/proc/{master}/ns/mnt")
        if ns_master == os.readlink("/proc/self/ns/mnt"):
            raise RuntimeError("postfix master is not in a private mount namespace")
        sampler.start()
        inj = inject(port, a)
        s = wait_delivered(sink, a, "postfix")
        sampler.halt.set()
        sampler.join()
    finally:
        sampler.halt.set()
        subprocess.run(postfix + ["stop"], env=env, capture_output=True)
        if master:
            try:
                wait_until(lambda: not os.path.exists(f"/proc/{master}"), 30, "postfix master to exit")
            except RuntimeError:
                os.kill(master, signal.SIGKILL)
        s2 = sink.stop()
        stop_group(ub, timeout=10)
    maillog = open(os.path.join(d, "log", "maillog"), errors="replace").read()
    return summarize("postfix", inj, s2 if s2["messages"] >= a.n else s, a, sampler.peak_rss,
                     {"peak_pss_MB": round(sampler.peak_pss / 1024, 1), "rejected": inj["rejected"],
                      "maillog_sent": maillog.count("status=sent")})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=100000)
    ap.add_argument("--domains", type=int, default=1000)
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--size", type=int, default=4096)
    ap.add_argument("--per-connection", type=int, default=100)
    ap.add_argument("--only", choices=["impulse", "postfix"])
    ap.add_argument("--impulsed", default=os.path.join(ROOT, "build/release/apps/impulsed/impulsed"))
    ap.add_argument("--tools", default=os.path.join(ROOT, "build/relaybench/tools"))
    ap.add_argument("--timeout", type=float, default=3600)
    ap.add_argument("--stall", type=float, default=120)
    ap.add_argument("--perf", action="store_true")
    ap.add_argument("--loops", type=int, help="impulsed --event-loops N (default: one per core); mta=impulse-loopsN")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--results", default=os.path.join(HERE, "results.log"))
    a = ap.parse_args()
    if not 1 <= a.domains <= 250 * 256:
        sys.exit("--domains must be 1..64000")
    work = tempfile.mkdtemp(prefix="impulse-fanout-", dir="/var/tmp")
    os.chmod(work, 0o755)
    open(os.path.join(work, "addresses"), "w").write("".join(address(i) + "\n" for i in range(a.domains)))
    zone = zone_header(ZONE) + "".join(
        f"d{i:04d} IN MX 10 mx.d{i:04d}\nmx.d{i:04d} IN A {address(i)}\n" for i in range(a.domains))
    results = []
    note = lambda s: open(a.results, "a").write(f"# {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())} {s}\n")
    try:
        with NsdServer({ZONE: zone}) as dns:
            log(f"nsd on {dns.nameserver}, {a.domains} domains; load {load()}")
            note(f"sitting n={a.n} domains={a.domains} size={a.size} sessions={a.sessions} load {load()}")
            r = run_sink_alone(work, a, a.tools)
            log(f"sink alone: {r}")
            results.append(r)
            r = run_ceiling(work, a)
            log(f"injector straight into the sink: {r}")
            results.append(r)
            for name in ("impulse", "postfix"):
                if a.only and a.only != name:
                    continue
                log(f"{name}: start, load {load()}")
                r = run_impulse(work, a, dns) if name == "impulse" else run_postfix(work, a, dns, a.tools)
                r["load_after"] = " ".join(load())
                log(f"{name}: {r}")
                results.append(r)
    finally:
        for p in started:
            if p.poll() is None:
                stop_group(p, timeout=10)
        with open(a.results, "a") as fh:
            for r in results:
                fh.write("RESULT " + json.dumps(r) + "\n")
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            log(f"kept {work}")
    rows = [("end-to-end msg/s", "e2e_msg_s"), ("end-to-end MB/s", "e2e_MB_s"), ("inject msg/s", "inject_msg_s"),
            ("connections at the sink", "connections"), ("peak RSS MB", "peak_rss_MB"),
            ("peak PSS MB (sum)", "peak_pss_MB"), ("MTA CPU us/msg", "mta_cpu_us_msg"),
            ("sink CPU us/msg", "sink_cpu_us_msg"), ("injector CPU us/msg", "injector_cpu_us_msg"),
            ("load after", "load_after")]
    by = {r["mta"]: r for r in results}
    print(f"fan-out: {a.n} x {a.size} B to {a.domains} domains, {a.sessions} sessions")
    if "sink-alone" in by:
        print(f"sink alone (smtp-source, 1 connection/message): {by['sink-alone']['msg_s']} msg/s, "
              f"{by['sink-alone']['sink_cpu_us_msg']} us CPU/msg")
    if "ceiling" in by:
        c = by["ceiling"]
        print(f"injector straight into the sink (no MTA): {c['msg_s']} msg/s, sink {c['sink_cpu_us_msg']} + "
              f"injector {c['injector_cpu_us_msg']} us CPU/msg")
    imp = "impulse" + (f"-loops{a.loops}" if a.loops else "")
    print(f"{'':28}{'Impulse':>20}{'Postfix':>20}")
    for label, key in rows:
        print(f"{label:28}{str(by.get(imp, {}).get(key, '-')):>20}{str(by.get('postfix', {}).get(key, '-')):>20}")


if __name__ == "__main__":
    main()
