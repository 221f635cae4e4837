"""Receiving SMTP servers for integration tests: Postfix's smtp-sink and a
private Postfix smtpd, both from the privately unpacked Debian package in
$IMPULSE_TOOLS (scripts/install-deps.sh puts it in <repo>/.tools/postfix).

SmtpSink -- `smtp-sink` on 127.x (or ::1) at a free port, appending every
completed mail transaction to one dump file (`-D`, records marked with -S),
with switches for the features it advertises and for chosen failures:

    from harness.smtp_peers import SmtpSink

    with SmtpSink("127.0.0.20", disable={"PIPELINING"}, soft_reject={"RCPT"}) as sink:
        ...                                     # sink.address, sink.port, sink.hostport
        [m] = sink.wait_messages(1)             # SinkMessage
        m.client_addr, m.helo, m.sender, m.recipients, m.mail_args, m.data

    A message is listed, in completion order, once smtp-sink has appended
    it to the dump file, which it does when the final "." arrives, before
    it answers it (so a "." rejected with hard_reject={"."} is still
    listed). A transaction aborted by RSET, a new EHLO or a disconnect is
    never listed. smtp-sink stores DATA with LF line ends and dots unstuffed
    (a body containing the record mark SINK_RECORD_MARK would confuse the
    parser). connections() lists the client address of every
    accepted connection (from smtp-sink's -v log), also those that never got
    to DATA. smtp-sink has no STARTTLS (it answers 500), no SIZE, no SMTPUTF8.

PostfixSmtpd -- a private, minimal Postfix instance (master -d, one smtpd on
the chosen address and port, everything else on UNIX sockets in its own
queue directory) that delivers every recipient, whatever its domain, with
the `virtual` agent into one Maildir; optionally with STARTTLS:

    from harness.smtp_peers import PostfixSmtpd
    from harness.test_ca import TestCA

    ca = TestCA(tmp_path)
    cert, key = ca.issue("mx.tls.test", ips=["127.0.0.21"])
    with PostfixSmtpd("127.0.0.21", hostname="mx.tls.test", tls=(cert, key)) as mx:
        ...
        [m] = mx.wait_messages(1)               # PostfixMessage, one per recipient
        m.client_addr, m.helo, m.sender, m.recipient, m.protocol ("ESMTPS"...), m.tls
        mx.clients()                            # client address of each transaction (log)
        mx.log(), mx.wait_log(r"regex")         # its maillog (maillog_file via postlogd)

    The client address, HELO name, protocol and TLS session come from the
    Received header smtpd adds (no reverse DNS: "unknown [127.0.0.2]";
    smtpd_tls_received_header = yes); sender and recipient from the
    Return-Path and X-Original-To headers `virtual` adds; m.data is the
    message as the client sent it (LF line ends, those headers removed).
    Postfix adds no Message-ID/Date/From (local_header_rewrite_clients is
    empty). Copies are listed in delivery order (Maildir names carry seconds
    and microseconds); key them by recipient when a test sends several.

    tls_level="encrypt" makes STARTTLS mandatory (smtpd_tls_security_level).
    main_cf={...} adds or overrides main.cf parameters. Start-up takes
    ~0.15 s; errors that stop the master are reported with `postfix check`'s
    output (the master itself logs them only to syslog).

Both run in their own process group/session, are found ready by polling
(smtp-sink: its listening socket exists; Postfix: the port answers 220) and
are stopped by PID (SIGTERM, SIGKILL after a deadline, then SIGKILL to
whatever is left in their session). pids() lists the processes still alive,
for tests that check the clean-up. Both need root (smtp-sink drops to
`nobody` with -u; Postfix's master needs root); the postfix user and group
and the postdrop group are created when missing.
"""

from __future__ import annotations

import email
import email.policy
import fcntl
import grp
import ipaddress
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass

from harness.impulse import TOOLS
from harness.process import (Peer, fd_targets, forget_at_exit, free_port, hostport, owns_listener, read_text,
                              session_pids, spawn, stop_at_exit, stop_session, wait_for)

__all__ = ["SmtpSink", "SinkMessage", "PostfixSmtpd", "PostfixMessage", "PeerError",
           "postfix_root", "ensure_postfix_users"]


class PeerError(RuntimeError):
    pass


def postfix_root() -> str:
    """The privately unpacked postfix package (…/.tools/postfix)."""
    return os.path.join(TOOLS, "postfix")


def _sbin(name: str) -> str:
    for d in ("usr/sbin", "usr/lib/postfix/sbin"):
        p = os.path.join(postfix_root(), d, name)
        if os.access(p, os.X_OK):
            return p
    raise PeerError(f"{name} not found under {postfix_root()}; run scripts/install-deps.sh")


def _lib_env() -> dict:
    env = dict(os.environ)
    lib = os.path.join(postfix_root(), "usr/lib/postfix")
    env["LD_LIBRARY_PATH"] = lib + (":" + env["LD_LIBRARY_PATH"] if env.get("LD_LIBRARY_PATH") else "")
    return env


def _banner(address: str, port: int, timeout: float = 2.0) -> bytes | None:
    """The first line the server sends, or None when it cannot be reached."""
    fam = socket.AF_INET6 if ":" in address else socket.AF_INET
    try:
        with socket.socket(fam, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect((address, port))
            data = b""
            while b"\n" not in data:
                chunk = s.recv(512)
                if not chunk:
                    break
                data += chunk
            if data.startswith(b"220"):
                try:
                    s.sendall(b"QUIT\r\n")
                    s.recv(512)
                except OSError:
                    pass
            return data.split(b"\n", 1)[0] if data else None
    except OSError:
        return None


def _check_address(address: str) -> None:
    ip = ipaddress.ip_address(address)
    if not ip.is_loopback:
        raise ValueError(f"test peers listen on loopback only, not {address}")


def _strip_angle(addr: str) -> str:
    addr = addr.strip()
    return addr[1:-1] if addr.startswith("<") and addr.endswith(">") else addr


# --- smtp-sink ------------------------------------------------------------

# EHLO features smtp-sink can be told not to announce
SINK_FEATURES = {
    "8BITMIME": "-8", "AUTH": "-a", "XCLIENT": "-C", "ESMTP": "-e",
    "ENHANCEDSTATUSCODES": "-E", "XFORWARD": "-F", "DSN": "-N", "PIPELINING": "-p",
}
# commands that the failure options take (case-insensitive)
SINK_COMMANDS = {"CONNECT", "HELO", "EHLO", "LHLO", "MAIL", "RCPT", "VRFY", "DATA", ".", "RSET",
                 "NOOP", "QUIT", "XCLIENT", "XFORWARD", "AUTH"}


# -S: what smtp-sink writes before each dumped transaction (it expands C escapes)
SINK_RECORD_MARK_ARG = r"\001\002impulse-smtp-sink-record\002\001\n"
SINK_RECORD_MARK = b"\x01\x02impulse-smtp-sink-record\x02\x01\n"


@dataclass
class SinkMessage:
    """One mail transaction as smtp-sink dumped it."""
    index: int                 # 0-based position in completion order
    client_addr: str           # "127.0.0.2" or "::1"
    client_proto: str          # SMTP, ESMTP or LMTP
    helo: str | None           # argument of the last HELO/EHLO
    mail_args: str             # everything after "MAIL FROM:", e.g. "<a@x> BODY=8BITMIME"
    rcpt_args: list[str]       # everything after "RCPT TO:", one per RCPT command
    data: bytes                # DATA as received: LF line ends, dots unstuffed
    raw: bytes                 # the whole dump record

    @property
    def sender(self) -> str:
        """The MAIL FROM address without <> ("" for the null sender)."""
        return _split_path(self.mail_args)[0]

    @property
    def mail_params(self) -> list[str]:
        """ESMTP parameters of MAIL FROM, e.g. ["BODY=8BITMIME", "SIZE=123"]."""
        return _split_path(self.mail_args)[1]

    @property
    def recipients(self) -> list[str]:
        """The RCPT TO addresses without <>."""
        return [_split_path(a)[0] for a in self.rcpt_args]

    @property
    def rcpt_params(self) -> list[list[str]]:
        """ESMTP parameters of each RCPT TO, e.g. [["NOTIFY=NEVER"]]."""
        return [_split_path(a)[1] for a in self.rcpt_args]

    @property
    def message(self) -> email.message.Message:
        return email.message_from_bytes(self.data, policy=email.policy.compat32)

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", "replace")


def _split_path(args: str) -> tuple[str, list[str]]:
    """"<a@x> BODY=8BITMIME" -> ("a@x", ["BODY=8BITMIME"])."""
    args = args.strip()
    if args.startswith("<") and ">" in args:
        end = args.index(">")
        return args[1:end], args[end + 1:].split()
    words = args.split()
    return (words[0] if words else ""), words[1:]


def parse_sink_dump(index: int, raw: bytes) -> SinkMessage:
    lines = raw.split(b"\n")
    fields: dict[str, list[str]] = {}
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith(b"Received: "):
            i += 1
            while i < len(lines) and lines[i][:1] in (b"\t", b" "):
                i += 1
            break
        key, _, value = line.decode("utf-8", "replace").partition(": ")
        fields.setdefault(key, []).append(value)
        i += 1
    data = b"\n".join(lines[i:])
    if data.endswith(b"\n"):  # smtp-sink writes the LF of the final ".\r\n" too
        data = data[:-1]
    addr = fields.get("X-Client-Addr", [""])[0]
    if addr.startswith("ipv6:"):
        addr = addr[5:]
    return SinkMessage(
        index=index, client_addr=addr,
        client_proto=fields.get("X-Client-Proto", [""])[0],
        helo=fields.get("X-Helo-Args", [None])[0],
        mail_args=fields.get("X-Mail-Args", [""])[0],
        rcpt_args=fields.get("X-Rcpt-Args", []),
        data=data, raw=raw)


def _cmds(names, what: str) -> str | None:
    if not names:
        return None
    if isinstance(names, str):
        names = [names]
    out = []
    for n in names:
        if n.upper() not in SINK_COMMANDS:
            raise ValueError(f"{what}: unknown smtp-sink command {n!r} (one of {sorted(SINK_COMMANDS)})")
        out.append(n.lower())
    return ",".join(out)


class SmtpSink(Peer):
    """Postfix's smtp-sink on `address` (any 127.0.0.0/8 address or ::1),
    `port` (0: a free one). Options:

    hostname        name in the greeting and EHLO reply (-h; default "smtp-sink")
    disable         EHLO features not to announce: any of SINK_FEATURES
                    (8BITMIME AUTH XCLIENT ESMTP ENHANCEDSTATUSCODES XFORWARD DSN PIPELINING)
    hard_reject     commands answered with a 5xx (-f), e.g. {"RCPT"} or {"."}; implies no PIPELINING
    soft_reject     commands answered with a 4xx (-r); implies no PIPELINING
    hard_reply / soft_reply   the text of those replies (-B / -b), e.g. "550 5.1.1 no such user"
    disconnect      commands after which it disconnects without replying (-q), e.g. {"DATA"} or {"CONNECT"}
    reply_421       commands answered with 421 and a disconnect (-Q)
    delays          {command: seconds} to wait before answering (-W), e.g. {"MAIL": 2}
    data_delay      seconds to wait before answering DATA (-w)
    abort_after_data  seconds after the 354, then a 550 and disconnect (-A; 0: at once)
                    (smtp-sink takes whole seconds only)
    lmtp            speak LMTP (-L)
    max_messages / max_sessions   exit after that many (-M / -n)
    command_timeout seconds (-t)
    dump            write each transaction to a file (-d; needed by messages())
    verbose         -v log (needed by connections())
    extra_args      more smtp-sink options, verbatim
    """

    def __init__(self, address: str = "127.0.0.1", port: int = 0, *, hostname: str | None = None,
                 disable=(), hard_reject=(), soft_reject=(), hard_reply: str | None = None,
                 soft_reply: str | None = None, disconnect=(), reply_421=(), delays: dict | None = None,
                 data_delay: float | None = None, abort_after_data: float | None = None,
                 lmtp: bool = False, max_messages: int | None = None, max_sessions: int | None = None,
                 command_timeout: int | None = None, dump: bool = True, verbose: bool = True,
                 extra_args=(), user: str = "nobody", backlog: int = 64, ready_timeout: float = 15.0):
        _check_address(address)
        self.address = str(ipaddress.ip_address(address))
        self.requested_port = port
        self.port = port
        self.dump = dump
        self.verbose = verbose
        self.user = user
        self.backlog = backlog
        self.ready_timeout = ready_timeout
        self.dir: str | None = None
        self.process: subprocess.Popen | None = None
        args: list[str] = []
        for feat in ({disable} if isinstance(disable, str) else set(disable)):
            if feat.upper() not in SINK_FEATURES:
                raise ValueError(f"disable: unknown feature {feat!r} (one of {sorted(SINK_FEATURES)})")
            args.append(SINK_FEATURES[feat.upper()])
        for opt, names, what in (("-f", hard_reject, "hard_reject"), ("-r", soft_reject, "soft_reject"),
                                 ("-q", disconnect, "disconnect"), ("-Q", reply_421, "reply_421")):
            v = _cmds(names, what)
            if v:
                args += [opt, v]
        if hard_reply:
            args += ["-B", hard_reply]
        if soft_reply:
            args += ["-b", soft_reply]
        for cmd, secs in (delays or {}).items():
            _cmds([cmd], "delays")
            args += ["-W", f"{cmd.lower()}:{int(secs)}"]
        if data_delay is not None:
            args += ["-w", str(int(data_delay))]
        if abort_after_data is not None:
            args += ["-A", str(int(abort_after_data))]
        if lmtp:
            args.append("-L")
        if max_messages is not None:
            args += ["-M", str(max_messages)]
        if max_sessions is not None:
            args += ["-n", str(max_sessions)]
        if command_timeout is not None:
            args += ["-t", str(command_timeout)]
        if hostname:
            args += ["-h", hostname]
        if verbose:
            args.append("-v")
        self.options = args + list(extra_args)


    @property
    def dump_dir(self) -> str:
        return os.path.join(self.dir, "dump")

    @property
    def dump_path(self) -> str:
        """The shared dump file (smtp-sink -D): every completed transaction."""
        return os.path.join(self.dump_dir, "transactions")

    @property
    def log_path(self) -> str:
        return os.path.join(self.dir, "smtp-sink.log")

    def log(self) -> str:
        """smtp-sink's stderr (the SMTP conversation when verbose)."""
        return read_text(self.log_path) if self.dir else ""

    def pids(self) -> list[int]:
        """Processes still alive in the sink's session (empty after stop())."""
        return session_pids(self._sid) if getattr(self, "_sid", None) else []

    def start(self) -> "SmtpSink":
        if self.process:
            return self
        self.dir = os.path.realpath(tempfile.mkdtemp(prefix="impulse-sink-"))
        try:
            os.chmod(self.dir, 0o755)
            os.makedirs(self.dump_dir)
            if os.geteuid() == 0:
                pw = pwd.getpwnam(self.user)
                os.chown(self.dump_dir, pw.pw_uid, pw.pw_gid)
            if self.launch_on_free_port(lambda: self.requested_port or free_port(self.address), PeerError,
                                        attempts=1 if self.requested_port else 8):
                stop_at_exit(self)
                return self
            raise PeerError(f"smtp-sink could not bind {self.hostport}\n" + self.log())
        except BaseException:
            self.stop()
            raise

    def stop(self, timeout: float = 5.0) -> None:
        forget_at_exit(self)
        self._kill(timeout)
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    # received mail

    def _complete_dump(self) -> bytes:
        """The part of the shared dump file that holds whole transactions.

        smtp-sink appends a finished transaction to it (opening and closing
        the file each time) only when the final "." arrives, so the file
        lists transactions in the order they completed. An append is in
        progress exactly while the file is open in the sink; a size that is
        the same before and after a moment when it was not open is a size
        that no append touched, so its bytes are whole records."""
        if not self.dump:
            raise PeerError("SmtpSink(dump=False) keeps no messages")
        path = self.dump_path
        for _ in range(1000):
            try:
                before = os.stat(path).st_size
            except FileNotFoundError:
                return b""
            if not self._dead() and path in fd_targets(self.pid):
                time.sleep(0.001)
                continue
            if os.stat(path).st_size != before:
                continue
            with open(path, "rb") as fh:
                return fh.read(before)
        raise PeerError(f"smtp-sink kept appending to {path}")

    def messages(self) -> list[SinkMessage]:
        """Completed transactions, in the order they completed."""
        records = self._complete_dump().split(SINK_RECORD_MARK)
        return [parse_sink_dump(i, r) for i, r in enumerate(records[1:])]

    @property
    def count(self) -> int:
        return self._complete_dump().count(SINK_RECORD_MARK)

    def wait_messages(self, n: int, timeout: float = 20.0) -> list[SinkMessage]:
        """Poll until at least n transactions are complete; returns all of them."""
        wait_for(lambda: self.count >= n or self._dead(), timeout,
                 what=f"{n} message(s) at smtp-sink {self.hostport}")
        msgs = self.messages()
        if len(msgs) < n:
            raise PeerError(f"smtp-sink exited with {len(msgs)} message(s)\n" + self.log())
        return msgs

    def connections(self) -> list[str]:
        """Client address of each connection accepted so far (needs verbose)."""
        if not self.verbose:
            raise PeerError("SmtpSink(verbose=False) does not log connections")
        return re.findall(r": connect \(AF_INET6? ([0-9A-Fa-f:.]+)\)", self.log())

    def wait_connections(self, n: int, timeout: float = 20.0) -> list[str]:
        wait_for(lambda: len(self.connections()) >= n, timeout,
                 what=f"{n} connection(s) at smtp-sink {self.hostport}")
        return self.connections()

    # internals

    def _dead(self) -> bool:
        return self.process is None or self.process.poll() is not None

    def _spawn(self) -> None:
        args = [_sbin("smtp-sink")]
        if os.geteuid() == 0:
            args += ["-u", self.user]  # smtp-sink refuses to run as root without it
        args += self.options
        if self.dump:
            args += ["-D", self.dump_path, "-S", SINK_RECORD_MARK_ARG]
        args += [self.hostport, str(self.backlog)]
        self.command = args
        self.process = spawn(args, self.log_path, env=_lib_env())
        self._sid = self.process.pid

    def _wait_ready(self) -> str:
        deadline = time.monotonic() + self.ready_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = self.log()
                self.process = None
                if "in use" in log:
                    return "port taken"
                return f"smtp-sink exited during start-up: {' '.join(self.command)}\n{log}"
            if owns_listener(self.process.pid, self.address, self.port):
                return "ready"
            time.sleep(0.01)
        return f"smtp-sink did not listen on {self.hostport} within {self.ready_timeout} s\n" + self.log()

    def _kill(self, timeout: float = 5.0) -> None:
        proc, self.process = self.process, None
        stop_session(proc, timeout)


# --- Postfix smtpd ----------------------------------------------------------


_USERS_LOCK = os.path.join(tempfile.gettempdir(), "impulse-postfix-users.lock")


def ensure_postfix_users() -> None:
    """Create the postfix user and group and the postdrop group if missing
    (as Debian's package would), serialised across parallel test processes."""
    def have_user(u):
        try:
            pwd.getpwnam(u)
            return True
        except KeyError:
            return False

    def have_group(g):
        try:
            grp.getgrnam(g)
            return True
        except KeyError:
            return False

    if have_user("postfix") and have_group("postfix") and have_group("postdrop"):
        return
    if os.geteuid() != 0:
        raise PeerError("the postfix user/postdrop group are missing and only root can create them")
    with open(_USERS_LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for g in ("postfix", "postdrop"):
            if not have_group(g):
                subprocess.run(["groupadd", "--system", g], check=True, capture_output=True)
        if not have_user("postfix"):
            subprocess.run(["useradd", "--system", "--gid", "postfix", "--home-dir", "/nonexistent",
                            "--no-create-home", "--shell", "/usr/sbin/nologin", "postfix"],
                           check=True, capture_output=True)


@dataclass
class PostfixMessage:
    """One delivered copy (one per recipient) in the PostfixSmtpd's Maildir."""
    path: str
    sender: str                # envelope sender (Return-Path, without <>; "" for the null sender)
    recipient: str             # envelope recipient as given in RCPT TO (X-Original-To)
    delivered_to: str          # the recipient after Postfix's rewriting (Delivered-To)
    received: str              # the Received header smtpd added (unfolded)
    data: bytes                # the message as the client sent it (LF line ends)
    raw: bytes                 # the whole Maildir file
    client_addr: str = ""      # "127.0.0.2", "::1"
    client_name: str = ""      # "unknown" (no reverse lookups)
    helo: str = ""
    protocol: str = ""         # SMTP, ESMTP, ESMTPS, ESMTPSA, ...
    queue_id: str = ""
    tls: str | None = None     # e.g. "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)"

    @property
    def message(self) -> email.message.Message:
        return email.message_from_bytes(self.data, policy=email.policy.compat32)

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", "replace")


_RECEIVED_RE = re.compile(
    r"^from (?P<helo>\S+) \((?P<name>[^\s\[]*) ?\[(?:IPv6:)?(?P<addr>[0-9A-Fa-f:.]+)\]\)"
    r".*?\bwith (?P<proto>\S+) id (?P<qid>[0-9A-Za-z]+)", re.S)


def _parenthesised(text: str, opener: str) -> str | None:
    """What follows `opener` (e.g. "(using ") up to its balanced ")"."""
    start = text.find(opener)
    if start < 0:
        return None
    depth, i = 1, start + len(opener)
    while i < len(text):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            return text[start + len(opener):i]
        i += 1
    return None


def parse_maildir_file(path: str, raw: bytes) -> PostfixMessage:
    lines = raw.split(b"\n")
    headers: list[tuple[str, str]] = []
    i = 0
    # Return-Path, X-Original-To, Delivered-To (virtual), then smtpd's Received
    while i < len(lines) and len(headers) < 4:
        line = lines[i].decode("utf-8", "replace")
        name, _, value = line.partition(":")
        i += 1
        while i < len(lines) and lines[i][:1] in (b" ", b"\t"):
            value += " " + lines[i].decode("utf-8", "replace").strip()
            i += 1
        headers.append((name.strip(), value.strip()))
        if name.strip().lower() == "received":
            break
    h = {k.lower(): v for k, v in headers}
    received = h.get("received", "")
    msg = PostfixMessage(path=path, sender=_strip_angle(h.get("return-path", "")),
                         recipient=h.get("x-original-to", ""), delivered_to=h.get("delivered-to", ""),
                         received=re.sub(r"\s+", " ", received), data=b"\n".join(lines[i:]), raw=raw)
    m = _RECEIVED_RE.search(msg.received)
    if m:
        msg.helo, msg.client_name, msg.client_addr = m["helo"], m["name"], m["addr"]
        msg.protocol, msg.queue_id = m["proto"], m["qid"]
        msg.tls = _parenthesised(msg.received, "(using ")
    return msg


# master.cf services besides the smtpd listener: what a queue that takes
# mail over SMTP and delivers it with `virtual` needs (no pickup, no smtp
# client, no postscreen). chroot is off everywhere.
_MASTER_SERVICES = """\
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""


class PostfixSmtpd(Peer):
    """A private Postfix that accepts any mail on address:port and delivers
    it into a Maildir (see the module doc). Options:

    hostname     myhostname: the name in its greeting and Received headers
    tls          (cert_path, key_path): offer STARTTLS with that certificate
    tls_level    smtpd_tls_security_level when tls is given: "may" (default) or "encrypt"
    main_cf      {parameter: value} added last to main.cf (overrides)
    """

    def __init__(self, address: str = "127.0.0.1", port: int = 0, *, hostname: str = "mx.test",
                 tls: tuple[str, str] | None = None, tls_level: str = "may",
                 main_cf: dict | None = None, ready_timeout: float = 30.0):
        _check_address(address)
        self.address = str(ipaddress.ip_address(address))
        self.requested_port = port
        self.port = port
        self.hostname = hostname
        self.tls = tls
        if tls_level not in ("may", "encrypt", "none"):
            raise ValueError("tls_level: may, encrypt or none")
        self.tls_level = tls_level
        self.main_cf = dict(main_cf or {})
        self.ready_timeout = ready_timeout
        self.dir: str | None = None
        self.process: subprocess.Popen | None = None


    @property
    def config_dir(self) -> str:
        return os.path.join(self.dir, "etc")

    @property
    def maildir(self) -> str:
        return os.path.join(self.dir, "mail", "inbox")

    @property
    def maillog_path(self) -> str:
        return os.path.join(self.dir, "log", "maillog")

    def log(self) -> str:
        """Postfix's maillog (plus the master's own stderr)."""
        if not self.dir:
            return ""
        return read_text(self.maillog_path) + read_text(os.path.join(self.dir, "log", "master.out"))

    def wait_log(self, pattern: str, timeout: float = 20.0) -> re.Match:
        """Poll the maillog until regex `pattern` matches; returns the match."""
        rx = re.compile(pattern, re.M)
        return wait_for(lambda: rx.search(read_text(self.maillog_path)), timeout,
                        what=f"/{pattern}/ in {self.maillog_path}")

    def pids(self) -> list[int]:
        """Processes still alive in the instance's session: the master and
        every daemon it started (empty after stop())."""
        return session_pids(self._sid) if getattr(self, "_sid", None) else []

    def postconf(self, *args: str) -> str:
        """Run postconf against this instance, e.g. postconf("-h", "mail_version")."""
        proc = subprocess.run([_sbin("postconf"), "-c", self.config_dir, *args], env=_lib_env(),
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise PeerError(f"postconf {' '.join(args)}: {proc.stderr}")
        return proc.stdout

    def start(self) -> "PostfixSmtpd":
        if self.process:
            return self
        if os.geteuid() != 0:
            raise PeerError("a private Postfix needs root (its master runs as root)")
        ensure_postfix_users()
        self.dir = os.path.realpath(tempfile.mkdtemp(prefix="impulse-pfx-"))
        try:
            self._make_dirs()
            if self.launch_on_free_port(lambda: self.requested_port or free_port(self.address), PeerError,
                                        attempts=1 if self.requested_port else 8, prepare=self._write_config):
                stop_at_exit(self)
                return self
            raise PeerError(f"postfix could not bind {self.hostport}\n" + self.log())
        except BaseException:
            self.stop()
            raise

    def stop(self, timeout: float = 10.0) -> None:
        forget_at_exit(self)
        self._kill(timeout)
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    # received mail

    def _paths(self) -> list[str]:
        new = os.path.join(self.maildir, "new")
        try:
            names = os.listdir(new)  # virtual writes in tmp/ and renames into new/: complete files only
        except FileNotFoundError:
            return []
        def key(n):  # "<seconds>.V<dev>I<inode>M<microseconds>.<host>"
            m = re.match(r"(\d+)\.[^.]*?M(\d+)", n)
            return (int(m[1]), int(m[2]), n) if m else (0, 0, n)
        return [os.path.join(new, n) for n in sorted(names, key=key)]

    def messages(self) -> list[PostfixMessage]:
        """Delivered copies (one per recipient), oldest first."""
        out = []
        for p in self._paths():
            try:
                with open(p, "rb") as fh:
                    out.append(parse_maildir_file(p, fh.read()))
            except FileNotFoundError:
                pass
        return out

    @property
    def count(self) -> int:
        return len(self._paths())

    def wait_messages(self, n: int, timeout: float = 30.0) -> list[PostfixMessage]:
        """Poll until at least n copies are delivered; returns all of them."""
        try:
            wait_for(lambda: len(self._paths()) >= n or self._dead(), timeout,
                     what=f"{n} message(s) delivered by postfix {self.hostport}")
        except TimeoutError as e:
            raise TimeoutError(f"{e}\n--- maillog ---\n{self.log()}") from None
        msgs = self.messages()
        if len(msgs) < n:
            raise PeerError(f"postfix master exited with {len(msgs)} message(s)\n" + self.log())
        return msgs

    def clients(self) -> list[str]:
        """Client address of every transaction smtpd took (its "client=" log
        lines, logged at MAIL FROM), in log order."""
        return re.findall(r"postfix/smtpd\[\d+\]: [0-9A-Za-z]+: client=[^\[\s]*\[([0-9A-Fa-f:.]+)\]",
                          read_text(self.maillog_path))

    # internals

    def _dead(self) -> bool:
        return self.process is None or self.process.poll() is not None

    def _make_dirs(self) -> None:
        pf = pwd.getpwnam("postfix")
        postdrop = grp.getgrnam("postdrop").gr_gid
        nobody = pwd.getpwnam("nobody")
        d = self.dir
        os.chmod(d, 0o755)  # mkdtemp's 0700 would keep the postfix user out
        for sub in ("etc", "log", "mail"):
            os.makedirs(os.path.join(d, sub), mode=0o755)
        os.makedirs(os.path.join(d, "data"), mode=0o700)
        os.chown(os.path.join(d, "data"), pf.pw_uid, pf.pw_gid)
        os.chown(os.path.join(d, "mail"), nobody.pw_uid, nobody.pw_gid)
        q = os.path.join(d, "spool")
        os.makedirs(q, mode=0o755)
        os.makedirs(os.path.join(q, "pid"), mode=0o755)
        # the queue layout of Postfix's postfix-files
        for sub in ("active", "bounce", "corrupt", "defer", "deferred", "flush", "hold", "incoming",
                    "private", "saved", "trace"):
            p = os.path.join(q, sub)
            os.makedirs(p, mode=0o700)
            os.chown(p, pf.pw_uid, pf.pw_gid)
        for sub, mode in (("maildrop", 0o730), ("public", 0o710)):
            p = os.path.join(q, sub)
            os.makedirs(p)
            os.chown(p, pf.pw_uid, postdrop)
            os.chmod(p, mode)
        # meta_directory: dynamicmaps.cf (Postfix reads it at start-up)
        src = os.path.join(postfix_root(), "usr/share/postfix/dynamicmaps.cf")
        if os.path.exists(src):
            shutil.copy(src, os.path.join(d, "etc", "dynamicmaps.cf"))
        os.makedirs(os.path.join(d, "etc", "dynamicmaps.cf.d"), exist_ok=True)

    def _write_config(self) -> None:
        root, d = postfix_root(), self.dir
        nobody = pwd.getpwnam("nobody")
        v6 = ":" in self.address
        params = {
            "compatibility_level": "3.6",
            "command_directory": f"{root}/usr/sbin",
            "daemon_directory": f"{root}/usr/lib/postfix/sbin",
            "shlib_directory": f"{root}/usr/lib/postfix",
            "meta_directory": f"{d}/etc",
            "sendmail_path": f"{root}/usr/sbin/sendmail",
            "newaliases_path": f"{root}/usr/bin/newaliases",
            "mailq_path": f"{root}/usr/bin/mailq",
            "manpage_directory": "no",
            "html_directory": "no",
            "readme_directory": "no",
            "queue_directory": f"{d}/spool",
            "data_directory": f"{d}/data",
            "mail_owner": "postfix",
            "setgid_group": "postdrop",
            "default_privs": "nobody",
            "import_environment": ("MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ LANG=C POSTLOG_SERVICE "
                                   f"POSTLOG_HOSTNAME LD_LIBRARY_PATH={root}/usr/lib/postfix"),
            "maillog_file_prefixes": f"{d}/log",
            "maillog_file": f"{d}/log/maillog",
            "myhostname": self.hostname,
            "mydomain": self.hostname.split(".", 1)[1] if "." in self.hostname else "test",
            "myorigin": "$myhostname",
            "mydestination": "",
            # Postfix insists that inet_interfaces are configured addresses:
            # 127.0.0.21 is not (only 127.0.0.1/8 is), but the master.cf
            # listener below binds any address
            "inet_interfaces": "loopback-only",
            "inet_protocols": "all" if v6 else "ipv4",
            "mynetworks": "127.0.0.0/8 [::1]/128",
            "smtpd_relay_restrictions": "permit_mynetworks, reject_unauth_destination",
            "smtpd_recipient_restrictions": "",
            "smtpd_peername_lookup": "no",          # no reverse DNS for 127.x: "unknown[127.0.0.2]"
            "smtpd_error_sleep_time": "0s",
            "in_flow_delay": "0s",
            "local_header_rewrite_clients": "",     # add no Message-ID/Date/From; rewrite nothing
            "append_dot_mydomain": "no",
            "biff": "no",
            "alias_maps": "",
            "alias_database": "",
            "local_recipient_maps": "",
            "relay_domains": "",
            "relayhost": "",
            # every domain is a virtual mailbox domain; every recipient one Maildir
            "virtual_mailbox_domains": "static:ALL",
            "virtual_mailbox_base": f"{d}/mail",
            "virtual_mailbox_maps": "static:inbox/",
            "virtual_uid_maps": f"static:{nobody.pw_uid}",
            "virtual_gid_maps": f"static:{nobody.pw_gid}",
            "virtual_mailbox_limit": "0",
            "smtpd_tls_received_header": "yes",
            "smtpd_tls_loglevel": "1",
        }
        if self.tls and self.tls_level != "none":
            cert, key = self.tls
            params.update({
                "smtpd_tls_security_level": self.tls_level,
                "smtpd_tls_cert_file": os.path.abspath(cert),
                "smtpd_tls_key_file": os.path.abspath(key),
            })
        else:
            params["smtpd_tls_security_level"] = "none"
        params.update(self.main_cf)
        with open(os.path.join(self.config_dir, "main.cf"), "w") as fh:
            fh.write("# Written by tests/integration/harness/smtp_peers.py (private test instance)\n")
            for k, v in params.items():
                fh.write(f"{k} = {v}\n")
        listener = hostport(self.address, self.port)
        with open(os.path.join(self.config_dir, "master.cf"), "w") as fh:
            fh.write(f"{listener} inet n - n - - smtpd\n")
            fh.write(_MASTER_SERVICES)
        # Postfix re-reads a "hot" main.cf (changed less than ~2 s ago) in a
        # 0.3 s sleep loop until it cools down: backdate the files instead.
        past = time.time() - 60
        for name in os.listdir(self.config_dir):
            os.utime(os.path.join(self.config_dir, name), (past, past))

    def _spawn(self) -> None:
        env = _lib_env()
        env["MAIL_CONFIG"] = self.config_dir
        self.process = spawn([_sbin("master"), "-d", "-c", self.config_dir], os.path.join(self.dir, "log", "master.out"),
                             env=env, cwd=self.dir)
        self._sid = self.process.pid

    def _wait_ready(self) -> str:
        deadline = time.monotonic() + self.ready_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.process = None
                log = self.log()
                if "in use" in log:
                    return "port taken"
                return "postfix master exited during start-up\n" + log + self._diagnose()
            if owns_listener(self.process.pid, self.address, self.port):
                banner = _banner(self.address, self.port)
                if banner and banner.startswith(b"220"):
                    return "ready"
                if banner:  # e.g. 421 when smtpd cannot start
                    return f"postfix answered {banner!r} instead of 220\n" + self.log()
            time.sleep(0.02)
        return f"postfix did not answer 220 on {self.hostport} within {self.ready_timeout} s\n" + self.log()

    def _diagnose(self) -> str:
        """`postfix check`'s complaints. The master logs its start-up errors
        only to syslog; postfix(1) prints them on stderr when that is a tty."""
        import pty
        import select
        master_fd, slave_fd = pty.openpty()
        proc = None
        try:
            proc = subprocess.Popen([_sbin("postfix"), "-c", self.config_dir, "check"], stdin=subprocess.DEVNULL,
                                    stdout=slave_fd, stderr=slave_fd, env=_lib_env(), start_new_session=True)
            os.close(slave_fd)
            slave_fd = -1
            out, deadline = b"", time.monotonic() + 30
            while (left := deadline - time.monotonic()) > 0:
                if not select.select([master_fd], [], [], left)[0]:
                    break
                try:
                    chunk = os.read(master_fd, 4096)
                except OSError:  # EIO: every writer has closed the tty
                    break
                if not chunk:
                    break
                out += chunk
            return "postfix check:\n" + out.decode("utf-8", "replace")
        except (OSError, subprocess.SubprocessError) as e:
            return f"(postfix check failed: {e})"
        finally:
            if proc is not None:
                stop_session(proc, 5)
            os.close(master_fd)
            if slave_fd >= 0:
                os.close(slave_fd)

    def _kill(self, timeout: float = 10.0) -> None:
        proc, self.process = self.process, None
        stop_session(proc, timeout)
