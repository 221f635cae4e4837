"""Who may use what (SPEC §6-7, issue 18): each refusal of a listener to a
client or a configuration that does not belong.

Console: a Control_Listener TCP Listen off loopback fails --check (at the
Listen, saying what to add); `config reload PATH` loads only files under
the running configuration's directory, and its refusal quotes nothing of
the file. ESMTP: a client outside Relay_Hosts gets 550 5.7.1 at RCPT.
"""
import os
import smtplib

from harness.impulse import Daemon, daemon_config, impulsectl, run_impulsed
from harness.process import free_port


def write(tmp_path, name, text):
    path = os.path.join(str(tmp_path), name)
    with open(path, "w") as f:
        f.write(text)
    return path


def test_check_refuses_a_console_listen_off_loopback(tmp_path):
    path = write(tmp_path, "remote.conf", daemon_config(free_port(), console='Listen "0.0.0.0:2025" { }'))
    r = run_impulsed("-c", path, "--check")
    assert r.returncode != 0
    lines = [l for l in r.stderr.splitlines() if "Control_Listener" in l]
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith(f"{path}:") and ": error: " in lines[0], lines[0]
    assert "is not a loopback address" in lines[0] and "Enable_Authentication = true" in lines[0], lines[0]


def test_check_accepts_a_console_on_loopback_and_a_socket(tmp_path):
    console = 'Listen "127.0.0.1:2025" { }\n  Listen "[::1]:2025" { }\n  Listen "./console.sock" { }'
    path = write(tmp_path, "local.conf", daemon_config(free_port(), console=console))
    r = run_impulsed("-c", path, "--check")
    assert r.returncode == 0, r.stderr


def test_check_refuses_console_authentication_without_a_password_file(tmp_path):
    console = 'Listen "192.0.2.10:2025" { Enable_Authentication = true }'
    path = write(tmp_path, "auth.conf", daemon_config(free_port(), console=console))
    r = run_impulsed("-c", path, "--check")
    assert r.returncode != 0
    assert "is not a loopback address" in r.stderr, r.stderr


def test_console_reload_outside_the_configuration_directory_is_refused(tmp_path):
    secret = write(tmp_path, "secret.txt", "TOPSECRETLINE = yes\n")  # outside the daemon's directory
    with Daemon(tmp_path / "d", lambda port: daemon_config(port)) as d:
        for path in (secret, os.path.join(d.dir, "..", "secret.txt"), "/etc/passwd"):
            r = impulsectl(d.console, "config", "reload", path)
            assert r.returncode == 1, (path, r.stdout, r.stderr)
            assert "only files under the running configuration's directory" in r.stderr, r.stderr
            assert "TOPSECRET" not in r.stderr + r.stdout and "root:" not in r.stderr + r.stdout
        os.symlink(secret, os.path.join(d.dir, "link.conf"))
        r = impulsectl(d.console, "config", "reload", os.path.join(d.dir, "link.conf"))
        assert r.returncode == 1 and "TOPSECRET" not in r.stderr, r.stderr
        inside = write(d.dir, "inside.conf", daemon_config(d.port, "Max_Outbound_Connections = 7\n"))
        assert d.ctl("config", "reload", inside) == "Configuration reloaded.\n"


def test_esmtp_refuses_relaying_to_a_client_outside_relay_hosts(tmp_path):
    with Daemon(tmp_path, lambda port: daemon_config(port, relay_hosts='Relay_Hosts = ( "127.0.0.2/32" )')) as d:
        with smtplib.SMTP("127.0.0.1", d.port, timeout=20) as c:  # from 127.0.0.1: outside
            c.ehlo("client.test")
            assert c.mail("a@client.test")[0] == 250
            code, text = c.rcpt("bob@example.com")
            assert (code, text) == (550, b"5.7.1 relaying denied")
        with smtplib.SMTP("127.0.0.1", d.port, timeout=20, source_address=("127.0.0.2", 0)) as c:
            c.ehlo("client.test")
            assert c.mail("a@client.test")[0] == 250
            assert c.rcpt("bob@example.com")[0] == 250
