"""Many nodes as one sender (SPEC §18, issue 17): limits shared through a
private redis-server on loopback by two or three real impulsed delivering
to one SMTP server in this test that records simultaneous connections and
when each message arrived.

Cluster_Max_Outbound_Connections holds across nodes (and a control run
without the Cluster stanza shows it would not); a killed node's slots come
back within Cluster_Lease_Time; a shared Cluster_Outbound_Throttle_Messages
holds over the window the server saw; Redis stopped and restarted under
local_share and closed, with nothing lost, the paniclog lines and summary.
"""
import asyncio
import os
import shutil
import signal
import subprocess
import threading
import time
import urllib.request

import pytest

from harness.impulse import Daemon, daemon_config, run_impulsed
from harness.process import free_port, port_open, wait_for

DOMAIN = "example.test"


class CountingSmtp:
    """A minimal SMTP server (asyncio, own thread) that counts connections
    open at once and records each message's arrival time. `hold` (an Event)
    makes DATA wait before its 250 while it is clear."""

    def __init__(self, data_delay=0.0):
        self.port = free_port()
        self.data_delay = data_delay
        self.lock = threading.Lock()
        self.open = 0
        self.max_open = 0
        self.connections = 0
        self.arrivals = []
        self.subjects = []
        self.release = None  # asyncio.Event: DATA waits for it when set up
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        asyncio.set_event_loop(self.loop)
        self.server = self.loop.run_until_complete(asyncio.start_server(self._session, "127.0.0.1", self.port))
        self.loop.run_forever()

    def start(self):
        self.thread.start()
        wait_for(lambda: port_open("127.0.0.1", self.port), what="counting SMTP server")
        return self

    def stop(self):
        def halt():
            self.server.close()
            self.loop.stop()
        self.loop.call_soon_threadsafe(halt)
        self.thread.join(5)

    def stall(self):
        """DATA is not answered until unstall()."""
        def make():
            self.release = asyncio.Event()
        self.loop.call_soon_threadsafe(make)

    def unstall(self):
        def go():
            if self.release:
                self.release.set()
        self.loop.call_soon_threadsafe(go)

    def count(self):
        with self.lock:
            return len(self.arrivals)

    async def _session(self, reader, writer):
        with self.lock:
            self.open += 1
            self.connections += 1
            self.max_open = max(self.max_open, self.open)
        try:
            writer.write(b"220 counting ESMTP\r\n")
            await writer.drain()
            while True:
                line = await asyncio.wait_for(reader.readline(), 30)
                if not line:
                    return
                verb = line[:4].upper()
                if verb in (b"EHLO", b"HELO", b"LHLO"):
                    writer.write(b"250-counting\r\n250 PIPELINING\r\n")
                elif verb == b"DATA":
                    writer.write(b"354 go\r\n")
                    await writer.drain()
                    subject = b""
                    while (got := await asyncio.wait_for(reader.readline(), 30)) not in (b".\r\n", b""):
                        if got.startswith(b"Subject: "):
                            subject = got[9:].strip()
                    if self.release is not None:
                        await self.release.wait()
                    if self.data_delay:
                        await asyncio.sleep(self.data_delay)  # the peer is slow: connections stay busy
                    with self.lock:
                        self.arrivals.append(time.monotonic())
                        self.subjects.append(subject.decode())
                    writer.write(b"250 ok\r\n")
                elif verb == b"QUIT":
                    writer.write(b"221 bye\r\n")
                    await writer.drain()
                    return
                else:
                    writer.write(b"250 ok\r\n")
                await writer.drain()
        except (asyncio.TimeoutError, ConnectionError):
            return
        finally:
            with self.lock:
                self.open -= 1
            writer.close()


class Redis:
    """A private redis-server on a free loopback port, killed by PID."""

    def __init__(self, workdir):
        self.port = free_port()
        self.dir = workdir
        self.proc = None

    def start(self):
        exe = shutil.which("redis-server")
        if not exe:
            pytest.fail("redis-server is missing: run scripts/install-deps.sh")
        self.proc = subprocess.Popen([exe, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no", "--dir", self.dir],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: port_open("127.0.0.1", self.port), what="redis-server")
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
        self.proc = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


@pytest.fixture
def sink():
    s = CountingSmtp(data_delay=0.2).start()
    yield s
    s.stop()


@pytest.fixture
def redis(tmp_path):
    with Redis(str(tmp_path)) as r:
        yield r


def node_config(sink_port, redis_port=None, name="n", domain_options="", failure="local_share", nodes=2,
                http_port=None, top=""):
    cluster = top
    if http_port is not None:
        cluster += f'HTTP_Listener {{\n  Relay_Hosts = ( "127.0.0.0/8" )\n  Listen "127.0.0.1:{http_port}" {{ }}\n}}\n'
    if redis_port is not None:
        cluster += (f'Cluster {{\n  Redis = "127.0.0.1:{redis_port}"\n  Node_Name = "{name}"\n'
                   f'  Cluster_Lease_Time = 3\n  Cluster_Redis_Failure = {failure}\n'
                   f'  Cluster_Expected_Nodes = {nodes}\n}}\n')
    extra = cluster + (f'Domain "{DOMAIN}" {{\n  Routes = ( "smtp://127.0.0.1?port={sink_port}" )\n'
                       f'  Max_Outbound_Connections = 10\n{domain_options}}}\n')
    return lambda port: daemon_config(port, extra=extra)


def make_nodes(tmp_path, count, **kw):
    nodes = []
    for i in range(count):
        d = tmp_path / f"node{i}"
        d.mkdir()
        nodes.append(Daemon(str(d), node_config(name=f"node{i}", **kw)))
    return nodes


def inject(node, n, tag):
    datas = [f"Subject: {tag} {i}\r\n\r\nbody\r\n" for i in range(n)]
    return node.send_many("alice@sender.test", [f"bob@{DOMAIN}"], datas)


def run_nodes(nodes, per_node, sink, tag):
    for n in nodes:
        n.start()
    try:
        for i, n in enumerate(nodes):
            inject(n, per_node, f"{tag}{i}")
        wait_for(lambda: sink.count() >= per_node * len(nodes), timeout=90, what="every message delivered")
    finally:
        for n in nodes:
            n.__exit__(None, None, None)


def paniclog(node):
    path = node.path("paniclog.ec")
    return open(path).read() if os.path.exists(path) else ""


def test_cluster_connection_limit_holds_across_nodes(tmp_path, sink, redis):
    nodes = make_nodes(tmp_path, 3, sink_port=sink.port, redis_port=redis.port,
                       domain_options="  Cluster_Max_Outbound_Connections = 2\n")
    run_nodes(nodes, 12, sink, "limited")
    assert sink.count() == 36
    assert sink.max_open <= 2, sink.max_open
    assert sink.max_open == 2  # the limit was reached, so it was what held them


def test_without_cluster_the_nodes_exceed_the_limit(tmp_path, sink):
    # Control: the same three nodes with only their local limits.
    nodes = make_nodes(tmp_path, 3, sink_port=sink.port)
    run_nodes(nodes, 12, sink, "control")
    assert sink.max_open > 2, sink.max_open


def test_host_scope_cluster_limit_holds_across_nodes_and_domains(tmp_path, sink, redis):
    # Cluster_Max_Outbound_Connections in `Host` scope counts under the host
    # name: two nodes, each sending to two domains routed to that one host
    # (local limits 10 per domain), are held to 2 connections to it at once.
    other = "other.test"
    top = (f'Domain "{other}" {{\n  Routes = ( "smtp://127.0.0.1?port={sink.port}" )\n'
           f'  Max_Outbound_Connections = 10\n}}\n'
           'Host "127.0.0.1" { Cluster_Max_Outbound_Connections = 2 }\n')
    nodes = make_nodes(tmp_path, 2, sink_port=sink.port, redis_port=redis.port, top=top)
    for n in nodes:
        n.start()
    try:
        for i, n in enumerate(nodes):
            inject(n, 10, f"host{i}")
            n.send_many("alice@sender.test", [f"bob@{other}"], [f"Subject: other{i} {k}\r\n\r\nbody\r\n"
                                                               for k in range(10)])
        wait_for(lambda: sink.count() >= 40, timeout=90, what="every message delivered")
    finally:
        for n in nodes:
            n.__exit__(None, None, None)
    assert sink.count() == 40
    assert sink.max_open <= 2, sink.max_open
    assert sink.max_open == 2  # reached: the host limit is what held them


def test_a_killed_nodes_slots_come_back_within_the_lease_time(tmp_path, sink, redis):
    a, b = make_nodes(tmp_path, 2, sink_port=sink.port, redis_port=redis.port,
                      domain_options="  Cluster_Max_Outbound_Connections = 1\n")
    sink.stall()
    with b:
        a.start()
        try:
            inject(a, 1, "a")
            wait_for(lambda: sink.open == 1, what="node a holding the only slot")
            a.impulsed.kill9()
            killed = time.monotonic()
        finally:
            a.impulsed.__exit__(None, None, None)
        sink.unstall()
        inject(b, 1, "b")
        # (a's stalled DATA may still be counted by the server once released: look for b's message.)
        wait_for(lambda: "b 0" in sink.subjects, timeout=15, what="node b delivering once a's lease expired")
        took = sink.arrivals[sink.subjects.index("b 0")] - killed
        # a's lease was renewed every second until the kill: b had to wait for it to expire ...
        assert took >= 1.0, took
        # ... and got it within the lease time (3 s) plus the 250 ms re-ask and the peer's delay.
        assert took <= 3 + 3, took


def test_shared_message_throttle_holds_over_the_window(tmp_path, sink, redis):
    sink.data_delay = 0.0
    nodes = make_nodes(tmp_path, 2, sink_port=sink.port, redis_port=redis.port,
                       domain_options='  Cluster_Outbound_Throttle_Messages = "10/1"\n')
    run_nodes(nodes, 30, sink, "throttled")
    times = sorted(sink.arrivals)
    assert len(times) == 60
    # 10 per second shared by both nodes: 60 messages need at least
    # (60 - 2 * 10) / 10 = 4 s even with a full bucket at each end.
    assert times[-1] - times[0] >= 4.0, times[-1] - times[0]
    # No 1-second window holds more than the rate plus its burst (with margin).
    for i, t in enumerate(times):
        in_window = sum(1 for u in times[i:] if u - t < 1.0)
        assert in_window <= 2 * 10 + 2, (i, in_window)


@pytest.mark.parametrize("failure", ["local_share", "closed"])
def test_redis_stopped_and_restarted(tmp_path, sink, redis, failure):
    http_port = free_port()
    (node,) = make_nodes(tmp_path, 1, sink_port=sink.port, redis_port=redis.port, failure=failure,
                         domain_options="  Cluster_Max_Outbound_Connections = 4\n", http_port=http_port)

    def gauge():
        with urllib.request.urlopen(f"http://127.0.0.1:{http_port}/metrics", timeout=5) as r:
            for line in r.read().decode().splitlines():
                if line.startswith("impulse_cluster_connected "):
                    return float(line.split()[1])
        return None

    with node:
        wait_for(lambda: "Cluster: connected" in node.ctl("summary"), what="summary: connected")
        wait_for(lambda: gauge() == 1, what="impulse_cluster_connected 1")
        inject(node, 4, "before")
        wait_for(lambda: sink.count() >= 4, what="delivered while Redis is up")
        redis.stop()
        wait_for(lambda: "cluster: degraded" in paniclog(node), timeout=10, what="paniclog: cluster: degraded")
        assert "Cluster: degraded" in node.ctl("summary")
        assert gauge() == 0
        sink.max_open = 0
        if failure == "closed":
            # `closed` refuses new connections; a session opened before Redis
            # went away may still take mail until it idles out (SPEC §18).
            wait_for(lambda: sink.open == 0, timeout=30, what="the sessions from before closed")
        inject(node, 8, "down")
        if failure == "local_share":
            # floor(4 / Cluster_Expected_Nodes = 2) = 2 connections from this node.
            wait_for(lambda: sink.count() >= 12, timeout=30, what="delivered on the local share")
            assert sink.max_open <= 2, sink.max_open
        else:
            wait_for(lambda: "Active Queue Size: 8" in node.ctl("summary"), what="queued while closed")
            assert sink.count() == 4 and sink.max_open == 0
        redis.start()
        wait_for(lambda: paniclog(node).count("cluster: connected") >= 2, timeout=10,
                 what="paniclog: cluster: connected again")
        wait_for(lambda: "Cluster: connected" in node.ctl("summary"), what="summary: connected again")
        wait_for(lambda: sink.count() >= 12, timeout=30, what="nothing lost")
        assert sink.count() == 12
        text = paniclog(node)
        assert text.count("cluster: degraded") == 1, text


def test_check_accepts_the_cluster_options_and_reports_bad_ones_with_position(tmp_path):
    good = tmp_path / "good.conf"
    good.write_text('Cluster {\n  Redis = "redis://u:pw@127.0.0.1:6380/2"\n  Node_Name = "mta-1"\n'
                    '  Cluster_Lease_Time = 30\n  Cluster_Redis_Failure = closed\n  Cluster_Expected_Nodes = 3\n}\n'
                    'Cluster_Max_Outbound_Connections = 50\n'
                    'Domain "example.test" {\n  Cluster_Outbound_Throttle_Messages = "100/60"\n'
                    '  Cluster_Outbound_Throttle_Connections = 5\n}\n'
                    'Host "mx.example.test" { Cluster_Max_Outbound_Connections = 4 }\n')
    r = run_impulsed("-c", str(good), "--check")
    assert r.returncode == 0, r.stderr
    bad = tmp_path / "bad.conf"
    bad.write_text('Cluster {\n  Redis = "http://127.0.0.1"\n  Cluster_Redis_Failure = maybe\n}\n'
                   'Node_Name = "outside"\n'
                   'Cluster_Outbound_Throttle_Messages = "ten"\n')
    r = run_impulsed("-c", str(bad), "--check")
    assert r.returncode != 0
    assert f"{bad}:2:" in r.stderr and "redis" in r.stderr.lower(), r.stderr
    assert f"{bad}:3:" in r.stderr, r.stderr
    assert f"{bad}:5:" in r.stderr and "not valid in global scope" in r.stderr, r.stderr
    assert f"{bad}:6:" in r.stderr, r.stderr
