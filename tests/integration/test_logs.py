"""impulsed's mainlog and bouncelog in Momentum's formats (SPEC §8;
reference/momentum.md §10.1), checked field by field against what was sent
and done: R records at reception, M / M1 heartbeats, P and B records and the
bounce of a console `message fail` / `fail domain`, and `reopen logs` after
rotation. Suspend_Delivery = true keeps mail queued: no D or T records here.
"""
import os
import re
import smtplib
import time

from harness.impulse import ID, QUEUED, daemon_config
from harness.impulse import Daemon as ImpulseDaemon
from harness.process import wait_for

BODY = b"From: alice@sender.test\r\nTo: bob@example.com\r\nSubject: logs\r\n\r\nhello\r\n"


def config(port, mainlog_heartbeat=None, bouncelog_heartbeat=None):
    mhb = f"heartbeat = {mainlog_heartbeat}" if mainlog_heartbeat is not None else ""
    bhb = f"heartbeat = {bouncelog_heartbeat}" if bouncelog_heartbeat is not None else ""
    # queues hold their mail: no delivery attempts (and no DNS) in these tests
    return daemon_config(port, "Suspend_Delivery = true\n", mainlog_options=mhb, bouncelog_options=bhb)


class Daemon(ImpulseDaemon):
    def __init__(self, tmp_path, **kw):
        super().__init__(tmp_path, lambda port: config(port, **kw))

    def send(self, sender, rcpts, body=BODY):
        return super().send(sender, rcpts, body)

    def queued(self, domain):
        """showqueue DOMAIN as {id: "From: <s> To: <r>..."}."""
        lines = self.ctl("showqueue", "binding", "all", domain, "100000,0").splitlines()
        return {re.search(ID, head).group(0): envelope for head, envelope in zip(lines[0::2], lines[1::2])}

    def size(self, msgid):
        return int(re.search(r"^Size: (\d+)$", self.ctl("message", "details", msgid), re.M).group(1))


def now():
    return int(time.time())


# ---- R records ----------------------------------------------------------------------

def test_reception_record_fields_match_the_envelope(tmp_path):
    with Daemon(tmp_path) as d:
        t0 = now()
        msgid = d.send("alice@sender.test", ["bob@example.com"])
        t1 = now()
        (r,) = d.wait_records("R", msgid, 1)
        assert t0 <= int(r["time"]) <= t1
        assert r["msgid"] == msgid
        assert (r["rcpt_local"], r["rcpt_domain"]) == ("bob", "example.com")
        assert (r["sender_local"], r["sender_domain"]) == ("alice", "sender.test")
        assert r["peer_ip"] == "127.0.0.1"
        # the stored size: what was sent plus Impulse's Received: header
        assert int(r["size"]) == d.size(msgid)
        assert len(BODY) < int(r["size"]) < len(BODY) + 512
        assert r["protocol"] == "esmtp"
        assert r["binding"] == "default"


def test_reception_record_names_binding_group_default(tmp_path):
    # Momentum logs the default binding group as "default" (its manual's
    # example: ...@201@esmtp@default@default); mailq shows default/default.
    with Daemon(tmp_path) as d:
        msgid = d.send("alice@sender.test", ["bob@example.com"])
        (r,) = d.wait_records("R", msgid, 1)
        assert (r["binding_group"], r["binding"]) == ("default", "default")


def test_reception_record_carries_the_connection_id(tmp_path):
    # Momentum's R records carry the id of the connection the message came
    # in on (field 3; its manual's example: 1064868656@00/00-25004-31B987F3@
    # 00/00-03736-F4101B54@00/00-04532-A3456B54@R@...), so a log reader can
    # group the messages of one SMTP session.
    with Daemon(tmp_path) as d:
        with smtplib.SMTP("127.0.0.1", d.port, timeout=20) as c:
            c.ehlo("client.test")
            ids = []
            for _ in range(2):
                c.mail("alice@sender.test")
                c.rcpt("bob@example.com")
                ids.append(QUEUED.match(c.data(BODY)[1].decode()).group(1))
        other = d.send("alice@sender.test", ["bob@example.com"])
        (a,) = d.wait_records("R", ids[0], 1)
        (b,) = d.wait_records("R", ids[1], 1)
        (c,) = d.wait_records("R", other, 1)
        assert a["connid"] != ""
        assert a["connid"] == b["connid"]
        assert c["connid"] != a["connid"]


def test_one_reception_record_per_recipient(tmp_path):
    with Daemon(tmp_path) as d:
        rcpts = ["bob@example.com", "carol@example.com", "dave@other.test"]
        msgid = d.send("alice@sender.test", rcpts)
        # Records are written in order: once a later message's R record is
        # in the file, every R record of the first one is there too.
        later = d.send("alice@sender.test", ["bob@example.com"])
        d.wait_records("R", later, 1)
        rs = d.records("R", msgid, "mainlog.ec")
        assert sorted(f"{r['rcpt_local']}@{r['rcpt_domain']}" for r in rs) == sorted(rcpts)
        assert {(r["sender_local"], r["sender_domain"], r["size"]) for r in rs} == {
            ("alice", "sender.test", str(d.size(msgid)))}


def test_null_sender_reception_record_has_empty_sender_fields(tmp_path):
    with Daemon(tmp_path) as d:
        msgid = d.send("<>", ["bob@example.com"])
        (r,) = d.wait_records("R", msgid, 1)
        assert (r["sender_local"], r["sender_domain"]) == ("", "")
        assert (r["rcpt_local"], r["rcpt_domain"]) == ("bob", "example.com")


# ---- heartbeats ------------------------------------------------------------------------

def test_mainlog_heartbeat_every_heartbeat_seconds(tmp_path):
    with Daemon(tmp_path, mainlog_heartbeat=1) as d:
        beats = wait_for(lambda: (lambda b: b if len(b) >= 2 else None)(
            [l for l in d.lines("mainlog.ec") if re.fullmatch(r"\d+@@@@M", l)]), what="two mainlog heartbeats")
        assert int(beats[0].split("@")[0]) < int(beats[1].split("@")[0])
        assert abs(int(beats[-1].split("@")[0]) - now()) < 60


def test_bouncelog_heartbeat_is_m1(tmp_path):
    with Daemon(tmp_path, bouncelog_heartbeat=1) as d:
        beats = wait_for(lambda: (lambda b: b if len(b) >= 2 else None)(
            [l for l in d.lines("bouncelog.ec") if re.fullmatch(r"\d+@@@@M1", l)]), what="two bouncelog heartbeats")
        assert int(beats[0].split("@")[0]) < int(beats[1].split("@")[0])
        assert all(re.fullmatch(r"\d+@@@@M1", l) for l in d.lines("bouncelog.ec"))


# ---- permanent failures from the console ---------------------------------------------

def test_message_fail_writes_a_p_record_to_the_mainlog(tmp_path):
    with Daemon(tmp_path) as d:
        msgid = d.send("alice@sender.test", ["bob@example.com"])
        t0 = now()
        assert d.ctl("message", "fail", msgid) == f"Message {msgid} failed.\n"
        (p,) = d.wait_records("P", msgid, 1)
        assert t0 <= int(p["time"]) <= now()
        assert p["domain"] == "example.com"
        assert p["bytes_sent"] == "0"  # no connection was made
        assert p["binding"] == "default"
        assert p["retries"] == "0"
        assert re.fullmatch(r"\d+(\.\d{1,3})?", p["seconds"])
        assert p["remote_ip"] == ""
        assert p["response"] == "554 manually failed"
        assert msgid not in d.queued("example.com")


def test_message_fail_writes_a_b_record_classified_admin_failure(tmp_path):
    with Daemon(tmp_path) as d:
        msgid = d.send("alice@sender.test", ["bob@example.com"])
        size = d.size(msgid)
        d.ctl("message", "fail", msgid)
        (b,) = d.wait_records("B", msgid, 1, name="bouncelog.ec")
        assert (b["rcpt_local"], b["rcpt_domain"]) == ("bob", "example.com")
        assert (b["sender_local"], b["sender_domain"]) == ("alice", "sender.test")
        assert b["binding"] == "default"
        assert b["raw_response"] == "554 manually failed"
        assert b["remote_ip"] == ""
        assert b["size"] == str(size)
        assert b["classification"] == "25"  # Admin Failure


def test_fail_domain_writes_p_and_b_records_classified_admin_failure(tmp_path):
    with Daemon(tmp_path) as d:
        one = d.send("alice@sender.test", ["bob@example.com", "carol@example.com"])
        two = d.send("alice@sender.test", ["dave@example.com", "erin@other.test"])
        size_two = d.size(two)
        assert d.ctl("fail", "domain", "example.com") == "example.com purged. 2 messages failed.\n"
        purged = "554 5.7.0 [internal] Message manually purged"
        for msgid, rcpts in ((one, ["bob", "carol"]), (two, ["dave"])):
            ps = d.wait_records("P", msgid, len(rcpts))
            assert {(p["domain"], p["response"]) for p in ps} == {("example.com", purged)}
            bs = d.wait_records("B", msgid, len(rcpts), name="bouncelog.ec")
            assert sorted(b["rcpt_local"] for b in bs) == rcpts
            assert {(b["rcpt_domain"], b["classification"], b["raw_response"]) for b in bs} == {
                ("example.com", "25", purged)}
        assert {b["size"] for b in d.records("B", two, "bouncelog.ec")} == {str(size_two)}
        assert d.queued("example.com") == {}
        assert d.queued("other.test") == {two: "From: <alice@sender.test> To: <erin@other.test>"}


def test_message_fail_queues_a_bounce_to_the_sender_with_null_sender(tmp_path):
    with Daemon(tmp_path) as d:
        msgid = d.send("alice@sender.test", ["bob@example.com"])
        d.ctl("message", "fail", msgid)
        bounces = wait_for(lambda: d.queued("sender.test"), what="a bounce queued for sender.test")
        ((bounce_id, envelope),) = bounces.items()
        assert bounce_id != msgid
        assert envelope == "From: <> To: <alice@sender.test>"
        (r,) = d.wait_records("R", bounce_id, 1)
        assert (r["rcpt_local"], r["rcpt_domain"]) == ("alice", "sender.test")
        assert (r["sender_local"], r["sender_domain"]) == ("", "")
        assert r["protocol"] == "internal"
        assert int(r["size"]) == d.size(bounce_id)


def test_message_fail_quiet_queues_no_bounce(tmp_path):
    with Daemon(tmp_path) as d:
        quiet = d.send("quiet@sender.test", ["bob@example.com"])
        loud = d.send("loud@sender.test", ["carol@example.com"])
        assert d.ctl("message", "fail", "quiet", quiet) == f"Message {quiet} failed.\n"
        d.wait_records("P", quiet, 1)
        d.wait_records("B", quiet, 1, name="bouncelog.ec")
        # the loud one's bounce marks the point by which a bounce of the quiet one would be queued too
        d.ctl("message", "fail", loud)
        wait_for(lambda: d.queued("sender.test"), what="the loud message's bounce")
        assert list(d.queued("sender.test").values()) == ["From: <> To: <loud@sender.test>"]


# ---- rotation ---------------------------------------------------------------------------

def test_reopen_logs_after_rename_writes_to_a_fresh_mainlog(tmp_path):
    with Daemon(tmp_path) as d:
        before = d.send("alice@sender.test", ["bob@example.com"])
        d.wait_records("R", before, 1)
        os.rename(d.path("mainlog.ec"), d.path("mainlog.ec.1"))
        assert d.ctl("reopen", "logs") == "Logs reopened.\n"
        after = d.send("alice@sender.test", ["carol@example.com"])
        d.wait_records("R", after, 1)
        assert d.records("R", before, "mainlog.ec") == []
        assert d.records("R", after, "mainlog.ec.1") == []
        assert len(d.records("R", before, "mainlog.ec.1")) == 1


def test_reopen_logs_after_rename_writes_to_a_fresh_bouncelog(tmp_path):
    with Daemon(tmp_path) as d:
        before = d.send("alice@sender.test", ["bob@example.com"])
        after = d.send("alice@sender.test", ["carol@example.com"])
        d.ctl("message", "fail", "quiet", before)
        d.wait_records("B", before, 1, name="bouncelog.ec")
        os.rename(d.path("bouncelog.ec"), d.path("bouncelog.ec.1"))
        d.ctl("reopen", "logs")
        d.ctl("message", "fail", "quiet", after)
        d.wait_records("B", after, 1, name="bouncelog.ec")
        assert d.records("B", before, "bouncelog.ec") == []
        assert d.records("B", after, "bouncelog.ec.1") == []
