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
