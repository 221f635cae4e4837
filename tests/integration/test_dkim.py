"""DKIM signing at reception (SPEC §19): impulsed signs with the `opendkim`
module stanza, and the signatures of what reaches the next hop verify with
OpenDKIM's verifier (opendkim-testmsg) and with dkimpy, both looking the
public keys up in a private nsd zone: RSA-SHA256 and Ed25519-SHA256,
relaxed and simple canonicalization, 8-bit bodies and folded headers, one
signature for a message with recipients in several domains.

nsd listens on port 53 of a loopback address of its own (127.53.x.y):
opendkim-testmsg asks the system resolver, which takes no port, so it runs
in a private mount namespace whose /etc/resolv.conf names that address
(needs root, as the integration tests run). dkimpy asks the same server
through dnspython.
"""

import os
import random
import re
import shutil
import subprocess
import tempfile
import textwrap

import dkim
import dns.resolver
import pytest

from harness.dns import NsdError, NsdServer, zone_header
from harness.impulse import Daemon, daemon_config, run_impulsed
from harness.process import wait_for
from harness.smtp_peers import SmtpSink

# (dkim_domain, selector, digest, header canonicalization, body canonicalization).
# RSA is signed by libopendkim, Ed25519 by Impulse itself (every pair of
# canonicalizations, simple headers included).
SIGNERS = [
    ("rr.test", "rsa", "rsa-sha256", "relaxed", "relaxed"),
    ("rs.test", "rsa", "rsa-sha256", "simple", "simple"),
    ("er.test", "ed", "ed25519-sha256", "relaxed", "relaxed"),
    ("es.test", "ed", "ed25519-sha256", "relaxed", "simple"),
    ("ess.test", "ed", "ed25519-sha256", "simple", "simple"),
    ("esr.test", "ed", "ed25519-sha256", "simple", "relaxed"),
]


class Nsd53(NsdServer):
    """NsdServer on port 53 of its own loopback address (the system
    resolver, which opendkim-testmsg uses, takes no port)."""

    def start(self):
        self.dir = tempfile.mkdtemp(prefix="impulse-nsd53-")
        try:
            self._write_zones()
            if self.launch_on_free_port(lambda: 53, NsdError, attempts=1, prepare=self._write_config):
                return self
            raise NsdError("nsd could not bind port 53 on " + self.address + "\n" + self.logs())
        except BaseException:
            self.stop()
            raise


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def public_key_b64(key_path, ed25519):
    """The p= value: SubjectPublicKeyInfo for RSA, the raw 32 bytes for Ed25519 (RFC 8463)."""
    der = subprocess.run(["openssl", "pkey", "-in", key_path, "-pubout", "-outform", "DER"],
                         check=True, capture_output=True).stdout
    import base64
    return base64.b64encode(der[-32:] if ed25519 else der).decode()


def txt_strings(text):
    """A TXT rdata of 255-byte strings."""
    return " ".join('"' + text[i:i + 255] + '"' for i in range(0, len(text), 255))


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    d = tmp_path_factory.mktemp("dkimkeys")
    rsa = str(d / "rsa.pem")
    ed = str(d / "ed.pem")
    openssl("genrsa", "-traditional", "-out", rsa, "2048")  # PKCS#1
    openssl("genpkey", "-algorithm", "ed25519", "-out", ed)  # PKCS#8
    return {"dir": str(d), "rsa": rsa, "ed": ed}


@pytest.fixture(scope="module")
def dns_zone(keys):
    rsa_p = public_key_b64(keys["rsa"], False)
    ed_p = public_key_b64(keys["ed"], True)
    zone = zone_header("test")
    for domain, selector, digest, _, _ in SIGNERS:
        label = domain.split(".")[0]
        record = (f"v=DKIM1; k=rsa; p={rsa_p}" if digest == "rsa-sha256" else f"v=DKIM1; k=ed25519; p={ed_p}")
        zone += f"{selector}._domainkey.{label} IN TXT {txt_strings(record)}\n"
    address = f"127.53.{random.randint(1, 250)}.{random.randint(2, 250)}"
    with Nsd53({"test": zone}, address=address) as server:
        yield server


def dkimpy_dns(server):
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [server.address]
    resolver.port = 53

    def lookup(name, timeout=5):
        qname = name.decode() if isinstance(name, bytes) else name
        answer = resolver.resolve(qname.rstrip("."), "TXT", lifetime=timeout)
        return b"".join(b"".join(r.strings) for r in answer)
    return lookup


def verify_dkimpy(message, server):
    return dkim.verify(message, dnsfunc=dkimpy_dns(server))


def verify_opendkim(message, server, workdir):
    """opendkim-testmsg in verify mode (exit 0 and no output: a good signature)."""
    resolv = os.path.join(workdir, "resolv.conf")
    with open(resolv, "w") as f:
        f.write(f"nameserver {server.address}\noptions timeout:2 attempts:2\n")
    script = f'mount --bind "{resolv}" /etc/resolv.conf && exec opendkim-testmsg -C'
    r = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script],
                       input=message, capture_output=True, timeout=30)
    return r.returncode, r.stdout.decode(errors="replace") + r.stderr.decode(errors="replace")


def dkim_config(keys, sink, extra_global="Opendkim_Sign = true"):
    stanzas = ""
    for domain, selector, digest, hcanon, bcanon in SIGNERS:
        stanzas += textwrap.indent(textwrap.dedent(f"""\
            dkim_domain "{domain}" {{
              selector = "{selector}"
              digest = "{digest}"
              header_canon = "{hcanon}"
              body_canon = "{bcanon}"
            }}
            """), "  ")
    return lambda port: daemon_config(port, settings=f"""
        {extra_global}
        Gateway = "{sink.address}:{sink.port}"
        """, extra=f'opendkim "opendkim1" {{\n  key = "{keys["dir"]}/%{{s}}.pem"\n{stanzas}}}\n')


def message(from_domain, to="rcpt@one.example", subject="DKIM test"):
    # An 8-bit body with trailing white space and empty lines (the
    # canonicalizations treat them differently), and a folded Subject.
    return (f"From: \"Sender, Test\" <sender@{from_domain}>\r\n"
            f"To: {to}\r\n"
            f"Subject: {subject}\r\n\t continued  on a second line\r\n"
            "Date: Sun, 06 Dec 2026 12:00:00 +0000\r\n"
            f"Message-ID: <{random.getrandbits(64):x}@{from_domain}>\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 8bit\r\n"
            "\r\n"
            "Grüße aus Zürich  \r\n"
            "tab\tand  spaces \t\r\n"
            "\r\n"
            "fin\r\n\r\n").encode()


def delivered(sink, n):
    """The messages the sink took, back in CRLF form (smtp-sink stores LF)."""
    return [m.data.replace(b"\n", b"\r\n") for m in sink.wait_messages(n)]


@pytest.mark.parametrize("domain,selector,digest,hcanon,bcanon", SIGNERS, ids=[s[0] for s in SIGNERS])
def test_signature_verifies_with_opendkim_and_dkimpy(tmp_path, keys, dns_zone, domain, selector, digest, hcanon,
                                                     bcanon):
    with SmtpSink("127.0.0.1") as sink, Daemon(tmp_path, dkim_config(keys, sink)) as d:
        d.send(f"sender@{domain}", ["rcpt@one.example"], message(domain))
        [data] = delivered(sink, 1)
        assert data.count(b"DKIM-Signature:") == 1, data
        head = data.split(b"\r\n\r\n", 1)[0].decode()
        assert f"a={digest};" in head and f"c={hcanon}/{bcanon};" in head and f"d={domain};" in head, head
        assert f"s={selector};" in head, head
        # From over-signed: h= names it once more than the message has it.
        value = re.sub(r"\s+", "", head.split("DKIM-Signature:", 1)[1].split("\r\n", 1)[0] +
                       "".join(re.findall(r"\r\n([ \t][^\r]*)", head.split("DKIM-Signature:", 1)[1])))
        h = re.search(r"(?:^|;)h=([^;]*)", value).group(1)
        assert [x.lower() for x in h.split(":")].count("from") == 2, h
        assert verify_dkimpy(data, dns_zone), data
        rc, out = verify_opendkim(data, dns_zone, str(tmp_path))
        assert rc == 0, out
        # A changed body no longer verifies: the verifiers are really checking.
        tampered = data.replace("Zürich".encode(), b"Zurich")
        assert not verify_dkimpy(tampered, dns_zone)
        assert verify_opendkim(tampered, dns_zone, str(tmp_path))[0] != 0


def test_parent_domain_signs_and_one_signature_serves_every_recipient_domain(tmp_path, keys, dns_zone):
    with SmtpSink("127.0.0.1") as sink, Daemon(tmp_path, dkim_config(keys, sink)) as d:
        rcpts = ["a@one.example", "b@two.example", "c@three.example"]
        d.send("sender@mail.sub.er.test", rcpts, message("mail.sub.er.test", to=", ".join(rcpts)))
        copies = delivered(sink, 3)
        signatures = set()
        for data in copies:
            assert data.count(b"DKIM-Signature:") == 1, data
            head = data.split(b"\r\n\r\n", 1)[0]
            signatures.add(head.split(b"DKIM-Signature:", 1)[1].split(b"\r\n", 1)[0])
            assert b"d=er.test;" in head, head
            assert verify_dkimpy(data, dns_zone)
            rc, out = verify_opendkim(data, dns_zone, str(tmp_path))
            assert rc == 0, out
        assert len(signatures) == 1  # signed once, at reception


def test_message_without_from_is_accepted_unsigned_with_a_paniclog_line(tmp_path, keys):
    with SmtpSink("127.0.0.1") as sink, Daemon(tmp_path, dkim_config(keys, sink)) as d:
        msgid = d.send("sender@rr.test", ["rcpt@one.example"],
                       b"To: rcpt@one.example\r\nSubject: no from\r\n\r\nbody\r\n")
        [data] = delivered(sink, 1)
        assert b"DKIM-Signature" not in data
        wait_for(lambda: any(msgid in line and "no From: header" in line for line in d.lines("paniclog.ec")),
                 what="the paniclog line")


def test_opendkim_sign_chooses_which_mail_is_signed(tmp_path, keys, dns_zone):
    # Off globally, on for binding "signed"; and a dkim_domain's own
    # opendkim_sign = false wins over the binding.
    def conf(sink):
        base = dkim_config(keys, sink, extra_global="Opendkim_Sign = false")

        def make(port):
            text = base(port)
            text = text.replace('dkim_domain "rs.test" {', 'dkim_domain "rs.test" {\n    opendkim_sign = false')
            return text + textwrap.dedent("""\
                binding "signed" { opendkim_sign = true }
                """)
        return make

    with SmtpSink("127.0.0.1") as sink, Daemon(tmp_path, conf(sink)) as d:
        d.send("sender@rr.test", ["rcpt@one.example"], message("rr.test", subject="default binding"))
        d.send("sender@rr.test", ["rcpt@one.example"],
               b"X-Impulse-Binding: signed\r\n" + message("rr.test", subject="signed binding"))
        d.send("sender@rs.test", ["rcpt@one.example"],
               b"X-Impulse-Binding: signed\r\n" + message("rs.test", subject="domain says no"))
        copies = delivered(sink, 3)
        by_subject = {c.split(b"Subject: ", 1)[1].split(b"\r\n", 1)[0]: c for c in copies}
        assert b"DKIM-Signature" not in by_subject[b"default binding"]
        assert b"DKIM-Signature" in by_subject[b"signed binding"]
        assert verify_dkimpy(by_subject[b"signed binding"], dns_zone)
        assert b"DKIM-Signature" not in by_subject[b"domain says no"]


def test_check_reports_a_missing_key_at_the_key_option(tmp_path, keys):
    conf = tmp_path / "c.conf"
    conf.write_text('opendkim "opendkim1" {\n'
                    f'  dkim_domain "example.com" {{\n    selector = "s1"\n    key = "{tmp_path}/%{{d}}/%{{s}}.pem"\n  }}\n'
                    f'  dkim_domain "ed.example" {{\n    selector = "ed"\n    key = "{keys["ed"]}"\n  }}\n'
                    '}\n')
    r = run_impulsed("--check", "-c", str(conf))
    assert r.returncode == 1
    assert (f'{conf}:4:5: error: key "{tmp_path}/example.com/s1.pem" (dkim_domain "example.com"): '
            "cannot be read: No such file or directory") in r.stderr, r.stderr
    assert (f'{conf}:8:5: error: key "{keys["ed"]}" (dkim_domain "ed.example"): holds an Ed25519 key but '
            "digest is rsa-sha256") in r.stderr, r.stderr
