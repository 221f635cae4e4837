"""APN delivery end to end (SPEC §11, §12; issue 12): the real impulsed,
mail injected over SMTP, delivered over HTTP/2 to the APNs stand-in
(harness/apns_server.py: python3-h2 over TLS with ALPN h2, verifying the
ES256 JWT or the client certificate, the path, the headers and the
payload), and asserted on what the stand-in received and on the logs.

Each test starts its own private CA (the daemon gets tls_ca), its own
provider key (the stand-in gets the public half), the stand-in on a free
loopback port, an smtp-sink for the bounces to the sender, and the daemon.
"""
from __future__ import annotations

import json
import os
import re
import subprocess

import pytest

from harness.apns_server import ApnsServer
from harness.impulse import Daemon, daemon_config, run_impulsed
from harness.logs import logged
from harness.process import wait_for
from harness.smtp_peers import SmtpSink
from harness.test_ca import TestCA

KEY_ID = "ABC123DEFG"
TEAM_ID = "DEF123GHIJ"
TOPIC = "com.example.app"
SENDER = "push@sender.test"
TOKEN = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"
PAYLOAD = '{"aps":{"alert":"Hello","badge":1}}'
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def token(n: int) -> str:
    """A distinct 64-digit device token per n."""
    return f"{n:08x}" + TOKEN[8:]


def provider_key(directory) -> tuple[str, str]:
    """A P-256 provider key (.p8, PKCS#8 PEM) and its public half (PEM)."""
    p8 = os.path.join(directory, "AuthKey.p8")
    pub = os.path.join(directory, "AuthKey.pub.pem")
    subprocess.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", p8],
                   check=True, capture_output=True)
    subprocess.run(["openssl", "pkey", "-in", p8, "-pubout", "-out", pub], check=True, capture_output=True)
    return p8, pub


def plain(body: str = PAYLOAD, headers: str = "") -> str:
    return f"Subject: push\r\nContent-Type: application/json\r\n{headers}\r\n{body}\r\n"


def mcmt(part_headers: str, payload: str = PAYLOAD) -> str:
    return ("Subject: multi-channel\r\nMIME-Version: 1.0\r\n"
            'Content-Type: multipart/vnd.msys.mcmt; boundary="BOUNDARY"\r\n\r\n'
            "--BOUNDARY\r\nContent-Type: message/rfc822\r\n\r\n"
            "Subject: the email rendering\r\n\r\nHello by email.\r\n"
            "--BOUNDARY\r\nContent-Type: message/vnd.msys.apn\r\n" + part_headers +
            "\r\n" + payload + "\r\n--BOUNDARY--\r\n")


class Push:
    """The CA, the provider key, the stand-in and a sink for bounces."""

    def __init__(self, tmp_path, auth="token", max_streams=1000, plain=False):
        self.dir = str(tmp_path)
        self.ca = TestCA(os.path.join(self.dir, "ca"))
        cert, key = self.ca.issue("apns.test", ips=["127.0.0.1"])
        self.key_file, pub = provider_key(self.dir)
        kw = {}
        if auth == "token":
            kw = {"jwt_key": pub, "key_id": KEY_ID, "team_id": TEAM_ID}
        elif auth == "certificate":
            kw = {"client_ca": self.ca.ca_path}
            self.client_cert, self.client_key = self.ca.issue("provider.example", client=True)
        self.auth = auth
        self.apns = ApnsServer(os.path.join(self.dir, "apns"), cert, key, max_streams=max_streams, plain=plain, **kw)
        self.sink = SmtpSink("127.0.0.1")

    def __enter__(self):
        self.apns.start()
        self.sink.start()
        return self

    def __exit__(self, *exc):
        self.sink.stop()
        self.apns.stop()

    def domain(self, extra="", auth=None):
        auth = self.auth if auth is None else auth
        credentials = ""
        if auth == "token":
            credentials = (f'APN_Key_File = "{self.key_file}"\n  APN_Key_ID = "{KEY_ID}"\n'
                           f'  APN_Team_ID = "{TEAM_ID}"\n  APN_Topic = "{TOPIC}"')
        elif auth == "certificate":
            credentials = f'tls_certificate = "{self.client_cert}"\n  tls_key = "{self.client_key}"'
        return f"""\
            Domain apn.test {{
              Delivery_Method = APN
              Routes = ( "apn://127.0.0.1?port={self.apns.port}" )
              tls_ca = "{self.ca.ca_path}"
              {credentials}
              Delivery_Response_Timeout = 5000
              {extra}
            }}
            Domain sender.test {{
              Routes = ( "smtp://127.0.0.1?port={self.sink.port}" )
            }}
            """

    def daemon(self, extra="", auth=None, settings=""):
        return Daemon(self.dir, lambda port: daemon_config(port, settings, extra=self.domain(extra, auth)))


def dsn_text(sink):
    [dsn] = sink.wait_messages(1)
    return re.sub(r"\r?\n[ \t]+", " ", dsn.text)


def held_lines(d):
    return [line for line in d.lines("paniclog.ec") if "apn.test: queue held" in line]


# ---------------------------------------------------------------- status rows

def test_200_delivers_one_strict_request_and_logs_a_d_record(tmp_path):
    with Push(tmp_path) as p, p.daemon() as d:
        msgid = d.send(SENDER, [f"{TOKEN}@apn.test"], plain())
        [rec] = d.wait_records("D", msgid)
        assert rec["domain"] == "apn.test" and rec["remote_ip"] == "127.0.0.1"
        [req] = p.apns.requests()
        assert req["status"] == 200, req
        assert req["method"] == "POST" and req["path"] == f"/3/device/{TOKEN}"
        assert req["body"] == PAYLOAD  # byte for byte
        h = req["headers"]
        assert h["apns-topic"] == TOPIC and h["apns-push-type"] == "alert"
        assert UUID.match(h["apns-id"]), h
        assert "apns-priority" not in h and "apns-expiration" not in h
        assert req["jwt"]["header"] == {"alg": "ES256", "kid": KEY_ID, "typ": "JWT"} or \
            {k: v for k, v in req["jwt"]["header"].items() if k != "typ"} == {"alg": "ES256", "kid": KEY_ID}
        assert req["jwt"]["claims"]["iss"] == TEAM_ID
        [conn] = p.apns.connections()
        assert conn["alpn"] == "h2" and conn["tls_version"] in ("TLSv1.2", "TLSv1.3")
        assert d.records("T", msgid) == [] and d.records("P", msgid) == []


def test_400_is_permanent_with_a_dsn_to_the_sender(tmp_path):
    with Push(tmp_path) as p, p.daemon() as d:
        p.apns.script(TOKEN, status=400, reason="BadDeviceToken")
        msgid = d.send(SENDER, [f"{TOKEN}@apn.test"], plain())
        [rec] = d.wait_records("P", msgid)
        assert rec["response"] == "400 BadDeviceToken" and rec["stage"] == "9", rec
        [b] = wait_for(lambda: d.bouncelog(msgid), what="B record")
        assert b["raw_response"] == "400 BadDeviceToken"
        report = dsn_text(p.sink)
        assert f"Final-Recipient: rfc822; {TOKEN}@apn.test" in report
        assert "Status: 5.0.0" in report
        assert "400 BadDeviceToken" in report


def test_403_expired_provider_token_is_renewed_and_sent_again_in_the_same_attempt(tmp_path):
    with Push(tmp_path) as p, p.daemon() as d:
        p.apns.script(TOKEN, expire_token=True)
        msgid = d.send(SENDER, [f"{TOKEN}@apn.test"], plain())
        d.wait_records("D", msgid)
        first, second = p.apns.requests()
        assert (first["status"], first["reason"]) == (403, "ExpiredProviderToken")
        assert second["status"] == 200
        assert first["jwt"]["raw"] != second["jwt"]["raw"]  # a new token, signed again
        assert second["jwt"]["claims"]["iat"] >= first["jwt"]["claims"]["iat"]
        assert d.records("T", msgid) == []  # the renewal stays inside one attempt


def test_403_credentials_refused_is_transient_holds_the_domain_and_never_bounces(tmp_path):
    with Push(tmp_path) as p, p.daemon() as d:
        p.apns.script("*", status=403, reason="InvalidProviderToken")
        msgid = d.send(SENDER, [f"{TOKEN}@apn.test"], plain())
        [t] = d.wait_records("T", msgid)
        assert t["response"] == "403 InvalidProviderToken", t
        wait_for(lambda: held_lines(d), what="the paniclog line of the held domain")
        assert "InvalidProviderToken" in held_lines(d)[0]
        # Held: a second message waits without an attempt.
        later = d.send(SENDER, [f"{token(2)}@apn.test"], plain())
        assert "Queue held until" in d.ctl("domain", "apn.test")
        assert d.records("T", later) == [] and d.records("P", later) == []
        assert d.bouncelog(msgid) == [] and d.records("P", msgid) == []
        assert p.sink.count == 0


def test_410_dead_token_is_class_10_in_the_bouncelog_with_a_5_1_1_dsn(tmp_path):
    with Push(tmp_path) as p, p.daemon() as d:
        p.apns.script(TOKEN, status=410, reason="Unregistered")
        msgid = d.send(SENDER, [f"{TOKEN}@apn.test"], plain())
        [rec] = d.wait_records("P", msgid)
        assert rec["response"] == "410 Unregistered", rec
        [b] = wait_for(lambda: d.bouncelog(msgid), what="B record")
        assert b["classification"] == "10", b
        assert (b["rcpt_local"], b["rcpt_domain"]) == (TOKEN, "apn.test")
        report = dsn_text(p.sink)
        assert "Status: 5.1.1" in report and "410 Unregistered" in report


def test_413_from_the_service_is_permanent(tmp_path):
    with Push(tmp_path) as p, p.daemon() as d:
        p.apns.script(TOKEN, status=413, reason="PayloadTooLarge")
        msgid = d.send(SENDER, [f"{TOKEN}@apn.test"], plain())
        [rec] = d.wait_records("P", msgid)
        assert rec["response"] == "413 PayloadTooLarge", rec


def test_429_with_retry_after_holds_the_queue(tmp_path):
    with Push(tmp_path) as p, p.daemon() as d:
        p.apns.script("*", status=429, reason="TooManyRequests", retry_after=120)
        msgid = d.send(SENDER, [f"{TOKEN}@apn.test"], plain())
        [t] = d.wait_records("T", msgid)
        assert t["response"] == "429 TooManyRequests", t
        wait_for(lambda: held_lines(d), what="the paniclog line of the Retry-After hold")
        assert "Retry-After" in held_lines(d)[0]
        held = re.search(r"^Queue held until (\d+)", d.ctl("domain", "apn.test"), re.M)
        assert held and int(held.group(1)) >= int(float(t["time"])) + 119, d.ctl("domain", "apn.test")


@pytest.mark.parametrize("status,reason", [(500, "InternalServerError"), (503, "ServiceUnavailable")])
def test_500_and_503_are_transient(tmp_path, status, reason):
    with Push(tmp_path) as p, p.daemon() as d:
        p.apns.script(TOKEN, status=status, reason=reason)
        msgid = d.send(SENDER, [f"{TOKEN}@apn.test"], plain())
        [t] = d.wait_records("T", msgid)
        assert t["response"] == f"{status} {reason}" and t["stage"] == "9", t
        assert d.records("P", msgid) == [] and d.bouncelog(msgid) == []


def test_503_shutdown_is_sent_again_on_a_new_connection_in_the_same_attempt(tmp_path):
    with Push(tmp_path) as p, p.daemon() as d:
        p.apns.script(TOKEN, status=503, reason="Shutdown", times=1)
        msgid = d.send(SENDER, [f"{TOKEN}@apn.test"], plain())
        d.wait_records("D", msgid)
        first, second = p.apns.requests()
        assert (first["status"], first["reason"]) == (503, "Shutdown") and second["status"] == 200
        assert first["conn"] != second["conn"]
        assert d.records("T", msgid) == []


def test_no_response_within_delivery_response_timeout_is_transient(tmp_path):
    with Push(tmp_path) as p, p.daemon("Delivery_Response_Timeout = 300") as d:
        p.apns.script(TOKEN, delay=3)
        msgid = d.send(SENDER, [f"{TOKEN}@apn.test"], plain())
        [t] = d.wait_records("T", msgid)
        assert t["response"].startswith("451 4.4.2 [internal] no APN response"), t
        assert t["stage"] == "9"
        assert float(t["seconds"]) < 2.5, t


# ------------------------------------------------------- messages and headers

def test_mcmt_part_gives_the_token_and_headers_over_the_options(tmp_path):
    with Push(tmp_path) as p, p.daemon('APN_Priority = 5\n  APN_Expiry = 3600') as d:
        part = (f"X-Device-Token: {token(7)}\r\nX-APNs-Topic: com.example.other\r\n"
                "X-APNs-Push-Type: background\r\nX-APNs-Collapse-ID: news\r\nX-APNs-Expiration: 1900000000\r\n")
        payload = '{"aps":{"content-available":1}}'
        msgid = d.send(SENDER, ["whoever@apn.test"], mcmt(part, payload))
        d.wait_records("D", msgid)
        [req] = p.apns.requests()
        assert req["path"] == f"/3/device/{token(7)}"
        assert req["body"] == payload
        h = req["headers"]
        assert h["apns-topic"] == "com.example.other" and h["apns-push-type"] == "background"
        assert h["apns-collapse-id"] == "news" and h["apns-expiration"] == "1900000000"
        assert h["apns-priority"] == "5"  # from APN_Priority: the part does not set it


def test_options_fill_what_a_plain_message_does_not_set(tmp_path):
    with Push(tmp_path) as p, p.daemon('APN_Priority = 10\n  APN_Expiry = 3600\n  APN_Push_Type = "alert"') as d:
        msgid = d.send(SENDER, [f"{TOKEN}@apn.test"], plain())
        [rec] = d.wait_records("D", msgid)
        [req] = p.apns.requests()
        h = req["headers"]
        assert h["apns-priority"] == "10" and h["apns-topic"] == TOPIC
        expiration = int(h["apns-expiration"])
        assert abs(expiration - (int(float(rec["time"])) + 3600)) <= 5


def test_several_recipients_get_one_request_each(tmp_path):
    with Push(tmp_path) as p, p.daemon() as d:
        p.apns.script(token(2), status=410, reason="Unregistered")
        msgid = d.send(SENDER, [f"{token(1)}@apn.test", f"{token(2)}@apn.test", f"{token(3)}@apn.test"], plain())
        assert len(d.wait_records("D", msgid, count=2)) == 2
        [pr] = d.wait_records("P", msgid)
        assert pr["response"] == "410 Unregistered"
        assert sorted(r["token"] for r in p.apns.requests()) == sorted([token(1), token(2), token(3)])


def test_oversize_or_malformed_payloads_are_never_sent(tmp_path):
    with Push(tmp_path) as p, p.daemon() as d:
        # Over 4096 bytes in lines SMTP can carry (JSON allows line breaks between members).
        big = '{"aps":{"alert":"hi"},\r\n' + ",\r\n".join(f'"k{i}":"{"x" * 90}"' for i in range(50)) + "}"
        too_big = d.send(SENDER, [f"{token(1)}@apn.test"], plain(big))
        not_json = d.send(SENDER, [f"{token(2)}@apn.test"], plain('{"aps": '))
        bad_token = d.send(SENDER, ["not-hex@apn.test"], plain())
        for msgid in (too_big, not_json, bad_token):
            [rec] = d.wait_records("P", msgid)
            assert rec["response"].startswith("554 5.6.0 [internal]"), rec
        ok = d.send(SENDER, [f"{token(3)}@apn.test"], plain())
        d.wait_records("D", ok)
        assert [r["token"] for r in p.apns.requests()] == [token(3)]


# ------------------------------------------------------------- connections

def test_many_notifications_share_one_connection_with_concurrent_streams(tmp_path):
    with Push(tmp_path, max_streams=4) as p, p.daemon("Max_Outbound_Connections = 1") as d:
        p.apns.script("*", delay=0.5)
        with d.smtp() as c:
            from harness.impulse import transaction
            ids = [transaction(c, SENDER, [f"{token(i)}@apn.test"], plain()) for i in range(12)]
        # The console shows the connection's streams in flight against the server's limit.
        shown = wait_for(lambda: re.search(r"State: \w+ Streams: ([1-4])/4$", d.ctl("domain", "apn.test"), re.M),
                         what="streams in flight in 'domain apn.test'")
        assert int(shown.group(1)) >= 1
        for msgid in ids:
            d.wait_records("D", msgid)
        reqs = p.apns.requests()
        assert len(reqs) == 12
        assert len({r["conn"] for r in reqs}) == 1, reqs
        assert len(p.apns.connections()) == 1
        peak = max(r["in_flight"] for r in reqs)
        assert 1 < peak <= 4, [r["in_flight"] for r in reqs]


def test_goaway_moves_the_request_to_a_new_connection_without_a_failure(tmp_path):
    with Push(tmp_path) as p, p.daemon() as d:
        p.apns.script(TOKEN, goaway=True, times=1)
        msgid = d.send(SENDER, [f"{TOKEN}@apn.test"], plain())
        d.wait_records("D", msgid)
        reqs = p.apns.requests()
        assert [r.get("goaway", False) for r in reqs] == [True, False]
        assert reqs[0]["conn"] != reqs[1]["conn"]
        assert d.records("T", msgid) == []


def test_goaway_among_concurrent_streams_answers_the_earlier_and_moves_the_later(tmp_path):
    with Push(tmp_path, max_streams=8) as p, p.daemon("Max_Outbound_Connections = 1") as d:
        p.apns.script("*", delay=0.5)
        p.apns.script(token(3), goaway=True, times=1)
        with d.smtp() as c:
            from harness.impulse import transaction
            ids = [transaction(c, SENDER, [f"{token(i)}@apn.test"], plain()) for i in range(6)]
        for msgid in ids:
            d.wait_records("D", msgid)
        assert all(d.records("T", msgid) == [] for msgid in ids), d.log_text()
        reqs = p.apns.requests()
        assert sum(1 for r in reqs if r.get("goaway")) == 1
        assert len(p.apns.connections()) >= 2
        delivered = [r for r in reqs if r["status"] == 200 and r.get("answered")]
        assert sorted(r["token"] for r in delivered) == sorted(token(i) for i in range(6))
        # The streams the GOAWAY kept were answered on the old connection.
        [goaway] = [r for r in reqs if r.get("goaway")]
        assert any(r["conn"] == goaway["conn"] for r in delivered), reqs


def test_one_provider_token_is_reused_across_requests_connections_and_event_loops(tmp_path):
    # Four APN domains with the same key: their queues sit on the daemon's
    # event loops by hash, each domain with its own connection.
    with Push(tmp_path) as p:
        extra = "".join(p.domain().split("Domain sender.test")[0].replace("apn.test", f"apn{i}.test")
                        for i in range(4))
        extra += f'Domain sender.test {{\n  Routes = ( "smtp://127.0.0.1?port={p.sink.port}" )\n}}\n'
        with Daemon(p.dir, lambda port: daemon_config(port, extra=extra)) as d:
            ids = [d.send(SENDER, [f"{token(i)}@apn{i}.test"], plain()) for i in range(4)]
            for msgid in ids:
                d.wait_records("D", msgid)
        reqs = p.apns.requests()
        assert len(reqs) == 4 and len({r["conn"] for r in reqs}) == 4
        assert len({r["jwt"]["raw"] for r in reqs}) == 1, [r["jwt"]["claims"] for r in reqs]


def test_certificate_authentication_sends_no_authorization_header(tmp_path):
    with Push(tmp_path, auth="certificate") as p, p.daemon('APN_Topic = "com.example.app"') as d:
        msgid = d.send(SENDER, [f"{TOKEN}@apn.test"], plain())
        d.wait_records("D", msgid)
        [req] = p.apns.requests()
        assert "authorization" not in req["headers"]
        assert req["client_cert"]["commonName"] == "provider.example"


def test_without_credentials_messages_wait_with_451_4_7_0_and_the_domain_is_held(tmp_path):
    with Push(tmp_path, auth="none") as p, p.daemon(auth="none") as d:
        msgid = d.send(SENDER, [f"{TOKEN}@apn.test"], plain())
        [t] = d.wait_records("T", msgid)
        assert t["response"] == "451 4.7.0 [internal] APN credentials not configured", t
        wait_for(lambda: held_lines(d), what="the paniclog line")
        assert p.apns.connections() == [] and p.sink.count == 0


def test_untrusted_server_certificate_is_never_sent_to(tmp_path):
    with Push(tmp_path) as p:
        other = TestCA(os.path.join(p.dir, "other-ca"))
        with Daemon(p.dir, lambda port: daemon_config(port, extra=p.domain().replace(
                p.ca.ca_path, other.ca_path))) as d:
            msgid = d.send(SENDER, [f"{TOKEN}@apn.test"], plain())
            [t] = d.wait_records("T", msgid)
            assert "TLS" in t["response"] and t["stage"] == "17", t
            assert p.apns.requests() == []


def test_http_route_on_another_port_than_443_speaks_cleartext_http2(tmp_path):
    with Push(tmp_path, plain=True) as p:
        extra = p.domain().replace(f"apn://127.0.0.1?port={p.apns.port}", f"http://127.0.0.1:{p.apns.port}")
        with Daemon(p.dir, lambda port: daemon_config(port, extra=extra)) as d:
            msgid = d.send(SENDER, [f"{TOKEN}@apn.test"], plain())
            d.wait_records("D", msgid)
        [conn] = p.apns.connections()
        assert conn["tls_version"] is None and conn["alpn"] is None  # prior knowledge, no TLS
        [req] = p.apns.requests()
        assert req["status"] == 200 and req["jwt"]["claims"]["iss"] == TEAM_ID


def test_tls_verify_no_delivers_to_an_untrusted_server(tmp_path):
    with Push(tmp_path) as p:
        other = TestCA(os.path.join(p.dir, "other-ca"))
        extra = p.domain("tls_verify = no").replace(p.ca.ca_path, other.ca_path)
        with Daemon(p.dir, lambda port: daemon_config(port, extra=extra)) as d:
            msgid = d.send(SENDER, [f"{TOKEN}@apn.test"], plain())
            d.wait_records("D", msgid)
            assert [r["status"] for r in p.apns.requests()] == [200]


# ------------------------------------------------------------ configuration

def test_retired_gateway_route_is_delivered_over_http2_to_the_api_host_with_a_warning(tmp_path):
    # DNS (nsd): api.push.apple.com has an A record on loopback and a decoy MX
    # that must not be used (HTTP-method route hosts are resolved A/AAAA only).
    from harness.dns import NsdServer, zone_header
    address = "127.0.0.37"
    zone = zone_header("push.apple.com") + (
        f"api IN A {address}\napi IN MX 10 decoy.push.apple.com.\ndecoy IN A 127.0.0.38\n"
        "gateway IN A 127.0.0.39\n")
    ca = TestCA(os.path.join(tmp_path, "ca"))
    cert, key = ca.issue("api.push.apple.com")
    p8, pub = provider_key(str(tmp_path))
    with NsdServer({"push.apple.com": zone}) as dns, \
            ApnsServer(os.path.join(tmp_path, "apns"), cert, key, address=address, port=443, jwt_key=pub,
                       key_id=KEY_ID, team_id=TEAM_ID) as apns:
        extra = f"""\
            Domain apn.test {{
              Delivery_Method = APN
              Routes = ( "apn://gateway.push.apple.com?port=2195" )
              tls_ca = "{ca.ca_path}"
              APN_Key_File = "{p8}"
              APN_Key_ID = "{KEY_ID}"
              APN_Team_ID = "{TEAM_ID}"
              APN_Topic = "{TOPIC}"
            }}
            """
        settings = f'Nameservers = ( "{dns.nameserver}" )'
        with Daemon(tmp_path, lambda port: daemon_config(port, settings, extra=extra)) as d:
            assert "names the retired APNs binary protocol; delivering over HTTP/2 to api.push.apple.com:443" \
                in d.impulsed.stderr()
            msgid = d.send(SENDER, [f"{TOKEN}@apn.test"], plain())
            [rec] = d.wait_records("D", msgid)
            assert rec["remote_ip"] == address
            [req] = apns.requests()
            assert req["authority"] == "api.push.apple.com" and req["status"] == 200
            [conn] = apns.connections()
            assert conn["sni"] == "api.push.apple.com"


def test_check_warns_for_the_retired_gateway_and_missing_credentials_and_stays_valid(tmp_path):
    conf = tmp_path / "seed.conf"
    conf.write_text('Spoolbase = "spool"\n'
                    'domain "apn_example.com" {\n'
                    '  delivery_method = "apn"\n'
                    '  routes = ("apn://gateway.push.apple.com?port=2195")\n'
                    '}\n')
    r = run_impulsed("-c", str(conf), "--check")
    assert r.returncode == 0, r.stderr
    lines = r.stderr.splitlines()
    assert f"{conf}:4:3: warning: route \"apn://gateway.push.apple.com?port=2195\" names the retired APNs " \
           "binary protocol; delivering over HTTP/2 to api.push.apple.com:443 instead" in lines, r.stderr
    assert any(line.startswith(f"{conf}:3:3: warning: APN domain \"apn_example.com\" has no credentials")
               for line in lines), r.stderr


def test_a_reload_prints_the_retired_route_warning_again(tmp_path):
    with Push(tmp_path) as p:
        extra = p.domain().replace(f"apn://127.0.0.1?port={p.apns.port}", "apn://gateway.sandbox.push.apple.com:2195")
        warning = "names the retired APNs binary protocol; delivering over HTTP/2 to api.sandbox.push.apple.com:443"
        with Daemon(p.dir, lambda port: daemon_config(port, extra=extra)) as d:
            wait_for(lambda: d.impulsed.stderr().count(warning) == 1, what="the warning at start")
            assert d.ctl("config", "reload") == "Configuration reloaded.\n"
            wait_for(lambda: d.impulsed.stderr().count(warning) == 2, what="the warning on reload")


def test_check_refuses_token_and_certificate_authentication_in_one_scope(tmp_path):
    conf = tmp_path / "both.conf"
    conf.write_text('Spoolbase = "spool"\n'
                    'domain "apn.test" {\n'
                    '  delivery_method = "apn"\n'
                    '  apn_key_file = "/k.p8"\n  apn_key_id = "ABC123DEFG"\n  apn_team_id = "DEF123GHIJ"\n'
                    '  tls_certificate = "/c.pem"\n'
                    '}\n')
    r = run_impulsed("-c", str(conf), "--check")
    assert r.returncode == 1
    assert f"{conf}:4:3: error: APN token authentication" in r.stderr, r.stderr
