"""Run the real impulsed (and impulsectl) from integration tests.

Impulsed(tmp_path, config_text) writes the configuration into a private
directory, starts $IMPULSED -c FILE as a child process with stderr captured
to a file, waits until it is ready (its "started" line, then every
`wait_ports` accepting), and stops it by PID (SIGTERM, then SIGKILL after a
deadline). Helpers pick free loopback ports so tests can run in parallel.
"""
import os
import signal
import socket
import subprocess
import time

IMPULSED = os.environ.get("IMPULSED", "impulsed")
IMPULSECTL = os.environ.get("IMPULSECTL", "impulsectl")
SOURCE_DIR = os.environ.get("IMPULSE_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..")))
TOOLS = os.environ.get("IMPULSE_TOOLS", os.path.join(SOURCE_DIR, ".tools"))


def free_port(host="127.0.0.1", kind=socket.SOCK_STREAM):
    """A port that is free right now on `host` (TCP by default)."""
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(fam, kind) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout=20.0, interval=0.02, what="condition"):
    """Poll `predicate` until it returns a truthy value; raise on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        v = predicate()
        if v:
            return v
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def port_open(host, port):
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(fam, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        try:
            s.connect((host, port))
            return True
        except OSError:
            return False


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
