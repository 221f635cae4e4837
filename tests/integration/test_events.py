"""The JSON event log and webhooks (SPEC §17; reference/momentum.md §10.2)
against a live impulsed: every event type with the fields SPEC names in the
json_logger file; a webhook's `events` filter and its bearer token, checked
at a real HTTP receiver (harness.webhook_receiver, Python's http.server in a
child process); a receiver failing, then hanging past the 10 s deadline,
then recovering (every event arrives, in order, acknowledged once); a
receiver down across a daemon restart (nothing lost); `webhook summary` and
GET /api/v1/webhooks; `reopen logs` after the file was moved.

Mail goes to a scripted SMTP server (example.com) that accepts, defers or
refuses per recipient, and bounces to Postfix's smtp-sink (sender.test).
Waits poll the file, the receiver or the console; no sleeps.
"""
import http.client
import json
import os
import re
import smtplib

from harness.impulse import ID, daemon_config
from harness.impulse import Daemon as ImpulseDaemon
from harness.process import free_port, port_open, wait_for
from harness.scripted_smtp import ScriptedSmtp
from harness.smtp_peers import SmtpSink
from harness.test_ca import TestCA
from harness.webhook_receiver import WebhookReceiver

MX = "127.0.61.1"
SENDER_MX = "127.0.61.2"
BODY = b"From: alice@sender.test\r\nTo: bob@example.com\r\nSubject: events\r\n\r\nhello\r\n"
RFC3339_US = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")

ATTEMPT_FIELDS = {"type", "time", "message_id", "sender", "recipient", "domain", "binding", "binding_group",
                  "delivery_method", "remote_ip", "remote_id", "response", "attempt", "queue_seconds", "size"}
FIELDS = {
    "reception": {"type", "time", "message_id", "sender", "recipient", "size", "protocol", "peer", "binding",
                  "binding_group"},
    "delivery": ATTEMPT_FIELDS,
    "transient_failure": ATTEMPT_FIELDS,
    "permanent_failure": ATTEMPT_FIELDS | {"bounce_class"},
    "bounce": {"type", "time", "message_id", "original_message_id", "recipient"},
    "rejection": {"type", "time", "message_id", "sender", "recipient", "peer", "response"},
}


def webhook(name, url, events=None, token=None, extra=""):
    lines = [f'webhook "{name}" {{', f'  url = "{url}"', "  batch_interval = 0", "  max_retry_interval = 2"]
    if events:
        lines.append(f"  events = ( {' '.join(events)} )")
    if token:
        lines.append(f'  auth_token = "{token}"')
    if extra:
        lines.append(f"  {extra}")
    return "\n".join(lines) + "\n}\n"


def config(port, mx=None, sink=None, hooks="", http_port=None):
    routes = ""
    if mx:
        routes += f'Domain "example.com" {{ Routes = ( "smtp://{mx.address}?port={mx.port}" ) }}\n'
    if sink:
        routes += f'Domain "sender.test" {{ Routes = ( "smtp://{sink.address}?port={sink.port}" ) }}\n'
    http = f'HTTP_Listener {{\n  Listen "127.0.0.1:{http_port}" {{ }}\n}}\n' if http_port else ""
    return daemon_config(port, """\
        Retry_Interval = 1
        Max_Retry_Interval = 1
        Delayed_Queue_Scan_Interval = 1
        """, listener="Max_Recipients_Per_Message = 3",
                         extra='json_logger "json_logger" {\n  logfile = "events.jsonl"\n}\n' + routes + hooks + http)


class Daemon(ImpulseDaemon):
    def __init__(self, tmp_path, mx=None, sink=None, hooks="", http=False):
        self.http_port = free_port() if http else None
        super().__init__(tmp_path, lambda port: config(port, mx, sink, hooks, self.http_port))

    def start(self):
        super().start()
        if self.http_port:
            wait_for(lambda: port_open("127.0.0.1", self.http_port), what="the HTTP listener")
        return self

    def send(self, sender, rcpts, body=BODY):
        return super().send(sender, rcpts, body)

    def events(self, name="events.jsonl"):
        path = self.path(name)
        if not os.path.exists(path):
            return []
        with open(path) as fh:
            return [json.loads(line) for line in fh if line.strip()]

    def wait_events(self, predicate, name="events.jsonl", timeout=30.0):
        box = {}

        def check():
            box["events"] = self.events(name)
            return predicate(box["events"])
        wait_for(check, timeout=timeout, what=f"events in {name}")
        return box["events"]

    def summary(self):
        """`webhook summary` as {name: {backlog, last_success, last_error}}."""
        out = {}
        for line in self.ctl("webhook", "summary").splitlines():
            m = re.match(r"^(\S+) backlog=(\d+) last_success=(\S+) last_error=(.*)$", line)
            assert m, line
            out[m.group(1)] = {"backlog": int(m.group(2)), "last_success": m.group(3), "last_error": m.group(4)}
        return out


def of_type(events, kind, msgid=None):
    return [e for e in events if e["type"] == kind and (msgid is None or e["message_id"] == msgid)]


def reception_ids(events):
    return [e["message_id"] for e in events if e["type"] == "reception"]


# ---- the json_logger file --------------------------------------------------------------

def test_every_event_type_has_the_fields_spec_names(tmp_path):
    script = {"rcpt": {"busy@example.com": "451 4.2.0 busy, try later", "gone@example.com": "550 5.1.1 no such user",
                       "*": "250 2.1.5 Ok"}}
    with ScriptedSmtp(MX, **script) as mx, SmtpSink(SENDER_MX) as sink, Daemon(tmp_path, mx, sink) as d:
        msgid = d.send("alice@sender.test", ["ok@example.com", "busy@example.com", "gone@example.com"])
        with d.smtp() as c:  # a fourth recipient is one too many (Max_Recipients_Per_Message = 3)
            c.ehlo("client.test")
            assert c.mail("carol@sender.test")[0] == 250
            for r in ("a@example.com", "b@example.com", "c@example.com"):
                assert c.rcpt(r)[0] == 250
            assert c.rcpt("d@example.com")[0] == 452
            c.rset()
        events = d.wait_events(lambda evs: of_type(evs, "delivery", msgid) and of_type(evs, "transient_failure", msgid)
                               and of_type(evs, "permanent_failure", msgid) and of_type(evs, "bounce")
                               and of_type(evs, "rejection"))
        for e in events:
            assert set(e) == FIELDS[e["type"]], e
            assert RFC3339_US.match(e["time"]), e

        rcpts = sorted(e["recipient"] for e in of_type(events, "reception", msgid))
        assert rcpts == ["busy@example.com", "gone@example.com", "ok@example.com"]
        r = of_type(events, "reception", msgid)[0]
        assert (r["sender"], r["protocol"], r["peer"], r["binding"]) == ("alice@sender.test", "esmtp", "127.0.0.1",
                                                                         "default")
        assert r["size"] > len(BODY)  # with the Received: header

        (dv,) = of_type(events, "delivery", msgid)
        assert (dv["recipient"], dv["sender"], dv["domain"]) == ("ok@example.com", "alice@sender.test", "example.com")
        assert (dv["delivery_method"], dv["remote_ip"], dv["attempt"], dv["remote_id"]) == ("esmtp", MX, 0, None)
        assert dv["response"].startswith("250")
        assert dv["size"] == r["size"] and 0 <= dv["queue_seconds"] < 30

        tf = of_type(events, "transient_failure", msgid)[0]
        assert (tf["recipient"], tf["attempt"], tf["remote_ip"]) == ("busy@example.com", 0, MX)
        assert tf["response"] == "451 4.2.0 busy, try later"

        (pf,) = of_type(events, "permanent_failure", msgid)
        assert (pf["recipient"], pf["response"]) == ("gone@example.com", "550 5.1.1 no such user")
        assert pf["bounce_class"] == 10  # the bouncelog's class for an unknown user
        [b_record] = d.wait_records("B", msgid, 1, name="bouncelog.ec")
        assert int(b_record["classification"]) == pf["bounce_class"]

        bounces = [b for b in of_type(events, "bounce") if b["original_message_id"] == msgid]
        assert len(bounces) == 1 and bounces[0]["recipient"] == "alice@sender.test"
        assert re.fullmatch(ID, bounces[0]["message_id"])
        # the bounce itself is received (protocol internal) and delivered like any message
        d.wait_events(lambda evs: of_type(evs, "delivery", bounces[0]["message_id"]))
        assert of_type(d.events(), "reception", bounces[0]["message_id"])[0]["protocol"] == "internal"

        (rej,) = of_type(events, "rejection")
        assert rej["message_id"] is None
        assert (rej["sender"], rej["recipient"], rej["peer"]) == ("carol@sender.test", "d@example.com", "127.0.0.1")
        assert rej["response"] == "452 4.5.3 Too many recipients"


def test_reopen_logs_writes_a_new_file_after_the_old_one_was_moved(tmp_path):
    with ScriptedSmtp(MX) as mx, Daemon(tmp_path, mx) as d:
        first = d.send("alice@sender.test", ["bob@example.com"])
        d.wait_events(lambda evs: of_type(evs, "delivery", first))
        os.rename(d.path("events.jsonl"), d.path("events.jsonl.1"))
        assert "reopened" in d.ctl("reopen", "logs").lower()
        second = d.send("alice@sender.test", ["bob@example.com"])
        new = d.wait_events(lambda evs: of_type(evs, "delivery", second))
        assert {e["message_id"] for e in new} == {second}
        old = d.events("events.jsonl.1")
        assert {e["message_id"] for e in old} == {first}


# ---- webhooks ----------------------------------------------------------------------------

def test_a_webhook_gets_only_its_event_types_with_its_bearer_token(tmp_path):
    script = {"rcpt": {"gone@example.com": "550 5.1.1 no such user", "*": "250 2.1.5 Ok"}}
    with ScriptedSmtp(MX, **script) as mx, WebhookReceiver() as picky, WebhookReceiver() as everything:
        hooks = (webhook("picky", picky.url, events=("delivery", "permanent_failure"), token="s3cret")
                 + webhook("all", everything.url))
        with Daemon(tmp_path, mx, hooks=hooks) as d:
            msgid = d.send("<>", ["ok@example.com", "gone@example.com"])  # null sender: no bounce
            got = picky.wait_events(lambda evs: len(evs) >= 2)
            assert sorted(e["type"] for e in got) == ["delivery", "permanent_failure"]
            assert all(e["message_id"] == msgid for e in got)
            for req in picky.requests():
                assert req["authorization"] == "Bearer s3cret"
                assert req["content_type"] == "application/json"
                assert req["path"] == "/hook"
            every = everything.wait_events(lambda evs: len(evs) >= 4)
            assert sorted(e["type"] for e in every) == ["delivery", "permanent_failure", "reception", "reception"]
            assert all(r["authorization"] is None for r in everything.requests())
            # the json_logger file has them too, the same objects
            in_file = d.wait_events(lambda evs: len(evs) >= 4)
            assert sorted(json.dumps(e, sort_keys=True) for e in in_file) == \
                sorted(json.dumps(e, sort_keys=True) for e in every)


def test_a_failing_then_hanging_receiver_gets_every_event_in_order_once_it_recovers(tmp_path):
    with ScriptedSmtp(MX) as mx, WebhookReceiver() as hook:
        hook.set_mode("fail")
        with Daemon(tmp_path, mx, hooks=webhook("crm", hook.url, events=("reception",))) as d:
            ids = [d.send("alice@sender.test", ["bob@example.com"]) for _ in range(5)]
            wait_for(lambda: d.summary()["crm"]["last_error"] == "HTTP status 503", what="the 503 in the summary")
            wait_for(lambda: d.summary()["crm"]["backlog"] == 5, what="five events waiting")
            assert d.summary()["crm"]["last_success"] == "never"
            hook.set_mode("hang")
            ids += [d.send("alice@sender.test", ["bob@example.com"]) for _ in range(3)]
            wait_for(lambda: "no reply within 10 s" in d.summary()["crm"]["last_error"], timeout=40,
                     what="the sender to give up on the hanging receiver")
            assert hook.hung_requests() >= 1
            hook.set_mode("ok")
            got = hook.wait_events(lambda evs: len(evs) >= 8, timeout=40)
            assert reception_ids(got) == ids  # all, in order, each acknowledged once
            assert all(r["status"] == 503 for r in hook.requests() if r["status"] != 200)
            wait_for(lambda: d.summary()["crm"]["backlog"] == 0, what="an empty backlog")
            assert RFC3339_US.match(d.summary()["crm"]["last_success"])


def test_events_for_a_receiver_down_across_a_restart_are_delivered_afterwards(tmp_path):
    with ScriptedSmtp(MX) as mx, WebhookReceiver() as hook:
        hook.halt()  # nothing listens on its port
        hooks = webhook("audit", hook.url, events=("reception", "delivery"))
        with Daemon(tmp_path, mx, hooks=hooks) as d:
            ids = [d.send("alice@sender.test", ["bob@example.com"]) for _ in range(4)]
            d.wait_events(lambda evs: len(of_type(evs, "delivery")) == 4)
            wait_for(lambda: "connecting to" in d.summary()["audit"]["last_error"], what="a connection failure")
            wait_for(lambda: d.summary()["audit"]["backlog"] == 8, what="eight events waiting")
        # the first daemon stopped (exit 0 checked); its spool and the webhook's queue stay
        assert os.path.isdir(os.path.join(str(tmp_path), "spool", "webhooks", "audit"))
        with Daemon(tmp_path, mx, hooks=hooks) as d:
            later = d.send("alice@sender.test", ["bob@example.com"])
            hook.start_again()
            got = hook.wait_events(lambda evs: len(evs) >= 10)
            assert reception_ids(got) == ids + [later]
            deliveries = [e["message_id"] for e in got if e["type"] == "delivery"]
            assert deliveries[:4] == ids and deliveries[4:] == [later]
            wait_for(lambda: d.summary()["audit"]["backlog"] == 0, what="an empty backlog")


def test_webhook_status_over_http_matches_the_console(tmp_path):
    with ScriptedSmtp(MX) as mx, WebhookReceiver() as hook:
        with Daemon(tmp_path, mx, hooks=webhook("crm", hook.url), http=True) as d:
            msgid = d.send("alice@sender.test", ["bob@example.com"])
            hook.wait_events(lambda evs: len(of_type(evs, "delivery", msgid)) == 1)
            wait_for(lambda: d.summary()["crm"]["backlog"] == 0, what="an empty backlog")
            c = http.client.HTTPConnection("127.0.0.1", d.http_port, timeout=20)
            c.request("GET", "/api/v1/webhooks")
            r = c.getresponse()
            doc = json.loads(r.read())
            c.close()
            assert r.status == 200
            (w,) = doc["webhooks"]
            console = d.summary()["crm"]
            assert (w["name"], w["backlog"], w["last_error"]) == ("crm", 0, None)
            assert w["last_success"] == console["last_success"] and console["last_error"] == "none"
            assert w["sent"] == 2


def test_an_https_receiver_is_used_only_with_a_certificate_the_webhook_trusts(tmp_path):
    ca = TestCA(os.path.join(str(tmp_path), "ca"))
    trusted = ca.issue("hooks.test", ips=["127.0.0.1"])
    stranger = TestCA(os.path.join(str(tmp_path), "other-ca")).issue("hooks.test", ips=["127.0.0.1"])
    with ScriptedSmtp(MX) as mx, WebhookReceiver(tls=trusted) as good, WebhookReceiver(tls=stranger) as bad:
        hooks = (webhook("good", good.url, events=("delivery",), extra=f'tls_ca = "{ca.ca_path}"')
                 + webhook("bad", bad.url, events=("delivery",), extra=f'tls_ca = "{ca.ca_path}"'))
        with Daemon(tmp_path / "d", mx, hooks=hooks) as d:
            msgid = d.send("alice@sender.test", ["bob@example.com"])
            got = good.wait_events(lambda evs: len(evs) == 1)
            assert got[0]["message_id"] == msgid
            wait_for(lambda: "TLS handshake" in d.summary()["bad"]["last_error"], what="the refused certificate")
            assert bad.acknowledged_events() == [] and d.summary()["bad"]["backlog"] == 1
