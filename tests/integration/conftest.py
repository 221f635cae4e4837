"""pytest configuration for the integration tests: makes `harness` importable,
and fails a test whose programs reported a sanitizer error.

Sanitizer reports: every test runs with ASAN_OPTIONS, UBSAN_OPTIONS and
TSAN_OPTIONS (appended to what the environment already says) writing
reports to files `sanitizer.<pid>` in a private directory (one per test,
one for the session's module-scoped fixtures), so a report from any program
the test starts (impulsed, impulsectl, under any harness helper) is found
whatever that program's stderr went to; and as UBSan in an ASan build
prints to stderr whatever log_path says, every `*.stderr` file under the
test's tmp_path (impulsed.stderr) is read too. After the test (and its
fixtures' teardown) these are read; an AddressSanitizer,
LeakSanitizer, ThreadSanitizer or UBSan ("runtime error:") report fails the
test, quoting it (the directory is kept then; removed otherwise). Programs
built without sanitizers ignore these variables. The options: ASan aborts
(abort_on_error) and checks leaks at exit (a daemon stopped by SIGTERM must
exit leak-free); UBSan halts on the first error (the build has
-fno-sanitize-recover). Users' own *SAN_OPTIONS stay in force where ours
do not set the same flag.
"""
import os
import shutil
import sys
import tempfile

import pytest

sys.path.insert(0, os.path.dirname(__file__))

_SANITIZER_OPTIONS = {
    "ASAN_OPTIONS": "abort_on_error=1:detect_leaks=1",
    "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1",
    "TSAN_OPTIONS": "halt_on_error=1:second_deadlock_stack=1",
}
_REPORT_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "LeakSanitizer",
                   "WARNING: ThreadSanitizer", "runtime error:")


def _has_report(text):
    return any(m in text for m in _REPORT_MARKERS)


def _read(path):
    try:
        with open(path, errors="replace") as fh:
            return fh.read()
    except OSError:
        return ""


def sanitizer_reports(directory, seen):
    """The sanitizer reports under `directory` not in `seen` (which they
    are added to): (path, text) for each report file (`sanitizer.<pid>`)
    or program stderr (`*.stderr`, e.g. impulsed.stderr: UBSan in an ASan
    build prints to stderr whatever log_path says) containing a report."""
    found = []
    for root, _, names in os.walk(directory):
        for name in sorted(names):
            path = os.path.join(root, name)
            if path in seen or not (name.startswith("sanitizer.") or name.endswith(".stderr")):
                continue
            text = _read(path)
            if _has_report(text):
                seen.add(path)
                found.append((path, text))
    return found


def _point_reports_at(directory):
    """Sets the *SAN_OPTIONS so that reports go to files in `directory`."""
    for key, ours in _SANITIZER_OPTIONS.items():
        theirs = _USERS_OPTIONS[key]
        os.environ[key] = (theirs + ":" if theirs else "") + ours + f":log_path={directory}/sanitizer"


def _quote(reports):
    return "\n".join(f"--- {path}\n{text[-6000:]}" for path, text in reports)


# Programs started outside a test (module-scoped fixtures) report into the
# session's directory and their tmp_path_factory directories; a test's own
# programs into the test's directory and its tmp_path. Each test fails on
# reports in either that appeared since the last check; those that appear
# after the last test fail the session (pytest_sessionfinish).
_USERS_OPTIONS = {k: os.environ.get(k) for k in _SANITIZER_OPTIONS}
_SESSION_DIR = tempfile.mkdtemp(prefix="impulse-sanitizer-")
_point_reports_at(_SESSION_DIR)
_seen = set()
_basetemp = []


@pytest.fixture(autouse=True)
def _fail_on_sanitizer_report(tmp_path, tmp_path_factory):
    if not _basetemp:
        _basetemp.append(str(tmp_path_factory.getbasetemp()))
    report_dir = tempfile.mkdtemp(prefix="impulse-sanitizer-")
    _point_reports_at(report_dir)
    try:
        yield
    finally:
        _point_reports_at(_SESSION_DIR)
    reports = sanitizer_reports(report_dir, _seen) + sanitizer_reports(str(tmp_path), _seen) \
        + sanitizer_reports(_SESSION_DIR, _seen)
    if not reports:
        shutil.rmtree(report_dir, ignore_errors=True)
        return
    pytest.fail(f"sanitizer report(s):\n{_quote(reports)}", pytrace=False)


def pytest_sessionfinish(session, exitstatus):
    reports = sanitizer_reports(_SESSION_DIR, _seen)
    for d in _basetemp:
        reports += sanitizer_reports(d, _seen)
    if reports:
        sys.stderr.write(f"sanitizer report(s) after the last test:\n{_quote(reports)}\n")
        session.exitstatus = 1
    if not os.listdir(_SESSION_DIR):
        shutil.rmtree(_SESSION_DIR, ignore_errors=True)
