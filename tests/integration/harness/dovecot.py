"""A real Dovecot LMTP server (Debian's dovecot-lmtpd) for integration tests.

DovecotLmtp writes a self-contained dovecot.conf, a passwd-file with the
given users and their Maildirs into a fresh temp dir (base_dir, state_dir
and log inside it; nothing read from /etc/dovecot), starts ``dovecot -F``
in its own process group, and waits until LMTP answers with a 220 banner
both on 127.0.0.1:<free port> and on the Unix socket <dir>/lmtp. stop()
ends it by PID (SIGTERM to the master's process group, SIGKILL after a
deadline; about 0.1 s) and removes the temp dir. The system Dovecot is never touched.

    from harness.dovecot import DovecotLmtp, lmtp_transaction

    users = {"alice": {}, "bob": {}, "carol": {"quota": "1K"}}
    with DovecotLmtp(users, domain="lmtp.test") as lmtp:
        lmtp.port, lmtp.host         # 127.0.0.1:<port> (LMTP over TCP)
        lmtp.socket_path             # <dir>/lmtp       (LMTP over a Unix socket)
        lmtp.address("alice")        # "alice@lmtp.test"
        lmtp.mailbox("alice")        # [bytes of each delivered message], oldest first
        lmtp.wait_mailbox("bob", 1)  # poll until bob has >= 1 message
        lmtp.log()                   # Dovecot's log, for assertion messages

        # speak LMTP directly (one reply per accepted RCPT after DATA):
        r = lmtp_transaction(lmtp.tcp, "s@x.test", ["alice@lmtp.test"], b"Subject: x\n\nhi\n")
        r.rcpt_reply("alice@lmtp.test"), r.delivery_reply("alice@lmtp.test")  # (250, "2.1.5 OK"), ...

Users: a dict {local part: options} (or a list of local parts). Options:
  "quota": "1K"          -> quota_rule = *:storage=1K   (Dovecot size units)
  "messages": 10         -> a further rule *:messages=10
  "quota_rule": "..."    -> a raw quota_rule (replaces "quota")
Users without a quota option have none. The quota backend is "count"
(quota_vsizes = yes), so a test can also pre-fill a mailbox with put().

What Dovecot 2.3.19 (Debian 12) answers, as checked by
test_dovecot_harness.py:
  - unknown user, at RCPT:
        550 5.1.1 <nobody@lmtp.test> User doesn't exist: nobody@lmtp.test
  - accepted RCPT:  250 2.1.5 OK
  - each accepted recipient after DATA, in RCPT order:
        250 2.0.0 <alice@lmtp.test> <session id> Saved
  - over quota, by default AFTER DATA (lmtp_rcpt_check_quota = no):
        552 5.2.2 <carol@lmtp.test> Quota exceeded (mailbox for user is full)
    with quota_full_tempfail=True the same reply is 452 4.2.2.
  - with rcpt_check_quota=True a user already over quota is refused at RCPT
    with the same code and text (a user under quota is still accepted at
    RCPT and may then fail after DATA if this message does not fit).
Quota arithmetic: Dovecot counts a message as it would store it (with
the Return-Path and Received headers it adds, about 230 bytes here, and
CRLF line ends because quota_vsizes = yes) and saves it if the mailbox then
stays within the limit plus quota_grace (default 10% of the limit; pass
quota_grace="0" for none). The reply is the same "mailbox for user is
full" text whether the mailbox was already full or this message is too big.
A message of 2 KB or more never fits a 1K quota; put() fills a mailbox.

Running as root (this container): Dovecot refuses mail for uid 0 ("userdb
returned 0 as uid"), so the mailboxes belong to "nobody" (the temp dir is
made world-readable so Dovecot's unprivileged processes can reach it);
auth runs as default_internal_user = dovecot, default_login_user = dovenull
when those users exist. Running as another user, everything is that user.

Failures raise DovecotError with Dovecot's log in the message. A port taken
between probing and Dovecot's bind is retried on another port.
"""

from __future__ import annotations

import grp
import os
import pwd
import re
import shutil
import signal
import smtplib
import socket
import stat
import subprocess
import tempfile
import time
from dataclasses import dataclass, field

from harness.process import Peer, find_program, free_port, group_pids, spawn

SUN_PATH_MAX = 107  # sockaddr_un.sun_path minus the terminating NUL (Linux)


class DovecotError(RuntimeError):
    pass


def _program(name: str) -> str:
    return find_program(name, DovecotError, "packages dovecot-core, dovecot-lmtpd")


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def read_banner(sock: socket.socket, timeout: float) -> bytes:
    """The first reply line a server sends (b"" if none within timeout)."""
    sock.settimeout(timeout)
    data = b""
    try:
        while b"\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    return data.split(b"\n", 1)[0].rstrip(b"\r")


@dataclass
class LmtpResult:
    """What an LMTP server said in one transaction. Replies are (code, text);
    multi-line texts are joined with "\\n"."""
    banner: tuple[int, str]
    lhlo: tuple[int, str]
    mail: tuple[int, str]
    rcpt: list[tuple[str, int, str]] = field(default_factory=list)      # every RCPT, in order
    data: tuple[int, str] | None = None                                  # the reply to DATA (354)
    delivery: list[tuple[str, int, str]] = field(default_factory=list)  # one per accepted RCPT

    def rcpt_reply(self, rcpt: str) -> tuple[int, str]:
        return next((c, t) for r, c, t in self.rcpt if r == rcpt)

    def delivery_reply(self, rcpt: str) -> tuple[int, str]:
        return next((c, t) for r, c, t in self.delivery if r == rcpt)


def dot_stuff(message: bytes) -> bytes:
    """message as DATA content: CRLF line ends, leading dots doubled, ".\\r\\n" end."""
    body = re.sub(rb"\r\n|\r|\n", b"\r\n", message)
    body = re.sub(rb"(?m)^\.", b"..", body)
    if body and not body.endswith(b"\r\n"):
        body += b"\r\n"
    return body + b".\r\n"


def lmtp_transaction(target, sender: str, recipients: list[str], message: bytes,
                     lhlo: str = "client.test", timeout: float = 15.0) -> LmtpResult:
    """One LMTP transaction: LHLO, MAIL, RCPT each, DATA (only if a RCPT was
    accepted) and one reply per accepted RCPT (RFC 2033), QUIT. `target` is
    (host, port) or a Unix socket path. Raises on a broken connection."""
    def reply(code_msg):
        code, msg = code_msg
        return code, msg.decode("utf-8", "replace")

    conn = smtplib.LMTP(timeout=timeout)
    try:
        if isinstance(target, str):
            banner = conn.connect(target)
        else:
            banner = conn.connect(target[0], target[1])
        result = LmtpResult(banner=reply(banner), lhlo=reply(conn.docmd("LHLO", lhlo)),
                            mail=reply(conn.docmd(f"MAIL FROM:<{sender}>")))
        accepted = []
        for rcpt in recipients:
            code, text = reply(conn.docmd(f"RCPT TO:<{rcpt}>"))
            result.rcpt.append((rcpt, code, text))
            if code == 250:
                accepted.append(rcpt)
        if accepted:
            result.data = reply(conn.docmd("DATA"))
            if result.data[0] == 354:
                conn.send(dot_stuff(message))
                for rcpt in accepted:
                    result.delivery.append((rcpt, *reply(conn.getreply())))
        try:
            conn.docmd("QUIT")
        except smtplib.SMTPException:
            pass
        return result
    finally:
        conn.close()


def _maildir_key(name: str):
    # Dovecot names new mail "<secs>.M<usecs>P<pid>.<host>,S=..,W=..[:2,flags]".
    m = re.match(r"(\d+)\.M(\d+)P(\d+)", name)
    return (int(m.group(1)), int(m.group(2)), name) if m else (1 << 62, 0, name)


class DovecotLmtp(Peer):
    """A private Dovecot serving LMTP for `users` at `domain`."""

    def __init__(self, users: dict | list | tuple = ("alice", "bob"), domain: str = "lmtp.test", *,
                 address: str = "127.0.0.1", hostname: str | None = None,
                 rcpt_check_quota: bool = False, quota_full_tempfail: bool = False,
                 quota_grace: str | None = None, verbose: bool = False,
                 extra_config: str = "", ready_timeout: float = 20.0, stop_timeout: float = 10.0):
        if not isinstance(users, dict):
            users = {u: {} for u in users}
        self.users = {}
        for name, opts in users.items():
            local = name.lower()
            if "@" in local or ":" in local or "/" in local or not local:
                raise ValueError(f"user {name!r}: give the local part only (domain is {domain!r})")
            if local in self.users:
                raise ValueError(f"user {name!r} given twice")
            self.users[local] = dict(opts or {})
        self.domain = domain.lower()
        self.host = address
        self.hostname = hostname or self.domain
        self.rcpt_check_quota = rcpt_check_quota
        self.quota_full_tempfail = quota_full_tempfail
        self.quota_grace = quota_grace
        self.verbose = verbose
        self.extra_config = extra_config
        self.ready_timeout = ready_timeout
        self.stop_timeout = stop_timeout
        self.port = 0
        self.dir: str | None = None
        self.process: subprocess.Popen | None = None
        self._final_log = ""

    # --- what tests use ---------------------------------------------------

    @property
    def socket_path(self) -> str:
        return os.path.join(self.dir or "", "lmtp")

    @property
    def tcp(self) -> tuple[str, int]:
        """(host, port) of the TCP listener, e.g. for lmtp_transaction()."""
        return (self.host, self.port)

    @property
    def target(self) -> str:
        """"127.0.0.1:<port>" (or "[::1]:<port>") of the TCP listener."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    def address(self, user: str) -> str:
        return f"{user.lower()}@{self.domain}"

    def maildir(self, user: str) -> str:
        return os.path.join(self.dir or "", "mail", user.lower())

    def mailbox(self, user: str) -> list[bytes]:
        """The messages in user's INBOX (Maildir new/ and cur/), oldest first,
        as stored: Dovecot adds Return-Path and Received headers (and
        Delivered-To for a single recipient) and stores LF line endings."""
        root = self.maildir(user)
        for _ in range(5):  # a file renamed new/ -> cur/ mid-scan: scan again
            found = []
            for sub in ("new", "cur"):
                try:
                    names = os.listdir(os.path.join(root, sub))
                except FileNotFoundError:
                    continue
                found += [(n, os.path.join(root, sub, n)) for n in names if not n.startswith(".")]
            try:
                out = []
                for _name, path in sorted(found, key=lambda f: _maildir_key(f[0])):
                    with open(path, "rb") as fh:
                        out.append(fh.read())
                return out
            except FileNotFoundError:
                continue
        raise DovecotError(f"{root} kept changing while being read")

    def wait_mailbox(self, user: str, count: int = 1, timeout: float = 20.0) -> list[bytes]:
        """Poll until user's INBOX holds at least `count` messages; returns them."""
        deadline = time.monotonic() + timeout
        while True:
            msgs = self.mailbox(user)
            if len(msgs) >= count:
                return msgs
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.address(user)} has {len(msgs)} message(s), "
                                   f"expected {count}, after {timeout} s\n" + self.log())
            time.sleep(0.02)

    def put(self, user: str, message: bytes) -> str:
        """Drop a message straight into user's Maildir new/ (e.g. to fill a
        quota before a test); Dovecot counts it at its next sync. Returns
        the file's path."""
        root = self.maildir(user)
        for sub in ("tmp", "new", "cur"):
            os.makedirs(os.path.join(root, sub), exist_ok=True)
        self._put_seq = getattr(self, "_put_seq", 0) + 1
        now = time.time()
        name = f"{int(now)}.M{int(now % 1 * 1e6)}P{os.getpid()}Q{self._put_seq}.harness,S={len(message)}"
        tmp = os.path.join(root, "tmp", name)
        with open(tmp, "wb") as fh:
            fh.write(message)
        path = os.path.join(root, "new", name)
        os.rename(tmp, path)
        uid, gid = self._mail_ids()
        if os.geteuid() == 0:
            for p in (root, *(os.path.join(root, s) for s in ("tmp", "new", "cur")), path):
                os.chown(p, uid, gid)
        return path

    def log(self) -> str:
        """Dovecot's log (and anything it wrote to stdout/stderr); still
        available after stop()."""
        if not self.dir:
            return self._final_log
        out = []
        for f in ("dovecot.log", "dovecot.out"):
            try:
                with open(os.path.join(self.dir, f), errors="replace") as fh:
                    out.append(fh.read())
            except OSError:
                pass
        return "".join(out)

    def process_ids(self) -> list[int]:
        """PIDs of the master and every live process in its process group."""
        return group_pids(self.process.pid) if self.process else []

    # --- life cycle -------------------------------------------------------

    def start(self) -> "DovecotLmtp":
        if self.process:
            return self
        self.dir = self._make_dir()
        try:
            self._write_passwd()
            if self.launch_on_free_port(lambda: free_port(self.host), DovecotError, prepare=self._write_config,
                                        after_taken=lambda: shutil.rmtree(os.path.join(self.dir, "run"),
                                                                          ignore_errors=True)):
                return self
            raise DovecotError("dovecot could not bind a port after 8 attempts\n" + self.log())
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        self._kill()
        if self.dir:
            self._final_log = self.log()
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    # --- internals --------------------------------------------------------

    def _make_dir(self) -> str:
        # Unix socket paths (ours and those in base_dir, e.g. run/token-login/...)
        # must fit sun_path: fall back to /tmp when $TMPDIR is too deep.
        d = tempfile.mkdtemp(prefix="impulse-dovecot-")
        if len(d) + len("/run/token-login/tokenlogin") > SUN_PATH_MAX:
            os.rmdir(d)
            d = tempfile.mkdtemp(prefix="impulse-dovecot-", dir="/tmp")
        # Dovecot's unprivileged processes (auth as `dovecot`, lmtp after
        # dropping to the mail user) must traverse it and read the passwd-file.
        os.chmod(d, 0o755)
        return d

    def _mail_ids(self) -> tuple[int, int]:
        if os.geteuid() != 0:
            return os.getuid(), os.getgid()
        try:
            pw = pwd.getpwnam("nobody")
            return pw.pw_uid, pw.pw_gid
        except KeyError:
            return 65534, 65534

    def _service_users(self) -> tuple[str, str]:
        if os.geteuid() != 0:
            me = pwd.getpwuid(os.getuid()).pw_name
            return me, me
        internal = "dovecot" if _user_exists("dovecot") else "nobody"
        login = "dovenull" if _user_exists("dovenull") else "nobody"
        return internal, login

    def _write_passwd(self) -> None:
        lines = []
        for local, opts in self.users.items():
            rules = []
            if opts.get("quota_rule") is not None:
                rules.append(opts["quota_rule"])
            elif opts.get("quota") is not None:
                rules.append(f"*:storage={opts['quota']}")
            if opts.get("messages") is not None:
                rules.append(f"*:messages={int(opts['messages'])}")
            # Dovecot reads quota_rule, quota_rule2, ... and stops at the first gap.
            extra = [f"userdb_quota_rule{'' if i == 0 else i + 1}={r}" for i, r in enumerate(rules)]
            password = opts.get("password", "secret")
            lines.append(f"{local}@{self.domain}:{{PLAIN}}{password}::::::{' '.join(extra)}")
        path = os.path.join(self.dir, "passwd")
        with open(path, "w") as fh:
            fh.write("\n".join(lines) + "\n")
        os.chmod(path, 0o644)
        mail = os.path.join(self.dir, "mail")
        os.mkdir(mail, 0o700)
        uid, gid = self._mail_ids()
        if os.geteuid() == 0:
            os.chown(mail, uid, gid)

    def _write_config(self) -> None:
        d = self.dir
        uid, gid = self._mail_ids()
        internal, login = self._service_users()
        non_root = os.geteuid() != 0
        lines = [
            "# Written by tests/integration/harness/dovecot.py; includes nothing from /etc.",
            f"base_dir = {d}/run",
            f"state_dir = {d}/state",
            f"log_path = {d}/dovecot.log",
            f"info_log_path = {d}/dovecot.log",
            f"debug_log_path = {d}/dovecot.log",
            f"instance_name = {os.path.basename(d)}",
            f"hostname = {self.hostname}",
            "protocols = lmtp",
            f"listen = {self.host}",
            "ssl = no",
            f"default_internal_user = {internal}",
            f"default_login_user = {login}",
            "first_valid_uid = 1",
            "first_valid_gid = 1",
            "auth_verbose = yes",
            "stats_writer_socket_path =",
            "auth_mechanisms = plain",
            f"mail_location = maildir:{d}/mail/%n",
            "mail_plugins = quota",
            "lmtp_save_to_detail_mailbox = no",
            f"quota_full_tempfail = {'yes' if self.quota_full_tempfail else 'no'}",
            f"lmtp_rcpt_check_quota = {'yes' if self.rcpt_check_quota else 'no'}",
            f"postmaster_address = postmaster@{self.domain}",
            "passdb {",
            "  driver = passwd-file",
            f"  args = {d}/passwd",
            "}",
            "userdb {",
            "  driver = passwd-file",
            f"  args = {d}/passwd",
            f"  default_fields = uid={uid} gid={gid} home={d}/mail/%n",
            "}",
            "service lmtp {",
            "  inet_listener lmtp {",
            f"    address = {self.host}",
            f"    port = {self.port}",
            "  }",
            f"  unix_listener {d}/lmtp {{",
            "    mode = 0666",
            "  }",
            "}",
            "plugin {",
            "  quota = count:User quota",
            "  quota_vsizes = yes",
        ]
        if self.quota_grace is not None:
            lines.append(f"  quota_grace = {self.quota_grace}")
        lines.append("}")
        if self.verbose:
            lines += ["mail_debug = yes", "auth_debug = yes", "verbose_proctitle = yes"]
        if non_root:
            # Without root Dovecot cannot chroot or switch users and groups.
            lines += [f"default_internal_group = {grp.getgrgid(os.getgid()).gr_name}",
                      "service anvil {", "  chroot =", "}",
                      "service stats {", "  chroot =", "}"]
        if self.extra_config:
            lines.append(self.extra_config)
        with open(os.path.join(d, "dovecot.conf"), "w") as fh:
            fh.write("\n".join(lines) + "\n")

    def _spawn(self) -> None:
        # its own process group, for the final sweep
        self.process = spawn([_program("dovecot"), "-F", "-c", os.path.join(self.dir, "dovecot.conf")],
                             os.path.join(self.dir, "dovecot.out"))

    def _banner_tcp(self) -> bytes:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as s:
            s.settimeout(0.5)
            try:
                s.connect((self.host, self.port))
            except OSError:
                return b""
            return read_banner(s, 0.5)

    def _banner_unix(self) -> bytes:
        try:
            if not stat.S_ISSOCK(os.stat(self.socket_path).st_mode):
                return b""
        except OSError:
            return b""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(0.5)
            try:
                s.connect(self.socket_path)
            except OSError:
                return b""
            return read_banner(s, 0.5)

    def _wait_ready(self) -> str:
        deadline = time.monotonic() + self.ready_timeout
        tcp_ok = unix_ok = False
        while time.monotonic() < deadline:
            if self.process.poll() is not None:  # _kill() still sweeps its group
                log = self.log()
                if f"{self.port}) failed: Address already in use" in log:
                    return "port taken"
                return "dovecot exited during start-up\n" + log
            tcp_ok = tcp_ok or self._banner_tcp().startswith(b"220 ")
            unix_ok = unix_ok or self._banner_unix().startswith(b"220 ")
            if tcp_ok and unix_ok:
                return "ready"
            time.sleep(0.02)
        return (f"dovecot LMTP did not greet within {self.ready_timeout} s "
                f"(tcp {tcp_ok}, unix {unix_ok})\n" + self.log())

    def _kill(self) -> None:
        # SIGTERM goes to the whole process group, not only the master: alone,
        # the master sleeps 1 s after stopping its children and waits 5 s for
        # an lmtp child that was still starting (one is forked whenever the
        # others are busy, e.g. right after the readiness probes).
        proc, self.process = self.process, None
        if proc is None:
            return
        deadline = time.monotonic() + self.stop_timeout
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=self.stop_timeout)
        except subprocess.TimeoutExpired:
            pass
        while True:
            members = group_pids(proc.pid)
            if not members and proc.poll() is not None:
                break
            if time.monotonic() > deadline:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait()
                break
            time.sleep(0.01)
