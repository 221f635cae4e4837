"""Outbound delivery and routing end to end (SPEC §3, seeds 001 and 003):
the real impulsed, a real nsd for DNS (`Nameservers`), and real receiving
MTAs (Postfix's smtp-sink and smtpd, and the scripted aiosmtpd server where a
slow peer is needed), each on its own 127.0.0.N address (or ::1).

What is checked is what the receiving servers saw (envelope, data, client
address, connections) and what the mainlog and bouncelog say (D, P and B
records field by field, Momentum's formats: reference/momentum.md §10.1).
Peers that the daemon reaches through `Remote_SMTP_Port` share one port on
distinct addresses (see peers_on_one_port).
"""
import contextlib
import re
import textwrap
import time

from harness.dns import NsdServer, zone_header
from harness.impulse import Daemon, daemon_config
from harness.process import free_port, wait_for
from harness.scripted_smtp import ScriptedSmtp, ScriptedSmtpError
from harness.smtp_peers import PeerError, PostfixSmtpd, SmtpSink

def body(subject, extra_headers=""):
    """A message with a few lines worth checking byte for byte: a leading
    dot (dot-stuffing both ways), an empty line, trailing spaces."""
    return (f"From: alice@sender.test\r\nTo: bob@example.test\r\nSubject: {subject}\r\n{extra_headers}"
            "Message-ID: <" + subject.replace(" ", "-") + "@sender.test>\r\n"
            "\r\n"
            "first line\r\n"
            ".a line starting with a dot\r\n"
            "..two dots\r\n"
            "\r\n"
            "trailing spaces   \r\n"
            "last line\r\n").encode()


def lf(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n")


def without_received(data: bytes) -> bytes:
    """The message minus the Received: header(s) Impulse (and the receiving
    server) put in front (folded continuation lines included)."""
    lines = data.split(b"\n")
    i = 0
    while i < len(lines) and lines[i].lower().startswith(b"received:"):
        i += 1
        while i < len(lines) and lines[i][:1] in (b" ", b"\t"):
            i += 1
    return b"\n".join(lines[i:])


# ---- peers -------------------------------------------------------------------------


@contextlib.contextmanager
def peers_on_one_port(makers, attempts=6):
    """Start peers that must all listen on the same port (one per address,
    because `Remote_SMTP_Port` is one number): `makers` are callables
    port -> unstarted peer. Yields (port, [peers]); a port that turns out
    to be taken on one of the addresses is retried with another."""
    for _ in range(attempts):
        port = free_port("127.0.0.1")
        with contextlib.ExitStack() as stack:
            try:
                started = [stack.enter_context(make(port)) for make in makers]
            except (PeerError, ScriptedSmtpError):
                continue
            yield port, started
            return
    raise RuntimeError(f"no port free on every peer address after {attempts} attempts")


def sink(address):
    return lambda port: SmtpSink(address, port)


# ---- the daemon --------------------------------------------------------------------


def config(listen_port, dns, remote_port, extra=""):
    return daemon_config(listen_port, f"""\
        Nameservers = ( "{dns.nameserver}" )
        Remote_SMTP_Port = {remote_port}
        Retry_Interval = 2
        Idle_Timeout = 1
        """, extra=extra)


class Mta(Daemon):
    """impulsed with the test's DNS and peers (harness.impulse.Daemon: its
    logs, console and SMTP port); EHLO with smtplib's own name."""

    def __init__(self, tmp_path, dns, remote_port, extra=""):
        super().__init__(tmp_path / "impulsed", lambda port: config(port, dns, remote_port, extra))

    def send(self, sender, rcpts, data):
        return super().send(sender, rcpts, data, helo=None)

    def send_many(self, sender, rcpts, datas):
        """Several messages over one injection session (fast)."""
        return super().send_many(sender, rcpts, datas, helo=None)


def now():
    return int(time.time())


# ---- 1. delivery to real MTAs, intact ------------------------------------------------


def test_message_arrives_intact_at_smtp_sink_and_d_record_names_the_peer(tmp_path):
    zone = zone_header("test") + "example IN MX 10 mx.example\nmx.example IN A 127.0.0.11\n"
    data = body("intact at smtp-sink", "X-Impulse-Binding: b1\r\n")
    with NsdServer({"test": zone}) as dns, SmtpSink("127.0.0.11") as mx, \
            Mta(tmp_path, dns, mx.port, 'Binding "b1" { }\n') as d:
        t0 = now()
        msgid = d.send("alice@sender.test", ["bob@example.test", "carol@example.test"], data)
        [m] = mx.wait_messages(1)
        assert m.sender == "alice@sender.test"
        assert m.recipients == ["bob@example.test", "carol@example.test"]
        assert m.client_addr == "127.0.0.1"
        assert m.client_proto == "ESMTP"
        # Exactly the injected message behind Impulse's Received: header,
        # minus the binding header (stripped at injection).
        assert without_received(m.data) == lf(data).replace(b"X-Impulse-Binding: b1\n", b"")
        assert b"x-impulse" not in m.data.lower()
        assert m.data.lower().startswith(b"received: ")
        # one D record per recipient (as the R records), all alike
        recs = d.wait_records("D", msgid, count=2)
        assert len(recs) == 2 and recs[0] == recs[1]
        rec = recs[0]
        assert t0 <= int(rec["time"]) <= now()
        assert rec["domain"] == "example.test"
        assert (rec["binding_group"], rec["binding"]) == ("default", "b1")
        assert rec["remote_ip"] == "127.0.0.11"
        assert rec["retries"] == "0"
        assert int(rec["size"]) == len(m.data.replace(b"\n", b"\r\n"))
        assert re.fullmatch(r"\d+(\.\d+)?", rec["seconds"])
        assert d.records("T", msgid) == [] and d.records("P", msgid) == []


def test_message_arrives_intact_at_postfix_smtpd_and_d_record_names_the_peer(tmp_path):
    zone = zone_header("test") + "example IN MX 10 mx.example\nmx.example IN A 127.0.0.12\n"
    data = body("intact at postfix", "X-Impulse-Binding-Group: g1\r\n")
    groups = 'Binding_Group "g1" { Binding "b1" { } }\n'
    with NsdServer({"test": zone}) as dns, PostfixSmtpd("127.0.0.12") as mx, \
            Mta(tmp_path, dns, mx.port, groups) as d:
        msgid = d.send("alice@sender.test", ["bob@example.test", "carol@example.test"], data)
        copies = mx.wait_messages(2)
        assert sorted(c.recipient for c in copies) == ["bob@example.test", "carol@example.test"]
        for c in copies:
            assert c.sender == "alice@sender.test"
            assert c.client_addr == "127.0.0.1"
            assert c.protocol == "ESMTP"
            assert without_received(c.data) == lf(data).replace(b"X-Impulse-Binding-Group: g1\n", b"")
            assert b"x-impulse" not in c.data.lower()
        recs = d.wait_records("D", msgid, count=2)
        assert len(recs) == 2 and recs[0] == recs[1]
        rec = recs[0]
        assert rec["domain"] == "example.test"
        assert (rec["binding_group"], rec["binding"]) == ("g1", "b1")
        assert rec["remote_ip"] == "127.0.0.12"
        assert rec["retries"] == "0"


# ---- 2. Routes (seed 003) ------------------------------------------------------------


def d_record_ips(d, msgids):
    """{msgid: remote_ip of its D record}, waiting for every one."""
    out = {}
    for msgid in msgids:
        out[msgid] = d.wait_records("D", msgid)[0]["remote_ip"]
    return out


def test_routes_smart_host_by_name_takes_mail_for_every_domain(tmp_path):
    # `Routes = ( "my.local.smart.host" )`: the name resolves (no MX, so its
    # A record) and replaces every domain's MXs, even a domain that has MX
    # records of its own, and one that does not exist at all.
    zone = zone_header("test") + textwrap.dedent("""\
        smart IN A 127.0.0.21
        example IN MX 10 mx.example
        mx.example IN A 127.0.0.22
        """)
    with NsdServer({"test": zone}) as dns, \
            peers_on_one_port([sink("127.0.0.21"), sink("127.0.0.22")]) as (port, (smart, mx)), \
            Mta(tmp_path, dns, port, 'Routes = ( "smart.test" )\n') as d:
        a = d.send("alice@sender.test", ["bob@example.test"], body("to example"))
        b = d.send("alice@sender.test", ["carol@nowhere.invalid"], body("to nowhere"))
        msgs = smart.wait_messages(2)
        assert sorted(r for m in msgs for r in m.recipients) == ["bob@example.test", "carol@nowhere.invalid"]
        assert d_record_ips(d, [a, b]) == {a: "127.0.0.21", b: "127.0.0.21"}
        assert mx.connections() == []


def test_routes_mx_delivers_each_domain_to_its_own_mx_hosts(tmp_path):
    zone = zone_header("test") + textwrap.dedent("""\
        one IN MX 10 mx.one
        mx.one IN A 127.0.0.23
        two IN MX 10 mx.two
        mx.two IN A 127.0.0.24
        """)
    with NsdServer({"test": zone}) as dns, \
            peers_on_one_port([sink("127.0.0.23"), sink("127.0.0.24")]) as (port, (one, two)), \
            Mta(tmp_path, dns, port, 'Routes = ( "__mx__" )\n') as d:
        a = d.send("alice@sender.test", ["bob@one.test"], body("to one"))
        b = d.send("alice@sender.test", ["carol@two.test"], body("to two"))
        [m1] = one.wait_messages(1)
        [m2] = two.wait_messages(1)
        assert (m1.recipients, m2.recipients) == (["bob@one.test"], ["carol@two.test"])
        assert d_record_ips(d, [a, b]) == {a: "127.0.0.23", b: "127.0.0.24"}


PREFERRED_SMART_HOST = textwrap.dedent("""\
    smart IN A 127.0.0.25
    example IN MX 10 mx1.example
    example IN MX 20 mx2.example
    mx1.example IN A 127.0.0.26
    mx2.example IN A 127.0.0.27
    """)


def test_routes_preferred_smart_host_takes_all_mail_while_up(tmp_path):
    # `Routes = ( "smtp://my.local.smart.host?pref=1" "__mx__" )`
    zone = zone_header("test") + PREFERRED_SMART_HOST
    with NsdServer({"test": zone}) as dns, \
            peers_on_one_port([sink("127.0.0.25"), sink("127.0.0.26"), sink("127.0.0.27")]) \
            as (port, (smart, mx1, mx2)), \
            Mta(tmp_path, dns, port, 'Routes = ( "smtp://smart.test?pref=1" "__mx__" )\n') as d:
        ids = d.send_many("alice@sender.test", ["bob@example.test"], [body(f"m{i}") for i in range(5)])
        smart.wait_messages(5)
        assert set(d_record_ips(d, ids).values()) == {"127.0.0.25"}
        assert (mx1.connections(), mx2.connections()) == ([], [])


def test_routes_mx_hosts_take_over_when_preferred_smart_host_goes_down(tmp_path):
    zone = zone_header("test") + PREFERRED_SMART_HOST
    with NsdServer({"test": zone}) as dns, \
            peers_on_one_port([sink("127.0.0.25"), sink("127.0.0.26"), sink("127.0.0.27")]) \
            as (port, (smart, mx1, mx2)), \
            Mta(tmp_path, dns, port, 'Routes = ( "smtp://smart.test?pref=1" "__mx__" )\n') as d:
        first = d.send("alice@sender.test", ["bob@example.test"], body("while up"))
        smart.wait_messages(1)
        assert d_record_ips(d, [first]) == {first: "127.0.0.25"}
        smart.stop()  # its port is closed now: connections to it are refused
        second = d.send("alice@sender.test", ["bob@example.test"], body("while down"))
        [m] = mx1.wait_messages(1)
        assert m.data.count(b"Subject: while down") == 1
        assert d_record_ips(d, [second]) == {second: "127.0.0.26"}
        assert mx2.connections() == []  # the next preference is still up


def test_routes_equal_preference_hosts_share_connections_evenly(tmp_path):
    # The seed's load-balancing example: five pref=10 hosts. Connections are
    # opened to the host with the fewest open ones, so with many concurrent
    # connections each host gets its share of them (not of the messages).
    # The peers answer the final dot after 1 s so that connections pile up.
    addresses = [f"127.0.0.{n}" for n in range(31, 36)]
    routes = " ".join(f'"smtp://{a}?pref=10"' for a in addresses)
    extra = f"""\
        Routes = ( {routes} )
        Max_Outbound_Connections = 25
        Connection_Allocation_Aggressiveness = high
        """
    n_messages = 50
    with NsdServer({"test": zone_header("test")}) as dns, \
            peers_on_one_port([(lambda a: lambda port: SmtpSink(a, port, data_delay=1))(a) for a in addresses]) \
            as (port, sinks), \
            Mta(tmp_path, dns, port, extra) as d:
        ids = d.send_many("alice@sender.test", ["bob@example.test"], [body(f"m{i}") for i in range(n_messages)])
        wait_for(lambda: sum(s.count for s in sinks) >= n_messages, timeout=60, what=f"{n_messages} messages")
        d_record_ips(d, ids)
        conns = [len(s.connections()) for s in sinks]
        total = sum(conns)
        assert all(c >= 1 for c in conns), conns
        assert all(c >= 0.08 * total for c in conns), conns
        assert sum(s.count for s in sinks) == n_messages


def max_concurrent(server):
    """The most connections the scripted server had at once, counting a
    connection from its accept to its QUIT command (or its close): the
    daemon frees a connection's slot only after the 221 to QUIT, which the
    server sends after logging the QUIT, so a connection that replaces it
    is logged after that."""
    open_, peak, ended = 0, 0, set()
    for e in server.transcript():
        if e["type"] == "connect":
            open_ += 1
            peak = max(peak, open_)
        elif e.get("conn") not in ended and (
                e["type"] == "close" or (e["type"] == "cmd" and e["line"].upper().startswith("QUIT"))):
            ended.add(e["conn"])
            open_ -= 1
    return peak


PREFERENCE_ZONE = textwrap.dedent("""\
    better IN A 127.0.0.41
    worse IN A 127.0.0.42
    """)
PREFERENCE_ROUTES = 'Routes = ( "smtp://better.test?pref=10" "smtp://worse.test?pref=20" )\n'


def test_routes_worse_preference_is_used_only_while_the_better_host_is_at_its_host_limit(tmp_path):
    # The better host takes one connection at a time (`Host` limit) and
    # answers each final dot after half a second; a burst of mail needs more
    # connections than that, and only then does the worse host get any.
    extra = PREFERENCE_ROUTES + 'Host "better.test" { Max_Outbound_Connections = 1 }\n'
    slow_better = lambda port: ScriptedSmtp("127.0.0.41", port, delay={"after_data": 0.5})  # noqa: E731
    with NsdServer({"test": zone_header("test") + PREFERENCE_ZONE}) as dns, \
            peers_on_one_port([slow_better, sink("127.0.0.42")]) as (port, (better, worse)), \
            Mta(tmp_path, dns, port, extra) as d:
        first = d.send("alice@sender.test", ["bob@example.test"], body("alone"))
        better.wait_messages(1)
        assert d_record_ips(d, [first]) == {first: "127.0.0.41"}
        assert worse.connections() == []  # one message: the better host has room

        burst = d.send_many("alice@sender.test", ["bob@example.test"], [body(f"burst {i}") for i in range(10)])
        ips = d_record_ips(d, burst)
        assert "127.0.0.42" in ips.values()
        assert set(ips.values()) <= {"127.0.0.41", "127.0.0.42"}
        assert len(better.messages()) + worse.count == 11
        assert max_concurrent(better) == 1


def test_routes_worse_preference_takes_mail_while_the_better_host_is_down(tmp_path):
    # Nothing listens on the better host's address: its connection is
    # refused, the address is quarantined (Host_Failure_Retry) and the same
    # message goes to the worse host at once (no transient failure).
    with NsdServer({"test": zone_header("test") + PREFERENCE_ZONE}) as dns, \
            SmtpSink("127.0.0.42") as worse, \
            Mta(tmp_path, dns, worse.port, PREFERENCE_ROUTES) as d:
        first = d.send("alice@sender.test", ["bob@example.test"], body("better is down"))
        worse.wait_messages(1)
        assert d_record_ips(d, [first]) == {first: "127.0.0.42"}
        assert d.records("T", first) == []
        second = d.send("alice@sender.test", ["bob@example.test"], body("still down"))
        worse.wait_messages(2)
        assert d_record_ips(d, [second]) == {second: "127.0.0.42"}
        # the console marks the quarantined address with "*" (Momentum's format)
        described = d.ctl("domain", "example.test")
        assert re.search(r"^\t\* \[127\.0\.0\.41\] IPv4 \(0 open, 0 to host\) \d+s since failure$", described,
                         re.M), described
        assert re.search(r"^\t\[127\.0\.0\.42\] IPv4 ", described, re.M), described


def test_more_connections_open_as_mail_piles_up_behind_a_busy_connection(tmp_path):
    # How many connections a queue wants grows with its size (SPEC §3
    # "Limits"). Here the domain record is already built (a first message
    # went out), so a burst that arrives while the queue's one connection
    # waits at a slow peer must open more connections, not wait for it.
    extra = textwrap.dedent("""\
        Routes = ( "slow.test" )
        Max_Outbound_Connections = 20
        Connection_Allocation_Aggressiveness = high
        """)
    with NsdServer({"test": zone_header("test") + "slow IN A 127.0.0.44\n"}) as dns, \
            ScriptedSmtp("127.0.0.44", delay={"after_data": 0.5}) as slow, \
            Mta(tmp_path, dns, slow.port, extra) as d:
        first = d.send("alice@sender.test", ["bob@example.test"], body("first"))
        d.wait_records("D", first)
        ids = d.send_many("alice@sender.test", ["bob@example.test"], [body(f"m{i}") for i in range(16)])
        slow.wait_messages(17, timeout=30)
        assert set(d_record_ips(d, ids).values()) == {"127.0.0.44"}
        assert max_concurrent(slow) >= 2, slow.dialogue()


def test_host_scope_max_outbound_connections_caps_concurrent_connections_to_that_host(tmp_path):
    extra = textwrap.dedent("""\
        Routes = ( "slow.test" )
        Max_Outbound_Connections = 20
        Connection_Allocation_Aggressiveness = high
        Host "slow.test" { Max_Outbound_Connections = 2 }
        """)
    with NsdServer({"test": zone_header("test") + "slow IN A 127.0.0.43\n"}) as dns, \
            ScriptedSmtp("127.0.0.43", delay={"after_data": 0.5}) as slow, \
            Mta(tmp_path, dns, slow.port, extra) as d:
        ids = d.send_many("alice@sender.test", ["bob@example.test"], [body(f"m{i}") for i in range(12)])
        slow.wait_messages(12, timeout=30)
        assert set(d_record_ips(d, ids).values()) == {"127.0.0.43"}
        assert max_concurrent(slow) == 2, slow.dialogue()


def test_routes_ipv6_literal_with_port_delivers_over_ipv6(tmp_path):
    with NsdServer({"test": zone_header("test")}) as dns, SmtpSink("::1") as mx, \
            Mta(tmp_path, dns, 25, f'Routes = ( "smtp://[::1]?port={mx.port}" )\n') as d:
        msgid = d.send("alice@sender.test", ["bob@example.test"], body("over ipv6"))
        [m] = mx.wait_messages(1)
        assert m.client_addr == "::1"
        assert m.recipients == ["bob@example.test"]
        assert without_received(m.data) == lf(body("over ipv6"))
        assert d_record_ips(d, [msgid]) == {msgid: "::1"}


# ---- 3. Gateway (seed 001) -------------------------------------------------------------


def test_global_gateway_and_a_domain_gateway_split_the_mail(tmp_path):
    # The seed's example with loopback addresses. The seed delivers
    # local.example.com by LMTP; LMTP has its own tests, so this domain uses
    # Delivery_Method = SMTP (HELO, no extensions) to show the domain's own
    # method applies at its own gateway.
    with NsdServer({"test": zone_header("test")}) as dns, SmtpSink("127.0.0.51") as hub, \
            SmtpSink("127.0.0.52") as local:
        extra = textwrap.dedent(f"""\
            # route all mail to a "smart host"
            Gateway = "127.0.0.51:{hub.port}"
            # Except for mail for local.example.com
            Domain local.example.com {{
              Gateway = "127.0.0.52:{local.port}"
              Delivery_Method = SMTP
            }}
            """)
        with Mta(tmp_path, dns, 25, extra) as d:
            a = d.send("alice@sender.test", ["bob@local.example.com"], body("to local"))
            b = d.send("alice@sender.test", ["carol@example.com", "dave@elsewhere.test"], body("to hub"))
            [ml] = local.wait_messages(1)
            hub_msgs = hub.wait_messages(2)
            assert ml.recipients == ["bob@local.example.com"]
            assert ml.client_proto == "SMTP"
            assert sorted(r for m in hub_msgs for r in m.recipients) == ["carol@example.com", "dave@elsewhere.test"]
            assert {m.client_proto for m in hub_msgs} == {"ESMTP"}
            assert d_record_ips(d, [a, b]) == {a: "127.0.0.52", b: "127.0.0.51"}
            assert {r["domain"]: r["remote_ip"] for r in d.records("D", b)} == {
                "example.com": "127.0.0.51", "elsewhere.test": "127.0.0.51"}


# ---- 4. bind_address ------------------------------------------------------------------


def test_binding_bind_address_is_the_client_address_the_peer_sees(tmp_path):
    zone = zone_header("test") + "example IN MX 10 mx.example\nmx.example IN A 127.0.0.61\n"
    with NsdServer({"test": zone}) as dns, SmtpSink("127.0.0.61") as mx, \
            Mta(tmp_path, dns, mx.port, 'Binding "b1" { Bind_Address = 127.0.0.2 }\n') as d:
        bound = d.send("alice@sender.test", ["bob@example.test"], body("from b1", "X-Impulse-Binding: b1\r\n"))
        plain = d.send("alice@sender.test", ["bob@example.test"], body("from default"))
        msgs = mx.wait_messages(2)
        by_subject = {re.search(rb"Subject: (.*)", m.data).group(1).decode(): m for m in msgs}
        assert by_subject["from b1"].client_addr == "127.0.0.2"
        assert by_subject["from default"].client_addr == "127.0.0.1"
        assert b"x-impulse" not in by_subject["from b1"].data.lower()
        assert sorted(mx.connections()) == ["127.0.0.1", "127.0.0.2"]
        rb, rp = d.wait_records("D", bound)[0], d.wait_records("D", plain)[0]
        assert (rb["binding"], rb["remote_ip"]) == ("b1", "127.0.0.61")
        assert (rp["binding"], rp["remote_ip"]) == ("default", "127.0.0.61")


# ---- 5. DNS failures ------------------------------------------------------------------

FAILURE_ZONE = textwrap.dedent("""\
    nullmx IN MX 0 .
    sender IN MX 10 mx.sender
    mx.sender IN A 127.0.0.71
    """)


def assert_dns_failure(d, bounces_mx, t0, msgid, domain, response):
    (p,) = d.wait_records("P", msgid)
    assert t0 <= int(p["time"]) <= now()
    assert p["domain"] == domain
    assert p["bytes_sent"] == "0"
    assert (p["binding_group"], p["binding"]) == ("default", "default")
    assert p["stage"] == "0"  # not connected
    assert p["retries"] == "0"
    assert p["remote_ip"] == ""
    assert p["response"] == response
    assert d.records("T", msgid) == [] and d.records("D", msgid) == []
    (b,) = d.wait_records("B", msgid, name="bouncelog.ec")
    assert (b["rcpt_local"], b["rcpt_domain"]) == ("bob", domain)
    assert (b["sender_local"], b["sender_domain"]) == ("alice", "sender.test")
    assert b["raw_response"] == response
    assert b["remote_ip"] == ""
    # and the bounce reaches the sender's MX, from the null sender
    [dsn] = bounces_mx.wait_messages(1)
    assert dsn.sender == ""
    assert dsn.recipients == ["alice@sender.test"]
    assert response.encode() in dsn.data


def test_null_mx_domain_fails_permanently_without_a_connection(tmp_path):
    with NsdServer({"test": zone_header("test") + FAILURE_ZONE}) as dns, SmtpSink("127.0.0.71") as senders_mx, \
            Mta(tmp_path, dns, senders_mx.port) as d:
        t0 = now()
        msgid = d.send("alice@sender.test", ["bob@nullmx.test"], body("to null mx"))
        assert_dns_failure(d, senders_mx, t0, msgid, "nullmx.test",
                           "550 5.4.4 [internal] NULL MX domain does not accept mail")


def test_nxdomain_fails_permanently_with_domain_lookup_failed(tmp_path):
    with NsdServer({"test": zone_header("test") + FAILURE_ZONE}) as dns, SmtpSink("127.0.0.71") as senders_mx, \
            Mta(tmp_path, dns, senders_mx.port) as d:
        t0 = now()
        msgid = d.send("alice@sender.test", ["bob@nxdomain.test"], body("to nowhere"))
        assert_dns_failure(d, senders_mx, t0, msgid, "nxdomain.test", "554 5.4.4 [internal] Domain Lookup Failed")
