"""impulsed --event-loops N: N event-loop threads instead of one per CPU core
(bench/relay/run.sh --loops compares 1 and 2); a bad N is a usage error."""
import os
import textwrap

import pytest

from harness.impulse import Impulsed, run_impulsed

CONFIG = textwrap.dedent("""\
    Spoolbase = "spool"
    Gateway = 10.10.10.50
    """)


@pytest.mark.parametrize("value", ["0", "abc", "2x", "", "1025"])
def test_event_loops_needs_a_number_from_1_to_1024(tmp_path, value):
    r = run_impulsed("-c", str(tmp_path / "missing.conf"), "--event-loops", value)
    assert r.returncode == 2
    assert "option '--event-loops' needs a number from 1 to 1024" in r.stderr
    assert "usage: impulsed" in r.stderr


def test_event_loops_without_a_value_is_a_usage_error():
    r = run_impulsed("--event-loops")
    assert r.returncode == 2
    assert "--event-loops" in r.stderr


def threads_with(tmp_path, loops):
    with Impulsed(tmp_path / f"loops{loops}", CONFIG, extra_args=("--event-loops", str(loops))) as d:
        d.start()
        n = len(os.listdir(f"/proc/{d.proc.pid}/task"))
        assert d.stop() == 0
        return n


def test_each_event_loop_is_one_more_thread(tmp_path):
    one, three = threads_with(tmp_path, 1), threads_with(tmp_path, 3)
    assert three - one == 2, f"threads: {one} with 1 loop, {three} with 3"
