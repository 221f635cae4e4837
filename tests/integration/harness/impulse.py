"""Run the real impulsed (and impulsectl) from integration tests.

Impulsed(tmp_path, config_text) writes the configuration into a private
directory, starts $IMPULSED -c FILE as a child process with stderr captured
to a file, waits until it is ready (its "started" line, then every
`wait_ports` accepting), and stops it by PID (SIGTERM, then SIGKILL after a
deadline).

Daemon is what most tests use: impulsed with an ESMTP listener on a free
loopback port (so tests can run in parallel), the console socket, the
mainlog/paniclog/bouncelog in its directory (harness.logs), sending mail
and running impulsectl:

    conf = lambda port: daemon_config(port, settings="Suspend_Delivery = true")
    with Daemon(tmp_path, conf) as d:           # started; on leaving, stopped
        msgid = d.send("a@sender.test", ["b@example.com"], data)
        [r] = d.wait_records("R", msgid)        # harness.logs.LogDir
        d.ctl("showqueue", "example.com")       # impulsectl, exit status 0

Leaving the `with` block of a test that passed asserts that impulsed exits
0 on SIGTERM; after a failure it is killed. Either way it is stopped by PID.
Processes, ports and polling are harness.process.
"""
import os
import re
import signal
import smtplib
import subprocess
import textwrap

from harness.logs import LogDir
from harness.process import free_port, port_open, wait_for

IMPULSED = os.environ.get("IMPULSED", "impulsed")
IMPULSECTL = os.environ.get("IMPULSECTL", "impulsectl")
SOURCE_DIR = os.environ.get("IMPULSE_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..")))
TOOLS = os.environ.get("IMPULSE_TOOLS", os.path.join(SOURCE_DIR, ".tools"))

ID = r"[0-9A-F]{8}-[0-9A-F]{2}-[0-9A-F]{8}"  # a queue id, as impulsed prints it
QUEUED = re.compile(rf"^2\.0\.0 Ok: queued as ({ID})$")


class Impulsed:
    def __init__(self, workdir, config_text, name="impulse.conf", extra_args=()):
        self.dir = str(workdir)
        os.makedirs(self.dir, exist_ok=True)
        self.config_path = os.path.join(self.dir, name)
        self.write_config(config_text)
        self.stderr_path = os.path.join(self.dir, "impulsed.stderr")
        self.extra_args = list(extra_args)
        self.proc = None

    def write_config(self, text):
        with open(self.config_path, "w") as f:
            f.write(text)

    def start(self, wait_ports=(), timeout=20.0):
        self._err = open(self.stderr_path, "ab")
        self.proc = subprocess.Popen([IMPULSED, "-c", self.config_path, *self.extra_args],
                                     cwd=self.dir, stdout=self._err, stderr=self._err)
        wait_for(lambda: self.proc.poll() is not None or "started" in self.stderr(),
                 timeout, what="impulsed to start")
        if self.proc.poll() is not None:
            raise RuntimeError(f"impulsed exited {self.proc.returncode}: {self.stderr()}")
        for host, port in wait_ports:
            wait_for(lambda: port_open(host, port), timeout, what=f"{host}:{port}")
        return self

    def stderr(self):
        try:
            with open(self.stderr_path, "r", errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, timeout=15.0):
        """SIGTERM and wait; returns the exit status (SIGKILL after timeout)."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise

    def kill9(self):
        self.proc.kill()
        self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if getattr(self, "_err", None):
            self._err.close()


def run_impulsed(*args, timeout=30):
    """Run impulsed to completion (e.g. --check); returns CompletedProcess."""
    return subprocess.run([IMPULSED, *args], capture_output=True, text=True, timeout=timeout)


def impulsectl(endpoint, *words, timeout=30):
    return subprocess.run([IMPULSECTL, "-s", endpoint, *words], capture_output=True, text=True, timeout=timeout)


RELAY_LOOPBACK = 'Relay_Hosts = ( "127.0.0.0/8" )'
CONSOLE = 'Listen "./console.sock" { }'


def daemon_config(port, settings="", *, relay_hosts=RELAY_LOOPBACK, listener="", console=CONSOLE,
                  mainlog_options="", bouncelog=True, bouncelog_options="", extra=""):
    """The configuration tests start from: a spool in the daemon's directory,
    `settings` (global options), an ESMTP listener on 127.0.0.1:`port` that
    relays for `relay_hosts` (plus `listener` options), a control listener
    (`console`: its Listen lines; None for none), the mainlog and paniclog
    (plus `mainlog_options`), the bouncelog unless `bouncelog` is false, and
    then `extra` (domains, bindings...). Indentation is removed from
    `settings` and `extra`."""
    text = 'Spoolbase = "spool"\n' + textwrap.dedent(settings)
    if text[-1] != "\n":
        text += "\n"
    text += f"ESMTP_Listener {{\n  {relay_hosts}\n"
    if listener:
        text += f"  {listener}\n"
    text += f'  Listen "127.0.0.1:{port}" {{ }}\n}}\n'
    if console is not None:
        text += f"Control_Listener {{\n  {console}\n}}\n"
    text += 'ec_logger "ec_logger" {\n  mainlog = "mainlog.ec"\n  paniclog = "paniclog.ec"\n'
    if mainlog_options:
        text += f"  {mainlog_options}\n"
    text += "}\n"
    if bouncelog:
        text += 'bounce_logger "bounce_logger" {\n  bouncelog = "bouncelog.ec"\n'
        if bouncelog_options:
            text += f"  {bouncelog_options}\n"
        text += "}\n"
    return text + textwrap.dedent(extra)


class Daemon(LogDir):
    """impulsed with its SMTP port (self.port), console socket (self.console,
    None when `console` is false) and logs. `make_config(port)` returns the
    configuration text for the chosen port (usually through daemon_config)."""

    def __init__(self, workdir, make_config, console=True):
        self.port = free_port()
        self.make_config = make_config
        self.impulsed = Impulsed(workdir, make_config(self.port))
        super().__init__(self.impulsed.dir)
        self.console = os.path.join(self.dir, "console.sock") if console else None

    def start(self):
        self.impulsed.start(wait_ports=[("127.0.0.1", self.port)])
        if self.console:
            wait_for(lambda: os.path.exists(self.console), what="console socket")
        return self

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        with self.impulsed:
            if exc[0] is None:
                assert self.impulsed.stop() == 0, self.impulsed.stderr()

    def write_config(self, text):
        self.impulsed.write_config(text)

    def ctl(self, *words, clean_stderr=False):
        """impulsectl WORDS against this daemon; fails the test unless it
        exits 0 (and, with clean_stderr, prints nothing on stderr)."""
        r = impulsectl(self.console, *words)
        assert r.returncode == 0, (words, r.stdout, r.stderr)
        if clean_stderr:
            assert r.stderr == "", (words, r.stderr)
        return r.stdout

    def smtp(self, timeout=20):
        """A client connection to the daemon's ESMTP listener."""
        return smtplib.SMTP("127.0.0.1", self.port, timeout=timeout)

    def send(self, sender, rcpts, data, helo="client.test", timeout=20):
        """One message over a new session; its queue id (the 250 must say
        "queued as ID"). helo=None: smtplib's own EHLO name."""
        with self.smtp(timeout) as c:
            return transaction(c, sender, rcpts, data, helo)

    def send_many(self, sender, rcpts, datas, helo="client.test", timeout=20):
        """Several messages over one session; their queue ids."""
        with self.smtp(timeout) as c:
            return [transaction(c, sender, rcpts, d, helo) for d in datas]


def transaction(client, sender, rcpts, data, helo="client.test"):
    """MAIL, RCPT each, DATA over an smtplib client (after EHLO `helo`,
    once per session); each must be accepted. Returns the id of
    "250 2.0.0 Ok: queued as ID"."""
    if helo is None:
        client.ehlo_or_helo_if_needed()
    elif client.ehlo_resp is None and client.helo_resp is None:
        client.ehlo(helo)
    assert client.mail(sender)[0] == 250
    for r in rcpts:
        assert client.rcpt(r)[0] == 250
    code, text = client.data(data)
    assert code == 250, text
    m = QUEUED.match(text.decode())
    assert m, text
    return m.group(1)
