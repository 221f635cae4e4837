"""Processes, ports and polling for the integration tests, written once.

Every helper that starts a real program (impulsed, smtp-sink, Postfix, the
scripted SMTP server, nsd, Dovecot) uses these to find a free loopback
port, to see that a program listens, to wait for something with a deadline
(never a bare sleep), and to stop what it started by PID:

    port = free_port("127.0.0.20")
    wait_for(lambda: listening("127.0.0.20", port), 15, what="the server to listen")
    stop_session(proc, timeout=5)      # SIGTERM, SIGKILL after timeout, then its session's leftovers
    stop_at_exit(peer)                 # peer.stop() at interpreter exit unless forget_at_exit(peer)

Programs are started with start_new_session=True, so a program's session
id (and process group) is its PID: session_pids()/group_pids() list what is
left of it, and the stop functions leave nothing running. Linux only (reads
/proc). Not thread-safe; each test drives its own processes. Failures: a
deadline passing raises TimeoutError naming what was awaited.
"""

from __future__ import annotations

import atexit
import ipaddress
import os
import shutil
import signal
import socket
import subprocess
import time


def free_port(host: str = "127.0.0.1", kind: int = socket.SOCK_STREAM) -> int:
    """A port that is free right now on `host` (TCP by default)."""
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(fam, kind) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.02, what: str = "condition"):
    """Poll `predicate` until it returns a truthy value (returned); raise
    TimeoutError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        v = predicate()
        if v:
            return v
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def port_open(host: str, port: int) -> bool:
    """A TCP connection to host:port succeeds now."""
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(fam, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        try:
            s.connect((host, port))
            return True
        except OSError:
            return False


def listen_inodes(address: str, port: int) -> set[str]:
    """Socket inodes in LISTEN state on address:port (from /proc/net/tcp*),
    without connecting to it."""
    ip = ipaddress.ip_address(address)
    packed = ip.packed
    want = "".join(packed[i:i + 4][::-1].hex() for i in range(0, len(packed), 4)).upper()
    path = "/proc/net/tcp6" if ip.version == 6 else "/proc/net/tcp"
    inodes = set()
    try:
        with open(path) as fh:
            next(fh)
            for line in fh:
                parts = line.split()
                local, state, inode = parts[1], parts[3], parts[9]
                host, _, p = local.partition(":")
                if state == "0A" and int(p, 16) == port and host == want:
                    inodes.add(inode)
    except FileNotFoundError:
        pass
    return inodes


def listening(address: str, port: int) -> bool:
    """address:port is in LISTEN state."""
    return bool(listen_inodes(address, port))


def fd_targets(pid: int) -> set[str]:
    """What the open file descriptors of `pid` point to (readlink of /proc/PID/fd/*)."""
    out = set()
    d = f"/proc/{pid}/fd"
    try:
        names = os.listdir(d)
    except (FileNotFoundError, PermissionError):
        return out
    for n in names:
        try:
            out.add(os.readlink(os.path.join(d, n)))
        except OSError:
            pass
    return out


def owns_listener(pid: int, address: str, port: int) -> bool:
    """Process `pid` holds the socket listening on address:port (so a
    listener found there is ours, not another test's)."""
    inodes = listen_inodes(address, port)
    return bool(inodes) and any(t == f"socket:[{i}]" for t in fd_targets(pid) for i in inodes)


def _live_pids(field: int, value: int) -> list[int]:
    """Live (non-zombie) processes whose /proc stat field `field` (counted
    after "(comm)": 0 state, 2 pgrp, 3 session) equals `value`."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[field]) == value:
            out.append(int(entry))
    return sorted(out)


def session_pids(sid: int) -> list[int]:
    """Live (non-zombie) processes whose session id is `sid`."""
    return _live_pids(3, sid)


def group_pids(pgid: int) -> list[int]:
    """Live (non-zombie) processes whose process group is `pgid`."""
    return _live_pids(2, pgid)


def _signal_all(pids, sig) -> None:
    for pid in pids:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def stop_session(proc: subprocess.Popen | None, timeout: float, sweep: bool = True) -> None:
    """SIGTERM the session leader `proc`, wait, SIGKILL after `timeout`; then
    make sure nothing is left in its session (SIGTERM to the leftovers for up
    to `timeout` when `sweep`, then SIGKILL)."""
    if proc is None:
        return
    sid = proc.pid
    if proc.poll() is None:
        try:
            proc.send_signal(signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    # children that outlived the leader (they keep its session id)
    deadline = time.monotonic() + timeout
    while sweep and (left := session_pids(sid)) and time.monotonic() < deadline:
        _signal_all(left, signal.SIGTERM)
        time.sleep(0.05)
    _signal_all(session_pids(sid), signal.SIGKILL)
    wait_for(lambda: not session_pids(sid), 10, what=f"processes of session {sid} to exit")


def stop_group(proc: subprocess.Popen | None, timeout: float) -> None:
    """SIGTERM the process group led by `proc`, SIGKILL after `timeout`,
    then SIGKILL to whatever of the group outlived its leader."""
    if proc is None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def hostport(address: str, port: int) -> str:
    """"127.0.0.20:2525" or "[::1]:2525"."""
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"


class Peer:
    """Base of a program a test starts and stops: `with Sub(...) as peer`
    calls start() and, on leaving, stop(). A subclass sets self.process
    (the Popen of the program, or of its session/group leader) and
    self.address / self.port, and defines start() and stop()."""

    process: subprocess.Popen | None = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def pid(self) -> int | None:
        """The program's (or its leader's) PID while it runs."""
        return self.process.pid if self.process else None

    @property
    def hostport(self) -> str:
        return hostport(self.address, self.port)

    def launch_on_free_port(self, choose_port, error, attempts: int = 8, prepare=None, after_taken=None) -> bool:
        """Starts the program on a port from `choose_port()`, trying another
        when the one chosen turns out to be taken (a race with another test):
        up to `attempts` times, prepare() (e.g. write the configuration for
        self.port), self._spawn(), then self._wait_ready() says "ready",
        "port taken" (self._kill(), after_taken(), next port) or why it
        failed (self._kill(), raise error(why)). False when every port
        tried was taken."""
        for _ in range(attempts):
            self.port = choose_port()
            if prepare:
                prepare()
            self._spawn()
            outcome = self._wait_ready()
            if outcome == "ready":
                return True
            self._kill()
            if outcome != "port taken":
                raise error(outcome)
            if after_taken:
                after_taken()
        return False


def spawn(args, log_path: str, **popen_kw) -> subprocess.Popen:
    """Starts `args` in a new session (so its session id and process group
    are its PID, for stop_session/stop_group), stdin from /dev/null,
    stdout and stderr appended to `log_path`."""
    with open(log_path, "ab") as out:
        return subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True, **popen_kw)


def find_program(name: str, missing_error, package: str) -> str:
    """The path of program `name` (the sbin and bin directories, then
    $PATH); raises missing_error naming the Debian `package` otherwise."""
    for d in ("/usr/sbin", "/usr/bin", "/sbin", "/bin"):
        path = os.path.join(d, name)
        if os.access(path, os.X_OK):
            return path
    found = shutil.which(name)
    if not found:
        raise missing_error(f"{name} not found (Debian {package})")
    return found


def read_text(path: str) -> str:
    """The file's text ("" when it cannot be read)."""
    try:
        with open(path, errors="replace") as fh:
            return fh.read()
    except (OSError, TypeError):
        return ""


# Peers still running when the interpreter exits (a test that forgot stop(),
# or one interrupted by Ctrl-C) are stopped then, and their private temp
# directories removed.
_running: set = set()  # strong references: an unreferenced peer must still be stopped
_dirs: set = set()


def stop_at_exit(peer) -> None:
    """Call peer.stop() at interpreter exit unless forget_at_exit(peer) came first."""
    _running.add(peer)


def forget_at_exit(peer) -> None:
    _running.discard(peer)


def remove_at_exit(path: str) -> None:
    """Remove the directory at interpreter exit (or earlier, with removed_now(path))."""
    _dirs.add(path)


def removed_now(path: str) -> bool:
    """Remove a directory registered with remove_at_exit now; False if it was not registered."""
    if path not in _dirs:
        return False
    shutil.rmtree(path, ignore_errors=True)
    _dirs.discard(path)
    return True


@atexit.register
def _at_exit() -> None:
    for peer in list(_running):
        try:
            peer.stop()
        except Exception:
            pass
    for d in list(_dirs):
        shutil.rmtree(d, ignore_errors=True)
