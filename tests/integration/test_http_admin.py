"""The HTTP API's administration endpoints against a live impulsed (SPEC §16
"Administration"): summary, queues, domain and message details as JSON over
queued mail, the actions acting (flush and message retry deliver, fail
domain and message fail bounce), config reload answering 200 or 409 with
every error, 404 with a JSON error for what is not there, and API_Keys
guarding the endpoints.

Peers are real: Postfix's smtp-sink and the scripted SMTP server on their
own 127.0.0.17x addresses. Every wait polls what the API or a peer shows;
no sleeps.
"""
import time

from harness.http_api import HttpDaemon
from harness.process import wait_for
from harness.scripted_smtp import ScriptedSmtp
from harness.smtp_peers import SmtpSink

DEAD_NAMESERVER = "127.0.0.1:9"
SETTINGS = f"""\
    Nameservers = ( "{DEAD_NAMESERVER}" )
    Delayed_Queue_Scan_Interval = 1
    """


class Daemon(HttpDaemon):
    """impulsed with SMTP, the console and an HTTP_Listener on free loopback ports."""

    def __init__(self, tmp_path, body="", http_options=""):
        super().__init__(tmp_path, body, http_options, SETTINGS)

    def ok(self, method, path, body=None):
        status, doc = self.api(method, path, body)
        assert status == 200, (method, path, status, doc)
        return doc

    def send(self, sender, rcpts, subject="http admin"):
        data = (f"From: {sender or 'mailer@sender.test'}\r\nTo: {', '.join(rcpts)}\r\n"
                f"Subject: {subject}\r\n\r\nhello\r\n").encode()
        return super().send(sender, rcpts, data)

    def wait_summary(self, **want):
        def ok():
            s = self.ok("GET", "/api/v1/summary")
            return s if all(s[k] == v for k, v in want.items()) else None
        return wait_for(ok, what=f"summary {want}")


def held_body(sink, bounces, suspended=True):
    return f"""\
        Domain held.test {{
          Suspend_Delivery = {"true" if suspended else "false"}
          Routes = ( "{sink.hostport}" )
        }}
        Domain sender.test {{ Routes = ( "{bounces.hostport}" ) }}
        """


def assert_not_found(d, method, path):
    status, doc = d.api(method, path)
    assert status == 404, (path, status, doc)
    assert isinstance(doc.get("error"), str) and doc["error"], doc


def test_summary_queues_domain_and_message_details_of_queued_mail(tmp_path):
    with SmtpSink("127.0.0.171") as sink, SmtpSink("127.0.0.172") as bounces:
        with Daemon(tmp_path, held_body(sink, bounces)) as d:
            s = d.ok("GET", "/api/v1/summary")
            for key in ("active_queue_size", "delayed_queue_size", "total_queue_size", "outbound_concurrency",
                        "received_messages", "successfully_delivered_messages", "failed_messages", "uptime"):
                assert isinstance(s[key], int), (key, s)
            assert (s["received_messages"], s["total_queue_size"]) == (0, 0)

            t0 = int(time.time())
            a = d.send("alice@sender.test", ["r1@held.test"])
            b = d.send("alice@sender.test", ["r2@held.test", "r3@held.test"])
            t1 = int(time.time())
            s = d.wait_summary(received_messages=2, active_queue_size=2)
            assert (s["delayed_queue_size"], s["total_queue_size"], s["successfully_delivered_messages"]) == (0, 2, 0)

            [q] = d.ok("GET", "/api/v1/queues")
            assert (q["binding"], q["domain"], q["active"], q["delayed"]) == ("default", "held.test", 2, 0)
            assert q["suspended"] is True

            dom = d.ok("GET", "/api/v1/domains/held.test")
            assert dom["domain"] == "held.test"
            assert "ttl" in dom and isinstance(dom["mxs"], list)
            [dq] = dom["queues"]
            assert (dq["binding"], dq["active"], dq["delayed"]) == ("default", 2, 0)

            m = d.ok("GET", f"/api/v1/messages/{b}")
            assert m["id"] == b
            [part] = m["queues"]
            assert (part["binding"], part["domain"], part["state"]) == ("default", "held.test", "active")
            assert part["sender"] == "alice@sender.test"
            assert part["recipients"] == ["r2@held.test", "r3@held.test"]
            assert t0 <= part["created"] <= t1 and part["retries"] == 0 and part["size"] > 0
            assert d.ok("GET", f"/api/v1/messages/{a}")["queues"][0]["recipients"] == ["r1@held.test"]

            # what is not there: a 404 with a JSON error
            assert_not_found(d, "GET", "/api/v1/domains/nowhere.test")
            assert_not_found(d, "GET", "/api/v1/messages/not-an-id")
            unknown = a[:-1] + ("0" if a[-1] != "0" else "1")
            assert_not_found(d, "GET", f"/api/v1/messages/{unknown}")
            assert_not_found(d, "POST", f"/api/v1/messages/{unknown}/retry")
            assert_not_found(d, "POST", "/api/v1/domains/nowhere.test/flush")
            assert_not_found(d, "POST", "/api/v1/domains/nowhere.test/fail")

            r = d.ok("POST", "/api/v1/domains/all/refresh")
            assert r["domain"] == "all" and isinstance(r["refreshed"], int)
            assert sink.count == 0


def test_message_retry_and_flush_domain_deliver_delayed_mail(tmp_path):
    with ScriptedSmtp("127.0.0.173", rcpt="450 4.2.1 try later") as mx:
        body = f"""\
            Domain held.test {{
              Routes = ( "{mx.hostport}" )
              Retry_Interval = 600
              Idle_Timeout = 1
            }}
            """
        with Daemon(tmp_path, body) as d:
            ids = [d.send("", [f"r{i}@held.test"]) for i in range(3)]
            d.wait_summary(delayed_queue_size=3)
            m = d.ok("GET", f"/api/v1/messages/{ids[0]}")
            assert (m["queues"][0]["state"], m["queues"][0]["retries"]) == ("delayed", 1)
            assert m["queues"][0]["next_attempt"] >= int(time.time()) + 500

            mx.update(rcpt="250 2.1.5 Ok")
            wait_for(lambda: len(mx.closes()) == len(mx.connections()), what="idle connections to close")

            assert d.ok("POST", f"/api/v1/messages/{ids[0]}/retry") == {"id": ids[0], "status": "requeued"}
            [got] = mx.wait_messages(1)
            assert got.recipients == ["r0@held.test"]

            assert d.ok("POST", "/api/v1/domains/held.test/flush") == {"domain": "held.test", "flushed": 2}
            got = mx.wait_messages(3)
            assert sorted(r for m in got for r in m.recipients) == [f"r{i}@held.test" for i in range(3)]
            d.wait_summary(total_queue_size=0, successfully_delivered_messages=3)
            assert_not_found(d, "GET", f"/api/v1/messages/{ids[1]}")


def test_message_fail_and_fail_domain_bounce_queued_mail(tmp_path):
    with SmtpSink("127.0.0.174") as sink, SmtpSink("127.0.0.175") as bounces:
        with Daemon(tmp_path, held_body(sink, bounces)) as d:
            ids = [d.send("alice@sender.test", [f"r{i}@held.test"]) for i in range(4)]
            d.wait_summary(active_queue_size=4)

            assert d.ok("POST", f"/api/v1/messages/{ids[0]}/fail") == {"id": ids[0], "status": "failed"}
            [bounce] = bounces.wait_messages(1)
            assert (bounce.sender, bounce.recipients) == ("", ["alice@sender.test"])
            assert "r0@held.test" in bounce.text
            assert_not_found(d, "GET", f"/api/v1/messages/{ids[0]}")

            # quiet: failed without a bounce
            assert d.ok("POST", f"/api/v1/messages/{ids[1]}/fail", {"quiet": True})["status"] == "failed"
            d.wait_summary(failed_messages=2, total_queue_size=2)

            assert d.ok("POST", "/api/v1/domains/held.test/fail") == {"domain": "held.test", "failed": 2}
            got = bounces.wait_messages(3)
            assert all((b.sender, b.recipients) == ("", ["alice@sender.test"]) for b in got)
            texts = [b.text for b in got]
            assert any("r2@held.test" in t for t in texts) and any("r3@held.test" in t for t in texts)
            assert not any("r1@held.test" in t for t in texts)
            d.wait_summary(failed_messages=4, total_queue_size=0)
            assert all(q["active"] == 0 and q["delayed"] == 0 for q in d.ok("GET", "/api/v1/queues"))

            status, doc = d.api("POST", "/api/v1/domains/held.test/fail", {"quiet": "yes"})
            assert status == 400 and "quiet" in doc["error"], doc
            assert sink.count == 0


def test_config_reload_answers_200_or_409_with_every_error(tmp_path):
    with SmtpSink("127.0.0.176") as sink:
        good = f'Domain ok.test {{ Routes = ( "{sink.hostport}" ) }}\n'
        with Daemon(tmp_path, good) as d:
            d.write_config(good + "Max_Outbound_Connections = 7\n")
            assert d.ok("POST", "/api/v1/config/reload") == {"status": "reloaded"}
            assert d.ctl("config", "eval", "max_outbound_connections") == "max_outbound_connections = 7\n"

            bad = good + "Max_Outbound_Connections = lots\nNo_Such_Option = 1\n"
            d.write_config(bad)
            lines = d.config_text(bad).splitlines()
            l1 = lines.index("Max_Outbound_Connections = lots") + 1
            l2 = lines.index("No_Such_Option = 1") + 1
            status, doc = d.api("POST", "/api/v1/config/reload")
            assert status == 409, doc
            assert "unchanged" in doc["error"], doc
            path = d.impulsed.config_path
            assert len(doc["errors"]) == 2, doc
            assert doc["errors"][0].startswith(f"{path}:{l1}:28: error: "), doc
            assert doc["errors"][1].startswith(f"{path}:{l2}:1: error: ") and "No_Such_Option" in doc["errors"][1]
            assert d.ctl("config", "eval", "max_outbound_connections") == "max_outbound_connections = 7\n"

            # still serving, and delivering
            d.send("", ["m@ok.test"])
            sink.wait_messages(1)
            d.wait_summary(successfully_delivered_messages=1)


def test_api_keys_guard_the_admin_endpoints(tmp_path):
    with Daemon(tmp_path, http_options='API_Keys = ( "k1" "k2" )') as d:
        status, doc = d.api("GET", "/api/v1/summary")
        assert status == 401 and doc["error"], doc
        status, _ = d.api("GET", "/api/v1/summary", key="wrong")
        assert status == 401
        status, doc = d.api("GET", "/api/v1/summary", key="k2")
        assert status == 200 and doc["received_messages"] == 0, doc
        status, _ = d.api("POST", "/api/v1/config/reload")
        assert status == 401
        status, doc = d.api("POST", "/api/v1/config/reload", key="k1")
        assert (status, doc) == (200, {"status": "reloaded"})
