"""SMTP AUTH on the ESMTP listener (SPEC §19; RFC 4954), through the real
impulsed with swaks as the client: PLAIN and LOGIN against an
Auth_Password_File of crypt(3) hashes (sha512-crypt made by `openssl
passwd -6`), relaying granted by authentication to a client outside
Relay_Hosts, 535 5.7.8 for bad credentials, AUTH not offered (and refused
with 538) before STARTTLS unless Auth_Allow_Plaintext, failure replies held
back a second from the fourth on, the tenth closing with 421 4.7.0, and
--check naming a malformed password file. Mail stays queued
(Suspend_Delivery): these tests look at the dialogue only.
"""
import re
import smtplib
import socket
import subprocess
import time

import pytest

from harness.impulse import QUEUED, Daemon, daemon_config, run_impulsed
from harness.test_ca import TestCA

NO_RELAY = 'Relay_Hosts = ( "192.0.2.0/24" )'  # loopback clients may not relay unless authenticated


def crypt_hash(password: str) -> str:
    return subprocess.run(["openssl", "passwd", "-6", password], capture_output=True, text=True,
                          check=True).stdout.strip()


@pytest.fixture(scope="module")
def passwords(tmp_path_factory):
    path = tmp_path_factory.mktemp("auth") / "passwords"
    path.write_text("# submission users\n"
                    f"alice:{crypt_hash('wonderland')}\n"
                    f"bob:{crypt_hash('builder')}\n")
    return str(path)


def auth_daemon(tmp_path, passwords, listener=""):
    return Daemon(tmp_path, lambda port: daemon_config(
        port, "Suspend_Delivery = true\n", relay_hosts=NO_RELAY,
        listener=f'Auth_Password_File = "{passwords}"\n  {listener}'))


def swaks(port, *args):
    cmd = ["swaks", "--server", f"127.0.0.1:{port}", "--ehlo", "client.test", "--from", "alice@sender.test",
           "--to", "carol@example.com", "--timeout", "20", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


def test_plain_and_login_with_good_credentials_relay(tmp_path, passwords):
    with auth_daemon(tmp_path, passwords, "Auth_Allow_Plaintext = true") as d:
        for mech, user, pw in (("PLAIN", "alice", "wonderland"), ("LOGIN", "bob", "builder")):
            r = swaks(d.port, "--auth", mech, "--auth-user", user, "--auth-password", pw)
            assert r.returncode == 0, r.stdout + r.stderr
            assert "<-  235 2.7.0 Authentication successful" in r.stdout
            assert "<-  250 2.1.5 Ok" in r.stdout
            assert "queued as" in r.stdout
        queued = d.ctl("mailq")
        assert re.search(r"^default/default\s+example\.com\s+2\s", queued, re.M), queued  # both queued


def test_unauthenticated_client_outside_relay_hosts_is_denied(tmp_path, passwords):
    with auth_daemon(tmp_path, passwords, "Auth_Allow_Plaintext = true") as d:
        r = swaks(d.port)
        assert r.returncode != 0
        assert "<** 550 5.7.1 relaying denied" in r.stdout


def test_bad_credentials_get_535(tmp_path, passwords):
    with auth_daemon(tmp_path, passwords, "Auth_Allow_Plaintext = true") as d:
        for user, pw in (("alice", "builder"), ("nobody", "wonderland")):
            r = swaks(d.port, "--auth", "PLAIN", "--auth-user", user, "--auth-password", pw)
            assert r.returncode != 0
            assert "<** 535 5.7.8 Authentication credentials invalid" in r.stdout, r.stdout


def test_plaintext_auth_refused_before_starttls(tmp_path, passwords):
    ca = TestCA(tmp_path / "ca")
    cert, key = ca.issue("mx.test", ips=["127.0.0.1"])
    with auth_daemon(tmp_path / "d", passwords, f'TLS_Certificate = "{cert}"\n  TLS_Key = "{key}"') as d:
        with smtplib.SMTP("127.0.0.1", d.port, timeout=20) as c:
            code, text = c.ehlo("client.test")
            assert code == 250 and b"STARTTLS" in text and b"AUTH" not in text
            assert c.docmd("AUTH", "PLAIN AGFsaWNlAHdvbmRlcmxhbmQ=") == (
                538, b"5.7.11 Encryption required for requested authentication mechanism")
        r = swaks(d.port, "--auth", "PLAIN", "--auth-user", "alice", "--auth-password", "wonderland")
        assert r.returncode != 0
        assert "250 CHUNKING" in r.stdout and "AUTH" not in r.stdout.split("EHLO", 1)[1].split("MAIL", 1)[0]
        r = swaks(d.port, "-tls", "--auth", "PLAIN", "--auth-user", "alice", "--auth-password", "wonderland")
        assert r.returncode == 0, r.stdout + r.stderr
        assert "235 2.7.0 Authentication successful" in r.stdout and "queued as" in r.stdout


def read_reply(f):
    lines = []
    while True:
        line = f.readline()
        if not line:
            return lines
        lines.append(line.decode().rstrip("\r\n"))
        if line[3:4] != b"-":
            return lines


def test_failures_are_delayed_from_the_fourth_and_the_tenth_closes(tmp_path, passwords):
    bad = "AUTH PLAIN AGFsaWNlAHdyb25n\r\n"  # alice / wrong
    with auth_daemon(tmp_path, passwords, "Auth_Allow_Plaintext = true") as d:
        with socket.create_connection(("127.0.0.1", d.port), timeout=20) as s:
            f = s.makefile("rb")
            assert read_reply(f)[0].startswith("220 ")
            s.sendall(b"EHLO client.test\r\n")
            assert "250-AUTH PLAIN LOGIN" in read_reply(f)
            took = []
            for n in range(1, 11):
                start = time.monotonic()
                s.sendall(bad.encode())
                reply = read_reply(f)
                took.append(time.monotonic() - start)
                assert reply[0] == "535 5.7.8 Authentication credentials invalid", (n, reply)
            assert all(t < 0.9 for t in took[:3]), took
            assert all(t >= 0.95 for t in took[3:]), took
            assert read_reply(f) == ["421 4.7.0 " + read_banner_host(d) + " Too many authentication failures"]
            assert f.read() == b""  # closed
        # another connection starts afresh, and good credentials still work
        r = swaks(d.port, "--auth", "PLAIN", "--auth-user", "alice", "--auth-password", "wonderland")
        assert r.returncode == 0, r.stdout


def read_banner_host(d):
    with smtplib.SMTP("127.0.0.1", d.port, timeout=20) as c:
        return c.ehlo("x.test")[1].decode().split("\n")[0]


def test_check_names_a_malformed_password_file(tmp_path):
    bad = tmp_path / "passwords"
    bad.write_text("alice:" + crypt_hash("x") + "\nbob\n")
    conf = tmp_path / "impulse.conf"
    conf.write_text(daemon_config(2525, listener=f'Auth_Password_File = "{bad}"'))
    r = run_impulsed("-c", str(conf), "--check")
    assert r.returncode != 0
    assert f"auth_password_file {bad}: line 2: expected user:hash" in r.stderr + r.stdout
    missing = tmp_path / "missing"
    conf.write_text(daemon_config(2525, listener=f'Auth_Password_File = "{missing}"'))
    r = run_impulsed("-c", str(conf), "--check")
    assert r.returncode != 0
    assert f"auth_password_file {missing}: cannot be read" in r.stderr + r.stdout


# Outbound AUTH: a second impulsed that requires AUTH to relay (its
# listener's Relay_Hosts excludes loopback) is the next hop, on loopback so
# credentials may go without TLS.

def sender_to(receiver, user, password, mech="PLAIN"):
    return lambda port: daemon_config(port, extra=(
        f'Domain "example.com" {{\n  Routes = ( "smtp://127.0.0.1?port={receiver.port}" )\n'
        f'  outbound_smtp_auth_type = "{mech}"\n  outbound_smtp_auth_user = "{user}"\n'
        f'  outbound_smtp_auth_pass = "{password}"\n}}\n'))


@pytest.mark.parametrize("mech", ["PLAIN", "LOGIN"])
def test_outbound_auth_relays_through_a_server_that_requires_it(tmp_path, passwords, mech):
    with auth_daemon(tmp_path / "rx", passwords, "Auth_Allow_Plaintext = true") as rx:
        with Daemon(tmp_path / "tx", sender_to(rx, "alice", "wonderland", mech)) as tx:
            msgid = tx.send("a@sender.test", ["carol@example.com"], b"Subject: auth\r\n\r\nhi\r\n")
            (rec,) = tx.wait_records("D", msgid)
            assert rec["remote_ip"] == "127.0.0.1"
            (r,) = rx.wait_records("R")
            assert (r["rcpt_local"], r["rcpt_domain"]) == ("carol", "example.com"), r


def test_outbound_auth_refused_is_transient_with_the_servers_reply(tmp_path, passwords):
    with auth_daemon(tmp_path / "rx", passwords, "Auth_Allow_Plaintext = true") as rx:
        with Daemon(tmp_path / "tx", sender_to(rx, "alice", "not-her-password")) as tx:
            msgid = tx.send("a@sender.test", ["carol@example.com"], b"Subject: auth\r\n\r\nhi\r\n")
            rec = tx.first_outcome(msgid)
            assert rec["type"] == "T", rec
            assert rec["response"] == "535 5.7.8 Authentication credentials invalid", rec
            assert rx.records("R") == []
