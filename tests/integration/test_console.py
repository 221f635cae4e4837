"""impulsectl against a live impulsed (SPEC §1 `impulsectl`, §3 domain
records, §7 console commands; reference/momentum.md §1.5 reload semantics and
§8 ec_console): every console command with Momentum's output shapes, counters
that move with real traffic, `domain` against a real nsd, routes that change
only on `refresh domain` or when the record's TTL runs out, refused reloads,
the queue commands on a suspended domain with queued mail, the Unix and TCP
control listeners, batch and interactive use, bad arguments, `shutdown`.

Peers are real: nsd for DNS, Postfix's smtp-sink and the scripted aiosmtpd
server as receiving MTAs, on their own 127.0.0.x addresses. Every wait polls
what the user can see (console output, what a peer received); no sleeps.
"""
import os
import re
import subprocess
import time

from harness.dns import NsdServer, zone_header
from harness.impulse import ID, IMPULSECTL, daemon_config, impulsectl
from harness.impulse import Daemon as ImpulseDaemon
from harness.process import free_port, port_open, wait_for
from harness.scripted_smtp import ScriptedSmtp
from harness.smtp_peers import SmtpSink

# Nothing answers here: a daemon that must not resolve anything has nowhere
# else to ask (tests stay on loopback even if routing goes wrong).
DEAD_NAMESERVER = "127.0.0.1:9"

SPEC_SUMMARY_LABELS = ["Outbound Concurrency", "Received Messages", "Successfully Delivered Messages",
                       "Failed Messages", "Uptime", "Active Queue Size", "Delayed Queue Size", "Total Queue Size"]


def base_config(port, body="", nameserver=DEAD_NAMESERVER, listens='Listen "./console.sock" { File_Mode = 0600 }'):
    return daemon_config(port, f"""\
        Nameservers = ( "{nameserver}" )
        Delayed_Queue_Scan_Interval = 1
        """, console=listens, extra=body)


class Daemon(ImpulseDaemon):
    """impulsed with an SMTP listener and a console socket; `body` is the
    test's own configuration (domains, routes, bindings)."""

    def __init__(self, tmp_path, body="", nameserver=DEAD_NAMESERVER, **kw):
        self.nameserver = nameserver
        self.kw = kw
        super().__init__(tmp_path, lambda port: base_config(port, body, nameserver, **kw))

    def write_config(self, body):
        super().write_config(base_config(self.port, body, self.nameserver, **self.kw))

    def ctl(self, *words):
        return super().ctl(*words, clean_stderr=True)

    def reload(self, body):
        self.write_config(body)
        assert self.ctl("config", "reload") == "Configuration reloaded.\n"

    def send(self, sender, rcpts, subject="console", headers=""):
        body = (f"From: {sender or 'mailer@sender.test'}\r\nTo: {', '.join(rcpts)}\r\n"
                f"Subject: {subject}\r\n{headers}\r\nhello\r\n").encode()
        return super().send(sender, rcpts, body)

    def summary(self):
        """summary as {label: int}; every line must be "\\tLabel: N"."""
        out = {}
        for line in self.ctl("summary").splitlines():
            m = re.fullmatch(r"\t([A-Za-z /]+): (\d+)", line)
            assert m, f"summary line not shaped 'Label: value': {line!r}"
            out[m.group(1)] = int(m.group(2))
        return out

    def wait_summary(self, **want):
        """Poll summary until every label_with_underscores has its value."""
        def ok():
            s = self.summary()
            return s if all(s[k.replace("_", " ")] == v for k, v in want.items()) else None
        return wait_for(ok, what=f"summary {want}")

    def showqueue(self, domain, binding=None, page=None):
        """showqueue [binding B] DOMAIN [LIMIT,OFFSET] as [(state, binding, id, created, envelope line)]."""
        words = (["binding", binding] if binding else []) + [domain] + ([page] if page else [])
        lines = self.ctl("showqueue", *words).splitlines()
        assert len(lines) % 2 == 0, lines
        out = []
        for head, env in zip(lines[0::2], lines[1::2]):
            m = re.fullmatch(rf"\[(active|delayed|in flight)/(\S+)\] ({ID}) Created: (\d+)", head)
            assert m, head
            assert env.startswith("From: <"), env
            out.append((m.group(1), m.group(2), m.group(3), int(m.group(4)), env))
        return out

    def mailq(self):
        """mailq rows as {(group/binding, domain): (AQ, DQ)}."""
        lines = self.ctl("mailq").splitlines()
        assert lines[0].split() == ["Group/Binding", "Domain", "AQ", "DQ"], lines[0]
        rows = {}
        for line in lines[1:]:
            gb, domain, aq, dq = line.split()
            rows[(gb, domain)] = (int(aq), int(dq))
        return rows

    def domain(self, name):
        return self.ctl("domain", name)


def details(text):
    """message details as {field: [values]}."""
    out = {}
    for line in text.splitlines():
        k, _, v = line.partition(": ")
        out.setdefault(k, []).append(v)
    return out


def zone(*records):
    return zone_header("test") + "".join(r + "\n" for r in records)


# ---- summary ----------------------------------------------------------------------------


def test_summary_counters_move_as_messages_are_received_and_delivered(tmp_path):
    with SmtpSink("127.0.0.81") as sink, SmtpSink("127.0.0.82", hard_reject={"RCPT"},
                                                  hard_reply="550 5.1.1 no such user") as refuser:
        body = f"""\
            Domain ok.test {{ Routes = ( "{sink.hostport}" ) }}
            Domain refused.test {{ Routes = ( "{refuser.hostport}" ) }}
            Domain held.test {{ Suspend_Delivery = true }}
            """
        with Daemon(tmp_path, body) as d:
            s = d.summary()
            for label in SPEC_SUMMARY_LABELS:
                assert label in s, f"summary lacks {label!r}: {s}"
            assert (s["Received Messages"], s["Successfully Delivered Messages"], s["Failed Messages"],
                    s["Total Queue Size"]) == (0, 0, 0, 0)

            d.send("", ["a@held.test"])
            s = d.wait_summary(Received_Messages=1, Active_Queue_Size=1, Total_Queue_Size=1)
            assert (s["Successfully Delivered Messages"], s["Delayed Queue Size"]) == (0, 0)

            d.send("", ["b@ok.test"])
            d.send("", ["c@ok.test"])
            sink.wait_messages(2)
            s = d.wait_summary(Received_Messages=3, Successfully_Delivered_Messages=2)
            assert (s["Failed Messages"], s["Total Queue Size"]) == (0, 1)

            d.send("", ["d@refused.test"])
            s = d.wait_summary(Received_Messages=4, Failed_Messages=1)
            assert (s["Successfully Delivered Messages"], s["Total Queue Size"]) == (2, 1)
            assert s["Uptime"] >= 0


# ---- domain ------------------------------------------------------------------------------


def test_domain_shows_the_mx_set_and_ttl_served_by_nsd(tmp_path):
    mxzone = zone("mxtest 600 IN MX 10 mx1.mxtest", "mxtest 600 IN MX 20 mx2.mxtest",
                  "mx1.mxtest 600 IN A 127.0.0.83", "mx2.mxtest 600 IN A 127.0.0.84")
    with NsdServer({"test": mxzone}) as dns, SmtpSink("127.0.0.83") as sink:
        body = f"""\
            Domain mxtest.test {{
              Remote_SMTP_Port = {sink.port}
              Idle_Timeout = 60
            }}
            """
        with Daemon(tmp_path, body, nameserver=dns.nameserver) as d:
            d.send("", ["bob@mxtest.test"])
            sink.wait_messages(1)
            text = wait_for(lambda: (lambda t: t if "Deliveries: 1\n" in t else None)(d.domain("mxtest.test")),
                            what="domain mxtest.test to count the delivery")
            lines = text.splitlines()
            m = re.fullmatch(r"Domain 'mxtest\.test' has 2 MXs and a TTL of (\d+) seconds", lines[0])
            assert m, text
            assert 580 <= int(m.group(1)) <= 600, text
            i1 = lines.index("[10 mx1.mxtest.test TTL:600]")
            i2 = lines.index("[20 mx2.mxtest.test TTL:600]")
            assert i1 < i2, text
            assert re.fullmatch(r"\t\[127\.0\.0\.83\] IPv4\b.*", lines[i1 + 1]), text
            assert re.fullmatch(r"\t\[127\.0\.0\.84\] IPv4\b.*", lines[i2 + 1]), text
            assert "Domain has had 0 consecutive connection failures" in lines
            assert "Queue: Active: 0 Delayed: 0" in lines, text
            assert "Failures: 0" in lines, text
            # the connection that delivered stays open (Idle_Timeout = 60)
            assert "Active Connections: 1" in lines, text
            assert re.search(r"^\t\[\d+\] ID: \d+ IP: 127\.0\.0\.83 State: idle$", text, re.M), text


def test_domain_shows_queue_sizes_of_a_suspended_domain(tmp_path):
    with Daemon(tmp_path, "Domain held.test { Suspend_Delivery = true }\n") as d:
        d.send("", ["a@held.test"])
        d.send("", ["b@held.test"])
        text = wait_for(lambda: (lambda t: t if "Active: 2" in t else None)(d.domain("held.test")),
                        what="domain held.test to show 2 queued")
        # never looked up (suspended): no record, but its queue is there
        assert text == ("Domain 'held.test' has no domain record\n"
                        "Queue: Active: 2 Delayed: 0\n"
                        "Deliveries: 0\n"
                        "Failures: 0\n"), text


# ---- routes, reload, refresh domain ----------------------------------------------------


def routes_body(target, port, extra=""):
    return f"""\
        Dns_Expire_Interval = 1
        Domain route.test {{
          Routes = ( "smtp://{target}?port={port}&type=a" )
          Idle_Timeout = 60
          {extra}
        }}
        """


def test_routes_change_applies_after_refresh_domain_not_before(tmp_path):
    rzone = zone("old 3600 IN A 127.0.0.85", "new 3600 IN A 127.0.0.86")
    with NsdServer({"test": rzone}) as dns, SmtpSink("127.0.0.85") as old, SmtpSink("127.0.0.86") as new:
        with Daemon(tmp_path, routes_body("old.test", old.port), nameserver=dns.nameserver) as d:
            d.send("", ["m1@route.test"])
            old.wait_messages(1)
            assert d.domain("route.test").splitlines()[1] == "[0 old.test TTL:3600]"

            d.reload(routes_body("new.test", new.port))
            # the record built from the old routes stays until refreshed
            d.send("", ["m2@route.test"])
            assert [m.recipients for m in old.wait_messages(2)] == [["m1@route.test"], ["m2@route.test"]]
            assert d.domain("route.test").splitlines()[1] == "[0 old.test TTL:3600]"
            assert new.count == 0

            assert d.ctl("refresh", "domain", "route.test") == "route.test refreshed.\n"
            # rebuilt at once from the new routes (no message needed to trigger it)
            wait_for(lambda: "[0 new.test TTL:3600]" in d.domain("route.test"), what="record rebuilt from new routes")
            d.send("", ["m3@route.test"])
            assert [m.recipients for m in new.wait_messages(1)] == [["m3@route.test"]]
            assert old.count == 2


def test_refresh_domain_all_rebuilds_every_record(tmp_path):
    rzone = zone("old 3600 IN A 127.0.0.87", "new 3600 IN A 127.0.0.88")
    with NsdServer({"test": rzone}) as dns, SmtpSink("127.0.0.87") as old, SmtpSink("127.0.0.88") as new:
        with Daemon(tmp_path, routes_body("old.test", old.port), nameserver=dns.nameserver) as d:
            d.send("", ["m1@route.test"])
            old.wait_messages(1)
            d.reload(routes_body("new.test", new.port))
            assert d.ctl("refresh", "domain", "all") == "all refreshed.\n"
            wait_for(lambda: "[0 new.test TTL:3600]" in d.domain("route.test"), what="record rebuilt from new routes")
            d.send("", ["m2@route.test"])
            assert [m.recipients for m in new.wait_messages(1)] == [["m2@route.test"]]
            assert old.count == 1


def test_routes_change_applies_when_the_record_ttl_runs_out(tmp_path):
    # old.test has a 2 s TTL: the record built from it expires by itself and
    # the next one is built from the reloaded routes, without refresh domain.
    rzone = zone("old 2 IN A 127.0.0.89", "new 3600 IN A 127.0.0.90")
    with NsdServer({"test": rzone}) as dns, SmtpSink("127.0.0.89") as old, SmtpSink("127.0.0.90") as new:
        with Daemon(tmp_path, routes_body("old.test", old.port), nameserver=dns.nameserver) as d:
            d.send("", ["m1@route.test"])
            old.wait_messages(1)
            first = d.domain("route.test")
            m = re.match(r"Domain 'route\.test' has 1 MXs and a TTL of (\d+) seconds\n\[0 old\.test TTL:2\]\n", first)
            assert m and int(m.group(1)) <= 2, first
            d.reload(routes_body("new.test", new.port))
            # an expired record is dropped at the next Dns_Expire_Interval sweep
            wait_for(lambda: d.domain("route.test").startswith("Domain 'route.test' has no domain record\n"),
                     what="the old record to expire")
            d.send("", ["m2@route.test"])
            assert [m.recipients for m in new.wait_messages(1)] == [["m2@route.test"]], old.messages()
            assert old.count == 1
            assert "[0 new.test TTL:3600]" in d.domain("route.test")


def test_invalid_reload_is_refused_with_every_error_and_delivery_goes_on(tmp_path):
    with SmtpSink("127.0.0.91") as sink:
        good = f'Domain ok.test {{ Routes = ( "{sink.hostport}" ) }}\n'
        with Daemon(tmp_path, good) as d:
            d.send("", ["m1@ok.test"])
            sink.wait_messages(1)
            # a valid change (suspend ok.test) next to two errors: nothing of it applies
            bad = good + ("Domain ok.test { Suspend_Delivery = true }\n"
                          "Max_Outbound_Connections = lots\n"
                          "No_Such_Option = 1\n")
            d.write_config(bad)
            lines = base_config(d.port, bad).splitlines()
            l1 = lines.index("Max_Outbound_Connections = lots") + 1
            l2 = lines.index("No_Such_Option = 1") + 1
            r = impulsectl(d.console, "config", "reload")
            assert r.returncode == 1
            assert r.stdout == ""
            out = r.stderr.splitlines()
            path = d.impulsed.config_path
            # every error, as FILE:LINE:COL: error: TEXT, then the verdict
            assert len(out) == 3, r.stderr
            assert out[0].startswith(f"{path}:{l1}:28: error: "), out[0]
            assert out[1].startswith(f"{path}:{l2}:1: error: ") and "No_Such_Option" in out[1], out[1]
            assert out[2] == "Reload refused: the running configuration is unchanged."
            assert d.ctl("config", "eval", "domain", "ok.test", "suspend_delivery") == "suspend_delivery = false\n"
            d.send("", ["m2@ok.test"])
            assert [m.recipients for m in sink.wait_messages(2)] == [["m1@ok.test"], ["m2@ok.test"]]


def test_config_reload_reads_the_path_given(tmp_path):
    with Daemon(tmp_path, "Max_Outbound_Connections = 20\n") as d:
        other = os.path.join(d.dir, "other.conf")
        with open(other, "w") as f:
            f.write(base_config(d.port, "Max_Outbound_Connections = 7\n"))
        assert d.ctl("config", "reload", other) == "Configuration reloaded.\n"
        assert d.ctl("config", "eval", "max_outbound_connections") == "max_outbound_connections = 7\n"
        r = impulsectl(d.console, "config", "reload", os.path.join(d.dir, "absent.conf"))
        assert r.returncode == 1 and "unchanged" in r.stderr, r.stderr
        assert d.ctl("config", "eval", "max_outbound_connections") == "max_outbound_connections = 7\n"


# ---- queue commands on a suspended domain ------------------------------------------------


def held_body(sink, bounces, suspended=True):
    return f"""\
        Domain held.test {{
          Suspend_Delivery = {"true" if suspended else "false"}
          Routes = ( "{sink.hostport}" )
        }}
        Domain sender.test {{ Routes = ( "{bounces.hostport}" ) }}
        """


def test_showqueue_mailq_and_message_commands_on_a_suspended_domain(tmp_path):
    with SmtpSink("127.0.0.92") as sink, SmtpSink("127.0.0.93") as bounces:
        with Daemon(tmp_path, held_body(sink, bounces)) as d:
            t0 = int(time.time())
            ids = [d.send("alice@sender.test", [f"r{i}@held.test"], subject=f"held {i}") for i in range(3)]
            t1 = int(time.time())
            wait_for(lambda: len(d.showqueue("held.test")) == 3, what="3 queued for held.test")

            q = d.showqueue("held.test")
            assert sorted(e[2] for e in q) == sorted(ids)
            for state, binding, msgid, created, env in q:
                assert (state, binding) == ("active", "default")
                assert t0 <= created <= t1
                assert env == f"From: <alice@sender.test> To: <r{ids.index(msgid)}@held.test>"
            assert d.showqueue("held.test", binding="all") == q
            assert d.mailq() == {("default/default", "held.test"): (3, 0)}
            # LIMIT,OFFSET pages through the queue
            assert d.showqueue("held.test", page="2,0") + d.showqueue("held.test", page="2,2") == q

            det = details(d.ctl("message", "details", ids[0]))
            assert det["Message"] == [ids[0]]
            assert det["Queue"] == ["default/held.test (active)"]
            assert t0 <= int(det["Created"][0]) <= t1
            assert det["Retries"] == ["0"]
            assert det["Sender"] == ["<alice@sender.test>"]
            assert det["Recipient"] == ["<r0@held.test>"]
            assert int(det["Size"][0]) > 0

            # message fail: a permanent failure with a bounce to the sender
            assert d.ctl("message", "fail", ids[0]) == f"Message {ids[0]} failed.\n"
            [bounce] = bounces.wait_messages(1)
            assert (bounce.sender, bounce.recipients) == ("", ["alice@sender.test"])
            assert "r0@held.test" in bounce.text
            # message fail quiet: no bounce (checked below, once the rest is delivered)
            assert d.ctl("message", "fail", "quiet", ids[1]) == f"Message {ids[1]} failed.\n"
            assert [e[2] for e in d.showqueue("held.test")] == [ids[2]]
            assert d.wait_summary(Failed_Messages=2, Total_Queue_Size=1)
            # message retry on a queued message: due now (suspension still holds it)
            assert d.ctl("message", "retry", ids[2]) == "Message requeued for delivery\n"
            assert d.mailq() == {("default/default", "held.test"): (1, 0)}
            assert sink.count == 0

            d.reload(held_body(sink, bounces, suspended=False))
            [m] = sink.wait_messages(1)
            assert (m.sender, m.recipients) == ("alice@sender.test", ["r2@held.test"])
            # delivered: r2@held.test and the bounce of ids[0]
            d.wait_summary(Total_Queue_Size=0, Successfully_Delivered_Messages=2)
            assert d.showqueue("held.test") == []
            assert d.mailq() == {}
            assert bounces.count == 1
            for msgid in ids[:2]:
                r = impulsectl(d.console, "message", "retry", msgid)
                assert (r.returncode, r.stderr) == (1, f"Message {msgid} not found\n")


def test_flush_domain_and_message_retry_requeue_delayed_mail_of_a_suspended_domain(tmp_path):
    with ScriptedSmtp("127.0.0.94", rcpt="450 4.2.1 try later") as mx:
        def body(suspended):
            return f"""\
                Domain held.test {{
                  Suspend_Delivery = {suspended}
                  Routes = ( "{mx.hostport}" )
                  Retry_Interval = 600
                  Idle_Timeout = 1
                }}
                """
        with Daemon(tmp_path, body("false")) as d:
            t0 = int(time.time())
            ids = [d.send("", [f"r{i}@held.test"]) for i in range(3)]
            d.wait_summary(Delayed_Queue_Size=3)
            det = details(d.ctl("message", "details", ids[0]))
            assert det["Queue"] == ["default/held.test (delayed)"]
            assert det["Retries"] == ["1"]
            assert t0 + 600 <= int(det["Next Attempt"][0]) <= int(time.time()) + 600

            d.reload(body("true"))
            # the peer now accepts; wait until the 450 connections are gone
            mx.update(rcpt="250 2.1.5 Ok")
            wait_for(lambda: len(mx.closes()) == len(mx.connections()), what="idle connections to close")

            assert d.ctl("message", "retry", ids[0]) == "Message requeued for delivery\n"
            states = {e[2]: e[0] for e in d.showqueue("held.test")}
            assert states == {ids[0]: "active", ids[1]: "delayed", ids[2]: "delayed"}
            assert d.ctl("flush", "domain", "held.test") == "held.test flushed. 2 messages requeued.\n"
            assert {e[2]: e[0] for e in d.showqueue("held.test")} == dict.fromkeys(ids, "active")
            assert d.mailq() == {("default/default", "held.test"): (3, 0)}
            assert d.ctl("flush", "domain", "all") == "all flushed. 0 messages requeued.\n"
            assert mx.messages() == []

            d.reload(body("false"))
            got = mx.wait_messages(3)
            assert sorted(r for m in got for r in m.recipients) == [f"r{i}@held.test" for i in range(3)]
            d.wait_summary(Total_Queue_Size=0, Successfully_Delivered_Messages=3)


def test_fail_domain_fails_every_queued_message_of_a_suspended_domain(tmp_path):
    with SmtpSink("127.0.0.95") as sink, SmtpSink("127.0.0.96") as bounces:
        with Daemon(tmp_path, held_body(sink, bounces)) as d:
            d.send("alice@sender.test", ["a@held.test"])
            d.send("alice@sender.test", ["b@held.test", "c@held.test"])
            wait_for(lambda: len(d.showqueue("held.test")) == 2, what="2 queued for held.test")
            assert d.ctl("fail", "domain", "held.test") == "held.test purged. 2 messages failed.\n"
            got = bounces.wait_messages(2)
            assert all((b.sender, b.recipients) == ("", ["alice@sender.test"]) for b in got)
            assert sorted("a@held.test" in b.text for b in got) == [False, True]
            assert d.showqueue("held.test") == []
            d.wait_summary(Failed_Messages=3, Total_Queue_Size=0)

            d.send("alice@sender.test", ["d@held.test"])
            wait_for(lambda: len(d.showqueue("held.test")) == 1, what="1 queued for held.test")
            assert d.ctl("fail", "domain", "quiet", "held.test") == "held.test purged. 1 messages failed.\n"
            d.wait_summary(Failed_Messages=4, Total_Queue_Size=0)
            # a later message's bounce arrives after any bounce of d@ would have
            d.send("alice@sender.test", ["e@held.test"])
            wait_for(lambda: len(d.showqueue("held.test")) == 1, what="1 queued for held.test")
            d.ctl("message", "fail", d.showqueue("held.test")[0][2])
            got = bounces.wait_messages(3)
            assert "e@held.test" in got[2].text and not any("d@held.test" in b.text for b in got)
            assert sink.count == 0


# ---- bindings ------------------------------------------------------------------------------


def test_binding_summary_counts_a_declared_binding(tmp_path):
    with SmtpSink("127.0.0.97") as sink:
        body = f"""\
            Binding "b1" {{ Bind_Address = 127.0.0.98 }}
            Domain ok.test {{ Routes = ( "{sink.hostport}" ) }}
            Domain held.test {{ Suspend_Delivery = true }}
            """
        with Daemon(tmp_path, body) as d:
            d.send("", ["a@ok.test"], headers="X-Impulse-Binding: b1\r\n")
            [m] = sink.wait_messages(1)
            assert m.client_addr == "127.0.0.98"
            msgid = d.send("", ["b@held.test"], headers="X-Impulse-Binding: b1\r\n")
            d.send("", ["c@held.test"])

            def b1_block():
                text = d.ctl("binding", "summary", "b1")
                return text if "Successfully Delivered Messages: 1" in text and "Active Queue Size: 1" in text else None
            text = wait_for(b1_block, what="binding summary b1")
            assert text == ("Binding: b1\n"
                            "\tActive Queue Size: 1\n"
                            "\tDelayed Queue Size: 0\n"
                            "\tTotal Queue Size: 1\n"
                            "\tSuccessfully Delivered Messages: 1\n"
                            "\tFailed Messages: 0\n"
                            "\tReceived Messages: 2\n"), text
            everything = d.ctl("binding", "summary")
            assert re.findall(r"^Binding: (\S+)$", everything, re.M) == ["b1", "default"]
            assert [e[2] for e in d.showqueue("held.test", binding="b1")] == [msgid]
            assert d.mailq() == {("default/b1", "held.test"): (1, 0), ("default/default", "held.test"): (1, 0)}


# ---- shutdown ----------------------------------------------------------------------------


def test_shutdown_stops_the_daemon_cleanly_and_queued_mail_survives(tmp_path):
    body = "Domain held.test { Suspend_Delivery = true }\n"
    d = Daemon(tmp_path, body)
    with d:
        msgid = d.send("", ["a@held.test"])
        r = impulsectl(d.console, "shutdown")
        assert (r.returncode, r.stdout) == (0, "Shutting down.\n")
        assert d.impulsed.proc.wait(15) == 0
        assert not os.path.exists(d.console)
        assert not port_open("127.0.0.1", d.port)
        assert "grace period expired" not in d.impulsed.stderr()
    again = Daemon(tmp_path, body)
    with again:
        assert [e[2] for e in again.showqueue("held.test")] == [msgid]
        assert "recovered 1 message(s)" in again.impulsed.stderr()


# ---- listeners and the client --------------------------------------------------------------


def test_tcp_loopback_control_listener_on_ipv4_and_ipv6(tmp_path):
    p4, p6 = free_port("127.0.0.1"), free_port("::1")
    listens = f'Listen "./console.sock" {{ }}\n  Listen "127.0.0.1:{p4}" {{ }}\n  Listen "[::1]:{p6}" {{ }}'
    with Daemon(tmp_path, listens=listens) as d:
        wait_for(lambda: port_open("127.0.0.1", p4) and port_open("::1", p6), what="console TCP ports")
        assert oct(os.stat(d.console).st_mode & 0o777) == oct(0o660), "File_Mode defaults to 0660"
        for endpoint in (f"127.0.0.1:{p4}", f"[::1]:{p6}"):
            r = impulsectl(endpoint, "pid")
            assert (r.returncode, r.stdout) == (0, f"{d.impulsed.proc.pid}\n"), endpoint
            r = impulsectl(endpoint, "summary")
            assert r.returncode == 0 and "\tTotal Queue Size: 0\n" in r.stdout, endpoint
            r = impulsectl(endpoint, "frobnicate")
            assert r.returncode == 1 and r.stderr.startswith("Unknown command 'frobnicate'"), endpoint
        # a TCP endpoint nobody listens on: could not connect
        r = impulsectl(f"127.0.0.1:{free_port()}", "summary")
        assert r.returncode == 2 and "cannot connect" in r.stderr


def test_default_endpoint_comes_from_impulse_console(tmp_path):
    with Daemon(tmp_path) as d:
        env = dict(os.environ, IMPULSE_CONSOLE=d.console)
        r = subprocess.run([IMPULSECTL, "version"], capture_output=True, text=True, timeout=30, env=env)
        assert r.returncode == 0 and r.stdout.startswith("impulsed (Impulse) "), r


def test_interactive_prompt_runs_each_line_until_quit(tmp_path):
    with Daemon(tmp_path) as d:
        version = d.ctl("version")
        r = subprocess.run([IMPULSECTL, "-s", d.console], input="summary\nversion\nquit\nshutdown\n",
                           capture_output=True, text=True, timeout=30)
        assert r.returncode == 0, r
        assert r.stdout.startswith("\tOutbound Concurrency: ")
        assert "\tTotal Queue Size: 0\n" in r.stdout
        assert r.stdout.endswith(version)
        # `quit` left before `shutdown` was sent
        assert d.impulsed.proc.poll() is None and d.ctl("pid") == f"{d.impulsed.proc.pid}\n"

        # a failed command is shown and makes the exit status 1; the session goes on
        r = subprocess.run([IMPULSECTL, "-s", d.console], input="frobnicate\nversion\n",
                           capture_output=True, text=True, timeout=30)
        assert r.returncode == 1, r
        assert r.stdout == "Unknown command 'frobnicate'. Type 'help' for a list of commands.\n" + version


def test_help_lists_every_command_of_the_spec(tmp_path):
    with Daemon(tmp_path) as d:
        text = d.ctl("help")
        usages = [line.strip() for line in text.splitlines()[1:]]
        for phrase in ["summary", "domain", "refresh domain", "config reload", "config eval", "mailq", "showqueue",
                       "message details", "message retry", "message fail", "flush domain", "fail domain",
                       "binding summary", "version", "pid", "reopen logs", "shutdown", "help"]:
            assert any(u == phrase or u.startswith(phrase + " ") for u in usages), (phrase, text)


BAD_COMMANDS = [
    ["summary", "now"],
    ["mailq", "-l"],
    ["mailq", "-l", "many"],
    ["mailq", "-x", "y"],
    ["showqueue"],
    ["showqueue", "held.test", "ten"],
    ["showqueue", "held.test", "10,0", "extra"],
    ["showqueue", "binding", "default"],
    ["message", "details"],
    ["message", "details", "notanid"],
    ["message", "retry"],
    ["message", "retry", "notanid"],
    ["message", "retry", "00000000-00-00000000"],
    ["message", "fail"],
    ["message", "fail", "quiet"],
    ["message", "fail", "notanid"],
    ["message", "fail", "quiet", "notanid"],
    ["flush", "domain"],
    ["flush", "domain", "a.test", "b.test"],
    ["fail", "domain"],
    ["fail", "domain", "quiet"],
    ["fail", "domain", "all"],
    ["binding", "summary", "a", "b"],
    ["binding", "flush", "domain", "b1"],
    ["binding", "fail", "domain", "b1"],
    ["domain"],
    ["domain", "a.test", "b.test"],
    ["refresh", "domain"],
    ["config", "reload", "a", "b"],
    ["config", "eval"],
    ["config", "eval", "binding", "max_outbound_connections"],
    ["reopen", "logs", "now"],
    ["frobnicate"],
]


def test_bad_arguments_get_a_one_line_error_and_exit_1(tmp_path):
    with Daemon(tmp_path, "Domain held.test { Suspend_Delivery = true }\n") as d:
        msgid = d.send("", ["a@held.test"])
        for words in BAD_COMMANDS:
            r = impulsectl(d.console, *words)
            assert r.returncode == 1, (words, r)
            assert r.stdout == "", (words, r.stdout)
            assert r.stderr.endswith("\n") and r.stderr.count("\n") == 1 and len(r.stderr) > 1, (words, r.stderr)
        # nothing was done by any of them
        assert [e[2] for e in d.showqueue("held.test")] == [msgid]
        assert d.summary()["Failed Messages"] == 0
