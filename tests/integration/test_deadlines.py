"""Every network wait bounded (issue 18, DESIGN rule 5; the audit is
docs/waits.md): a silent peer (a Python socket that accepts and says
nothing, or stops part-way through an exchange) cannot hold a connection, a
session or a queue past the deadline the configuration sets. Each test sets
a short timeout, lets the peer go silent, and checks what the user sees:
the 421 and the closed connection, the mainlog T record, and that the next
message still goes.

Waits proved elsewhere (not repeated here): the outbound SMTP banner, EHLO,
MAIL, RCPT, DATA and the reply after the final dot
(test_delivery_failures.py::test_server_stalling_past_the_timeout_is_a_transient_failure),
a session idle after EHLO (test_injection.py::test_idle_session_gets_421_after_idle_time),
slow HTTP clients (test_http_listener.py::test_slow_clients_are_cut_off_with_408_and_the_daemon_keeps_serving),
a console client silent in its TLS handshake
(test_console_auth.py::test_console_silent_client_is_dropped_in_the_tls_handshake_after_timeout),
a hanging webhook receiver
(test_events.py::test_a_failing_then_hanging_receiver_gets_every_event_in_order_once_it_recovers),
an APNs server that never answers
(test_apn.py::test_no_response_within_delivery_response_timeout_is_transient), a Redis that is
stopped (test_cluster.py::test_redis_stopped_and_restarted); the HTTP/2
client's PING deadline is a unit test (tests/unit/delivery/http2_ping_test.cpp).
"""
import socket
import threading
import time

from harness.impulse import Daemon, daemon_config, impulsectl
from harness.process import free_port, port_open, wait_for
from harness.scripted_smtp import ScriptedSmtp
from harness.test_ca import TestCA

BODY = b"From: alice@sender.test\r\nTo: bob@ok.test\r\nSubject: deadlines\r\n\r\nhello\r\n"
SINK = "127.0.53.1"    # a scripted server that answers (the next message goes there)
SILENT = "127.0.53.2"  # the silent peers
FAST = """\
Retry_Interval = 1
Max_Retry_Interval = 1
Delayed_Queue_Scan_Interval = 1
Host_Failure_Retry = 1
"""


class SilentPeer:
    """A TCP server on `address` (a free port) that accepts connections and
    follows `script(conn)` (default: say nothing), then stays silent until
    the client closes. Records when each connection was accepted and when
    the client closed it. Stopped (sockets closed, thread joined) on exit."""

    def __init__(self, address="127.0.0.1", script=None):
        self.address = address
        self.script = script
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((address, 0))
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.accepted = []  # monotonic times
        self.closed = []    # monotonic times the client closed (EOF or reset)
        self.received = b""
        self._stop = threading.Event()
        self._threads = []
        self._conns = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(5)
        for t in self._threads:
            t.join(5)
        for c in self._conns:
            c.close()
        self.sock.close()

    def _accept(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            conn.settimeout(0.1)
            with self._lock:
                self.accepted.append(time.monotonic())
                self._conns.append(conn)
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(t)
            t.start()

    def read_line(self, conn):
        """One line from the client (None once it closed or we stop)."""
        line = b""
        while not line.endswith(b"\n"):
            b = self._recv(conn, 1)
            if not b:
                return None
            line += b
        return line

    def _recv(self, conn, n):
        while not self._stop.is_set():
            try:
                data = conn.recv(n)
            except socket.timeout:
                continue
            except OSError:
                return b""
            with self._lock:
                self.received += data
            return data
        return b""

    def _serve(self, conn):
        if self.script and self.script(self, conn) is False:
            return
        while self._recv(conn, 4096):
            pass
        if not self._stop.is_set():
            with self._lock:
                self.closed.append(time.monotonic())


def read_until_closed(sock, limit=30.0):
    """Everything the daemon sends until it closes the connection; and how
    long that took. Fails if it is still open after `limit` seconds."""
    sock.settimeout(limit)
    start = time.monotonic()
    data = b""
    while True:
        chunk = sock.recv(4096)
        if not chunk:
            return data, time.monotonic() - start
        data += chunk


def ok_domain(sink):
    return f'Domain "ok.test" {{ Routes = ( "smtp://{sink.address}?port={sink.port}" ) }}\n'


def next_message_goes(d, sink, count=1):
    """A message to ok.test is accepted and delivered while (or after) the
    silent peer did its worst."""
    msgid = d.send("alice@sender.test", ["bob@ok.test"], BODY, timeout=30)
    d.wait_records("D", msgid, timeout=30)
    sink.wait_messages(count)
    return msgid


# ---- inbound ESMTP: Idle_Time bounds every read, write and the TLS handshake ----------------

def inbound_daemon(tmp_path, sink, listener=""):
    return Daemon(tmp_path, lambda p: daemon_config(p, FAST, listener="Idle_Time = 1\n  " + listener,
                                                    extra=ok_domain(sink)))


def test_inbound_client_silent_after_connect_gets_421_and_is_closed_after_idle_time(tmp_path):
    with ScriptedSmtp(SINK) as sink, inbound_daemon(tmp_path, sink) as d:
        with socket.create_connection(("127.0.0.1", d.port)) as s:
            data, took = read_until_closed(s)
        lines = data.decode().splitlines()
        assert lines[0].startswith("220 ") and lines[-1].startswith("421 4.4.2 ") and "Idle timeout" in lines[-1]
        assert 0.8 < took < 10
        next_message_goes(d, sink)


def test_inbound_client_silent_in_the_middle_of_a_command_is_closed_after_idle_time(tmp_path):
    with ScriptedSmtp(SINK) as sink, inbound_daemon(tmp_path, sink) as d:
        with socket.create_connection(("127.0.0.1", d.port)) as s:
            s.sendall(b"EHLO client.test\r\nMAIL FROM:<alice@sen")  # and nothing more
            data, took = read_until_closed(s)
        assert data.decode().splitlines()[-1].startswith("421 4.4.2 ")
        assert 0.8 < took < 10
        next_message_goes(d, sink)


def test_inbound_client_silent_in_the_middle_of_data_is_closed_and_nothing_is_queued(tmp_path):
    with ScriptedSmtp(SINK) as sink, inbound_daemon(tmp_path, sink) as d:
        with socket.create_connection(("127.0.0.1", d.port)) as s:
            s.sendall(b"EHLO client.test\r\nMAIL FROM:<carol@sender.test>\r\nRCPT TO:<bob@ok.test>\r\nDATA\r\n")
            s.settimeout(10)
            got = b""
            while b"\r\n354 " not in got:
                got += s.recv(4096)
            s.sendall(b"Subject: half\r\n\r\nthe first half of the body\r\n")  # no final dot
            data, took = read_until_closed(s)
        assert data.decode().splitlines()[-1].startswith("421 4.4.2 ")
        assert 0.8 < took < 10
        msgid = next_message_goes(d, sink)
        assert [r["msgid"] for r in d.records("R")] == [msgid]  # the half message was never queued
        assert len(sink.messages()) == 1


def test_inbound_client_silent_in_the_starttls_handshake_is_closed_after_idle_time(tmp_path):
    ca = TestCA(tmp_path / "ca")
    cert, key = ca.issue("mx.test", ips=["127.0.0.1"])
    with ScriptedSmtp(SINK) as sink, \
            inbound_daemon(tmp_path / "d", sink, f'TLS_Certificate = "{cert}"\n  TLS_Key = "{key}"') as d:
        with socket.create_connection(("127.0.0.1", d.port)) as s:
            s.sendall(b"EHLO client.test\r\nSTARTTLS\r\n")
            s.settimeout(10)
            got = b""
            while b"\r\n220 " not in got:
                got += s.recv(4096)
            data, took = read_until_closed(s)  # no ClientHello, ever
        assert data == b""  # nothing in plain text after the 220
        assert 0.8 < took < 10
        next_message_goes(d, sink)


# ---- outbound SMTP: the STARTTLS handshake has Ehlo_Timeout --------------------------------

def starttls_then_silent(peer, conn):
    """Banner, EHLO with STARTTLS, 220 to STARTTLS, then no TLS handshake."""
    conn.sendall(b"220 silent.test ESMTP\r\n")
    if peer.read_line(conn) is None:
        return False
    conn.sendall(b"250-silent.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n")
    line = peer.read_line(conn)
    if line is None or line.strip().upper() != b"STARTTLS":
        return False
    conn.sendall(b"220 2.0.0 go ahead\r\n")
    return True


def test_outbound_server_silent_in_the_starttls_handshake_is_a_t_record_and_other_mail_goes(tmp_path):
    with ScriptedSmtp(SINK) as sink, SilentPeer(SILENT, starttls_then_silent) as silent:
        tls_domain = (f'Domain "tls.test" {{\n  Routes = ( "smtp://{SILENT}?port={silent.port}" )\n'
                      f'  tls = required\n  tls_verify = no\n}}\n')
        conf = lambda p: daemon_config(p, FAST + "Ehlo_Timeout = 1\n", extra=ok_domain(sink) + tls_domain)
        with Daemon(tmp_path, conf) as d:
            start = time.monotonic()
            stuck = d.send("alice@sender.test", ["bob@tls.test"], BODY)
            (t,) = d.wait_records("T", stuck, timeout=30)[:1]
            assert time.monotonic() - start < 10
            assert (t["domain"], t["remote_ip"], t["retries"]) == ("tls.test", SILENT, "0")
            assert t["response"] == "451 4.7.5 [internal] TLS negotiation failed", t
            wait_for(lambda: len(silent.closed) >= 1, what="impulsed to close the silent connection")
            assert 0.8 < silent.closed[0] - silent.accepted[0] < 10  # Ehlo_Timeout after the 220, not at once
            assert b"\x16\x03" in silent.received  # a ClientHello went out: the handshake was what waited
            d.wait_records("T", stuck, 2, timeout=30)  # retried, and given up on again
            next_message_goes(d, sink)
            assert d.records("D", stuck) == [] and d.records("P", stuck) == []


# ---- DNS: a nameserver that never answers ------------------------------------------------------

class SilentNameserver:
    """A UDP socket on 127.0.0.1 that reads questions and never answers."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.questions = 0
        self._stop = threading.Event()
        self.sock.settimeout(0.1)
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            try:
                self.sock.recvfrom(4096)
                self.questions += 1
            except socket.timeout:
                continue
            except OSError:
                return

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(5)
        self.sock.close()


def test_a_nameserver_that_never_answers_is_a_t_record_after_dns_query_timeout_and_other_mail_goes(tmp_path):
    with ScriptedSmtp(SINK) as sink, SilentNameserver() as ns:
        settings = FAST + f'Nameservers = ( "127.0.0.1:{ns.port}" )\nDNS_Query_Timeout = 1\n'
        with Daemon(tmp_path, lambda p: daemon_config(p, settings, extra=ok_domain(sink))) as d:
            start = time.monotonic()
            stuck = d.send("alice@sender.test", ["bob@nowhere.test"], BODY)
            (t,) = d.wait_records("T", stuck, timeout=30)[:1]
            assert time.monotonic() - start < 10
            assert t["domain"] == "nowhere.test"
            assert t["response"].startswith("4"), t
            assert ns.questions >= 1
            next_message_goes(d, sink)  # an IP-literal route needs no DNS: not held behind the lookup
            d.wait_records("T", stuck, 2, timeout=30)  # asked again at the retry, and timed out again
            assert d.records("D", stuck) == []


# ---- console: Timeout bounds a silent client ---------------------------------------------------

def test_console_client_silent_or_stopping_mid_command_is_closed_after_timeout(tmp_path):
    console = 'Timeout = 1\n  Listen "./console.sock" { }'
    with Daemon(tmp_path, lambda p: daemon_config(p, console=console)) as d:
        for said in (b"", b"summ"):  # nothing at all; half a command
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.connect(d.console)
                s.sendall(said)
                data, took = read_until_closed(s)
            assert 0.8 < took < 10, (said, took)
            assert b"Active Queue Size" not in data
        r = impulsectl(d.console, "summary")  # the console still serves
        assert r.returncode == 0 and "Active Queue Size" in r.stdout, (r.stdout, r.stderr)


# ---- ECSTREAM: ECStream_Timeout (client) and ECStream_Idle_Time (listener) ----------------------

def test_ecstream_receiver_silent_before_its_greeting_is_a_t_record_after_ecstream_timeout(tmp_path):
    with ScriptedSmtp(SINK) as sink, SilentPeer(SILENT) as silent:
        ec = (f'Domain "ec.test" {{\n  Delivery_Method = ECSTREAM\n  Gateway = "{SILENT}:{silent.port}"\n'
              f'  ECStream_Timeout = 1\n}}\n')
        with Daemon(tmp_path, lambda p: daemon_config(p, FAST, extra=ok_domain(sink) + ec)) as d:
            start = time.monotonic()
            stuck = d.send("alice@sender.test", ["bob@ec.test"], BODY)
            (t,) = d.wait_records("T", stuck, timeout=30)[:1]
            assert time.monotonic() - start < 10
            assert t["domain"] == "ec.test" and t["response"].startswith("4"), t
            wait_for(lambda: len(silent.closed) >= 1, what="impulsed to close the silent ECSTREAM connection")
            assert 0.8 < silent.closed[0] - silent.accepted[0] < 10  # ECStream_Timeout, not at once
            next_message_goes(d, sink)
            d.wait_records("T", stuck, 2, timeout=30)  # tried again, and timed out again
            assert d.records("D", stuck) == [] and d.records("P", stuck) == []


def test_ecstream_client_silent_or_stopping_mid_frame_is_closed_after_ecstream_idle_time(tmp_path):
    ec_port = free_port()
    listener = (f'ECStream_Listener {{\n  Relay_Hosts = ( "127.0.0.0/8" )\n  ECStream_Idle_Time = 1\n'
                f'  Listen "127.0.0.1:{ec_port}" {{ }}\n}}\n')
    with ScriptedSmtp(SINK) as sink:
        with Daemon(tmp_path, lambda p: daemon_config(p, FAST, extra=ok_domain(sink) + listener)) as d:
            wait_for(lambda: port_open("127.0.0.1", ec_port), what="ECStream listener")
            # Nothing at all; then the first 13 of a HELLO's 26 octets (type 2, length 21, the magic).
            for said in (b"", b"\x02\x00\x00\x00\x15ECSTREAM"):
                with socket.create_connection(("127.0.0.1", ec_port)) as s:
                    s.sendall(said)
                    _, took = read_until_closed(s)
                assert 0.8 < took < 10, (said, took)
            next_message_goes(d, sink)  # the daemon still serves


# ---- Redis (cluster limits): a server that accepts and never answers -----------------------------

def test_a_redis_that_never_answers_degrades_the_node_which_delivers_on_its_local_share(tmp_path):
    with ScriptedSmtp(SINK) as sink, SilentPeer(SILENT) as redis:
        cluster = (f'Cluster {{\n  Redis = "{SILENT}:{redis.port}"\n  Node_Name = "n0"\n'
                   f'  Cluster_Redis_Failure = local_share\n  Cluster_Expected_Nodes = 2\n}}\n'
                   f'Domain "ok.test" {{\n  Routes = ( "smtp://{sink.address}?port={sink.port}" )\n'
                   f'  Cluster_Max_Outbound_Connections = 4\n}}\n')
        with Daemon(tmp_path, lambda p: daemon_config(p, FAST, extra=cluster)) as d:
            panic = lambda: "\n".join(d.lines("paniclog.ec"))
            wait_for(lambda: "cluster: degraded" in panic(), timeout=15, what="paniclog: cluster: degraded")
            assert "Cluster: degraded" in d.ctl("summary")
            assert redis.accepted and redis.received  # it was asked, and said nothing
            next_message_goes(d, sink)  # the local share (floor(4 / 2) connections) still delivers
            assert "cluster: connected" not in panic()
