"""DANE for outbound SMTP (RFC 7672; SPEC §19 `use_dane`,
`DNSSEC_Trust_Anchor_File`): a real impulsed delivers to a private Postfix
smtpd offering STARTTLS, finding it through a private DNSSEC-signed zone.

The zone `dane.test` is signed in the test's tmp dir with ldns-signzone
(keys from ldns-keygen: a KSK, whose DS is the daemon's trust anchor, and a
ZSK) and served by nsd on a loopback high port together with the unsigned
zone `plain.test`; the daemon's libunbound forwards to nsd (`Nameservers`)
and validates with the test's anchor. Every domain's MX host is the Postfix
on its own port (`Remote_SMTP_Port`), so the TLSA records are at
`_<port>._tcp.<mx host>`. The configured `tls` is left at its default
(`no`) unless a case says otherwise, so TLS seen at Postfix is DANE's doing.

What is checked: Postfix's Received header (ESMTPS) and its log, and the
mainlog D / T records. Each test starts its own peers and daemon and stops
them by PID (the harness' context managers).
"""
import hashlib
import os
import re
import subprocess

import pytest

from harness.dns import NsdServer, zone_header
from harness.impulse import Daemon as ImpulseDaemon
from harness.impulse import daemon_config
from harness.process import find_program
from harness.smtp_peers import PostfixSmtpd
from harness.test_ca import TestCA

SINK = "127.0.53.1"
BODY = b"From: alice@sender.test\r\nTo: bob@x.test\r\nSubject: dane\r\n\r\nauthenticated by DNSSEC, I hope\r\n"

FAST = """\
Retry_Interval = 1
Max_Retry_Interval = 1
Delayed_Queue_Scan_Interval = 1
Host_Failure_Retry = 1
"""


class ZoneError(RuntimeError):
    pass


def _ldns(name):
    return find_program(name, ZoneError, "package ldnsutils")


def spki_sha256(cert_path):
    """The data of a 3 1 1 TLSA record for the certificate: SHA-256 of its SubjectPublicKeyInfo."""
    pem = subprocess.run(["openssl", "x509", "-in", cert_path, "-noout", "-pubkey"],
                         capture_output=True, check=True).stdout
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "DER"], input=pem,
                         capture_output=True, check=True).stdout
    return hashlib.sha256(der).hexdigest()


def cert_der_hex(cert_path):
    """The data of a 2 0 0 TLSA record: the whole certificate, DER, in hex."""
    return subprocess.run(["openssl", "x509", "-in", cert_path, "-outform", "DER"],
                          capture_output=True, check=True).stdout.hex()


def sign_zone(directory, origin, text):
    """`text` signed with a fresh KSK and ZSK made in `directory`; returns
    (signed zone text, path of the trust anchor file holding the KSK's DS)."""
    os.makedirs(directory, exist_ok=True)

    def run(*args):
        proc = subprocess.run(list(args), cwd=directory, capture_output=True, text=True)
        if proc.returncode != 0:
            raise ZoneError(f"{' '.join(args)}:\n{proc.stdout}{proc.stderr}")
        return proc.stdout.strip()

    ksk = run(_ldns("ldns-keygen"), "-k", "-a", "ECDSAP256SHA256", origin)
    zsk = run(_ldns("ldns-keygen"), "-a", "ECDSAP256SHA256", origin)
    zone_path = os.path.join(directory, f"{origin}.zone")
    with open(zone_path, "w") as fh:
        fh.write(text)
    run(_ldns("ldns-signzone"), "-o", origin, zone_path, zsk, ksk)
    with open(zone_path + ".signed") as fh:
        signed = fh.read()
    return signed, os.path.join(directory, ksk + ".ds")


def tamper_tlsa(signed, owner):
    """The signed zone with the TLSA data at `owner` changed after signing:
    its RRSIG no longer verifies (a bogus answer)."""
    rx = re.compile(r"^(" + re.escape(owner) + r"\.\s+\d+\s+IN\s+TLSA\s+3 1 1 )([0-9a-f]+)$", re.M)
    out, n = rx.subn(lambda m: m.group(1) + "ab" * 32, signed)
    assert n == 1, f"no TLSA at {owner} to tamper with"
    return out


MISMATCH = "00" * 32  # a 3 1 1 record that matches no key


class World:
    """Postfix with STARTTLS (a certificate for mx.dane.test from the test CA),
    nsd serving the signed dane.test and the unsigned plain.test, and the
    trust anchor. `dane` maps a domain label of dane.test to "match" or
    "mismatch": the domain <label>.dane.test has the MX host
    mx-<label>.dane.test with that TLSA record; labels in `bogus` get their
    TLSA data changed after signing. "ta" publishes `2 0 0` with the test
    CA's whole certificate (DANE-TA: the chain must lead to it and the leaf
    must name the host). Postfix's certificate is issued for `cert_name`.
    plain.test's MX host mx.plain.test has a mismatching TLSA record in the
    unsigned zone."""

    def __init__(self, tmp_path, ca, dane, bogus=(), cert_name="mx.dane.test"):
        self.cert = ca.issue(cert_name)
        self.ca = ca
        self.tmp_path = tmp_path
        self.dane = dane
        self.bogus = bogus
        self.mx = PostfixSmtpd(SINK, hostname="mx.dane.test", tls=self.cert)
        self.dns = None
        self.anchor = None

    def __enter__(self):
        self.mx.start()
        try:
            port = self.mx.port
            match = spki_sha256(self.cert[0])
            zone = zone_header("dane.test")
            for label, kind in self.dane.items():
                record = {"match": f"3 1 1 {match}", "mismatch": f"3 1 1 {MISMATCH}",
                          "ta": f"2 0 0 {cert_der_hex(self.ca.ca_path)}"}[kind]
                zone += (f"{label} IN MX 10 mx-{label}\n"
                         f"mx-{label} IN A {SINK}\n"
                         f"_{port}._tcp.mx-{label} IN TLSA {record}\n")
            signed, self.anchor = sign_zone(str(self.tmp_path / "zone"), "dane.test", zone)
            for label in self.bogus:
                signed = tamper_tlsa(signed, f"_{port}._tcp.mx-{label}.dane.test")
            plain = (zone_header("plain.test") + f"@ IN MX 10 mx\nmx IN A {SINK}\n"
                     f"_{port}._tcp.mx IN TLSA 3 1 1 {MISMATCH}\n")
            self.dns = NsdServer({"dane.test": signed, "plain.test": plain}).start()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        if self.dns:
            self.dns.stop()
        self.mx.stop()

    def daemon(self, extra=""):
        settings = (f'Nameservers = ( "{self.dns.nameserver}" )\n'
                    f"Remote_SMTP_Port = {self.mx.port}\n"
                    f'DNSSEC_Trust_Anchor_File = "{self.anchor}"\n'
                    "use_dane = true\n" + FAST)
        return Daemon(self.tmp_path / "impulsed", settings, extra)


class Daemon(ImpulseDaemon):
    def __init__(self, workdir, settings, extra):
        super().__init__(workdir, lambda port: daemon_config(port, settings, console=None, bouncelog=False,
                                                             extra=extra), console=False)

    def send(self, rcpt, body=BODY):
        return super().send("alice@sender.test", [rcpt], body, timeout=30)


@pytest.fixture(scope="module")
def ca(tmp_path_factory):
    return TestCA(tmp_path_factory.mktemp("ca"))


def check_tls(m):
    """A copy Postfix received over TLS: its Received header says so."""
    assert m.protocol == "ESMTPS", m.received
    assert m.tls and re.match(r"TLSv1\.[23] with cipher \S+", m.tls), m.received


def check_transient(d, msgid, domain, stage, remote_ip, response_start):
    """The first two T records of `msgid` (it stays queued and is retried),
    each with the DANE reason, and no D or P record."""
    t1, t2 = d.wait_records("T", msgid, 2)[:2]
    for rec in (t1, t2):
        assert (rec["msgid"], rec["domain"], rec["binding"]) == (msgid, domain, "default")
        assert rec["stage"] == str(stage), rec
        assert rec["remote_ip"] == remote_ip, rec
        assert rec["response"].startswith(response_start), rec
    assert (t1["retries"], t2["retries"]) == ("0", "1")
    assert d.records("D", msgid) == [] and d.records("P", msgid) == []


def test_matching_tlsa_record_delivers_over_tls_though_tls_is_not_configured(tmp_path, ca):
    with World(tmp_path, ca, {"good": "match"}) as w, w.daemon() as d:
        msgid = d.send("bob@good.dane.test")
        (rec,) = d.wait_records("D", msgid)
        assert (rec["domain"], rec["remote_ip"], rec["retries"]) == ("good.dane.test", SINK, "0")
        [m] = w.mx.wait_messages(1)
        check_tls(m)
        assert (m.sender, m.recipient) == ("alice@sender.test", "bob@good.dane.test")
        assert b"authenticated by DNSSEC, I hope" in m.data
        assert d.records("T", msgid) == []


def test_mismatching_tlsa_record_is_a_transient_failure_and_sends_no_mail(tmp_path, ca):
    with World(tmp_path, ca, {"bad": "mismatch"}) as w, w.daemon() as d:
        msgid = d.send("bob@bad.dane.test")
        check_transient(d, msgid, "bad.dane.test", 17, SINK,
                        "451 4.7.5 [internal] DANE: certificate of mx-bad.dane.test does not match TLSA "
                        f"_{w.mx.port}._tcp.mx-bad.dane.test")
        assert w.mx.count == 0
        assert w.mx.clients() == []  # no MAIL FROM reached Postfix


def test_unsigned_zone_falls_back_to_the_configured_tls_and_delivers(tmp_path, ca):
    # plain.test is outside the trust anchor: its (mismatching) TLSA record is ignored
    with World(tmp_path, ca, {}) as w, w.daemon('Domain "plain.test" {\n  tls = ifavailable\n}\n') as d:
        msgid = d.send("bob@plain.test")
        (rec,) = d.wait_records("D", msgid)
        assert (rec["domain"], rec["remote_ip"]) == ("plain.test", SINK)
        [m] = w.mx.wait_messages(1)
        check_tls(m)  # the configured tls = ifavailable, unauthenticated
        assert m.recipient == "bob@plain.test"


def test_unsigned_zone_with_tls_off_delivers_in_plain_text(tmp_path, ca):
    with World(tmp_path, ca, {}) as w, w.daemon() as d:
        msgid = d.send("bob@plain.test")
        d.wait_records("D", msgid)
        [m] = w.mx.wait_messages(1)
        assert m.protocol == "ESMTP", m.received  # no DANE, and tls = no: no STARTTLS


def test_bogus_tlsa_answer_is_a_transient_failure_without_connecting(tmp_path, ca):
    with World(tmp_path, ca, {"bogus": "match"}, bogus=("bogus",)) as w, w.daemon() as d:
        msgid = d.send("bob@bogus.dane.test")
        check_transient(d, msgid, "bogus.dane.test", 17, SINK,
                        f"451 4.7.5 [internal] DANE: TLSA lookup for _{w.mx.port}._tcp.mx-bogus.dane.test bogus")
        assert w.mx.count == 0
        # Postfix saw only the harness' readiness probe (QUIT), never an EHLO from the daemon
        assert re.search(r"postfix/smtpd\[\d+\]: disconnect from .*\behlo=", w.mx.log()) is None, w.mx.log()


# ---- DANE-TA: the test CA as trust anchor, names checked ------------------------------

def test_dane_ta_record_delivers_when_the_certificate_names_the_mx_host(tmp_path, ca):
    with World(tmp_path, ca, {"ta": "ta"}, cert_name="mx-ta.dane.test") as w, w.daemon() as d:
        msgid = d.send("bob@ta.dane.test")
        (rec,) = d.wait_records("D", msgid)
        assert (rec["domain"], rec["remote_ip"]) == ("ta.dane.test", SINK)
        check_tls(w.mx.wait_messages(1)[0])


def test_dane_ta_record_refuses_a_certificate_under_the_anchor_for_another_name(tmp_path, ca):
    # signed by the very CA the TLSA record names, but for a name that is neither
    # the MX host nor the domain (RFC 7672 §3.2.2)
    with World(tmp_path, ca, {"ta": "ta"}, cert_name="other.example") as w, w.daemon() as d:
        msgid = d.send("bob@ta.dane.test")
        check_transient(d, msgid, "ta.dane.test", 17, SINK,
                        "451 4.7.5 [internal] DANE: certificate of mx-ta.dane.test does not match TLSA "
                        f"_{w.mx.port}._tcp.mx-ta.dane.test")
        assert w.mx.count == 0
