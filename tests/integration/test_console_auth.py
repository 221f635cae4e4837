"""Console login and TLS (SPEC §7 "Who may use the console", issue 18),
through the real impulsed and impulsectl.

A Control_Listener Listen with Enable_Authentication and a
Console_Password_File (sha512-crypt hashes made by `openssl passwd -6`)
refuses every command before a login; a bad password is refused, from the
fourth failure on a second later, and the tenth closes the connection; a
good login (`impulsectl -u USER`, password from $IMPULSE_CONSOLE_PASSWORD)
runs commands. With tls_certificate/tls_key the console is TLS and
`impulsectl --tls-ca` verifies it (a certificate from another CA is refused);
a client silent in the handshake is dropped after the console's Timeout.
A TCP Listen without authentication keeps working as before.

Tests run on loopback only (SPEC §9), and the daemon enforces a login on
any Listen that asks for one, so the login is tested there. Whether a
Listen is "remote" is decided by --check from the address as written (no
socket is bound), so the remote rules are tested with --check on 0.0.0.0:
refused without authentication, refused with authentication but no TLS
("in the clear"), accepted with both.
"""
import base64
import os
import socket
import subprocess
import time

import pytest

from harness.impulse import IMPULSECTL, Daemon, daemon_config, run_impulsed
from harness.process import free_port, port_open, wait_for
from harness.test_ca import TestCA

PASSWORD = "wonder land"  # a space: the password travels base64-encoded


def crypt_hash(password: str) -> str:
    return subprocess.run(["openssl", "passwd", "-6", password], capture_output=True, text=True,
                          check=True).stdout.strip()


@pytest.fixture(scope="module")
def passwords(tmp_path_factory):
    path = tmp_path_factory.mktemp("console-auth") / "console_passwd"
    path.write_text(f"# console users\nalice:{crypt_hash(PASSWORD)}\n")
    return str(path)


def ctl(endpoint, *words, user=None, password=None, tls_ca=None, timeout=60):
    args = [IMPULSECTL, "-s", endpoint]
    if user:
        args += ["-u", user]
    if tls_ca:
        args += ["--tls-ca", tls_ca]
    env = dict(os.environ)
    env.pop("IMPULSE_CONSOLE_PASSWORD", None)
    if password is not None:
        env["IMPULSE_CONSOLE_PASSWORD"] = password
    return subprocess.run(args + list(words), capture_output=True, text=True, timeout=timeout, env=env,
                          stdin=subprocess.DEVNULL, start_new_session=True)  # no terminal to prompt on


def console_daemon(tmp_path, listen_options, port=None):
    """impulsed with its console socket and a TCP console on 127.0.0.1 with `listen_options`."""
    cport = port or free_port()
    console = f'Listen "./console.sock" {{ }}\n  Listen "127.0.0.1:{cport}" {{\n    {listen_options}\n  }}'
    d = Daemon(tmp_path, lambda p: daemon_config(p, "Suspend_Delivery = true\n", console=console))
    return d, f"127.0.0.1:{cport}"


def login_options(passwords):
    return f'Enable_Authentication = true\n    Console_Password_File = "{passwords}"'


class RawConsole:
    """The console wire by hand: lines out, IMPULSE-REPLY frames in."""

    def __init__(self, endpoint):
        host, port = endpoint.rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=20)
        self.buf = b""

    def command(self, line):
        self.sock.sendall(line.encode() + b"\n")
        return self.reply()

    def reply(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(4096)
            if not chunk:
                return None
            self.buf += chunk
        head, rest = self.buf.split(b"\n", 1)
        magic, status, length = head.split(b" ")
        assert magic == b"IMPULSE-REPLY", head
        while len(rest) < int(length):
            chunk = self.sock.recv(4096)
            assert chunk, "connection closed inside a reply"
            rest += chunk
        self.buf = rest[int(length):]
        return status == b"0", rest[:int(length)].decode()

    def closed_by_server(self):
        return self.sock.recv(1) == b""

    def close(self):
        self.sock.close()


def login_line(user, password):
    return f"login {user} {base64.b64encode(password.encode()).decode()}"


def test_console_login_is_required_before_any_command(tmp_path, passwords):
    d, endpoint = console_daemon(tmp_path, login_options(passwords))
    with d:
        wait_for(lambda: port_open("127.0.0.1", int(endpoint.rsplit(":", 1)[1])), what="console port")
        r = ctl(endpoint, "summary")
        assert r.returncode == 1, (r.stdout, r.stderr)
        assert r.stderr.startswith("Login required"), r.stderr
        assert "Active Queue Size" not in r.stdout
        c = RawConsole(endpoint)
        ok, text = c.command("shutdown")
        assert not ok and text.startswith("Login required"), text
        c.close()
        assert d.impulsed.proc.poll() is None  # the shutdown did not run
        assert "Active Queue Size" in d.ctl("summary")  # the Unix socket has no login


def test_console_good_login_runs_commands(tmp_path, passwords):
    d, endpoint = console_daemon(tmp_path, login_options(passwords))
    with d:
        wait_for(lambda: port_open("127.0.0.1", int(endpoint.rsplit(":", 1)[1])), what="console port")
        r = ctl(endpoint, "summary", user="alice", password=PASSWORD)
        assert r.returncode == 0, (r.stdout, r.stderr)
        assert "Active Queue Size" in r.stdout
        c = RawConsole(endpoint)
        assert c.command(login_line("alice", PASSWORD)) == (True, "Logged in as alice.\n")
        ok, text = c.command("version")
        assert ok and text, text
        c.close()


def test_console_bad_password_is_refused_delayed_and_the_tenth_closes(tmp_path, passwords):
    d, endpoint = console_daemon(tmp_path, login_options(passwords))
    with d:
        wait_for(lambda: port_open("127.0.0.1", int(endpoint.rsplit(":", 1)[1])), what="console port")
        r = ctl(endpoint, "summary", user="alice", password="builder")
        assert r.returncode == 3, (r.stdout, r.stderr)
        assert "Login failed: unknown user or wrong password." in r.stderr, r.stderr
        assert "Active Queue Size" not in r.stdout
        r = ctl(endpoint, "summary", user="alice")  # no variable, no terminal
        assert r.returncode == 2 and "IMPULSE_CONSOLE_PASSWORD" in r.stderr, r.stderr

        c = RawConsole(endpoint)
        took = []
        for i in range(1, 11):
            start = time.monotonic()
            ok, text = c.command(login_line("alice" if i % 2 else "nobody", f"guess{i}"))
            took.append(time.monotonic() - start)
            assert not ok and text.startswith("Login failed: unknown user or wrong password."), (i, text)
            assert ("Too many failed logins; closing." in text) == (i == 10), (i, text)
        assert all(t < 0.9 for t in took[:3]), took
        assert all(t >= 0.95 for t in took[3:]), took
        assert c.closed_by_server()
        c.close()
        wait_for(lambda: "10 failed logins; connection closed" in d.impulsed.stderr(), what="the report")
        # Another connection may still log in.
        assert ctl(endpoint, "summary", user="alice", password=PASSWORD).returncode == 0


def test_console_tcp_listen_without_authentication_keeps_working(tmp_path):
    d, endpoint = console_daemon(tmp_path, "Timeout = 30")
    with d:
        wait_for(lambda: port_open("127.0.0.1", int(endpoint.rsplit(":", 1)[1])), what="console port")
        r = ctl(endpoint, "summary")
        assert r.returncode == 0 and "Active Queue Size" in r.stdout, (r.stdout, r.stderr)
        r = ctl(endpoint, "summary", user="alice", password="anything")
        assert r.returncode == 0 and "Active Queue Size" in r.stdout, (r.stdout, r.stderr)


def test_console_tls_is_verified_by_impulsectl(tmp_path, passwords):
    ca = TestCA(tmp_path / "ca")
    cert, key = ca.issue("console.test", ips=["127.0.0.1"])
    other = TestCA(tmp_path / "other", name="Some Other CA")
    options = login_options(passwords) + f'\n    TLS_Certificate = "{cert}"\n    TLS_Key = "{key}"'
    d, endpoint = console_daemon(tmp_path / "d", options)
    with d:
        wait_for(lambda: port_open("127.0.0.1", int(endpoint.rsplit(":", 1)[1])), what="console port")
        r = ctl(endpoint, "summary", user="alice", password=PASSWORD, tls_ca=ca.ca_path)
        assert r.returncode == 0, (r.stdout, r.stderr)
        assert "Active Queue Size" in r.stdout
        r = ctl(endpoint, "summary", user="alice", password=PASSWORD, tls_ca=other.ca_path)
        assert r.returncode == 2, (r.stdout, r.stderr)
        assert "the server's certificate is not trusted" in r.stderr, r.stderr
        assert "Active Queue Size" not in r.stdout
        # A plain-text client gets nowhere on a TLS console.
        r = ctl(endpoint, "summary", user="alice", password=PASSWORD)
        assert r.returncode == 2, (r.stdout, r.stderr)
        assert "Active Queue Size" not in r.stdout


def test_console_silent_client_is_dropped_in_the_tls_handshake_after_timeout(tmp_path, passwords):
    ca = TestCA(tmp_path / "ca")
    cert, key = ca.issue("console.test", ips=["127.0.0.1"])
    cport = free_port()
    console = (f'Timeout = 1\n  Listen "./console.sock" {{ }}\n  Listen "127.0.0.1:{cport}" {{ '
               f'{login_options(passwords)} TLS_Certificate = "{cert}" TLS_Key = "{key}" }}')
    with Daemon(tmp_path / "d", lambda p: daemon_config(p, console=console)):
        wait_for(lambda: port_open("127.0.0.1", cport), what="console port")
        with socket.create_connection(("127.0.0.1", cport), timeout=20) as s:  # no ClientHello
            start = time.monotonic()
            assert s.recv(1) == b""
            assert 0.8 < time.monotonic() - start < 10


def write(tmp_path, name, text):
    path = os.path.join(str(tmp_path), name)
    with open(path, "w") as f:
        f.write(text)
    return path


def test_check_remote_console_needs_authentication_and_tls(tmp_path, passwords):
    ca = TestCA(tmp_path / "ca")
    cert, key = ca.issue("console.test")
    port = free_port()
    auth = f'Enable_Authentication = true Console_Password_File = "{passwords}"'
    tls = f'TLS_Certificate = "{cert}" TLS_Key = "{key}"'
    cases = {
        "open": ("", "is not a loopback address: anyone who reaches it"),
        "auth": (auth, "is not a loopback address and has no TLS"),
        "tls": (tls, "is not a loopback address: anyone who reaches it"),
    }
    for name, (options, error) in cases.items():
        path = write(tmp_path, f"{name}.conf", daemon_config(port, console=f'Listen "0.0.0.0:2025" {{ {options} }}'))
        r = run_impulsed("-c", path, "--check")
        assert r.returncode != 0, name
        assert error in r.stderr, (name, r.stderr)
    path = write(tmp_path, "both.conf", daemon_config(port, console=f'Listen "0.0.0.0:2025" {{ {auth} {tls} }}'))
    r = run_impulsed("-c", path, "--check")
    assert r.returncode == 0, r.stderr
