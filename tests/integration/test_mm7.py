"""MM7 delivery end to end (SPEC §11, §14; issue 14): the real impulsed, mail
injected over SMTP, delivered as SOAP SubmitReq over HTTP/1.1 to the MMSC
stand-in (harness/mmsc_server.py: strict about SOAPAction, multipart/related,
the envelope's namespaces, element order, TransactionID, VASPID/VASID,
recipients, the cid: attachment and Basic authentication), asserted on what
the stand-in received, the mainlog/bouncelog/paniclog, the DSN and the JSON
event log; delivery reports POSTed back by the stand-in to the daemon's
HTTP_Listener at MM7_VASP_Path.

Each test starts the stand-in on a free loopback port, an smtp-sink for the
bounces to the sender, and the daemon (with an HTTP_Listener when it needs
one).
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from harness.impulse import Daemon, daemon_config
from harness.mmsc_server import DEFAULT_NS, SOAP_ENV, MmscServer
from harness.process import free_port, port_open, wait_for
from harness.smtp_peers import SmtpSink

SENDER = "mms@sender.test"
NUMBER = "15551234567"
EVENTS = 'json_logger "json_logger" {\n  logfile = "events.jsonl"\n}\n'


def plain(body="GIF89a-not-really", ctype="image/gif", subject="Your picture"):
    return f"Subject: {subject}\r\nMIME-Version: 1.0\r\nContent-Type: {ctype}\r\n\r\n{body}\r\n"


def mcmt():
    return ("Subject: multi-channel\r\nMIME-Version: 1.0\r\n"
            'Content-Type: multipart/vnd.msys.mcmt; boundary="OUTER"\r\n\r\n'
            "--OUTER\r\nContent-Type: message/rfc822\r\n\r\n"
            "Subject: the email rendering\r\n\r\nHello by email.\r\n"
            '--OUTER\r\nContent-Type: multipart/vnd.msys.mm7; boundary="INNER"\r\n\r\n'
            "--INNER\r\nContent-Type: text/plain\r\n\r\nHello by MMS.\r\n"
            "--INNER\r\nContent-Type: image/gif\r\nContent-ID: <pic>\r\n\r\nGIF89a\r\n"
            "--INNER--\r\n"
            "--OUTER--\r\n")


class Mm7:
    """The stand-in, a sink for bounces, and the daemon's configuration."""

    def __init__(self, tmp_path, **mmsc_kw):
        self.dir = str(tmp_path)
        self.mmsc = MmscServer(self.dir, **mmsc_kw)
        self.sink = SmtpSink("127.0.0.1")
        self.http_port = None

    def __enter__(self):
        self.mmsc.start()
        self.sink.start()
        return self

    def __exit__(self, *exc):
        self.sink.stop()
        self.mmsc.stop()

    def config(self, port, domain_extra="", route=None, http_options=None):
        route = route or f"mm7://127.0.0.1/mm7?port={self.mmsc.port}"
        http = ""
        if http_options is not None:
            http = f'HTTP_Listener {{\n  {http_options}\n  Listen "127.0.0.1:{self.http_port}" {{ }}\n}}\n'
        return daemon_config(port, "Retry_Interval = 1\nMax_Retry_Interval = 1\n", extra=EVENTS + http + f"""\
            Domain mm7.test {{
              Delivery_Method = MM7
              Routes = ( "{route}" )
              {domain_extra}
            }}
            Domain sender.test {{
              Routes = ( "smtp://127.0.0.1?port={self.sink.port}" )
            }}
            """)

    def daemon(self, domain_extra="", route=None, http_options=None):
        if http_options is not None:
            self.http_port = free_port()
        d = MmDaemon(self.dir, lambda port: self.config(port, domain_extra, route, http_options))
        d.http_port = self.http_port
        return d


class MmDaemon(Daemon):
    http_port = None

    def start(self):
        super().start()
        if self.http_port:
            wait_for(lambda: port_open("127.0.0.1", self.http_port), what="the HTTP listener")
        return self

    def events(self):
        import json
        import os
        path = self.path("events.jsonl")
        if not os.path.exists(path):
            return []
        with open(path) as fh:
            return [json.loads(line) for line in fh if line.strip()]

    def wait_event(self, predicate, what):
        return wait_for(lambda: next((e for e in self.events() if predicate(e)), None), what=what)


def dsn_text(sink):
    [dsn] = sink.wait_messages(1)
    return re.sub(r"\r?\n[ \t]+", " ", dsn.text)


def held_lines(d):
    return [line for line in d.lines("paniclog.ec") if "mm7.test: queue held" in line]


# ------------------------------------------------------------- submissions

def test_delivered_submission_is_one_strict_submitreq_and_its_message_id_is_the_remote_id(tmp_path):
    with Mm7(tmp_path, vasid="MessageSystems-VASID") as m, m.daemon() as d:
        msgid = d.send(SENDER, [f"{NUMBER}@mm7.test"], plain())
        [rec] = d.wait_records("D", msgid)
        assert rec["domain"] == "mm7.test" and rec["remote_ip"] == "127.0.0.1"
        [req] = m.mmsc.requests()
        assert req["status"] == 200 and "violation" not in req, req
        assert req["soapaction"] == '""'
        assert req["env_prefix"] == "env" and req["version"] == "6.8.0"
        assert req["vasid"] == "MessageSystems-VASID" and req["vaspid"] is None
        assert req["recipients"] == [{"field": "To", "kind": "Number", "value": NUMBER}]
        assert req["order"] == ["MM7Version", "SenderIdentification", "Recipients", "MessageClass",
                                "DeliveryReport", "ReadReply", "Subject", "Content"]
        assert req["message_class"] == "Personal" and req["DeliveryReport"] == "false"
        assert req["subject"] == "Your picture"
        assert req["content_type"] == "image/gif" and req["content"] == "GIF89a-not-really"
        assert req["host"] == f"127.0.0.1:{m.mmsc.port}" and req["path"] == "/mm7"
        event = d.wait_event(lambda e: e["type"] == "delivery", "the delivery event")
        assert event["message_id"] == msgid and event["remote_id"] == req["message_id"] == "mmsc-1", event
        assert event["response"] == "200 1000 Success", event


def test_mcmt_mm7_part_is_the_content_and_options_fill_the_envelope(tmp_path):
    options = """MM7_VASPID = "vasp-7"
              MM7_VASID = "service-9"
              MM7_Sender_Address = "12345"
              MM7_Service_Code = "promo"
              MM7_Message_Class = informational
              MM7_Delivery_Report = true
              MM7_SOAP_Env = "soapenv"
              MM7_Version = "5.6.0"
              MM7_Namespace = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-5-MM7-1-3"
              """
    with Mm7(tmp_path, vaspid="vasp-7", vasid="service-9", version="5.6.0",
             namespace="http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-5-MM7-1-3") as m, \
            m.daemon(options) as d:
        msgid = d.send(SENDER, [f"{NUMBER}@mm7.test"], mcmt())
        d.wait_records("D", msgid)
        [req] = m.mmsc.requests()
        assert "violation" not in req, req
        assert req["env_prefix"] == "soapenv" and req["version"] == "5.6.0"
        assert req["sender_address"] == {"kind": "Number", "value": "12345"}
        assert req["service_code"] == "promo" and req["message_class"] == "Informational"
        assert req["DeliveryReport"] == "true" and req["subject"] == "multi-channel"
        assert req["content_type"].startswith("multipart/mixed") and 'boundary="INNER"' in req["content_type"]
        assert "Hello by MMS." in req["content"] and "GIF89a" in req["content"]
        assert "Hello by email." not in req["content"]


def test_numbers_take_the_prefix_plus_numbers_do_not_other_local_parts_are_rfc2822_addresses(tmp_path):
    with Mm7(tmp_path) as m, m.daemon('MM7_Number_Prefix = "00"') as d:
        rcpts = ["5551234@mm7.test", "+4479460000@mm7.test", "alice.b@mm7.test", "555-1234@mm7.test"]
        msgid = d.send(SENDER, rcpts, plain())
        d.wait_records("D", msgid, count=4)
        reqs = m.mmsc.wait_requests(4)
        got = sorted((r["recipients"][0]["kind"], r["recipients"][0]["value"]) for r in reqs)
        assert got == sorted([("Number", "005551234"), ("Number", "+4479460000"),
                              ("RFC2822Address", "alice.b@mm7.test"), ("RFC2822Address", "555-1234@mm7.test")])
        assert all(len(r["recipients"]) == 1 for r in reqs)  # one SubmitReq per recipient
        assert len({r["transaction_id"] for r in reqs}) == 4
        assert len({r["conn"] for r in reqs}) == 1  # one kept-alive connection


# ------------------------------------------------------------ status classes

def test_client_error_status_is_permanent_with_a_5_0_0_dsn(tmp_path):
    with Mm7(tmp_path) as m, m.daemon() as d:
        m.mmsc.script(NUMBER, code=2007, text="Message format corrupt")
        msgid = d.send(SENDER, [f"{NUMBER}@mm7.test"], plain())
        [rec] = d.wait_records("P", msgid)
        assert rec["response"] == "200 2007 Message format corrupt" and rec["stage"] == "9", rec
        [b] = wait_for(lambda: d.bouncelog(msgid), what="B record")
        assert b["raw_response"] == "200 2007 Message format corrupt"
        report = dsn_text(m.sink)
        assert "Status: 5.0.0" in report and "2007 Message format corrupt" in report


def test_address_error_fault_is_permanent_class_10_with_a_5_1_1_dsn(tmp_path):
    with Mm7(tmp_path) as m, m.daemon() as d:
        m.mmsc.script(NUMBER, code=2002, text="Address Error", fault=True)
        msgid = d.send(SENDER, [f"{NUMBER}@mm7.test"], plain())
        [rec] = d.wait_records("P", msgid)
        assert rec["response"] == "500 2002 Address Error", rec
        [b] = wait_for(lambda: d.bouncelog(msgid), what="B record")
        assert b["classification"] == "10", b
        assert "Status: 5.1.1" in dsn_text(m.sink)


@pytest.mark.parametrize("code,fault", [(3001, False), (4006, True), (4000, False), (9999, False)])
def test_server_error_and_unknown_statuses_are_transient(tmp_path, code, fault):
    with Mm7(tmp_path) as m, m.daemon() as d:
        m.mmsc.script(NUMBER, code=code, text="try later", fault=fault)
        msgid = d.send(SENDER, [f"{NUMBER}@mm7.test"], plain())
        [t] = d.wait_records("T", msgid)
        assert t["response"] == f"{500 if fault else 200} {code} try later" and t["stage"] == "9", t
        assert d.records("P", msgid) == [] and d.bouncelog(msgid) == []


def test_each_recipient_of_a_message_is_disposed_on_its_own(tmp_path):
    with Mm7(tmp_path) as m, m.daemon() as d:
        m.mmsc.script("111", code=2003, text="Address Not Found")
        m.mmsc.script("222", code=3000, text="Server Error")
        msgid = d.send(SENDER, ["111@mm7.test", "222@mm7.test", "333@mm7.test"], plain())
        [p] = d.wait_records("P", msgid)
        [t] = d.wait_records("T", msgid)
        [ok] = d.wait_records("D", msgid)
        assert p["response"] == "200 2003 Address Not Found", p
        assert t["response"] == "200 3000 Server Error", t
        assert [b["rcpt_local"] for b in wait_for(lambda: d.bouncelog(msgid), what="B record")] == ["111"]
        first_three = m.mmsc.requests()[:3]
        assert sorted(r["recipients"][0]["value"] for r in first_three) == ["111", "222", "333"]


def test_status_code_overrides_per_mmsc(tmp_path):
    options = 'MM7_Permanent_Status_Codes = ( "3001" )\n  MM7_Temporary_Status_Codes = ( "2007" )'
    with Mm7(tmp_path) as m, m.daemon(options) as d:
        m.mmsc.script("111", code=3001, text="Not Possible")
        m.mmsc.script("222", code=2007, text="Message format corrupt")
        first = d.send(SENDER, ["111@mm7.test"], plain())
        [p] = d.wait_records("P", first)
        assert p["response"] == "200 3001 Not Possible", p
        second = d.send(SENDER, ["222@mm7.test"], plain())
        [t] = d.wait_records("T", second)
        assert t["response"] == "200 2007 Message format corrupt", t
        assert d.records("P", second) == []


def test_http_401_is_credentials_transient_holds_the_queue_and_never_bounces(tmp_path):
    with Mm7(tmp_path, user="vasp", password="right") as m, \
            m.daemon('HTTP_Basic_Auth = "vasp:wrong"') as d:
        msgid = d.send(SENDER, [f"{NUMBER}@mm7.test"], plain())
        [t] = d.wait_records("T", msgid)
        assert t["response"] == "401 Unauthorized", t
        wait_for(lambda: held_lines(d), what="the paniclog line of the held domain")
        assert "credentials refused by MM7" in held_lines(d)[0]
        assert d.records("P", msgid) == [] and d.bouncelog(msgid) == [] and m.sink.count == 0


def test_basic_auth_http_uri_and_http_host(tmp_path):
    with Mm7(tmp_path, path="/mms/send", user="vasp", password="s3cret") as m, \
            m.daemon('HTTP_Basic_Auth = "vasp:s3cret"\n  HTTP_URI = "/mms/send"\n  HTTP_Host = "mmsc.example"',
                     route=f"mm7://127.0.0.1?port={m.mmsc.port}") as d:
        msgid = d.send(SENDER, [f"{NUMBER}@mm7.test"], plain())
        d.wait_records("D", msgid)
        [req] = m.mmsc.requests()
        assert req["path"] == "/mms/send" and req["host"] == "mmsc.example", req
        assert req["authorization"] == "Basic dmFzcDpzM2NyZXQ="


def test_non_soap_error_is_transient_with_the_http_status(tmp_path):
    with Mm7(tmp_path) as m, m.daemon() as d:
        m.mmsc.script(NUMBER, raw="<html>upstream down</html>", http_status=502)
        msgid = d.send(SENDER, [f"{NUMBER}@mm7.test"], plain())
        [t] = d.wait_records("T", msgid)
        assert t["response"] == "502 Bad Gateway" and t["stage"] == "9", t


def test_no_answer_within_mm7_response_timer_is_transient(tmp_path):
    with Mm7(tmp_path) as m, m.daemon("MM7_Response_Timer = 1") as d:
        m.mmsc.script(NUMBER, delay=4)
        msgid = d.send(SENDER, [f"{NUMBER}@mm7.test"], plain())
        [t] = d.wait_records("T", msgid)
        assert t["response"].startswith("451 4.4.2 [internal] no MM7 response"), t
        assert float(t["seconds"]) < 3.5, t


def test_message_without_an_mm7_part_fails_without_a_request(tmp_path):
    mcmt_without = ("Subject: x\r\nMIME-Version: 1.0\r\n"
                    'Content-Type: multipart/vnd.msys.mcmt; boundary="B"\r\n\r\n'
                    "--B\r\nContent-Type: message/rfc822\r\n\r\nSubject: e\r\n\r\nmail\r\n--B--\r\n")
    with Mm7(tmp_path) as m, m.daemon() as d:
        msgid = d.send(SENDER, [f"{NUMBER}@mm7.test"], mcmt_without)
        [p] = d.wait_records("P", msgid)
        assert p["response"].startswith("554 5.6.0 [internal]"), p
        assert m.mmsc.requests() == []


def test_kept_alive_connection_carries_the_next_message(tmp_path):
    with Mm7(tmp_path) as m, m.daemon("Idle_Timeout = 30") as d:
        first = d.send(SENDER, [f"{NUMBER}@mm7.test"], plain())
        d.wait_records("D", first)
        second = d.send(SENDER, [f"{NUMBER}@mm7.test"], plain(subject="again"))
        d.wait_records("D", second)
        reqs = m.mmsc.wait_requests(2)
        assert [r["subject"] for r in reqs] == ["Your picture", "again"]
        assert reqs[0]["conn"] == reqs[1]["conn"], reqs


def test_transient_status_is_retried_and_then_delivered(tmp_path):
    with Mm7(tmp_path) as m, m.daemon() as d:
        m.mmsc.script(NUMBER, code=4006, text="Service unavailable", times=1)
        msgid = d.send(SENDER, [f"{NUMBER}@mm7.test"], plain())
        [t] = d.wait_records("T", msgid)
        assert t["response"] == "200 4006 Service unavailable", t
        d.wait_records("D", msgid, timeout=30)
        first, second = m.mmsc.wait_requests(2)
        assert first["transaction_id"] != second["transaction_id"]


# ------------------------------------------------------------------- HTTPS

def tls_mmsc(tmp_path):
    from harness.test_ca import TestCA
    ca = TestCA(str(tmp_path / "ca"))
    cert, key = ca.issue("mmsc.test", ips=["127.0.0.1"])
    return ca, Mm7(tmp_path, cert=cert, key=key)


def test_mm7s_route_speaks_https_verified_against_tls_ca(tmp_path):
    ca, m = tls_mmsc(tmp_path)
    with m, m.daemon(f'tls_ca = "{ca.ca_path}"', route=f"mm7s://127.0.0.1/mm7?port={m.mmsc.port}") as d:
        msgid = d.send(SENDER, [f"{NUMBER}@mm7.test"], plain())
        d.wait_records("D", msgid)
        [req] = m.mmsc.requests()
        assert "violation" not in req and req["status"] == 200, req


def test_https_certificate_not_trusted_is_transient_and_sends_nothing(tmp_path):
    ca, m = tls_mmsc(tmp_path)
    with m, m.daemon('tls = required', route=f"mm7://127.0.0.1/mm7?port={m.mmsc.port}") as d:
        msgid = d.send(SENDER, [f"{NUMBER}@mm7.test"], plain())
        [t] = d.wait_records("T", msgid)
        assert "TLS" in t["response"] and t["stage"] == "17", t
        assert m.mmsc.requests() == [] and d.records("P", msgid) == []


# ---------------------------------------------------------- delivery reports

def test_delivery_report_is_answered_1000_and_recorded_with_the_message_id(tmp_path):
    with Mm7(tmp_path) as m, m.daemon(http_options='MM7_VASP_Path = "/mm7/dr"') as d:
        msgid = d.send(SENDER, [f"{NUMBER}@mm7.test"], plain())
        d.wait_records("D", msgid)
        [req] = m.mmsc.requests()
        status, body, headers = m.mmsc.delivery_report(f"http://127.0.0.1:{d.http_port}/mm7/dr",
                                                       req["message_id"], NUMBER, "Retrieved",
                                                       transaction_id="dr-42")
        assert status == 200 and headers["Content-Type"].startswith("text/xml"), (status, body)
        env = ET.fromstring(body)
        assert env.tag == f"{{{SOAP_ENV}}}Envelope"
        assert env.find(f"{{{SOAP_ENV}}}Header/{{{DEFAULT_NS}}}TransactionID").text == "dr-42"
        rsp = env.find(f"{{{SOAP_ENV}}}Body/{{{DEFAULT_NS}}}DeliveryReportRsp")
        assert rsp.find(f"{{{DEFAULT_NS}}}Status/{{{DEFAULT_NS}}}StatusCode").text == "1000"
        event = d.wait_event(lambda e: e["type"] == "mm7_delivery_report", "the mm7_delivery_report event")
        assert event["message_id"] == msgid and event["remote_id"] == req["message_id"], event
        assert event["mm7_status"] == "Retrieved" and event["recipient"] == f"{NUMBER}@mm7.test", event


def test_delivery_report_for_an_unknown_message_id_is_still_answered_and_recorded(tmp_path):
    with Mm7(tmp_path) as m, m.daemon(http_options='MM7_VASP_Path = "/mm7/dr"') as d:
        status, body, _ = m.mmsc.delivery_report(f"http://127.0.0.1:{d.http_port}/mm7/dr", "mmsc-unknown",
                                                 "+4479460000", "Expired")
        assert status == 200 and "1000" in body
        event = d.wait_event(lambda e: e["type"] == "mm7_delivery_report", "the mm7_delivery_report event")
        assert event["remote_id"] == "mmsc-unknown" and event["mm7_status"] == "Expired"
        assert event["recipient"] == "+4479460000" and not event["message_id"], event


def test_vasp_basic_auth_refuses_reports_without_the_credentials(tmp_path):
    http = 'MM7_VASP_Path = "/mm7/dr"\n  MM7_VASP_Basic_Auth = "mmsc:pw"'
    with Mm7(tmp_path) as m, m.daemon(http_options=http) as d:
        url = f"http://127.0.0.1:{d.http_port}/mm7/dr"
        status, _, headers = m.mmsc.delivery_report(url, "mmsc-9", NUMBER, "Retrieved")
        assert status == 401 and headers.get("WWW-Authenticate", "").startswith("Basic"), headers
        status, _, _ = m.mmsc.delivery_report(url, "mmsc-9", NUMBER, "Retrieved", user="mmsc", password="nope")
        assert status == 401
        assert [e for e in d.events() if e["type"] == "mm7_delivery_report"] == []
        status, body, _ = m.mmsc.delivery_report(url, "mmsc-9", NUMBER, "Retrieved", user="mmsc", password="pw")
        assert status == 200 and "1000" in body
        d.wait_event(lambda e: e["type"] == "mm7_delivery_report", "the mm7_delivery_report event")


def test_a_report_that_is_not_a_delivery_report_gets_a_soap_fault(tmp_path):
    import urllib.error
    import urllib.request
    with Mm7(tmp_path) as m, m.daemon(http_options='MM7_VASP_Path = "/mm7/dr"') as d:
        req = urllib.request.Request(f"http://127.0.0.1:{d.http_port}/mm7/dr", data=b"<not-soap/>", method="POST",
                                     headers={"Content-Type": "text/xml"})
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(req, timeout=10)
        assert e.value.code == 400
        assert "Fault" in e.value.read().decode()


# ------------------------------------------- delivery reports after a restart

def restart(d, kill):
    """Stops the daemon (SIGTERM, exit 0; or SIGKILL) and starts it again on
    the same directory: same spool, same ports."""
    if kill:
        d.impulsed.kill9()
    else:
        assert d.impulsed.stop() == 0, d.impulsed.stderr()
    d.start()


def report_event(m, d, remote_id, status, seen):
    """POSTs a DeliveryReportReq for `remote_id` from the stand-in; returns
    the mm7_delivery_report event it was recorded as (the `seen`-th one)."""
    status_code, body, _ = m.mmsc.delivery_report(f"http://127.0.0.1:{d.http_port}/mm7/dr", remote_id, NUMBER,
                                                  status)
    assert status_code == 200 and "1000" in body, (status_code, body)
    reports = lambda: [e for e in d.events() if e["type"] == "mm7_delivery_report"]
    wait_for(lambda: len(reports()) > seen, what="the mm7_delivery_report event")
    return reports()[seen]


@pytest.mark.parametrize("kill", [False, True], ids=["sigterm", "sigkill"])
def test_delivery_report_after_a_restart_carries_the_message_id_and_recipient(tmp_path, kill):
    with Mm7(tmp_path) as m, m.daemon(http_options='MM7_VASP_Path = "/mm7/dr"') as d:
        msgid = d.send(SENDER, [f"{NUMBER}@mm7.test"], plain())
        d.wait_records("D", msgid)  # in the mainlog file: the MessageID was durable before it
        [req] = m.mmsc.requests()
        d.wait_event(lambda e: e["type"] == "delivery", "the delivery event")  # no event line cut by the kill
        restart(d, kill)
        assert "mm7 message ids" not in d.impulsed.stderr() + "".join(d.lines("paniclog.ec"))
        event = report_event(m, d, req["message_id"], "Retrieved", 0)
        assert event["message_id"] == msgid and event["remote_id"] == req["message_id"], event
        assert event["recipient"] == f"{NUMBER}@mm7.test" and event["mm7_status"] == "Retrieved", event


def test_an_expired_message_id_is_not_found_before_or_after_a_restart(tmp_path):
    with Mm7(tmp_path) as m, m.daemon("Message_Expiration = 6", http_options='MM7_VASP_Path = "/mm7/dr"') as d:
        msgid = d.send(SENDER, [f"{NUMBER}@mm7.test"], plain())
        d.wait_records("D", msgid)
        [req] = m.mmsc.requests()
        first = report_event(m, d, req["message_id"], "Retrieved", 0)
        assert first["message_id"] == msgid, first  # kept while message_expiration lasts
        seen = [1]

        def expired():
            event = report_event(m, d, req["message_id"], "Retrieved", seen[0])
            seen[0] += 1
            return event if not event["message_id"] else None
        event = wait_for(expired, timeout=30, interval=0.5, what="a report recorded without the expired message id")
        assert event["recipient"] == NUMBER and event["remote_id"] == req["message_id"], event
        restart(d, kill=False)
        after = report_event(m, d, req["message_id"], "Retrieved", seen[0])
        assert not after["message_id"] and after["recipient"] == NUMBER, after
