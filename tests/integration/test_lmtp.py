"""LMTP delivery end to end (issue 6; SPEC §4 LMTP; seeds 000, 001, 002;
reference/protocols.md §2): the real impulsed delivering to a real Dovecot
LMTP server (harness.dovecot) over TCP and over its Unix socket, to the
scripted aiosmtpd LMTP server where the dialogue itself is checked, and to
Postfix's smtp-sink as the smart host of seed 001.

Checked: what the peers received (mailboxes, dumps, the LMTP commands), and
what the mainlog and bouncelog say, field by field (D/T/P and B records in
Momentum's formats, reference/momentum.md §10.1). For a Unix socket the
remote_ip field of D/T/P/B records is the socket path.

Addresses: 127.0.6.N, one per role, with free ports. No DNS is needed (every
Gateway and route is an IP literal or a socket), so no Nameservers.
"""
import contextlib
import os
import re

import pytest

from harness.dovecot import DovecotError, DovecotLmtp
from harness.impulse import Daemon, daemon_config
from harness.logs import logged
from harness.process import free_port, wait_for
from harness.scripted_smtp import ScriptedSmtp
from harness.smtp_peers import SmtpSink

SENDER = "sender@origin.test"
DOMAIN = "lmtp.test"
STORE = "127.0.6.1"      # Dovecot's TCP listener
SMART = "127.0.6.50"     # the smart host (seed 001's 10.10.10.50)
LOCAL = "127.0.6.20"     # seed 001's 10.10.10.20

# Dovecot's replies (harness/dovecot.py, checked by test_dovecot_harness.py).
OVER_QUOTA = "552 5.2.2 <{a}> Quota exceeded (mailbox for user is full)"
OVER_QUOTA_TEMP = "452 4.2.2 <{a}> Quota exceeded (mailbox for user is full)"
UNKNOWN = "550 5.1.1 <{a}> User doesn't exist: {a}"


def message(subject, size=0):
    """A message; `size` pads the body to at least that many bytes (a 1K
    quota never fits 2 KB)."""
    head = f"From: {SENDER}\r\nTo: undisclosed-recipients:;\r\nSubject: {subject}\r\n\r\n"
    body = "hello over LMTP\r\n"
    while len(head) + len(body) < size:
        body += "x" * 70 + "\r\n"
    return (head + body).encode()


def unfolded(text):
    """Header fields on one line each (RFC 5322 unfolding)."""
    return re.sub(r"\r?\n[ \t]+", " ", text)


def subjects(msgs):
    out = []
    for m in msgs:
        found = re.search(rb"^Subject: (.*)$", m, re.M)
        out.append(found.group(1).decode() if found else None)
    return out


# ---- the daemon --------------------------------------------------------------------


def config(listen_port, extra):
    return daemon_config(listen_port, """\
        Retry_Interval = 1
        Delayed_Queue_Scan_Interval = 1
        Idle_Timeout = 1
        """, extra=extra)


class Mta(Daemon):
    """impulsed with the test's routing (harness.impulse.Daemon: its logs,
    console and SMTP port)."""

    def __init__(self, tmp_path, extra):
        super().__init__(tmp_path / "impulsed", lambda port: config(port, extra))

    def send(self, rcpts, data, sender=SENDER):
        return super().send(sender, rcpts, data)


@contextlib.contextmanager
def dovecot(users, **kw):
    with DovecotLmtp(users, domain=kw.pop("domain", DOMAIN), address=kw.pop("address", STORE), **kw) as store:
        yield store


def lmtp_gateway(store, transport):
    """The Gateway value for `store` over `transport`."""
    return f'"unix:{store.socket_path}"' if transport == "unix" else f'"{store.target}"'


def remote_ip(store, transport):
    """What the logs name as the peer: the socket path, or the IP."""
    return store.socket_path if transport == "unix" else store.host


def lmtp_domain(store, transport, extra=""):
    """Mail for DOMAIN goes to `store` by LMTP, over `transport`."""
    return f"""\
        Domain "{DOMAIN}" {{
          Delivery_Method = LMTP
          Gateway = {lmtp_gateway(store, transport)}
          {extra}
        }}
        """


def smart_host(sink):
    return f'Gateway = "{sink.hostport}"\n'


TRANSPORTS = ["tcp", "unix"]


# ---- 1. one message, three recipients, each disposed of on its own -----------------


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_over_quota_recipient_is_bounced_after_data_and_the_other_two_are_delivered(tmp_path, transport):
    users = {"alice": {}, "bob": {}, "carol": {"quota": "1K"}}
    with dovecot(users, quota_grace="0") as store, SmtpSink(SMART) as sink, \
            Mta(tmp_path, smart_host(sink) + lmtp_domain(store, transport)) as d:
        rcpts = [store.address(u) for u in ("alice", "bob", "carol")]
        msgid = d.send(rcpts, message("three recipients", size=3000))

        assert subjects(store.wait_mailbox("alice", 1)) == ["three recipients"]
        assert subjects(store.wait_mailbox("bob", 1)) == ["three recipients"]
        delivered = d.wait_records("D", msgid, count=2)
        for rec in delivered:
            assert rec["domain"] == DOMAIN
            assert rec["remote_ip"] == remote_ip(store, transport)
            assert rec["retries"] == "0"

        [p] = d.wait_records("P", msgid)
        carol = store.address("carol")
        assert p["response"] == logged(OVER_QUOTA.format(a=carol))
        assert p["stage"] == "9"  # reading the reply after the final dot
        assert p["remote_ip"] == remote_ip(store, transport)
        [b] = wait_for(lambda: d.bouncelog(msgid), what="B record")
        assert (b["rcpt_local"], b["rcpt_domain"]) == ("carol", DOMAIN)
        assert (b["sender_local"], b["sender_domain"]) == ("sender", "origin.test")
        assert b["classification"] == "22"  # Mailbox Full
        assert b["raw_response"] == logged(OVER_QUOTA.format(a=carol))
        assert b["remote_ip"] == remote_ip(store, transport)

        # The bounce goes to the sender, through the global smart host.
        [dsn] = sink.wait_messages(1)
        assert dsn.sender == "" and dsn.recipients == [SENDER]
        report = unfolded(dsn.text)
        assert f"Final-Recipient: rfc822; {carol}" in report
        assert "Status: 5.2.2" in report
        assert "Diagnostic-Code: smtp; " + OVER_QUOTA.format(a=carol) in report
        assert store.mailbox("carol") == []
        assert d.records("T", msgid) == []
        assert len(d.records("D", msgid)) == 2


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_unknown_recipient_is_bounced_at_rcpt_and_the_other_two_are_delivered(tmp_path, transport):
    with dovecot(["alice", "bob"]) as store, SmtpSink(SMART) as sink, \
            Mta(tmp_path, smart_host(sink) + lmtp_domain(store, transport)) as d:
        nobody = store.address("nobody")
        msgid = d.send([store.address("alice"), nobody, store.address("bob")], message("one unknown"))

        assert subjects(store.wait_mailbox("alice", 1)) == ["one unknown"]
        assert subjects(store.wait_mailbox("bob", 1)) == ["one unknown"]
        assert len(d.wait_records("D", msgid, count=2)) == 2
        [p] = d.wait_records("P", msgid)
        assert p["response"] == logged(UNKNOWN.format(a=nobody))
        assert p["stage"] == "4"  # during RCPT TO
        assert p["remote_ip"] == remote_ip(store, transport)
        [b] = wait_for(lambda: d.bouncelog(msgid), what="B record")
        assert (b["rcpt_local"], b["rcpt_domain"]) == ("nobody", DOMAIN)
        assert b["classification"] == "10"  # Invalid Recipient
        [dsn] = sink.wait_messages(1)
        report = unfolded(dsn.text)
        assert f"Final-Recipient: rfc822; {nobody}" in report
        assert "Status: 5.1.1" in report
        assert "Diagnostic-Code: smtp; " + UNKNOWN.format(a=nobody) in report
        assert len(d.records("D", msgid)) == 2


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_over_quota_tempfail_recipient_is_retried_alone_until_delivered(tmp_path, transport):
    # quota_full_tempfail: Dovecot says 452 4.2.2 after the dot. Only carol
    # stays queued; the retries never deliver alice or bob a second time.
    users = {"alice": {}, "bob": {}, "carol": {"messages": 1}}
    with dovecot(users, quota_full_tempfail=True) as store, SmtpSink(SMART) as sink, \
            Mta(tmp_path, smart_host(sink) + lmtp_domain(store, transport)) as d:
        filler = store.put("carol", b"Subject: filler\n\nthe mailbox is full\n")
        rcpts = [store.address(u) for u in ("alice", "bob", "carol")]
        msgid = d.send(rcpts, message("retry carol"))

        carol = store.address("carol")
        t = d.wait_records("T", msgid)[0]
        assert t["response"] == logged(OVER_QUOTA_TEMP.format(a=carol))
        assert t["stage"] == "9"
        assert t["remote_ip"] == remote_ip(store, transport)
        first = d.wait_records("D", msgid, count=2)
        assert all(r["retries"] == "0" for r in first)
        queued = d.ctl("showqueue", DOMAIN)
        assert carol in queued and store.address("alice") not in queued, queued

        os.unlink(filler)  # room again: the next retry gets through
        delivered = d.wait_records("D", msgid, count=3)
        assert int(delivered[2]["retries"]) >= 1
        assert delivered[2]["remote_ip"] == remote_ip(store, transport)
        assert subjects(store.wait_mailbox("carol", 1)) == ["retry carol"]
        assert subjects(store.mailbox("alice")) == ["retry carol"]
        assert subjects(store.mailbox("bob")) == ["retry carol"]
        assert d.records("P", msgid) == [] and d.bouncelog(msgid) == []
        assert sink.messages() == []  # no bounce, no delay notice


# ---- 2. the LMTP dialogue ----------------------------------------------------------


def test_session_says_lhlo_and_reads_one_reply_per_accepted_recipient(tmp_path):
    # aiosmtpd's LMTP server, scripted: per-recipient replies after the dot.
    after = {"a@lmtp.test": "250 2.0.0 a saved",
             "b@lmtp.test": "452 4.2.2 b over quota",
             "c@lmtp.test": "550 5.1.1 c gone"}
    with ScriptedSmtp("127.0.6.30", lmtp=True, after_data=after) as mx, \
            SmtpSink(SMART) as sink, \
            Mta(tmp_path, smart_host(sink) + f"""\
                Domain "{DOMAIN}" {{
                  Delivery_Method = LMTP
                  Routes = ( "lmtp://127.0.6.30?port={mx.port}" )
                }}
                """) as d:
        msgid = d.send(["a@lmtp.test", "b@lmtp.test", "c@lmtp.test"], message("dialogue"))
        [m] = mx.wait_messages(1)
        assert m.recipients == ["a@lmtp.test", "b@lmtp.test", "c@lmtp.test"]
        assert m.replies == ["250 2.0.0 a saved", "452 4.2.2 b over quota", "550 5.1.1 c gone"]
        verbs = [c.split()[0].upper() for c in mx.commands(conn=m.conn)]
        assert verbs[0] == "LHLO" and "EHLO" not in verbs and "HELO" not in verbs, mx.dialogue()

        [rec] = d.wait_records("D", msgid)
        assert rec["remote_ip"] == "127.0.6.30"
        t = d.wait_records("T", msgid)[0]  # b is retried meanwhile: more T records follow
        assert t["response"] == "452 4.2.2 b over quota"
        [p] = d.wait_records("P", msgid)
        assert p["response"] == "550 5.1.1 c gone"
        # In step for the next message on the same kind of session.
        second = d.send(["a@lmtp.test"], message("second"))
        assert d.wait_records("D", second)[0]["remote_ip"] == "127.0.6.30"


# ---- 3. LMTP_Port through every scope, and what overrides it -------------------------


SCOPE_CASES = {
    # name: (configuration; {P} = Dovecot's port, {X} = a port nobody listens on), binding
    "global": ("""\
        LMTP_Port = {P}
        Domain "lmtp.test" {{ Delivery_Method = LMTP  Gateway = 127.0.6.1 }}
        """, None),
    "domain_over_global": ("""\
        LMTP_Port = {X}
        Domain "lmtp.test" {{ Delivery_Method = LMTP  Gateway = 127.0.6.1  LMTP_Port = {P} }}
        """, None),
    "binding_over_domain_and_global": ("""\
        LMTP_Port = {X}
        Domain "lmtp.test" {{ Delivery_Method = LMTP  Gateway = 127.0.6.1  LMTP_Port = {X} }}
        Binding "b1" {{ LMTP_Port = {P} }}
        """, "b1"),
    "binding_group_over_domain_and_global": ("""\
        LMTP_Port = {X}
        Domain "lmtp.test" {{ Delivery_Method = LMTP  Gateway = 127.0.6.1  LMTP_Port = {X} }}
        Binding_Group "g1" {{ LMTP_Port = {P}  Binding "b1" {{ }} }}
        """, "b1"),
    "binding_over_its_binding_group": ("""\
        Domain "lmtp.test" {{ Delivery_Method = LMTP  Gateway = 127.0.6.1 }}
        Binding_Group "g1" {{ LMTP_Port = {X}  Binding "b1" {{ LMTP_Port = {P} }} }}
        """, "b1"),
    "binding_domain_over_binding": ("""\
        Domain "lmtp.test" {{ Delivery_Method = LMTP  Gateway = 127.0.6.1 }}
        Binding "b1" {{ LMTP_Port = {X}  Domain "lmtp.test" {{ LMTP_Port = {P} }} }}
        """, "b1"),
    "route_port_over_every_scope": ("""\
        LMTP_Port = {X}
        Domain "lmtp.test" {{
          Delivery_Method = LMTP
          LMTP_Port = {X}
          Routes = ( "lmtp://127.0.6.1?port={P}" )
        }}
        Binding "b1" {{ LMTP_Port = {X} }}
        """, "b1"),
    "gateway_host_port_over_lmtp_port": ("""\
        LMTP_Port = {X}
        Domain "lmtp.test" {{ Delivery_Method = LMTP  Gateway = "127.0.6.1:{P}"  LMTP_Port = {X} }}
        """, None),
}


@pytest.fixture(scope="module")
def scope_store():
    """One Dovecot for the scope cases: a user per case."""
    with dovecot([name.replace("_", "") for name in SCOPE_CASES]) as store:
        yield store


@pytest.mark.parametrize("case", list(SCOPE_CASES))
def test_lmtp_port_resolves_through_every_scope(tmp_path, scope_store, case):
    text, binding = SCOPE_CASES[case]
    dead = free_port(STORE)
    user = case.replace("_", "")
    with Mta(tmp_path, text.format(P=scope_store.port, X=dead)) as d:
        headers = f"X-Impulse-Binding: {binding}\r\n".encode() if binding else b""
        msgid = d.send([scope_store.address(user)], headers + message(case))
        outcome = d.first_outcome(msgid)
        assert outcome["type"] == "D", outcome  # a T record means the wrong port was used
        assert outcome["remote_ip"] == STORE
        assert outcome["binding"] == (binding or "default")
        assert subjects(scope_store.wait_mailbox(user, 1)) == [case]


def test_lmtp_port_defaults_to_2003(tmp_path):
    # Dovecot also listens on 2003 (on an address of its own); nothing in
    # the configuration names a port.
    for last in range(203, 213):
        address = f"127.0.6.{last}"
        extra = f"service lmtp {{\n  inet_listener lmtp2003 {{\n    address = {address}\n    port = 2003\n  }}\n}}\n"
        try:
            store = DovecotLmtp(["alice"], domain=DOMAIN, address=address, extra_config=extra).start()
        except DovecotError:
            continue  # 2003 taken on that address: try the next one
        break
    else:
        pytest.fail("no 127.0.6.x address with port 2003 free")
    with store, Mta(tmp_path, f"""\
            Domain "{DOMAIN}" {{ Delivery_Method = LMTP  Gateway = {address} }}
            """) as d:
        msgid = d.send([store.address("alice")], message("port 2003"))
        outcome = d.first_outcome(msgid)
        assert outcome["type"] == "D", outcome
        assert outcome["remote_ip"] == address
        assert subjects(store.wait_mailbox("alice", 1)) == ["port 2003"]


# ---- 4. Unix sockets -----------------------------------------------------------------


def test_unix_socket_gateway_shows_in_domain_console_command(tmp_path):
    with dovecot(["alice"]) as store, \
            Mta(tmp_path, lmtp_domain(store, "unix")) as d:
        msgid = d.send([store.address("alice")], message("console"))
        assert d.wait_records("D", msgid)[0]["remote_ip"] == store.socket_path
        text = d.ctl("domain", DOMAIN)
        assert f"[0 {store.socket_path} TTL:300]" in text, text
        assert f"[{store.socket_path}] Unix (" in text, text


def test_routes_prefer_the_unix_socket_and_fall_back_to_tcp_while_it_is_missing(tmp_path):
    with dovecot(["alice"]) as store:
        missing = os.path.join(store.dir, "no-such-socket")
        routes = f'"lmtp://unix:{missing}?pref=1" "lmtp://{STORE}?port={store.port}&pref=10"'
        with Mta(tmp_path, f"""\
                Domain "{DOMAIN}" {{
                  Delivery_Method = LMTP
                  Routes = ( {routes} )
                }}
                """) as d:
            msgid = d.send([store.address("alice")], message("fallback"))
            outcome = d.first_outcome(msgid)
            assert outcome["type"] == "D", outcome  # the same attempt went on to the next route
            assert outcome["remote_ip"] == STORE
            assert subjects(store.wait_mailbox("alice", 1)) == ["fallback"]
            text = d.ctl("domain", DOMAIN)
            assert f"* [{missing}] Unix" in text, text  # quarantined (Host_Failure_Retry)


def test_unix_socket_route_takes_over_from_tcp_when_preferred(tmp_path):
    with dovecot(["alice"]) as store:
        routes = f'"lmtp://unix:{store.socket_path}?pref=1" "lmtp://{STORE}?port={store.port}&pref=10"'
        with Mta(tmp_path, f"""\
                Domain "{DOMAIN}" {{
                  Delivery_Method = LMTP
                  Routes = ( {routes} )
                }}
                """) as d:
            msgid = d.send([store.address("alice")], message("socket first"))
            assert d.wait_records("D", msgid)[0]["remote_ip"] == store.socket_path
            assert subjects(store.wait_mailbox("alice", 1)) == ["socket first"]


# ---- 5. seed 001, as written, on loopback --------------------------------------------


def test_seed_001_smart_host_for_every_domain_and_lmtp_for_local_example_com(tmp_path):
    with dovecot(["alice"], domain="local.example.com", address=LOCAL) as store, \
            SmtpSink(SMART) as sink:
        seed = f"""\
            Remote_SMTP_Port = {sink.port}
            LMTP_Port = {store.port}

            # route all mail to a "smart host"
            Gateway = {SMART}

            # Except for mail for local.example.com
            Domain local.example.com {{
              # which is routed to this address
              Gateway = {LOCAL}
              # using LMTP
              Delivery_Method = LMTP
            }}
            """
        with Mta(tmp_path, seed) as d:
            msgid = d.send(["bob@other.test", "alice@local.example.com", "carol@example.org"],
                           message("seed 001"))
            assert subjects(store.wait_mailbox("alice", 1)) == ["seed 001"]
            got = sink.wait_messages(2)
            assert sorted(r for m in got for r in m.recipients) == ["bob@other.test", "carol@example.org"]
            for m in got:
                assert m.sender == SENDER
                assert m.client_proto == "ESMTP"
            recs = d.wait_records("D", msgid, count=3)
            by_domain = {r["domain"]: r["remote_ip"] for r in recs}
            assert by_domain == {"local.example.com": LOCAL, "other.test": SMART, "example.org": SMART}
            assert d.records("T", msgid) == [] and d.records("P", msgid) == []
