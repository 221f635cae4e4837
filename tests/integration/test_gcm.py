"""GCM delivery end to end (SPEC §11, §13; issue 13): the real impulsed,
mail injected over SMTP, delivered to the FCM stand-in
(harness/fcm_server.py: the OAuth2 token endpoint verifying the RS256 JWT
grant, FCM HTTP v1 accepting only the tokens it issued, and the legacy API
with key authentication), asserted on what the stand-in received and on
the logs.

Each test makes its own private CA (the daemon gets tls_ca), its own
service-account key (the stand-in gets the public half), the stand-in on a
free loopback port, an smtp-sink for the bounces to the sender, and the
daemon.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import time

import pytest

from harness.fcm_server import FcmServer
from harness.impulse import Daemon, daemon_config, run_impulsed
from harness.process import wait_for
from harness.smtp_peers import SmtpSink
from harness.test_ca import TestCA

PROJECT = "impulse-test"
CLIENT_EMAIL = f"fcm@{PROJECT}.iam.gserviceaccount.com"
LEGACY_KEY = "AIzaSyStandInServerKey"
SENDER = "push@sender.test"
TOKEN = "dXJ0bGVzczpBUEE5MWJ-token-1"
PAYLOAD = '{"title":"Hello","count":3}'


def token(n: int) -> str:
    return f"dXJ0bGVzczpBUEE5MWJ-token-{n}"


def service_account_key(directory) -> tuple[str, str]:
    """An RSA key (PKCS#8 PEM) and its public half."""
    key = os.path.join(directory, "sa.key.pem")
    pub = os.path.join(directory, "sa.pub.pem")
    subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key],
                   check=True, capture_output=True)
    subprocess.run(["openssl", "pkey", "-in", key, "-pubout", "-out", pub], check=True, capture_output=True)
    return key, pub


def plain(body: str = PAYLOAD, headers: str = "") -> str:
    return f"Subject: push\r\nContent-Type: application/json\r\n{headers}\r\n{body}\r\n"


def mcmt(part_headers: str, payload: str = PAYLOAD) -> str:
    return ("Subject: multi-channel\r\nMIME-Version: 1.0\r\n"
            'Content-Type: multipart/vnd.msys.mcmt; boundary="BOUNDARY"\r\n\r\n'
            "--BOUNDARY\r\nContent-Type: message/rfc822\r\n\r\n"
            "Subject: the email rendering\r\n\r\nHello by email.\r\n"
            "--BOUNDARY\r\nContent-Type: message/vnd.msys.gcm\r\n" + part_headers +
            "\r\n" + payload + "\r\n--BOUNDARY--\r\n")


class Push:
    """The CA, the service account, the stand-in and a sink for bounces."""

    def __init__(self, tmp_path, auth="v1", token_lifetime=3600, http1=False, token_host=None):
        self.dir = str(tmp_path)
        self.auth = auth
        self.ca = TestCA(os.path.join(self.dir, "ca"))
        cert, key = self.ca.issue("fcm.test", *([token_host] if token_host else []), ips=["127.0.0.1"])
        self.sa_key, pub = service_account_key(self.dir)
        self.fcm = FcmServer(os.path.join(self.dir, "fcm"), cert, key, sa_public_key=pub, client_email=CLIENT_EMAIL,
                             project=PROJECT, legacy_key=LEGACY_KEY, token_lifetime=token_lifetime, http1=http1,
                             token_host=token_host)
        self.sa_file = self.write_service_account()
        self.sink = SmtpSink("127.0.0.1")

    def write_service_account(self, **override):
        with open(self.sa_key) as fh:
            private_key = fh.read()
        doc = {"type": "service_account", "project_id": PROJECT, "private_key_id": "0123abcd",
               "private_key": private_key, "client_email": CLIENT_EMAIL, "client_id": "1234567890",
               "auth_uri": "https://accounts.google.com/o/oauth2/auth", "token_uri": self.fcm.token_uri}
        doc.update(override)
        path = os.path.join(self.dir, "service-account.json")
        with open(path, "w") as fh:
            json.dump(doc, fh)
        return path

    def __enter__(self):
        self.fcm.start()
        self.sink.start()
        return self

    def __exit__(self, *exc):
        self.sink.stop()
        self.fcm.stop()

    def domain(self, extra="", auth=None):
        auth = self.auth if auth is None else auth
        credentials = {"v1": f'GCM_Service_Account = "{self.sa_file}"',
                       "legacy": f'GCM_Authorization_Token_ID = "{LEGACY_KEY}"', "none": ""}[auth]
        return f"""\
            Domain gcm.test {{
              Delivery_Method = GCM
              Routes = ( "gcm://127.0.0.1?port={self.fcm.port}" )
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
    return [line for line in d.lines("paniclog.ec") if "gcm.test: queue held" in line]


# ------------------------------------------------------------- FCM HTTP v1

def test_v1_one_oauth_grant_serves_every_event_loop(tmp_path):
    # Four FCM v1 domains with the same service account, sent at once: their
    # queues sit on the daemon's event loops by hash (one per core; these
    # machines have two or more), each domain with its own connection, and
    # all ask for a token together; one grant is made for the daemon.
    with Push(tmp_path) as p:
        extra = "".join(p.domain().split("Domain sender.test")[0].replace("gcm.test", f"gcm{i}.test")
                        for i in range(4))
        extra += f'Domain sender.test {{\n  Routes = ( "smtp://127.0.0.1?port={p.sink.port}" )\n}}\n'
        with Daemon(p.dir, lambda port: daemon_config(port, extra=extra)) as d:
            ids = [d.send(SENDER, [f"{token(i)}@gcm{i}.test"], plain()) for i in range(4)]
            for msgid in ids:
                d.wait_records("D", msgid)
        [grant] = p.fcm.grants()
        reqs = p.fcm.requests("v1")
        assert len(reqs) == 4 and {r["bearer"] for r in reqs} == {grant["issued"]}
        assert len(p.fcm.connections()) >= 4  # each domain its own connection, plus the grant's


def test_v1_delivers_with_one_oauth_grant_for_many_messages(tmp_path):
    with Push(tmp_path) as p, p.daemon() as d:
        ids = [d.send(SENDER, [f"{token(i)}@gcm.test"], plain()) for i in range(3)]
        for msgid in ids:
            [rec] = d.wait_records("D", msgid)
            assert rec["domain"] == "gcm.test" and rec["remote_ip"] == "127.0.0.1"
        [grant] = p.fcm.grants()  # one grant, its token reused
        claims = grant["claims"]
        assert claims["iss"] == CLIENT_EMAIL and claims["aud"] == p.fcm.token_uri
        assert claims["scope"] == "https://www.googleapis.com/auth/firebase.messaging"
        assert claims["exp"] - claims["iat"] == 3600
        assert grant["jwt_header"]["alg"] == "RS256" and grant["jwt_header"].get("kid") == "0123abcd"
        reqs = p.fcm.requests("v1")
        assert len(reqs) == 3 and {r["status"] for r in reqs} == {200}
        assert {r["bearer"] for r in reqs} == {grant["issued"]}
        assert all(r["path"] == f"/v1/projects/{PROJECT}/messages:send" for r in reqs)
        assert sorted(r["json"]["message"]["token"] for r in reqs) == sorted(token(i) for i in range(3))
        assert reqs[0]["json"] == {"message": {"data": {"title": "Hello", "count": "3"}, "token": reqs[0]["token"]}}
        assert {c["alpn"] for c in p.fcm.connections()} == {"h2"}


def test_v1_token_is_renewed_when_it_expires(tmp_path):
    with Push(tmp_path, token_lifetime=2) as p, p.daemon() as d:
        sent = []

        def two_grants():
            msgid = d.send(SENDER, [f"{token(len(sent))}@gcm.test"], plain())
            sent.append(msgid)
            d.wait_records("D", msgid)
            return len(p.fcm.grants()) >= 2
        wait_for(two_grants, 20, interval=0.2, what="a second grant once the first token expired")
        grants = p.fcm.grants()
        assert grants[0]["issued"] != grants[1]["issued"]
        # Every request used a token the stand-in still accepted: none refused.
        assert {r["status"] for r in p.fcm.requests("v1")} == {200}
        for msgid in sent:
            assert d.records("T", msgid) == []


def test_v1_401_gets_a_new_token_and_sends_again_in_the_same_attempt(tmp_path):
    with Push(tmp_path) as p, p.daemon() as d:
        p.fcm.script(TOKEN, revoke=True, times=1)
        msgid = d.send(SENDER, [f"{TOKEN}@gcm.test"], plain())
        d.wait_records("D", msgid)
        first, second = p.fcm.requests("v1")
        assert first["status"] == 401 and second["status"] == 200
        assert first["bearer"] != second["bearer"]
        assert len(p.fcm.grants()) == 2
        assert d.records("T", msgid) == []


def test_v1_message_object_is_passed_through_with_the_token_and_headers_fill_android(tmp_path):
    with Push(tmp_path) as p, p.daemon("GCM_TTL = 600\n  GCM_Dry_Run = true") as d:
        payload = '{"message":{"notification":{"title":"T","body":"B"},"data":{"n":1},"android":{"priority":"HIGH"}}}'
        part = f"X-Registration-ID: {token(7)}\r\nX-Collapse-Key: news\r\nX-Time-To-Live: 60\r\n"
        msgid = d.send(SENDER, ["whoever@gcm.test"], mcmt(part, payload))
        d.wait_records("D", msgid)
        [req] = p.fcm.requests("v1")
        assert req["json"] == {"validate_only": True,
                               "message": {"notification": {"title": "T", "body": "B"}, "data": {"n": "1"},
                                           "android": {"priority": "HIGH", "ttl": "60s", "collapse_key": "news"},
                                           "token": token(7)}}


@pytest.mark.parametrize("error,status,kind", [
    ("INVALID_ARGUMENT", 400, "P"), ("SENDER_ID_MISMATCH", 403, "P"),
    ("QUOTA_EXCEEDED", 429, "T"), ("UNAVAILABLE", 503, "T"), ("INTERNAL", 500, "T")])
def test_v1_error_rows(tmp_path, error, status, kind):
    with Push(tmp_path) as p, p.daemon() as d:
        p.fcm.script(TOKEN, error=error)
        msgid = d.send(SENDER, [f"{TOKEN}@gcm.test"], plain())
        [rec] = d.wait_records(kind, msgid)
        assert rec["response"] == f"{status} {error}" and rec["stage"] == "9", rec
        if kind == "P":
            [b] = wait_for(lambda: d.bouncelog(msgid), what="B record")
            assert b["classification"] != "10", b
            assert "Status: 5.0.0" in dsn_text(p.sink)
        else:
            assert d.records("P", msgid) == [] and d.bouncelog(msgid) == []


def test_v1_unregistered_is_a_dead_token_class_10_with_a_5_1_1_dsn(tmp_path):
    with Push(tmp_path) as p, p.daemon() as d:
        p.fcm.script(TOKEN, error="UNREGISTERED")
        msgid = d.send(SENDER, [f"{TOKEN}@gcm.test"], plain())
        [rec] = d.wait_records("P", msgid)
        assert rec["response"] == "404 UNREGISTERED", rec
        [b] = wait_for(lambda: d.bouncelog(msgid), what="B record")
        assert b["classification"] == "10", b
        report = dsn_text(p.sink)
        assert "Status: 5.1.1" in report and "404 UNREGISTERED" in report


def test_v1_retry_after_holds_the_domain(tmp_path):
    with Push(tmp_path) as p, p.daemon() as d:
        p.fcm.script("*", error="QUOTA_EXCEEDED", retry_after=120)
        msgid = d.send(SENDER, [f"{TOKEN}@gcm.test"], plain())
        [t] = d.wait_records("T", msgid)
        wait_for(lambda: held_lines(d), what="the paniclog line of the Retry-After hold")
        assert "Retry-After" in held_lines(d)[0]
        held = re.search(r"^Queue held until (\d+)", d.ctl("domain", "gcm.test"), re.M)
        assert held and int(held.group(1)) >= int(float(t["time"])) + 119


def test_v1_third_party_auth_error_is_credentials_transient_held_never_bounced(tmp_path):
    with Push(tmp_path) as p, p.daemon() as d:
        p.fcm.script("*", error="THIRD_PARTY_AUTH_ERROR")
        msgid = d.send(SENDER, [f"{TOKEN}@gcm.test"], plain())
        [t] = d.wait_records("T", msgid)
        assert t["response"] == "401 THIRD_PARTY_AUTH_ERROR", t
        wait_for(lambda: held_lines(d), what="the paniclog line of the held domain")
        assert "credentials refused by GCM" in held_lines(d)[0]
        assert d.bouncelog(msgid) == [] and p.sink.count == 0
        # Not our access token: no new grant, no second request.
        assert len(p.fcm.grants()) == 1 and len(p.fcm.requests("v1")) == 1


def test_oauth_token_endpoint_refusing_is_transient_and_holds_the_domain(tmp_path):
    with Push(tmp_path) as p, p.daemon() as d:
        p.fcm.script("__token__", status=400, error="invalid_grant", description="Invalid JWT Signature.")
        msgid = d.send(SENDER, [f"{TOKEN}@gcm.test"], plain())
        [t] = d.wait_records("T", msgid)
        assert "400 invalid_grant" in t["response"], t
        wait_for(lambda: held_lines(d), what="the paniclog line of the held domain")
        assert "invalid_grant" in held_lines(d)[0]
        later = d.send(SENDER, [f"{token(2)}@gcm.test"], plain())
        assert "Queue held until" in d.ctl("domain", "gcm.test")
        assert d.records("T", later) == [] and d.records("P", later) == []
        assert p.fcm.requests("v1") == [] and p.sink.count == 0


# The token_uri host is resolved like a route host: A records through the
# daemon's resolver (libunbound, Nameservers), here a private nsd that alone
# knows the zone.
OAUTH_HOST = "oauth2.fcm-dns.test"


def fcm_dns_zone():
    from harness.dns import zone_header
    return zone_header("fcm-dns.test") + "oauth2 IN A 127.0.0.1\noauth2 IN MX 10 decoy.fcm-dns.test.\n" \
                                          "decoy IN A 127.0.0.2\n"


def test_v1_token_uri_host_is_resolved_through_the_daemons_nameservers(tmp_path):
    from harness.dns import NsdServer
    with NsdServer({"fcm-dns.test": fcm_dns_zone()}) as dns, Push(tmp_path, token_host=OAUTH_HOST) as p:
        assert p.fcm.token_uri.startswith(f"https://{OAUTH_HOST}:")
        with p.daemon(settings=f'Nameservers = ( "{dns.nameserver}" )') as d:
            msgid = d.send(SENDER, [f"{TOKEN}@gcm.test"], plain())
            d.wait_records("D", msgid)
        [grant] = p.fcm.grants()
        assert grant["claims"]["aud"] == p.fcm.token_uri
        [req] = p.fcm.requests("v1")
        assert req["status"] == 200 and req["bearer"] == grant["issued"]


def test_v1_token_uri_host_that_does_not_resolve_is_transient_with_the_reason(tmp_path):
    from harness.dns import NsdServer
    missing = "nowhere.fcm-dns.test"
    with NsdServer({"fcm-dns.test": fcm_dns_zone()}) as dns, Push(tmp_path, token_host=missing) as p:
        with p.daemon(settings=f'Nameservers = ( "{dns.nameserver}" )') as d:
            msgid = d.send(SENDER, [f"{TOKEN}@gcm.test"], plain())
            [t] = d.wait_records("T", msgid)
            assert t["response"] == ("451 4.4.2 [internal] GCM access token not obtained: OAuth token endpoint: "
                                     f"cannot resolve {missing}: no such domain (NXDOMAIN)"), t
            assert d.records("P", msgid) == [] and d.bouncelog(msgid) == []
        # No grant was asked for and nothing sent (the session's own connection to FCM may open).
        assert p.fcm.requests() == [] and p.sink.count == 0


def test_gcm_project_id_overrides_the_service_account_project(tmp_path):
    with Push(tmp_path) as p:
        p.sa_file = p.write_service_account(project_id="another-project")
        with p.daemon(f'GCM_Project_ID = "{PROJECT}"') as d:
            msgid = d.send(SENDER, [f"{TOKEN}@gcm.test"], plain())
            d.wait_records("D", msgid)
            [req] = p.fcm.requests("v1")
            assert req["path"] == f"/v1/projects/{PROJECT}/messages:send"


# ---------------------------------------------------------------- legacy API

def test_legacy_delivers_with_the_server_key_and_every_field(tmp_path):
    extra = 'GCM_TTL = 300\n  GCM_Delay_While_Idle = true\n  GCM_Application_ID = "com.example.app"'
    with Push(tmp_path, auth="legacy") as p, p.daemon(extra) as d:
        msgid = d.send(SENDER, [f"{TOKEN}@gcm.test"], plain(headers="X-Collapse-Key: news\r\n"))
        d.wait_records("D", msgid)
        [req] = p.fcm.requests("legacy")
        assert req["headers"]["authorization"] == f"key={LEGACY_KEY}"
        assert req["path"] == "/gcm/send"
        assert req["json"] == {"to": TOKEN, "data": {"title": "Hello", "count": "3"}, "time_to_live": 300,
                               "delay_while_idle": True, "restricted_package_name": "com.example.app",
                               "collapse_key": "news"}
        assert p.fcm.grants() == []


@pytest.mark.parametrize("error,kind,classification", [
    ("NotRegistered", "P", "10"), ("InvalidRegistration", "P", "10"), ("MismatchSenderId", "P", None),
    ("Unavailable", "T", None), ("InternalServerError", "T", None), ("DeviceMessageRateExceeded", "T", None)])
def test_legacy_result_errors(tmp_path, error, kind, classification):
    with Push(tmp_path, auth="legacy") as p, p.daemon() as d:
        p.fcm.script(TOKEN, error=error)
        msgid = d.send(SENDER, [f"{TOKEN}@gcm.test"], plain())
        [rec] = d.wait_records(kind, msgid)
        assert rec["response"] == f"200 {error}", rec
        if kind == "P":
            [b] = wait_for(lambda: d.bouncelog(msgid), what="B record")
            if classification:
                assert b["classification"] == classification, b
                assert "Status: 5.1.1" in dsn_text(p.sink)
            else:
                assert b["classification"] != "10", b
                assert "Status: 5.0.0" in dsn_text(p.sink)


def test_legacy_canonical_registration_id_is_a_token_replaced_event(tmp_path):
    events = 'json_logger "json_logger" {\n  logfile = "events.jsonl"\n}\n'
    with Push(tmp_path, auth="legacy") as p:
        with Daemon(p.dir, lambda port: daemon_config(port, extra=p.domain() + events)) as d:
            p.fcm.script(TOKEN, registration_id=token(99))
            msgid = d.send(SENDER, [f"{TOKEN}@gcm.test"], plain())
            d.wait_records("D", msgid)

            def replaced():
                path = os.path.join(d.dir, "events.jsonl")
                if not os.path.exists(path):
                    return None
                with open(path) as fh:
                    found = [json.loads(line) for line in fh if line.strip()]
                found = [e for e in found if e.get("type") == "token_replaced"]
                return found or None
            [event] = wait_for(replaced, what="the token_replaced event")
            assert event["recipient"] == f"{TOKEN}@gcm.test" and event["new_token"] == token(99), event
            assert event["message_id"] == msgid, event


def test_legacy_wrong_key_is_credentials_transient_and_held(tmp_path):
    with Push(tmp_path, auth="legacy") as p, p.daemon() as d:
        p.fcm.script(TOKEN, status=401)
        msgid = d.send(SENDER, [f"{TOKEN}@gcm.test"], plain())
        [t] = d.wait_records("T", msgid)
        assert t["response"] == "401 Unauthorized", t
        wait_for(lambda: held_lines(d), what="the paniclog line of the held domain")
        assert d.bouncelog(msgid) == [] and p.sink.count == 0


def test_legacy_5xx_with_retry_after_holds_the_domain(tmp_path):
    with Push(tmp_path, auth="legacy") as p, p.daemon() as d:
        p.fcm.script(TOKEN, status=503, retry_after=90)
        msgid = d.send(SENDER, [f"{TOKEN}@gcm.test"], plain())
        [t] = d.wait_records("T", msgid)
        assert t["response"] == "503 Service Unavailable", t
        wait_for(lambda: held_lines(d), what="the Retry-After hold")
        assert "Retry-After 90 s" in held_lines(d)[0]


# ------------------------------------------------ HTTP/1.1 when h2 is not offered

def test_legacy_over_http1_keep_alive_when_the_server_does_not_offer_h2(tmp_path):
    with Push(tmp_path, auth="legacy", http1=True) as p, p.daemon("Idle_Timeout = 30") as d:
        for i in range(3):
            d.wait_records("D", d.send(SENDER, [f"{token(i)}@gcm.test"], plain()))
        reqs = p.fcm.requests("legacy")
        assert len(reqs) == 3 and {r["protocol"] for r in reqs} == {"http/1.1"}
        assert {r["status"] for r in reqs} == {200}
        # One kept-alive HTTP/1.1 connection carried the three requests.
        assert len([c for c in p.fcm.connections() if c["alpn"] == "http/1.1"]) == 1, p.fcm.connections()


def test_v1_and_its_token_endpoint_over_http1(tmp_path):
    with Push(tmp_path, http1=True) as p, p.daemon() as d:
        p.fcm.script(TOKEN, error="UNREGISTERED")
        ok = d.send(SENDER, [f"{token(2)}@gcm.test"], plain())
        dead = d.send(SENDER, [f"{TOKEN}@gcm.test"], plain())
        d.wait_records("D", ok)
        [rec] = d.wait_records("P", dead)
        assert rec["response"] == "404 UNREGISTERED", rec
        [grant] = p.fcm.grants()
        assert grant["protocol"] == "http/1.1"
        assert {r["protocol"] for r in p.fcm.requests("v1")} == {"http/1.1"}


# ------------------------------------------------------------- body rules

def test_unusable_payloads_are_never_sent(tmp_path):
    with Push(tmp_path) as p, p.daemon() as d:
        big = "{\r\n" + ",\r\n".join(f'"k{i}":"{"x" * 90}"' for i in range(50)) + "}"
        ids = [d.send(SENDER, [f"{token(1)}@gcm.test"], plain(big)),
               d.send(SENDER, [f"{token(2)}@gcm.test"], plain("")),
               d.send(SENDER, [f"{token(3)}@gcm.test"], plain("[1,2]")),
               d.send(SENDER, [f"{token(4)}@gcm.test"], plain('{"a":'))]
        for msgid in ids:
            [rec] = d.wait_records("P", msgid)
            assert rec["response"].startswith("554 5.6.0 [internal] GCM payload"), rec
        ok = d.send(SENDER, [f"{token(5)}@gcm.test"], plain())
        d.wait_records("D", ok)
        assert [r["token"] for r in p.fcm.requests("v1")] == [token(5)]


def test_several_recipients_get_one_request_each(tmp_path):
    with Push(tmp_path) as p, p.daemon() as d:
        p.fcm.script(token(2), error="UNREGISTERED")
        msgid = d.send(SENDER, [f"{token(i)}@gcm.test" for i in (1, 2, 3)], plain())
        assert len(d.wait_records("D", msgid, count=2)) == 2
        [pr] = d.wait_records("P", msgid)
        assert pr["response"] == "404 UNREGISTERED"
        assert sorted(r["token"] for r in p.fcm.requests("v1")) == [token(1), token(2), token(3)]


def test_without_credentials_messages_wait_with_451_4_7_0_and_the_domain_is_held(tmp_path):
    with Push(tmp_path, auth="none") as p, p.daemon() as d:
        msgid = d.send(SENDER, [f"{TOKEN}@gcm.test"], plain())
        [t] = d.wait_records("T", msgid)
        assert t["response"] == "451 4.7.0 [internal] GCM credentials not configured", t
        wait_for(lambda: held_lines(d), what="the paniclog line")
        assert p.fcm.connections() == [] and p.sink.count == 0


# ------------------------------------------------------------ configuration

def check(tmp_path, domain_body):
    conf = tmp_path / "gcm.conf"
    conf.write_text('Spoolbase = "spool"\n'
                    'domain "gcm.example.com" {\n'
                    '  delivery_method = "gcm"\n'
                    '  routes = ("gcm://android.googleapis.com?port=443")\n' + domain_body + '}\n')
    return conf, run_impulsed("-c", str(conf), "--check")


def test_check_warns_for_a_gcm_domain_without_credentials_and_stays_valid(tmp_path):
    conf, r = check(tmp_path, "")
    assert r.returncode == 0, r.stderr
    assert any(line.startswith(f"{conf}:3:3: warning: GCM domain \"gcm.example.com\" has no credentials")
               for line in r.stderr.splitlines()), r.stderr


def test_check_refuses_both_authentications_in_one_scope(tmp_path):
    with Push(tmp_path) as p:
        conf, r = check(tmp_path, f'  gcm_service_account = "{p.sa_file}"\n'
                                  f'  gcm_authorization_token_id = "{LEGACY_KEY}"\n')
        assert r.returncode != 0
        assert f"{conf}:5:3: error: GCM_Service_Account (FCM HTTP v1) and GCM_Authorization_Token_ID" in r.stderr


def test_check_refuses_an_unreadable_or_malformed_service_account_file(tmp_path):
    conf, r = check(tmp_path, f'  gcm_service_account = "{tmp_path}/missing.json"\n')
    assert r.returncode != 0
    assert f'{conf}:5:3: error: GCM_Service_Account "{tmp_path}/missing.json": cannot be read' in r.stderr
    bad = tmp_path / "user.json"
    bad.write_text('{"type": "authorized_user", "client_id": "x"}')
    conf, r = check(tmp_path, f'  gcm_service_account = "{bad}"\n')
    assert r.returncode != 0
    assert '"type" is "authorized_user", not "service_account"' in r.stderr, r.stderr
    conf, r = check(tmp_path, f'  gcm_service_account = "{tmp_path}/gcm.conf"\n')
    assert r.returncode != 0 and "not valid JSON" in r.stderr, r.stderr


def test_a_valid_service_account_passes_check(tmp_path):
    with Push(tmp_path) as p:
        _, r = check(tmp_path, f'  gcm_service_account = "{p.sa_file}"\n')
        assert r.returncode == 0, r.stderr
        assert "GCM" not in r.stderr
