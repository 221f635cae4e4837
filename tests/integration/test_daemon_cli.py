"""impulsed's command line, --check, exit statuses and signals (SPEC §1, §10)."""
import os
import signal
import textwrap

import pytest

from harness.impulse import Impulsed, run_impulsed
from harness.process import wait_for

VALID = textwrap.dedent("""\
    # a minimal valid configuration
    Spoolbase = "spool"
    Gateway = 10.10.10.50
    Domain local.example.com {
      Gateway = 10.10.10.20
      Delivery_Method = LMTP
    }
    """)


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def test_version_prints_name_and_version():
    r = run_impulsed("--version")
    assert r.returncode == 0
    assert r.stdout.startswith("impulsed (Impulse) ")


def test_unknown_flag_is_a_usage_error():
    r = run_impulsed("--frobnicate")
    assert r.returncode == 2
    assert "unknown option '--frobnicate'" in r.stderr
    assert "usage: impulsed" in r.stderr


def test_config_flag_without_file_is_a_usage_error():
    r = run_impulsed("-c")
    assert r.returncode == 2
    assert "needs a file name" in r.stderr


def test_check_accepts_valid_file(tmp_path):
    path = write(tmp_path, "ok.conf", VALID)
    r = run_impulsed("-c", path, "--check")
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""


def test_check_reports_every_error_with_position(tmp_path):
    path = write(tmp_path, "bad.conf", textwrap.dedent("""\
        Max_Outbound_Conections = 10
        Domain example.com {
          Routes = ( "smtp://[::1]?pref=abc" )
        }
        Binding b1 {
          Routes = ( "mx.example.com" )
        }
        """))
    r = run_impulsed("-c", path, "--check")
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 3, r.stderr
    assert lines[0].startswith(f"{path}:1:1: error: unknown option 'Max_Outbound_Conections'")
    assert "max_outbound_connections" in lines[0]
    assert lines[1].startswith(f"{path}:3:14: error: ")
    assert lines[2].startswith(f"{path}:6:3: error: ")
    assert "domain" in lines[2] and "global" in lines[2]


def test_check_reports_unterminated_string_where_it_opens(tmp_path):
    path = write(tmp_path, "s.conf", 'Gateway = 10.0.0.1\nEhlo_Hostname = "abc\nRetry_Interval = 60\n')
    r = run_impulsed("-c", path, "--check")
    assert r.returncode == 1
    assert r.stderr.splitlines()[0].startswith(f"{path}:2:17: error: unterminated string")


def test_invalid_config_does_not_start(tmp_path):
    path = write(tmp_path, "bad.conf", "Retry_Interval = soon\n")
    r = run_impulsed("-c", path)
    assert r.returncode == 1
    assert f"{path}:1:18: error:" in r.stderr
    assert "not starting" in r.stderr


def test_missing_config_file_fails_with_one_clear_line(tmp_path):
    path = str(tmp_path / "nope.conf")
    r = run_impulsed("-c", path)
    assert r.returncode == 1
    assert path in r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_gracefully_with_status_0(tmp_path, sig):
    with Impulsed(tmp_path, VALID) as d:
        d.start()
        d.signal(sig)
        assert d.proc.wait(15) == 0
        assert "stopping" in d.stderr()


def test_sighup_reloads_a_valid_configuration(tmp_path):
    with Impulsed(tmp_path, VALID) as d:
        d.start()
        d.write_config(VALID + "Retry_Interval = 60\n")
        d.signal(signal.SIGHUP)
        wait_for(lambda: "configuration reloaded" in d.stderr(), what="reload message")
        assert d.stop() == 0


def test_sighup_with_invalid_configuration_keeps_running(tmp_path):
    with Impulsed(tmp_path, VALID) as d:
        d.start()
        d.write_config(VALID + "Retry_Interval = soon\n")
        d.signal(signal.SIGHUP)
        wait_for(lambda: "reload refused" in d.stderr(), what="refusal")
        err = d.stderr()
        assert f"{d.config_path}:8:18: error:" in err
        assert d.proc.poll() is None
        assert d.stop() == 0
