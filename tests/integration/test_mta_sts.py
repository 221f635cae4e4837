"""MTA-STS (RFC 8461; SPEC §19 use_mta_sts): a real impulsed looks up
`_mta-sts.<domain>` TXT in a private nsd zone, fetches the policy from a
private HTTPS server on port 443 of a loopback address of its own (Python's
http.server over TLS with a certificate for mta-sts.<domain> from a
throw-away CA, given to the daemon as the domain's `tls_ca`), and delivers
to scripted SMTP servers (harness.scripted_smtp) named by the zone's MX
records. What the user sees is checked: the mainlog D / T records, the
paniclog, what the SMTP servers saw and how many policy requests the
HTTPS server answered.

  enforce, MX in the policy        delivered over TLS (certificate verified)
  enforce, MX outside the policy   T record, no connection, stays queued
  enforce, certificate not valid   T record (untrusted CA or wrong name)
  testing, MX outside the policy   delivered; the paniclog says enforce would refuse
  policy server down, new TXT id   the policy cached on disk still applies
  many messages                    one policy request
  no TXT record                    the configured tls, nothing fetched

Binding port 443 needs root, as the integration tests run (test_apn does too).
"""

import http.server
import os
import ssl
import threading

import pytest

from harness.dns import NsdServer, zone_header
from harness.impulse import Daemon, daemon_config
from harness.process import wait_for
from harness.scripted_smtp import ScriptedSmtp
from harness.test_ca import TestCA

# Addresses of this file's own (other tests bind 443 elsewhere on loopback).
POLICY_IP = "127.84.20.{}"
MX_IP = "127.84.21.{}"

FAST = """\
Retry_Interval = 1
Max_Retry_Interval = 1
Delayed_Queue_Scan_Interval = 1
Host_Failure_Retry = 1
"""

BODY = b"From: alice@sender.test\r\nSubject: sts\r\n\r\npolicy applied\r\n"


def policy_text(mode, *mx, max_age=86400):
    return "version: STSv1\r\nmode: {}\r\n{}max_age: {}\r\n".format(
        mode, "".join(f"mx: {m}\r\n" for m in mx), max_age)


class PolicyServer:
    """HTTPS on address:443 serving /.well-known/mta-sts.txt per Host
    header from `policies` ({"mta-sts.x.test": body}); counts requests."""

    def __init__(self, address, cert, policies):
        self.address = address
        self.policies = dict(policies)
        self.requests = []  # (host, path) of each request
        self._lock = threading.Lock()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                host = (self.headers.get("Host") or "").split(":")[0].lower()
                with server._lock:
                    server.requests.append((host, self.path))
                body = server.policies.get(host)
                if self.path != "/.well-known/mta-sts.txt" or body is None:
                    self.send_error(404)
                    return
                data = body.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(*cert)
        self.httpd = http.server.ThreadingHTTPServer((address, 443), Handler)
        self.httpd.daemon_threads = True
        self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def count(self, host):
        with self._lock:
            return sum(1 for h, _ in self.requests if h == host)

    def __enter__(self):
        self.thread.start()
        return self

    def stop(self):
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.thread.join(10)
            self.httpd = None

    def __exit__(self, *exc):
        self.stop()


def zone(*domains):
    """One zone for `domains`: (label, mx label, mx address, policy address
    or None for no policy host, TXT id or None for no TXT)."""
    text = zone_header("test")
    for label, mx, mx_ip, policy_ip, txt_id in domains:
        text += f"{label} IN MX 10 {mx}.{label}\n{mx}.{label} IN A {mx_ip}\n"
        if policy_ip:
            text += f"mta-sts.{label} IN A {policy_ip}\n"
        if txt_id:
            text += f'_mta-sts.{label} IN TXT "v=STSv1; id={txt_id}"\n'
    return text


def domain(name, mx, ca, options=""):
    return (f'Domain "{name}" {{\n  use_mta_sts = true\n  tls_ca = "{ca.ca_path}"\n'
            f"  Remote_SMTP_Port = {mx.port}\n  {options}\n}}\n")


class Mta(Daemon):
    def __init__(self, workdir, dns, domains, store=None):
        settings = f'Nameservers = ( "{dns.nameserver}" )\n' + FAST
        if store:
            settings += f'mta_sts_policy_store = "{store}"\n'
        super().__init__(workdir, lambda port: daemon_config(port, settings, console=None, bouncelog=False,
                                                             extra=domains), console=False)

    def send(self, rcpt, body=BODY):
        return super().send("alice@sender.test", [rcpt], body, timeout=30)

    def paniclog_has(self, text, timeout=20):
        return wait_for(lambda: any(text in line for line in self.lines("paniclog.ec")), timeout,
                        what=f"{text!r} in the paniclog")


@pytest.fixture(scope="module")
def ca(tmp_path_factory):
    return TestCA(tmp_path_factory.mktemp("ca"))


def test_enforce_delivers_over_tls_with_a_verified_certificate_to_an_mx_in_the_policy(tmp_path, ca):
    policy_ip, mx_ip = POLICY_IP.format(1), MX_IP.format(1)
    with PolicyServer(policy_ip, ca.issue("mta-sts.enf.test"),
                      {"mta-sts.enf.test": policy_text("enforce", "mx1.enf.test")}) as web, \
            NsdServer({"test": zone(("enf", "mx1", mx_ip, policy_ip, "20240101"))}) as dns, \
            ScriptedSmtp(mx_ip, hostname="mx1.enf.test", starttls=ca.issue("mx1.enf.test")) as mx, \
            Mta(tmp_path, dns, domain("enf.test", mx, ca)) as d:
        msgid = d.send("bob@enf.test")
        [rec] = d.wait_records("D", msgid)
        assert (rec["domain"], rec["remote_ip"], rec["retries"]) == ("enf.test", mx_ip, "0")
        [m] = mx.wait_messages(1)
        assert m.tls, "the configured tls is no: the policy made TLS required"
        assert m.recipients == ["bob@enf.test"]
        assert web.count("mta-sts.enf.test") == 1
        assert d.records("T", msgid) == []


def test_enforce_refuses_an_mx_outside_the_policy_without_connecting_and_keeps_the_message(tmp_path, ca):
    policy_ip, mx_ip = POLICY_IP.format(2), MX_IP.format(2)
    with PolicyServer(policy_ip, ca.issue("mta-sts.out.test"),
                      {"mta-sts.out.test": policy_text("enforce", "mx1.out.test")}) as web, \
            NsdServer({"test": zone(("out", "mx9", mx_ip, policy_ip, "1"))}) as dns, \
            ScriptedSmtp(mx_ip, hostname="mx9.out.test", starttls=ca.issue("mx9.out.test")) as mx, \
            Mta(tmp_path, dns, domain("out.test", mx, ca)) as d:
        msgid = d.send("bob@out.test")
        t1, t2 = d.wait_records("T", msgid, count=2)[:2]
        assert t1["response"] == "451 4.7.5 [internal] MTA-STS: mx9.out.test not in policy for out.test"
        # stage 17 (TLS set-up) as DANE's refusals: a stage-0 open failure
        # would be logged as "no MXs could be reached", losing the reason
        assert (t1["stage"], t1["remote_ip"], t1["bytes_sent"]) == ("17", mx_ip, "0")
        assert t2["response"] == t1["response"] and t2["retries"] == "1"
        assert mx.connections() == [], mx.dialogue()
        assert d.records("D", msgid) == [] and d.records("P", msgid) == []
        assert web.count("mta-sts.out.test") == 1


@pytest.mark.parametrize("cert_problem", ["untrusted", "wrong_name", "domain_name_only"])
def test_enforce_refuses_an_mx_without_a_valid_certificate(tmp_path, ca, cert_problem):
    n = {"untrusted": 3, "wrong_name": 4, "domain_name_only": 9}[cert_problem]
    policy_ip, mx_ip = POLICY_IP.format(n), MX_IP.format(n)
    mismatch = "451 4.7.5 [internal] SSL cert common name does not match host"
    if cert_problem == "untrusted":
        other = TestCA(os.path.join(tmp_path, "other-ca"))
        cert, expected = other.issue("mx1.bad.test"), "451 4.7.5 [internal] SSL cert must be signed by a valid CA"
    elif cert_problem == "wrong_name":
        cert, expected = ca.issue("mx.elsewhere.test"), mismatch
    else:
        # tls_verify = host alone accepts the recipient domain's name too;
        # MTA-STS wants the MX host's (RFC 8461 §4.2)
        cert, expected = ca.issue("bad.test"), mismatch
    with PolicyServer(policy_ip, ca.issue("mta-sts.bad.test"),
                      {"mta-sts.bad.test": policy_text("enforce", "mx1.bad.test")}), \
            NsdServer({"test": zone(("bad", "mx1", mx_ip, policy_ip, "1"))}) as dns, \
            ScriptedSmtp(mx_ip, hostname="mx1.bad.test", starttls=cert) as mx, \
            Mta(tmp_path, dns, domain("bad.test", mx, ca)) as d:
        msgid = d.send("bob@bad.test")
        [t] = d.wait_records("T", msgid)[:1]
        assert t["response"] == expected
        assert (t["stage"], t["remote_ip"]) == ("17", mx_ip)
        mx.wait_commands(r"^STARTTLS")  # TLS was tried: the certificate was refused
        assert mx.messages() == []
        assert not any(c.upper().startswith("MAIL") for c in mx.commands()), mx.dialogue()
        assert d.records("D", msgid) == []


def test_testing_mode_delivers_despite_a_mismatch_and_logs_what_enforce_would_refuse(tmp_path, ca):
    policy_ip, mx_ip = POLICY_IP.format(5), MX_IP.format(5)
    with PolicyServer(policy_ip, ca.issue("mta-sts.tst.test"),
                      {"mta-sts.tst.test": policy_text("testing", "mx1.tst.test")}), \
            NsdServer({"test": zone(("tst", "mx9", mx_ip, policy_ip, "1"))}) as dns, \
            ScriptedSmtp(mx_ip, hostname="mx9.tst.test") as mx, \
            Mta(tmp_path, dns, domain("tst.test", mx, ca)) as d:
        msgid = d.send("bob@tst.test")
        [rec] = d.wait_records("D", msgid)
        assert rec["remote_ip"] == mx_ip
        [m] = mx.wait_messages(1)
        assert not m.tls  # no STARTTLS offered: testing asks for ifavailable only
        d.paniclog_has("MTA-STS tst.test: testing mode: mx9.tst.test not in policy for tst.test "
                       "(enforce would refuse it); delivering as configured")
        d.paniclog_has("MTA-STS tst.test: testing mode: mx9.tst.test: no TLS (enforce would refuse it); "
                       "delivering as configured")


def test_a_cached_policy_still_applies_when_the_refetch_fails(tmp_path, ca):
    policy_ip, mx_ip, mx9_ip = POLICY_IP.format(6), MX_IP.format(6), MX_IP.format(7)
    store = os.path.join(tmp_path, "mta-sts")
    os.makedirs(store)
    web = PolicyServer(policy_ip, ca.issue("mta-sts.cache.test"),
                       {"mta-sts.cache.test": policy_text("enforce", "mx1.cache.test")})
    with web, ScriptedSmtp(mx_ip, hostname="mx1.cache.test", starttls=ca.issue("mx1.cache.test")) as mx1:
        # First daemon: fetches the enforce policy (TXT id 1) and stores it.
        with NsdServer({"test": zone(("cache", "mx1", mx_ip, policy_ip, "1"))}) as dns, \
                Mta(os.path.join(tmp_path, "first"), dns, domain("cache.test", mx1, ca), store) as d:
            msgid = d.send("bob@cache.test")
            d.wait_records("D", msgid)
            assert web.count("mta-sts.cache.test") == 1
        assert os.path.exists(os.path.join(store, "cache.test"))
        web.stop()
        # Second daemon: a new TXT id asks for a refetch, the policy server
        # is down, and the MX is now one the cached policy does not list.
        with NsdServer({"test": zone(("cache", "mx9", mx9_ip, policy_ip, "2"))}) as dns, \
                ScriptedSmtp(mx9_ip, hostname="mx9.cache.test") as mx9, \
                Mta(os.path.join(tmp_path, "second"), dns, domain("cache.test", mx9, ca), store) as d:
            msgid = d.send("carol@cache.test")
            [t] = d.wait_records("T", msgid)[:1]
            assert t["response"] == "451 4.7.5 [internal] MTA-STS: mx9.cache.test not in policy for cache.test"
            d.paniclog_has("MTA-STS cache.test: policy fetch failed: ")
            d.paniclog_has("; the cached policy (mode enforce) stays in force")
            assert mx9.connections() == []
            assert d.records("D", msgid) == []


def test_a_domain_without_a_policy_is_delivered_as_configured(tmp_path, ca):
    policy_ip, mx_ip = POLICY_IP.format(10), MX_IP.format(10)
    with PolicyServer(policy_ip, ca.issue("mta-sts.none.test"),
                      {"mta-sts.none.test": policy_text("enforce", "mx1.none.test")}) as web, \
            NsdServer({"test": zone(("none", "mx9", mx_ip, policy_ip, None))}) as dns, \
            ScriptedSmtp(mx_ip, hostname="mx9.none.test") as mx, \
            Mta(tmp_path, dns, domain("none.test", mx, ca)) as d:
        # no _mta-sts TXT record: no policy is fetched, the configured tls (no) applies
        msgid = d.send("bob@none.test")
        d.wait_records("D", msgid)
        [m] = mx.wait_messages(1)
        assert not m.tls
        assert web.requests == []


def test_the_policy_is_fetched_once_for_many_messages(tmp_path, ca):
    policy_ip, mx_ip = POLICY_IP.format(8), MX_IP.format(8)
    with PolicyServer(policy_ip, ca.issue("mta-sts.many.test"),
                      {"mta-sts.many.test": policy_text("enforce", "*.many.test")}) as web, \
            NsdServer({"test": zone(("many", "mx1", mx_ip, policy_ip, "7"))}) as dns, \
            ScriptedSmtp(mx_ip, hostname="mx1.many.test", starttls=ca.issue("mx1.many.test")) as mx, \
            Mta(tmp_path, dns, domain("many.test", mx, ca)) as d:
        ids = d.send_many("alice@sender.test", ["bob@many.test"], [BODY] * 6)
        for msgid in ids:
            d.wait_records("D", msgid)
        assert all(m.tls for m in mx.wait_messages(6))
        assert web.count("mta-sts.many.test") == 1
        # and again later, from the cache in memory
        d.wait_records("D", d.send("carol@many.test"))
        assert web.count("mta-sts.many.test") == 1
