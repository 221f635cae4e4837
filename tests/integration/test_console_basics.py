"""impulsectl against a live impulsed: daemon-level console commands (SPEC §1, §7)."""
import os
import textwrap

from harness.impulse import Impulsed, impulsectl
from harness.process import wait_for

CONF = textwrap.dedent("""\
    Spoolbase = "spool"
    Max_Outbound_Connections = 20
    Binding_Group g1 {
      Max_Outbound_Connections = 5
      Binding example {
        Max_Outbound_Connections = 15
        Domain example.com { }
      }
    }
    Control_Listener {
      Listen "./console.sock" { File_Mode = 0600 }
    }
    """)


def start(tmp_path, text=CONF):
    d = Impulsed(tmp_path, text)
    d.start()
    sock = os.path.join(d.dir, "console.sock")
    wait_for(lambda: os.path.exists(sock), what="console socket")
    return d, sock


def test_version_and_pid(tmp_path):
    d, sock = start(tmp_path)
    with d:
        r = impulsectl(sock, "version")
        assert r.returncode == 0
        assert r.stdout.startswith("impulsed (Impulse) ")
        r = impulsectl(sock, "pid")
        assert r.returncode == 0 and r.stdout.strip() == str(d.proc.pid)
        assert d.stop() == 0


def test_socket_created_with_file_mode(tmp_path):
    d, sock = start(tmp_path)
    with d:
        assert oct(os.stat(sock).st_mode & 0o777) == oct(0o600)
        d.stop()


def test_config_eval_walks_the_fallback_chain(tmp_path):
    d, sock = start(tmp_path)
    with d:
        r = impulsectl(sock, "config", "eval", "binding", "example", "domain", "example.com", "max_outbound_connections")
        assert (r.returncode, r.stdout) == (0, "max_outbound_connections = 15\n")
        r = impulsectl(sock, "config", "eval", "domain", "other.org", "max_outbound_connections")
        assert (r.returncode, r.stdout) == (0, "max_outbound_connections = 20\n")
        d.stop()


def test_unknown_command_and_bad_argument_exit_1(tmp_path):
    d, sock = start(tmp_path)
    with d:
        r = impulsectl(sock, "frobnicate")
        assert r.returncode == 1
        assert r.stderr == "Unknown command 'frobnicate'. Type 'help' for a list of commands.\n"
        r = impulsectl(sock, "config", "eval", "binding", "example", "no_such_option")
        assert r.returncode == 1
        assert len(r.stderr.strip().splitlines()) == 1
        d.stop()


def test_cannot_connect_exits_2(tmp_path):
    r = impulsectl(str(tmp_path / "absent.sock"), "summary")
    assert r.returncode == 2
    assert "cannot connect" in r.stderr


def test_invalid_reload_is_refused_and_running_config_stays(tmp_path):
    d, sock = start(tmp_path)
    with d:
        d.write_config(CONF + "Max_Outbound_Connections = lots\n")
        r = impulsectl(sock, "config", "reload")
        assert r.returncode == 1
        assert f"{d.config_path}:13:28: error:" in r.stderr
        assert "unchanged" in r.stderr
        r = impulsectl(sock, "config", "eval", "max_outbound_connections")
        assert r.stdout == "max_outbound_connections = 20\n"
        d.write_config(CONF.replace("Max_Outbound_Connections = 20", "Max_Outbound_Connections = 40"))
        r = impulsectl(sock, "config", "reload")
        assert r.returncode == 0, r.stderr
        r = impulsectl(sock, "config", "eval", "max_outbound_connections")
        assert r.stdout == "max_outbound_connections = 40\n"
        d.stop()


def test_shutdown_stops_the_daemon_cleanly(tmp_path):
    d, sock = start(tmp_path)
    with d:
        r = impulsectl(sock, "shutdown")
        assert r.returncode == 0
        assert d.proc.wait(15) == 0
        assert not os.path.exists(sock)
