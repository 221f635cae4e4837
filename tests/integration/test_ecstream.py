"""ECSTREAM node to node (SPEC §15; docs/ecstream.md): two real impulsed on
loopback. Node A takes mail by SMTP and relays everything over ECSTREAM to
its Gateway, node B's ECStream_Listener; B delivers to Postfix's smtp-sink.
What is checked is what a user sees: the messages at the sink (bytes,
envelope), the mainlog records on both nodes (R with protocol ecstream and
A's address on B; D/T/P with B's address on A), and the answers on the
ECSTREAM port itself for clients that are not ECSTREAM.
"""
import os
import socket
import struct

import pytest

from harness.impulse import Daemon, daemon_config
from harness.process import free_port, port_open, wait_for
from harness.smtp_peers import SmtpSink
from harness.test_ca import TestCA

FAST = """\
Retry_Interval = 1
Max_Retry_Interval = 1
Delayed_Queue_Scan_Interval = 1
Host_Failure_Retry = 1
"""


def node_b_config(ec_port, sink, listener="", settings=""):
    """B: an ECStream_Listener relaying for loopback, delivering everything to the sink."""
    def make(port):
        return daemon_config(port, FAST + settings, extra=f"""
            ECStream_Listener {{
              Relay_Hosts = ( "127.0.0.0/8" )
              {listener}
              Listen "127.0.0.1:{ec_port}" {{ }}
            }}
            Routes = ( "smtp://{sink.address}?port={sink.port}" )
            Binding "outbound-2" {{ }}
            """)
    return make


def node_a_config(ec_port, domain_options="", settings=""):
    """A: SMTP in, everything out by ECSTREAM to B."""
    def make(port):
        return daemon_config(port, FAST + settings + f"""
            Delivery_Method = ECSTREAM
            Gateway = "127.0.0.1:{ec_port}"
            """, extra=f"""
            Binding "outbound-2" {{ }}
            {domain_options}
            """)
    return make


class Nodes:
    """A and B (and the sink) started in order; stopped on leaving."""

    def __init__(self, tmp_path, sink, b_listener="", b_settings="", a_domains="", a_settings="", start_b=True):
        self.ec_port = free_port()
        self.b = Daemon(tmp_path / "b", node_b_config(self.ec_port, sink, b_listener, b_settings))
        self.a = Daemon(tmp_path / "a", node_a_config(self.ec_port, a_domains, a_settings))
        self.start_b = start_b

    def __enter__(self):
        if self.start_b:
            self.b.start()
            wait_for(lambda: port_open("127.0.0.1", self.ec_port), what="ECStream listener")
        self.a.start()
        return self

    def __exit__(self, *exc):
        try:
            self.a.__exit__(*exc)
        finally:
            if self.b.impulsed.proc is not None:
                self.b.__exit__(*exc)


def body(subject, text="hello\r\n", headers=""):
    return (f"From: alice@sender.test\r\nTo: bob@example.com\r\nSubject: {subject}\r\n{headers}\r\n").encode() + \
        (text if isinstance(text, bytes) else text.encode())


def sink_by_subject(sink, n, timeout=30):
    msgs = sink.wait_messages(n, timeout=timeout)
    return {m.message["Subject"]: m for m in msgs}


def received_ecstream(node):
    """B's R records (protocol ecstream)."""
    return [r for r in node.records("R") if r["protocol"] == "ecstream"]


def test_messages_arrive_intact_with_envelope_binding_and_logs(tmp_path):
    eight_bit = "caf\u00e9 \u00fcber na\u00efve\r\n.\r\n..two dots\r\n.leading dot\r\n"
    large = "".join(f"line {i:06d} " + "x" * 60 + "\r\n" for i in range(30000))  # ~2 MB
    with SmtpSink() as sink, Nodes(tmp_path, sink) as n:
        m1 = n.a.send("alice@sender.test", ["bob@example.com", "carol@example.net", "dave@example.org"],
                      body("eight-bit", eight_bit.encode("utf-8")))
        m2 = n.a.send("", ["eve@example.com"], body("large", large))
        m3 = n.a.send("alice@sender.test", ["frank@example.com"],
                      body("binding", "bound\r\n", headers="X-Impulse-Binding: outbound-2\r\n"))
        got = sink_by_subject(sink, 5)  # m1 is split per domain: three transactions
        # A: one D record per recipient, with B's ECSTREAM address.
        for msgid, count in ((m1, 3), (m2, 1), (m3, 1)):
            ds = n.a.wait_records("D", msgid, count)
            assert {d["remote_ip"] for d in ds} == {"127.0.0.1"}
        msgs = sink.messages()
    eights = [m for m in msgs if m.message["Subject"] == "eight-bit"]
    assert sorted(r for m in eights for r in m.recipients) == ["bob@example.com", "carol@example.net",
                                                                "dave@example.org"]
    for m in eights:
        assert m.sender == "alice@sender.test"
        assert m.data.endswith(eight_bit.replace("\r\n", "\n").encode("utf-8"))
    assert got["large"].sender == ""
    assert got["large"].data.endswith(large.replace("\r\n", "\n").encode())
    # B: R records with protocol ecstream and A's address; the binding request honoured.
    rs = received_ecstream(n.b)
    assert len(rs) == 5
    assert {r["peer_ip"] for r in rs} == {"127.0.0.1"}
    bound = [r for r in rs if r["rcpt_local"] == "frank"]
    assert [r["binding"] for r in bound] == ["outbound-2"]
    assert {r["binding"] for r in rs if r["rcpt_local"] != "frank"} == {"default"}
    assert "X-Impulse-Binding" not in got["binding"].text


def test_receiver_down_then_up_delivers_after_transient_failures(tmp_path):
    with SmtpSink() as sink, Nodes(tmp_path, sink, start_b=False) as n:
        msgid = n.a.send("alice@sender.test", ["bob@example.com"], body("late"))
        t = n.a.wait_records("T", msgid)[0]
        assert t["remote_ip"] in ("127.0.0.1", "")
        assert t["response"].startswith("4"), t  # the connection manager's text for an unreachable host
        assert n.a.records("P", msgid) == []
        n.b.start()
        n.a.wait_records("D", msgid, timeout=30)
        assert [m.message["Subject"] for m in sink.wait_messages(1)] == ["late"]


def test_relaying_refused_reaches_the_sender_per_message(tmp_path):
    with SmtpSink() as sink, Nodes(tmp_path, sink, b_listener='Relay_Hosts = ( "192.0.2.0/24" )') as n:
        msgid = n.a.send("alice@sender.test", ["bob@example.com"], body("refused"))
        (p,) = n.a.wait_records("P", msgid)
        assert p["response"] == "550 5.7.1 relaying denied"
        assert p["remote_ip"] == "127.0.0.1"
        assert received_ecstream(n.b) == []


def test_size_refusal_is_per_message_and_the_stream_goes_on(tmp_path):
    with SmtpSink() as sink, Nodes(tmp_path, sink, b_listener="Max_Message_Size = 3000") as n:
        big = n.a.send("alice@sender.test", ["bob@example.com"], body("big", ("y" * 70 + "\r\n") * 70))
        small = n.a.send("alice@sender.test", ["bob@example.com"], body("small"))
        (p,) = n.a.wait_records("P", big)
        assert p["response"] == "552 5.3.4 message size exceeds fixed maximum message size"
        n.a.wait_records("D", small)
        # The refused message bounced on A; the bounce went to its sender, also through B.
        got = sink_by_subject(sink, 2)
        assert set(got) == {"small", "Delivery Status Notification (Failure)"}
        dsn = " ".join(got["Delivery Status Notification (Failure)"].text.split())
        assert "552 5.3.4 message size exceeds fixed maximum message size" in dsn, dsn


def read_frame(sock):
    """One ECSTREAM frame (type, payload) from a raw socket, or None at EOF."""
    def exactly(n):
        data = b""
        while len(data) < n:
            chunk = sock.recv(n - len(data))
            if not chunk:
                return None
            data += chunk
        return data
    header = exactly(5)
    if header is None:
        return None
    ftype, length = header[0], struct.unpack(">I", header[1:])[0]
    return ftype, exactly(length)


def error_line(payload):
    code = struct.unpack(">H", payload[:2])[0]
    n = struct.unpack(">H", payload[2:4])[0]
    enhanced = payload[4:4 + n].decode()
    m = struct.unpack(">H", payload[4 + n:6 + n])[0]
    return f"{code} {enhanced} {payload[6 + n:6 + n + m].decode()}"


@pytest.mark.parametrize("client_bytes, reason", [
    (b"EHLO client.example\r\nMAIL FROM:<a@b.example>\r\n", "unknown frame type 0x45 ('E'): not an ECSTREAM peer"),
    (b"\x02\xff\xff\xff\xff", "HELLO payload of 4294967295 octets exceeds the limit of 67108864"),
    (b"\x02\x00\x00\x00\x0aNOTMAGIC\x00\x01", "bad HELLO: not an ECSTREAM peer (bad magic)"),
])
def test_garbage_or_smtp_on_the_port_gets_an_error_frame_and_b_still_serves(tmp_path, client_bytes, reason):
    with SmtpSink() as sink, Nodes(tmp_path, sink) as n:
        with socket.create_connection(("127.0.0.1", n.ec_port), timeout=10) as s:
            greeting = read_frame(s)
            assert greeting[0] == 1 and greeting[1][:8] == b"ECSTREAM"
            s.sendall(client_bytes)
            ftype, payload = read_frame(s)
            assert ftype == 6
            assert error_line(payload).endswith(reason)
            assert read_frame(s) is None  # and the receiver closes
        msgid = n.a.send("alice@sender.test", ["bob@example.com"], body("after garbage"))
        n.a.wait_records("D", msgid)
        assert [m.message["Subject"] for m in sink.wait_messages(1)] == ["after garbage"]


def feed(node, count, prefix, acknowledged, stop_on_error=False):
    """Sends `count` messages to `node` by SMTP, ten per session; the
    subjects it got a 250 for go into `acknowledged`."""
    for start in range(0, count, 10):
        subjects = [f"{prefix}-{i:04d}" for i in range(start, min(start + 10, count))]
        try:
            with node.smtp(timeout=30) as c:
                for s in subjects:
                    from harness.impulse import transaction
                    transaction(c, "alice@sender.test", ["bob@example.com"], body(s))
                    acknowledged.append(s)
        except Exception:
            if stop_on_error:
                return
            raise


def wait_subjects(sink, subjects, timeout=60):
    want = set(subjects)
    wait_for(lambda: want <= {m.message["Subject"] for m in sink.messages()}, timeout=timeout,
             what=f"{len(want)} messages at the sink")


@pytest.mark.parametrize("victim", ["receiver", "sender"])
def test_kill9_in_the_middle_of_a_stream_loses_nothing_acknowledged(tmp_path, victim):
    import threading
    with SmtpSink() as sink, Nodes(tmp_path, sink) as n:
        acknowledged = []
        sender = threading.Thread(target=feed, args=(n.a, 400, "k", acknowledged, victim == "sender"))
        sender.start()
        try:
            wait_for(lambda: len(received_ecstream(n.b)) >= 40, timeout=60, what="the stream under way")
            node = n.b if victim == "receiver" else n.a
            node.impulsed.kill9()
            if victim == "receiver":
                # A keeps accepting; what it sent unanswered is retried.
                node.start()
        finally:
            sender.join(120)
        if victim == "sender":
            n.a.start()
        assert len(acknowledged) >= 40
        wait_subjects(sink, acknowledged, timeout=120)
        if victim == "receiver":
            # The ones in flight at the kill were retried by A (at worst a duplicate): A ends with
            # one D per message, and any T on the way was transient with B's address.
            wait_for(lambda: len({d["msgid"] for d in n.a.records("D")}) == len(acknowledged), timeout=60,
                     what="a D record for every message on A")
            assert n.a.records("P") == []
            assert {t["remote_ip"] for t in n.a.records("T")} <= {"127.0.0.1", ""}


@pytest.fixture(scope="module")
def ca(tmp_path_factory):
    return TestCA(tmp_path_factory.mktemp("ca"))


def tls_listener(ca, client_ca=False):
    cert, key = ca.issue("b.ecstream.test", ips=["127.0.0.1"])
    text = f'TLS_Certificate = "{cert}"\nTLS_Key = "{key}"'
    if client_ca:
        text += f'\nTLS_Client_CA = "{ca.ca_path}"'
    return text


def tls_client(ca, with_certificate):
    text = f'TLS = required\nTLS_Verify = ca\nTLS_CA = "{ca.ca_path}"\n'
    if with_certificate:
        cert, key = ca.issue("a.ecstream.test", client=True)
        text += f'TLS_Certificate = "{cert}"\nTLS_Key = "{key}"\n'
    return f'Domain "example.com" {{\n{text}}}\n'


def test_tls_without_a_client_certificate_requirement(tmp_path, ca):
    with SmtpSink() as sink, Nodes(tmp_path, sink, b_listener=tls_listener(ca), a_domains=tls_client(ca, False)) as n:
        msgid = n.a.send("alice@sender.test", ["bob@example.com"], body("over tls"))
        n.a.wait_records("D", msgid)
        assert [m.message["Subject"] for m in sink.wait_messages(1)] == ["over tls"]
        # A plain client cannot talk to a TLS listener: no GREETING in clear.
        with socket.create_connection(("127.0.0.1", n.ec_port), timeout=10) as s:
            s.sendall(b"\x02\x00\x00\x00\x0bECSTREAM\x00\x01\x00")
            s.settimeout(10)
            data = s.recv(100)
            assert not data.startswith(b"\x01\x00\x00\x00")


def test_tls_with_a_required_client_certificate(tmp_path, ca):
    b_listener = tls_listener(ca, client_ca=True)
    with SmtpSink() as sink, \
            Nodes(tmp_path / "without", sink, b_listener=b_listener, a_domains=tls_client(ca, False)) as n:
        msgid = n.a.send("alice@sender.test", ["bob@example.com"], body("no certificate"))
        t = n.a.wait_records("T", msgid)[0]
        assert t["response"].startswith("4"), t
        assert t["remote_ip"] == "127.0.0.1"
        wait_for(lambda: "TLS handshake failed" in n.b.log_text(), what="B's paniclog line")
        assert received_ecstream(n.b) == []
    with SmtpSink() as sink, \
            Nodes(tmp_path / "with", sink, b_listener=b_listener, a_domains=tls_client(ca, True)) as n:
        msgid = n.a.send("alice@sender.test", ["bob@example.com"], body("with certificate"))
        n.a.wait_records("D", msgid)
        assert [m.message["Subject"] for m in sink.wait_messages(1)] == ["with certificate"]


def test_message_details_on_the_receiver_show_the_senders_message_id(tmp_path):
    with SmtpSink() as sink, Nodes(tmp_path, sink, b_settings="Suspend_Delivery = true\n") as n:
        sent = n.a.send("alice@sender.test", ["bob@example.com"], body("held on B"))
        n.a.wait_records("D", sent)
        (r,) = n.b.wait_records("R")
        assert r["protocol"] == "ecstream" and r["peer_ip"] == "127.0.0.1"
        details = n.b.ctl("message", "details", r["msgid"])
        assert f"Message: {r['msgid']}\n" in details
        assert f"Origin Id: {sent}\n" in details, details
        assert "Sender: <alice@sender.test>\n" in details


def frame(ftype, payload):
    return bytes([ftype]) + struct.pack(">I", len(payload)) + payload


def s16(b):
    return struct.pack(">H", len(b)) + b


def test_stopping_receiver_answers_then_says_goaway_with_the_last_seq(tmp_path):
    import signal
    with SmtpSink() as sink, Nodes(tmp_path, sink) as n:
        with socket.create_connection(("127.0.0.1", n.ec_port), timeout=20) as s:
            assert read_frame(s)[0] == 1
            body_bytes = b"Subject: raw client\r\n\r\nhi\r\n"
            message = frame(3, struct.pack(">IB", 1, 0) + s16(b"RAW-1") + s16(b"") + s16(b"raw@sender.test") +
                            struct.pack(">I", 1) + s16(b"bob@example.com") + struct.pack(">I", len(body_bytes)) +
                            body_bytes)
            s.sendall(frame(2, b"ECSTREAM" + struct.pack(">H", 1) + s16(b"raw.example")) + message)
            ftype, payload = read_frame(s)
            assert ftype == 4
            seq, code = struct.unpack(">IH", payload[:6])
            assert (seq, code) == (1, 250)
            n.b.impulsed.signal(signal.SIGTERM)
            ftype, payload = read_frame(s)
            assert ftype == 5
            last_seq = struct.unpack(">I", payload[:4])[0]
            assert last_seq == 1
            assert error_line(payload[4:]) == "421 4.3.2 Reconfiguration in progress"
            assert read_frame(s) is None
        assert n.b.impulsed.proc.wait(20) == 0


def raw_session(port):
    """A raw ECSTREAM client past GREETING and HELLO."""
    s = socket.create_connection(("127.0.0.1", port), timeout=20)
    assert read_frame(s)[0] == 1
    s.sendall(frame(2, b"ECSTREAM" + struct.pack(">H", 1) + s16(b"raw.example")))
    return s


def raw_message(seq):
    body_bytes = b"Subject: raw\r\n\r\nhi\r\n"
    return frame(3, struct.pack(">IB", seq, 0) + s16(b"RAW") + s16(b"") + s16(b"raw@sender.test") +
                 struct.pack(">I", 1) + s16(b"bob@example.com") + struct.pack(">I", len(body_bytes)) + body_bytes)


def test_reload_sends_goaway_and_new_connections_get_the_new_options(tmp_path):
    with SmtpSink() as sink, Nodes(tmp_path, sink) as n:
        with raw_session(n.ec_port) as old:
            old.sendall(raw_message(1))
            ftype, payload = read_frame(old)
            assert (ftype, struct.unpack(">IH", payload[:6])) == (4, (1, 250))
            n.b.write_config(node_b_config(n.ec_port, sink, 'Relay_Hosts = ( "192.0.2.0/24" )')(n.b.port))
            n.b.ctl("config", "reload")
            ftype, payload = read_frame(old)
            assert ftype == 5
            assert error_line(payload[4:]) == "421 4.3.2 Reconfiguration in progress"
            assert read_frame(old) is None
        with raw_session(n.ec_port) as new:
            new.sendall(raw_message(1))
            ftype, payload = read_frame(new)
            assert ftype == 4
            assert struct.unpack(">IH", payload[:6]) == (1, 550)
            assert error_line(payload[4:]) == "550 5.7.1 relaying denied"
