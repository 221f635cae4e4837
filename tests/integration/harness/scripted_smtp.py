"""A scripted receiving SMTP/LMTP server for outbound-delivery failure tests.

ScriptedSmtp runs an aiosmtpd-based server in a child process (Debian's
python3-aiosmtpd under /usr/bin/python3) on a loopback address (any
127.0.0.0/8 address or ::1) and a free port, answers every stage the way the
test scripts it, and writes a JSON-lines transcript of everything that
happened: each connection and its client address, every command line
received, every reply sent (tagged with its stage), stalls, drops, TLS, and
each message that reached the final dot (envelope and data).

    from harness.scripted_smtp import ScriptedSmtp

    with ScriptedSmtp("127.0.0.40",
                      banner="220 mx.test ESMTP",
                      ehlo="502 5.5.2 Error: command not recognized",   # the client falls back to HELO
                      rcpt={"busy@x.test": "450 4.2.1 try later",
                            "gone@x.test": "550 5.1.1 no such user"},   # others: 250
                      data="354 go ahead",                              # or "452 4.3.1 out of space"
                      after_data="554 5.7.1 rejected",                  # the reply after the final dot
                      delay={"mail": 30},                               # a silent stall before that reply
                      disconnect_at={"data_body"}) as mx:              # drop the connection mid-DATA
        ...                                  # mx.address, mx.port, mx.hostport, mx.pid
        [m] = mx.wait_messages(1)            # ScriptedMessage, one per final dot
        m.client_addr, m.helo, m.esmtp, m.tls, m.xclient, m.sender, m.mail_params,
        m.recipients (accepted), m.rcpt_params, m.refused {rcpt: reply},
        m.replies (after the dot; LMTP: one per recipient), m.codes, m.outcomes,
        m.replied, m.accepted, m.data (CRLF, dots unstuffed), m.message, m.text
        mx.wait_commands(r"^QUIT")           # "cmd" events whose line matches
        mx.wait_connections(n), mx.wait_closed(n), mx.wait_events(pred, n)
        mx.transcript(conn=, type=)          # every event (dicts, below)
        mx.connections()                     # client address of each connection
        mx.commands(conn=), mx.replies(conn=, stage=), mx.closes(conn=)
        mx.dialogue()                        # "C: ..."/"S: ..." text for assertion messages
        mx.update(rcpt="250 2.1.5 Ok")       # a new script for the next connections
    mx.pids()                                # [] once stopped; mx.cleanup() removes the files

Stages (the keys of `delay`, the members of `disconnect_at` and
`close_after`): banner, ehlo (EHLO, and LHLO in LMTP mode; "lhlo" is an
alias), helo, starttls, xclient, mail, rcpt, data (the reply to the DATA
command), data_body (between the 354 and the final dot), after_data (the
reply after the final dot), rset, noop, quit.

Replies. Each reply is a string, sent verbatim (a multi-line reply is written
"250-first\\n250 last", or as a list of lines). A reply with code 421 makes
the server close the connection after sending it, as RFC 5321 says.
  banner        greeting; "220 <hostname> ESMTP scripted" by default. A 421
                closes; any other non-2xx (e.g. "554 5.7.1 go away") leaves
                the session open but answers every command except QUIT
                with `rejected` (503), as RFC 5321 §3.1 describes
  ehlo          None: "250-<hostname>" plus capabilities from the switches
                below; a list: exactly these capability lines after the
                hostname line; a string: the whole reply, e.g. a refusal
                "550 5.5.1 no EHLO here" (the session stays usable: HELO
                then works, and gets `helo`)
  helo          "250 <hostname>"
  mail          a reply, or {sender: reply, "*": default} (sender "" is <>)
  rcpt          a reply, or {recipient: reply, "*": default}; keys are
                matched case-insensitively; recipients that get a 2xx are
                the transaction's accepted recipients
  data          the reply to DATA; a 3xx starts the body, anything else
                ends the command there (the transaction stays open, as with
                Postfix: the client is expected to RSET)
  data_no_rcpt  the reply to DATA when no recipient was accepted
                (554 5.5.1, or 503 5.5.1 in LMTP mode)
  after_data    the reply after the final dot: a reply, or {recipient:
                reply, "*": default}. In LMTP mode one reply per accepted
                recipient, in RCPT order, each looked up in the dict (so
                per-recipient outcomes: delivered, 452 over quota, 550...);
                in SMTP mode a dict's "*" entry
  rset / noop / quit / starttls_reply / xclient_reply / rejected / unknown
Features announced by the built EHLO reply: pipelining (True), size (None: no
SIZE; 0: "SIZE"; n: "SIZE n"), eightbitmime (True), enhancedstatuscodes
(True), dsn (False), smtputf8 (False), STARTTLS when `starttls=(cert, key)`
is given (and the session is not yet encrypted), xclient (False; True or a
list of attribute names announces "XCLIENT NAME ADDR PROTO HELO"), and
extra_capabilities. The server itself accepts any MAIL/RCPT parameters
(whatever it announced) and PIPELINING whether announced or not; it has no
BDAT (announcing CHUNKING does not add it: BDAT gets `unknown`) and no AUTH
(aiosmtpd's AUTH code answers).

Failures. `delay={stage: seconds}` stalls silently for that long before the
stage's reply (math.inf or "forever": until the client gives up); the
"data_body" delay is a pause before the server starts reading the body (with
a small `rcvbuf` and a large message, the client's writes block; the
server sees the client give up only when it reads again, after the stall). A
client that closes during a stall gets no reply, and the transcript shows
its close.
`disconnect_at={stage, ...}` closes the connection without replying once
that stage's command has arrived ("banner": right after accepting;
"data_body": after at least `disconnect_after_bytes` bytes of the body (or
its end, if it is shorter), so the client sees the connection drop in the
middle of DATA (the unread bytes make the kernel reset the connection, as
when a real server dies: the client sees ECONNRESET, EPIPE or EOF);
"after_data": after the final dot, instead of the reply).
`close_after={stage, ...}` closes the connection right after that stage's
reply. `per_connection=[{...}, {...}]` overrides any script keyword for the
1st, 2nd, ... connection (e.g. a 421 banner for the first connection only);
update(**script) changes the script for connections accepted after it
returns.

LMTP (`lmtp=True`): LHLO instead of EHLO (HELO/EHLO get aiosmtpd's 500),
and after the final dot one reply per accepted recipient (see after_data).

STARTTLS: `starttls=(cert, key)` (e.g. from harness.test_ca) announces it and
upgrades on "STARTTLS" (starttls_reply, a non-220 refuses); the transcript
records the TLS version and cipher, and messages their `tls`.
XCLIENT: `xclient=True` announces it; a 2xx xclient_reply (default
"220 <hostname> ESMTP scripted") stores the attributes, which messages
carry, and resets the session to the greeting state (EHLO again).

Where aiosmtpd is used, and where not. The server is aiosmtpd's SMTP class
(LMTP class in LMTP mode) with a handler whose hooks give the scripted
replies to EHLO/LHLO, HELO, RSET, NOOP, QUIT and the reply after the final
dot (handle_DATA; in LMTP mode its status is the per-recipient replies, one
line each); aiosmtpd also does the STARTTLS upgrade, reads and dot-unstuffs
the message body and keeps the session and envelope. A subclass replaces,
with its own code, what aiosmtpd gives no hook for:
  - the greeting and the command loop (_handle_client): aiosmtpd always
    sends "220 <hostname> <ident>", cannot stall or refuse at the banner,
    and its loop has no place to record each raw command line, to stall or
    drop before a reply, or to close after a reply;
  - MAIL and RCPT: aiosmtpd answers 555 to any ESMTP parameter it does not
    know (DSN's NOTIFY/ORCPT/RET/ENVID, AUTH=<>...) before any hook runs;
    here every parameter is accepted and recorded;
  - the reply to the DATA command (354 or a refusal, with its own stall):
    aiosmtpd has no hook for it (its own "354" line is replaced by the
    scripted one), and dropping the connection part-way through the body,
    which its body reader cannot do;
  - the STARTTLS reply text (aiosmtpd's "220 Ready to start TLS" is
    replaced by starttls_reply) and XCLIENT, which aiosmtpd lacks.

Process. The server runs as `/usr/bin/python3 -m harness.scripted_smtp
--serve <dir>/config.json` in its own session; start() returns once it is
listening (its ready file, and the port in LISTEN state in /proc/net/tcp*),
stop() sends SIGTERM and SIGKILL after a deadline, by PID; pids() lists
what is left of its session (nothing after stop()). A server whose test
process has died exits by itself. Files live in a private temp directory
(or `workdir`), kept after stop() so the transcript can still be read, and
removed by cleanup() or at interpreter exit.

Transcript events (one JSON object a line, each with "t" (time.time()) and,
but for listening/stopped, "conn" (1-based connection number)):
  connect   client, client_port, server, port
  cmd       line (the command line without CRLF; undecodable bytes
            backslash-escaped), stage
  reply     stage, lines (one reply, all its lines)
  stall     stage, seconds (null: forever)
  drop      stage (the server closed without replying)
  body      bytes, complete (a body cut short by disconnect_at data_body)
  listening address, port, pid, lmtp (first);  stopped (last, after stop())
  message   the transaction at its final dot: client, helo, esmtp, tls, xclient,
            mail_from, mail_params, rcpt_to, rcpt_params, refused,
            replies (planned after-dot replies), size, data_b64
  tls       version, cipher;  tls_failed  error;  xclient  attrs
  error     error (an exception in the server; it answered 451)
  idle_timeout  stage (no command for idle_timeout seconds: it closed)
  close     by: "client" (EOF/reset) or "server" (QUIT, 421, drop,
            close_after, idle timeout, failed TLS handshake, stop), stage
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import ipaddress
import json
import math
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field

from harness.process import (Peer, forget_at_exit, listening, remove_at_exit, removed_now, session_pids, spawn,
                              stop_at_exit, stop_session, wait_for)

try:  # the child process needs aiosmtpd; the controller does not
    from aiosmtpd.lmtp import LMTP as _AioLMTP
    from aiosmtpd.smtp import SMTP as _AioSMTP
    from aiosmtpd.smtp import TLSSetupException as _TLSSetupException
    HAVE_AIOSMTPD = True
except ImportError:  # pragma: no cover
    _AioSMTP = _AioLMTP = object
    HAVE_AIOSMTPD = False

    class _TLSSetupException(Exception):
        pass

__all__ = ["ScriptedSmtp", "ScriptedMessage", "ScriptedSmtpError", "STAGES", "FOREVER"]

STAGES = ("banner", "ehlo", "helo", "starttls", "xclient", "mail", "rcpt", "data", "data_body",
          "after_data", "rset", "noop", "quit")
FOREVER = math.inf
_STAGE_ALIASES = {"lhlo": "ehlo"}
_COMMAND_STAGE = {"EHLO": "ehlo", "LHLO": "ehlo", "HELO": "helo", "STARTTLS": "starttls",
                  "XCLIENT": "xclient", "MAIL": "mail", "RCPT": "rcpt", "DATA": "data", "RSET": "rset",
                  "NOOP": "noop", "QUIT": "quit"}
_XCLIENT_ATTRS = ["NAME", "ADDR", "PROTO", "HELO"]

# the Python that has aiosmtpd (Debian's python3-aiosmtpd)
PYTHON = os.environ.get("SCRIPTED_SMTP_PYTHON") or (
    "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else sys.executable)
_PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # tests/integration


class ScriptedSmtpError(RuntimeError):
    pass


# ===========================================================================
# the server (child process)
# ===========================================================================

def _default_script(hostname: str, lmtp: bool) -> dict:
    proto = "LMTP" if lmtp else "ESMTP"
    return {
        "hostname": hostname,
        "banner": f"220 {hostname} {proto} scripted",
        "ehlo": None,
        "helo": f"250 {hostname}",
        "mail": "250 2.1.0 Ok",
        "rcpt": "250 2.1.5 Ok",
        "data": "354 End data with <CR><LF>.<CR><LF>",
        "data_no_rcpt": "503 5.5.1 Error: no valid recipients" if lmtp
        else "554 5.5.1 Error: no valid recipients",
        "after_data": "250 2.0.0 Ok: queued as SCRIPTED",
        "rset": "250 2.0.0 Ok",
        "noop": "250 2.0.0 Ok",
        "quit": "221 2.0.0 Bye",
        "starttls_reply": "220 2.0.0 Ready to start TLS",
        "xclient_reply": f"220 {hostname} {proto} scripted",
        "rejected": "503 5.5.1 Error: the greeting refused this session",
        "unknown": "502 5.5.2 Error: command not recognized",
        "pipelining": True,
        "size": None,
        "eightbitmime": True,
        "enhancedstatuscodes": True,
        "dsn": False,
        "smtputf8": False,
        "xclient": None,
        "extra_capabilities": [],
        "delay": {},
        "disconnect_at": [],
        "close_after": [],
        "disconnect_after_bytes": 1,
        "per_connection": [],
    }


def _lines(reply) -> list[str]:
    if isinstance(reply, (list, tuple)):
        return [str(x) for x in reply]
    return [x.rstrip("\r") for x in str(reply).split("\n")]


def _code(reply) -> str:
    lines = _lines(reply)
    return lines[-1][:3] if lines else ""


def _pick(value, key: str):
    """A reply from a plain reply or a {key: reply, "*": default} dict
    (None when the dict has neither)."""
    if isinstance(value, dict):
        k = key.lower()
        return value[k] if k in value else value.get("*")
    return value


def _xtext_decode(s: str) -> str:
    return re.sub(r"\+([0-9A-Fa-f]{2})", lambda m: chr(int(m[1], 16)), s)


def _split_path(arg: str, keyword: str):
    """"FROM:<a@x> BODY=8BITMIME" -> ("a@x", ["BODY=8BITMIME"]), or None."""
    m = re.match(rf"(?i)\s*{keyword}:\s*(<[^>]*>|[^\s<>]+)\s*(.*)$", arg or "")
    if not m:
        return None
    path = m[1][1:-1] if m[1].startswith("<") else m[1]
    return path, m[2].split()


class _Dropped(Exception):
    """The script closed the connection without replying."""


class _Hooks:
    """aiosmtpd handler: every hook asks the protocol object for the
    scripted reply."""

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        return [server._on_ehlo(hostname)]

    async def handle_HELO(self, server, session, envelope, hostname):
        return server._on_helo(hostname)

    async def handle_RSET(self, server, session, envelope):
        return server._reply_text("rset")

    async def handle_NOOP(self, server, session, envelope, arg):
        return server._reply_text("noop")

    async def handle_QUIT(self, server, session, envelope):
        server._closed_by = "server"
        return server._reply_text("quit")

    async def handle_DATA(self, server, session, envelope):
        return await server._on_data_done()


class _ScriptedMixin:
    """What the scripted server adds to aiosmtpd's SMTP/LMTP class."""

    def __init__(self, owner: "_Server", conn: int, script: dict):
        self._owner = owner
        self._conn = conn
        self._script = script
        self._stage = "banner"
        self._closed_by: str | None = None
        self._close_pending = False
        self._skip_push: str | None = None
        self._tls = False
        self._helo: str | None = None
        self._esmtp = False
        self._xclient: dict = {}
        self._peer = ("", 0)
        self._close_recorded = False
        super().__init__(_Hooks(), hostname=script["hostname"], tls_context=owner.tls_context,
                         data_size_limit=None, enable_SMTPUTF8=True, decode_data=False,
                         timeout=owner.idle_timeout, loop=asyncio.get_running_loop())

    # --- recording -------------------------------------------------------

    def _record(self, type_: str, **kw) -> None:
        self._owner.record(type_, conn=self._conn, **kw)

    # --- aiosmtpd overrides ------------------------------------------------

    def _create_envelope(self):
        env = super()._create_envelope()
        env.refused = {}
        env.rcpt_params = []
        return env

    def connection_made(self, transport) -> None:
        first = self._original_transport is None
        super().connection_made(transport)
        if first:
            peer = transport.get_extra_info("peername") or ("", 0)
            local = transport.get_extra_info("sockname") or ("", 0)
            self._peer = peer
            self._owner.live.add(self)
            self._record("connect", client=peer[0], client_port=peer[1], server=local[0], port=local[1])

    def _timeout_cb(self):
        self._closed_by = self._closed_by or "server"
        self._record("idle_timeout", stage=self._stage)
        super()._timeout_cb()

    def eof_received(self):
        self._closed_by = self._closed_by or "client"
        return super().eof_received()

    def connection_lost(self, error) -> None:
        if not self._close_recorded:
            self._close_recorded = True
            self._record("close", by=self._closed_by or "client", stage=self._stage,
                         error=str(error) if error else None)
        self._owner.live.discard(self)
        super().connection_lost(error)

    async def push(self, status) -> None:
        if isinstance(status, bytes):
            status = status.decode("utf-8", "replace")
        if self._skip_push and status.startswith(self._skip_push):
            # aiosmtpd's own text for a reply the script already sent
            self._skip_push = None
            return
        lines = status.split("\r\n")
        self._record("reply", stage=self._stage, lines=lines)
        if any(line[:3] == "421" for line in lines):
            self._close_pending = True
        self._writer.write(status.encode("utf-8", "surrogateescape") + b"\r\n")
        await self._writer.drain()

    async def _handle_client(self) -> None:
        try:
            await self._converse()
        except _Dropped:
            pass
        except _TLSSetupException as e:
            # as aiosmtpd does: the TLS layer does not report the loss itself
            self._record("tls_failed", error=repr(e.__cause__ or e))
            self._closed_by = self._closed_by or "server"
            if self.transport is not None:
                self.transport.close()
            if self._original_transport is not None:
                self._original_transport.close()
            if not self._close_recorded:
                self.connection_lost(e)
        except (ConnectionError, asyncio.IncompleteReadError, BrokenPipeError):
            self._closed_by = self._closed_by or "client"
        finally:
            if self.transport is not None:
                if self._closed_by is None:
                    self._closed_by = "server"
                self.transport.close()

    # --- the conversation --------------------------------------------------

    async def _converse(self) -> None:
        s = self._script
        await self._stall("banner")
        if "banner" in s["disconnect_at"]:
            self._drop("banner")
        await self._reply("banner", s["banner"])
        if "banner" in s["close_after"]:
            self._closed_by = "server"
            return
        rejected = not _code(s["banner"]).startswith("2")
        while self.transport is not None and not self._close_pending:
            try:
                raw = await self._reader.readuntil(b"\n")
            except asyncio.IncompleteReadError as e:
                if e.partial:
                    self._record("cmd", line=e.partial.decode("utf-8", "backslashreplace"),
                                 stage="other", partial=True)
                self._closed_by = self._closed_by or "client"
                return
            except asyncio.LimitOverrunError as e:
                await self._reader.read(e.consumed)
                while True:
                    try:
                        await self._reader.readuntil(b"\n")
                        break
                    except asyncio.LimitOverrunError as e2:
                        await self._reader.read(e2.consumed)
                self._record("cmd", line="(line too long)", stage="other")
                await self._reply("other", "500 5.5.0 Error: line too long")
                continue
            self._reset_timeout()
            line = raw.rstrip(b"\r\n").decode("utf-8", "backslashreplace")
            word, _, arg = line.partition(" ")
            command = word.upper()
            stage = _COMMAND_STAGE.get(command, "other")
            self._record("cmd", line=line, stage=stage)
            self._stage = stage
            if rejected and command != "QUIT":
                await self._reply(stage, s["rejected"])
                continue
            if stage in s["disconnect_at"]:
                self._drop(stage)
            await self._stall(stage)
            method = self._smtp_methods.get(command)
            if method is None:
                await self._reply(stage, s["unknown"])
                continue
            try:
                await method(arg.strip() or None)
            except (_Dropped, _TLSSetupException, ConnectionError, asyncio.CancelledError,
                    asyncio.IncompleteReadError):
                raise
            except Exception as e:  # a bug here: say so in the transcript and the log
                traceback.print_exc()
                self._record("error", error=repr(e), stage=self._stage)
                await self._reply(self._stage, "451 4.3.0 Error: the scripted server failed")
                continue
            if self._stage in s["close_after"] and self.transport is not None:
                self._closed_by = "server"
                return

    async def _reply(self, stage: str, reply) -> None:
        self._stage = stage
        await self.push("\r\n".join(_lines(reply)))

    def _reply_text(self, stage: str) -> str:
        self._stage = stage
        return "\r\n".join(_lines(self._script[stage]))

    async def _stall(self, stage: str) -> None:
        secs = self._script["delay"].get(stage)
        if secs is None:
            return
        secs = math.inf if secs == "forever" else float(secs)
        if secs <= 0:
            return
        self._record("stall", stage=stage, seconds=None if math.isinf(secs) else secs)
        if math.isinf(secs):
            if self._timeout_handle is not None:
                self._timeout_handle.cancel()
            await asyncio.get_running_loop().create_future()  # until the connection goes
        else:
            self._reset_timeout(secs + self._timeout_duration)
            await asyncio.sleep(secs)

    def _drop(self, stage: str):
        self._record("drop", stage=stage)
        self._stage = stage
        self._closed_by = "server"
        if self.transport is not None:
            self.transport.close()
        raise _Dropped(stage)

    # --- per-command scripting ---------------------------------------------

    def _capabilities(self) -> list[str]:
        s = self._script
        caps = []
        if s["pipelining"]:
            caps.append("PIPELINING")
        if s["size"] is not None:
            caps.append(f"SIZE {s['size']}" if s["size"] else "SIZE")
        if self.tls_context is not None and not self._tls:
            caps.append("STARTTLS")
        if s["eightbitmime"]:
            caps.append("8BITMIME")
        if s["enhancedstatuscodes"]:
            caps.append("ENHANCEDSTATUSCODES")
        if s["dsn"]:
            caps.append("DSN")
        if s["smtputf8"]:
            caps.append("SMTPUTF8")
        if s["xclient"]:
            caps.append("XCLIENT " + " ".join(s["xclient"]))
        caps.extend(s["extra_capabilities"])
        return caps

    def _on_ehlo(self, hostname: str) -> str:
        self._stage = "ehlo"
        e, host = self._script["ehlo"], self._script["hostname"]
        if isinstance(e, str):
            lines = _lines(e)
        else:
            caps = list(e) if isinstance(e, (list, tuple)) else self._capabilities()
            lines = [f"250-{host}"] + [f"250-{c}" for c in caps]
            lines[-1] = "250 " + lines[-1][4:]
        if _code(lines).startswith("2"):
            self.session.host_name = hostname
            self._helo, self._esmtp = hostname, True
        return "\r\n".join(lines)

    def _on_helo(self, hostname: str) -> str:
        text = self._reply_text("helo")
        if _code(text).startswith("2"):
            self.session.host_name = hostname
            self._helo, self._esmtp = hostname, False
        return text

    async def smtp_MAIL(self, arg) -> None:
        if not self.session.host_name:
            return await self._reply("mail", "503 5.5.1 Error: send HELO/EHLO first")
        if self.envelope.mail_from is not None:
            return await self._reply("mail", "503 5.5.1 Error: nested MAIL command")
        parsed = _split_path(arg, "FROM")
        if parsed is None:
            return await self._reply("mail", "501 5.5.4 Syntax: MAIL FROM:<address>")
        sender, params = parsed
        reply = _pick(self._script["mail"], sender) or "250 2.1.0 Ok"
        if _code(reply).startswith("2"):
            self.envelope.mail_from = sender
            self.envelope.mail_options = params
        await self._reply("mail", reply)

    async def smtp_RCPT(self, arg) -> None:
        if not self.session.host_name:
            return await self._reply("rcpt", "503 5.5.1 Error: send HELO/EHLO first")
        if self.envelope.mail_from is None:
            return await self._reply("rcpt", "503 5.5.1 Error: need MAIL command")
        parsed = _split_path(arg, "TO")
        if parsed is None:
            return await self._reply("rcpt", "501 5.5.4 Syntax: RCPT TO:<address>")
        rcpt, params = parsed
        reply = _pick(self._script["rcpt"], rcpt) or "250 2.1.5 Ok"
        if _code(reply).startswith("2"):
            self.envelope.rcpt_tos.append(rcpt)
            self.envelope.rcpt_params.append(params)
        else:
            self.envelope.refused[rcpt] = "\n".join(_lines(reply))
        await self._reply("rcpt", reply)

    async def smtp_DATA(self, arg) -> None:
        s = self._script
        if not self.session.host_name:
            return await self._reply("data", "503 5.5.1 Error: send HELO/EHLO first")
        if arg:
            return await self._reply("data", "501 5.5.4 Syntax: DATA")
        if not self.envelope.rcpt_tos:
            return await self._reply("data", s["data_no_rcpt"])
        await self._reply("data", s["data"])
        if not _code(s["data"]).startswith("3") or self._close_pending:
            return
        self._stage = "data_body"
        if "data_body" in s["disconnect_at"]:
            await self._read_some_body_and_drop()
        await self._stall("data_body")
        self._skip_push = "354"  # aiosmtpd's own 354: the scripted one is out already
        try:
            await super().smtp_DATA(arg)  # reads the body, calls handle_DATA, sends its reply
        finally:
            self._skip_push = None

    async def _read_some_body_and_drop(self) -> None:
        want, got, tail, complete = int(self._script["disconnect_after_bytes"]), 0, b"\r\n", False
        while got < want:
            chunk = await self._reader.read(65536)
            if not chunk:
                break
            got += len(chunk)
            tail = (tail + chunk)[-5:]
            if tail.endswith(b"\r\n.\r\n"):
                complete = True
                break
        self._record("body", bytes=got, complete=complete)
        self._drop("data_body")

    async def _on_data_done(self) -> str:
        s, env = self._script, self.envelope
        self._stage = "after_data"
        default = "250 2.0.0 Ok: queued as SCRIPTED"
        if isinstance(self, _AioLMTP):
            replies = [_pick(s["after_data"], r) or default for r in env.rcpt_tos]
        else:
            replies = [_pick(s["after_data"], "*") or default]
        dropping = "after_data" in s["disconnect_at"]
        data = env.original_content or b""
        self._record("message", client=self._peer[0], helo=self._helo, esmtp=self._esmtp, tls=self._tls,
                     xclient=dict(self._xclient), mail_from=env.mail_from, mail_params=list(env.mail_options),
                     rcpt_to=list(env.rcpt_tos), rcpt_params=[list(p) for p in env.rcpt_params],
                     refused=dict(env.refused), replies=[] if dropping else ["\n".join(_lines(r)) for r in replies],
                     size=len(data), data_b64=base64.b64encode(data).decode("ascii"))
        if dropping:
            self._drop("after_data")
        await self._stall("after_data")
        self._stage = "after_data"
        return "\r\n".join(line for r in replies for line in _lines(r))

    async def smtp_STARTTLS(self, arg) -> None:
        s = self._script
        if arg:
            return await self._reply("starttls", "501 5.5.4 Syntax: STARTTLS")
        if self.tls_context is None or self._tls:
            return await self._reply("starttls", s["unknown"] if self._tls else "454 4.7.0 TLS not available")
        reply = s["starttls_reply"]
        await self._reply("starttls", reply)
        if _code(reply) != "220" or self._close_pending:
            return
        self._skip_push = "220"  # aiosmtpd's "220 Ready to start TLS"
        try:
            await super().smtp_STARTTLS(arg)
        finally:
            self._skip_push = None
        self._tls = True
        self._helo, self._esmtp = None, False
        obj = self.transport.get_extra_info("ssl_object") if self.transport else None
        self._record("tls", version=obj.version() if obj else None, cipher=obj.cipher()[0] if obj else None)

    async def smtp_XCLIENT(self, arg) -> None:
        s = self._script
        if not s["xclient"]:
            return await self._reply("xclient", s["unknown"])
        if self.envelope.mail_from is not None:
            return await self._reply("xclient", "503 5.5.1 Error: MAIL transaction in progress")
        attrs = {}
        for part in (arg or "").split():
            name, eq, value = part.partition("=")
            if not eq:
                return await self._reply("xclient", "501 5.5.4 Syntax: XCLIENT attribute=value...")
            attrs[name.upper()] = _xtext_decode(value)
        reply = s["xclient_reply"]
        if _code(reply).startswith("2"):
            self._xclient.update(attrs)
            self.session.host_name = None
            self._helo, self._esmtp = None, False
            self._set_rset_state()
            self._record("xclient", attrs=attrs)
        await self._reply("xclient", reply)


class _ScriptedSMTP(_ScriptedMixin, _AioSMTP):
    pass


class _ScriptedLMTP(_ScriptedMixin, _AioLMTP):
    pass


class _Server:
    def __init__(self, config_path: str):
        self.config_path = config_path
        cfg = self._load()
        listen = cfg["listen"]
        self.address, self.port = listen["address"], int(listen["port"])
        self.lmtp = bool(listen["lmtp"])
        self.idle_timeout = float(listen["idle_timeout"])
        self.rcvbuf = listen.get("rcvbuf")
        self.ready_path = listen["ready"]
        self.tls_context = None
        if listen.get("tls"):
            cert, key = listen["tls"]
            ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ctx.load_cert_chain(cert, key)
            self.tls_context = ctx
        self.out = open(listen["transcript"], "a", buffering=1, encoding="utf-8")
        self.conns = 0
        self.live: set = set()

    def _load(self) -> dict:
        with open(self.config_path, encoding="utf-8") as fh:
            return json.load(fh)

    def record(self, type_: str, **kw) -> None:
        ev = {"t": round(time.time(), 6), "type": type_}
        ev.update(kw)
        self.out.write(json.dumps(ev) + "\n")

    def script_for(self, index: int) -> dict:
        """The script for the (index+1)-th connection, read afresh so that
        update() takes effect for the next connection."""
        cfg = self._load()
        script = _default_script(cfg["script"].get("hostname") or "scripted.test", self.lmtp)
        script.update(cfg["script"])
        per = script.get("per_connection") or []
        if index < len(per):
            script.update(per[index])
        return script

    def protocol(self):
        self.conns += 1
        script = self.script_for(self.conns - 1)
        cls = _ScriptedLMTP if self.lmtp else _ScriptedSMTP
        return cls(self, self.conns, script)

    async def main(self) -> None:
        loop = asyncio.get_running_loop()
        fam = socket.AF_INET6 if ":" in self.address else socket.AF_INET
        sock = socket.socket(fam, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if self.rcvbuf:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, int(self.rcvbuf))
        sock.bind((self.address, self.port))
        sock.listen(128)
        sock.setblocking(False)
        server = await loop.create_server(self.protocol, sock=sock)
        port = sock.getsockname()[1]
        self.record("listening", address=self.address, port=port, pid=os.getpid(), lmtp=self.lmtp)
        tmp = self.ready_path + ".tmp"
        with open(tmp, "w") as fh:
            json.dump({"port": port, "pid": os.getpid()}, fh)
        os.rename(tmp, self.ready_path)

        stop = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            loop.add_signal_handler(sig, stop.set)
        parent = os.getppid()

        async def watch_parent():
            while os.getppid() == parent:
                await asyncio.sleep(0.5)
            stop.set()

        watcher = asyncio.create_task(watch_parent())
        await stop.wait()
        watcher.cancel()
        server.close()
        for proto in list(self.live):
            proto._closed_by = proto._closed_by or "server"
            if proto.transport is not None:
                proto.transport.abort()
        await asyncio.sleep(0.05)
        self.record("stopped")
        self.out.close()


def _serve(config_path: str) -> int:
    if not HAVE_AIOSMTPD:
        print("scripted_smtp: aiosmtpd is not importable by " + sys.executable, file=sys.stderr)
        return 2
    asyncio.run(_Server(config_path).main())
    return 0


# ===========================================================================
# the controller (test process)
# ===========================================================================

@dataclass
class ScriptedMessage:
    """One transaction that reached its final dot."""
    index: int                    # 0-based, in the order the dots arrived
    conn: int                     # connection number (1-based)
    client_addr: str
    helo: str | None              # HELO/EHLO/LHLO argument
    esmtp: bool                   # EHLO/LHLO (True) or HELO (False)
    tls: bool                     # over STARTTLS
    xclient: dict                 # XCLIENT attributes in force
    sender: str                   # MAIL FROM address without <> ("" for <>)
    mail_params: list[str]
    recipients: list[str]         # accepted recipients, in RCPT order
    rcpt_params: list[list[str]]
    refused: dict                 # recipient -> the reply that refused it
    replies: list[str]            # after-dot replies (LMTP: one per recipient); [] if dropped
    replied: bool                 # whether the after-dot reply was actually sent
    data: bytes                   # as received: CRLF line ends, dots unstuffed, no final ".\r\n"
    event: dict = field(repr=False, default_factory=dict)

    @property
    def codes(self) -> list[int]:
        return [int(r.split("\n")[-1][:3]) for r in self.replies]

    @property
    def outcomes(self) -> dict:
        """LMTP: recipient -> its after-dot reply."""
        return dict(zip(self.recipients, self.replies))

    @property
    def accepted(self) -> bool:
        """The (first) after-dot reply was sent and is 2xx."""
        return self.replied and bool(self.replies) and self.replies[0][:1] == "2"

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", "replace")

    @property
    def message(self):
        import email
        import email.policy
        return email.message_from_bytes(self.data, policy=email.policy.compat32)


def _norm_stages(value, what: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    out = []
    for v in value:
        v = _STAGE_ALIASES.get(v.lower(), v.lower())
        if v not in STAGES:
            raise ValueError(f"{what}: unknown stage {v!r} (one of {', '.join(STAGES)})")
        out.append(v)
    return sorted(set(out))


def _norm_reply_map(value, what: str):
    if isinstance(value, dict):
        return {str(k).lower(): v for k, v in value.items()}
    if value is None or isinstance(value, (str, list, tuple)):
        return value
    raise TypeError(f"{what}: a reply string, a list of lines or a dict, not {type(value).__name__}")


_SCRIPT_KEYS = ("hostname", "banner", "ehlo", "helo", "mail", "rcpt", "data", "data_no_rcpt", "after_data",
                "rset", "noop", "quit", "starttls_reply", "xclient_reply", "rejected", "unknown", "pipelining",
                "size", "eightbitmime", "enhancedstatuscodes", "dsn", "smtputf8", "xclient",
                "extra_capabilities", "delay", "disconnect_at", "close_after", "disconnect_after_bytes",
                "per_connection")


def _normalise_script(kw: dict, *, nested: bool = False) -> dict:
    out = {}
    for key, value in kw.items():
        if key not in _SCRIPT_KEYS or (nested and key == "per_connection"):
            raise TypeError(f"unknown script key {key!r}")
        if value is None:  # the default (update(): back to it)
            out[key] = None
            continue
        if key in ("mail", "rcpt", "after_data"):
            value = _norm_reply_map(value, key)
        elif key in ("disconnect_at", "close_after"):
            value = _norm_stages(value, key)
        elif key == "delay":
            d = {}
            for stage, secs in (value or {}).items():
                [stage] = _norm_stages(stage, "delay")
                if secs is None:
                    continue
                d[stage] = "forever" if secs == "forever" or math.isinf(float(secs)) else float(secs)
            value = d
        elif key == "xclient":
            value = (list(_XCLIENT_ATTRS) if value is True else [str(a).upper() for a in value]) if value else None
        elif key == "ehlo" and isinstance(value, tuple):
            value = list(value)
        elif key == "extra_capabilities":
            value = list(value)
        elif key == "per_connection":
            value = [{k: v for k, v in _normalise_script(dict(p), nested=True).items() if v is not None}
                     for p in value]
        out[key] = value
    return out


class ScriptedSmtp(Peer):
    """A scripted SMTP (or LMTP) server in a child process; see the module
    docstring for the script. `address`: any 127.0.0.0/8 address or ::1;
    `port`: 0 for a free one (the server binds it itself, so there is no
    race). Other options:

    starttls        (cert, key) files: announce and offer STARTTLS
    lmtp            speak LMTP (LHLO; one reply per recipient after the dot)
    idle_timeout    seconds the server waits for a command before closing (300)
    rcvbuf          SO_RCVBUF of the listening (so of every accepted) socket
    workdir         where the config, transcript and log go (default: a
                    private temp dir, removed by cleanup() or at exit)
    ready_timeout   seconds start() waits for the server to listen
    """

    def __init__(self, address: str = "127.0.0.1", port: int = 0, *, hostname: str = "scripted.test",
                 lmtp: bool = False, starttls=None, idle_timeout: float = 300.0, rcvbuf: int | None = None,
                 workdir=None, ready_timeout: float = 15.0, **script):
        ip = ipaddress.ip_address(address)
        if not ip.is_loopback:
            raise ValueError(f"scripted servers listen on loopback only, not {address}")
        self.address = str(ip)
        self.requested_port = int(port)
        self.port = int(port)
        self.lmtp = lmtp
        self.tls = tuple(os.path.abspath(str(p)) for p in starttls) if starttls else None
        self.idle_timeout = idle_timeout
        self.rcvbuf = rcvbuf
        self.ready_timeout = ready_timeout
        self.script = {k: v for k, v in _normalise_script(dict(script, hostname=hostname)).items()
                       if v is not None}
        self._workdir = str(workdir) if workdir is not None else None
        self.dir: str | None = None
        self.process: subprocess.Popen | None = None
        self._sid: int | None = None
        self._events: list[dict] = []
        self._offset = 0
        self._partial = b""

    # --- lifecycle ------------------------------------------------------------

    @property
    def config_path(self) -> str:
        return os.path.join(self.dir, "config.json")

    @property
    def transcript_path(self) -> str:
        return os.path.join(self.dir, "transcript.jsonl")

    @property
    def log_path(self) -> str:
        return os.path.join(self.dir, "server.log")

    def log(self) -> str:
        """The child's stdout/stderr (tracebacks, if any)."""
        try:
            with open(self.log_path, errors="replace") as fh:
                return fh.read()
        except (OSError, TypeError):
            return ""

    def pids(self) -> list[int]:
        """Live processes in the server's session (empty after stop())."""
        return session_pids(self._sid) if self._sid else []

    def start(self) -> "ScriptedSmtp":
        if self.process is not None:
            return self
        if self.dir is None:
            if self._workdir:
                os.makedirs(self._workdir, exist_ok=True)
                self.dir = tempfile.mkdtemp(prefix="scripted-smtp-", dir=self._workdir)
            else:
                self.dir = tempfile.mkdtemp(prefix="impulse-scripted-smtp-")
                remove_at_exit(self.dir)
        ready = os.path.join(self.dir, "ready.json")
        for p in (ready, self.transcript_path):
            if os.path.exists(p):
                os.unlink(p)
        open(self.transcript_path, "w").close()
        self._events, self._offset, self._partial = [], 0, b""
        self._write_config()
        env = dict(os.environ)
        env["PYTHONPATH"] = _PACKAGE_PARENT + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        env.pop("PYTHONHOME", None)
        self.process = spawn([PYTHON, "-m", "harness.scripted_smtp", "--serve", self.config_path], self.log_path,
                             cwd=self.dir, env=env)
        self._sid = self.process.pid
        stop_at_exit(self)
        try:
            wait_for(lambda: os.path.exists(ready) or self.process.poll() is not None, self.ready_timeout,
                     what=f"the scripted server on {self.address} to listen")
            if self.process.poll() is not None:
                raise ScriptedSmtpError(f"scripted server exited with {self.process.returncode}:\n{self.log()}")
            with open(ready) as fh:
                self.port = int(json.load(fh)["port"])
            wait_for(lambda: listening(self.address, self.port), self.ready_timeout,
                     what=f"{self.hostport} to be in LISTEN state")
        except BaseException as e:
            self.stop()
            if isinstance(e, TimeoutError):
                raise ScriptedSmtpError(f"{e}\n{self.log()}") from None
            raise
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """SIGTERM, SIGKILL after `timeout`, then whatever is left in its
        session. The transcript stays readable."""
        forget_at_exit(self)
        proc, self.process = self.process, None
        if proc is None:
            return
        stop_session(proc, timeout, sweep=False)

    def cleanup(self) -> None:
        """stop() and remove the files."""
        self.stop()
        if self.dir and removed_now(self.dir):
            self.dir = None

    def update(self, **script) -> None:
        """Change the script (same keywords as the constructor's); connections
        accepted after this returns follow the new one. A keyword given
        replaces the old value whole (delay={} removes every delay); None
        restores the default."""
        for key, value in _normalise_script(script).items():
            if value is None:
                self.script.pop(key, None)
            else:
                self.script[key] = value
        if self.dir:
            self._write_config()

    def _write_config(self) -> None:
        cfg = {
            "listen": {"address": self.address, "port": self.requested_port, "lmtp": self.lmtp,
                       "tls": list(self.tls) if self.tls else None, "idle_timeout": self.idle_timeout,
                       "rcvbuf": self.rcvbuf, "transcript": self.transcript_path,
                       "ready": os.path.join(self.dir, "ready.json")},
            "script": self.script,
        }
        tmp = self.config_path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(cfg, fh, indent=1)
        os.replace(tmp, self.config_path)

    # --- the transcript -------------------------------------------------------

    def transcript(self, conn: int | None = None, type: str | None = None) -> list[dict]:
        """Events so far (only whole lines), optionally of one connection
        and/or one type."""
        if self.dir:
            try:
                with open(self.transcript_path, "rb") as fh:
                    fh.seek(self._offset)
                    chunk = fh.read()
            except FileNotFoundError:
                chunk = b""
            self._offset += len(chunk)
            data = self._partial + chunk
            *whole, self._partial = data.split(b"\n")
            self._events.extend(json.loads(line) for line in whole if line.strip())
        return [e for e in self._events
                if (conn is None or e.get("conn") == conn) and (type is None or e["type"] == type)]

    def connections(self) -> list[str]:
        """Client address of each accepted connection, in order."""
        return [e["client"] for e in self.transcript(type="connect")]

    def commands(self, conn: int | None = None) -> list[str]:
        """Command lines received (without CRLF), in order."""
        return [e["line"] for e in self.transcript(conn, "cmd")]

    def replies(self, conn: int | None = None, stage: str | None = None) -> list[str]:
        """Replies sent ("\\n" between the lines of a multi-line reply)."""
        return ["\n".join(e["lines"]) for e in self.transcript(conn, "reply")
                if stage is None or e["stage"] == stage]

    def closes(self, conn: int | None = None) -> list[dict]:
        """The close events: {"conn", "by": "client"|"server", "stage"...}."""
        return self.transcript(conn, "close")

    def dialogue(self, conn: int | None = None) -> str:
        """A readable conversation ("C: ..."/"S: ..." lines), for assertion
        messages."""
        out = []
        for e in self.transcript(conn):
            tag = f"[{e.get('conn', '-')}] "
            t = e["type"]
            if t == "cmd":
                out.append(f"{tag}C: {e['line']}")
            elif t == "reply":
                out.extend(f"{tag}S: {line}" for line in e["lines"])
            elif t == "message":
                out.append(f"{tag}-- message <{e['mail_from']}> -> {e['rcpt_to']} ({e['size']} bytes)")
            elif t in ("connect",):
                out.append(f"{tag}-- connect from {e['client']}:{e['client_port']}")
            elif t != "listening":
                extra = {k: v for k, v in e.items() if k not in ("t", "type", "conn")}
                out.append(f"{tag}-- {t} {json.dumps(extra)}")
        return "\n".join(out)

    def messages(self) -> list[ScriptedMessage]:
        """Transactions that reached the final dot, in that order (also
        those refused there, and those whose reply never went out)."""
        events = self.transcript()
        out = []
        for i, e in enumerate(events):
            if e["type"] != "message":
                continue
            replied = False
            for later in events[i + 1:]:
                if later.get("conn") != e["conn"]:
                    continue
                if later["type"] == "reply" and later["stage"] == "after_data":
                    replied = True
                    break
                if later["type"] in ("cmd", "close", "drop"):
                    break
            out.append(ScriptedMessage(
                index=len(out), conn=e["conn"], client_addr=e["client"], helo=e["helo"], esmtp=e["esmtp"],
                tls=e["tls"], xclient=e["xclient"], sender=e["mail_from"], mail_params=e["mail_params"],
                recipients=e["rcpt_to"], rcpt_params=e["rcpt_params"], refused=e["refused"],
                replies=e["replies"], replied=replied, data=base64.b64decode(e["data_b64"]), event=e))
        return out

    def _dead(self) -> bool:
        return self.process is None or self.process.poll() is not None

    def _wait(self, pred, timeout: float, what: str):
        try:
            return wait_for(lambda: pred() or self._dead(), timeout, what=what)
        except TimeoutError as e:
            raise TimeoutError(f"{e}\n--- transcript ---\n{self.dialogue()}\n--- log ---\n{self.log()}") from None

    def wait_messages(self, n: int, timeout: float = 20.0) -> list[ScriptedMessage]:
        """Poll until at least n messages reached their final dot; returns all."""
        self._wait(lambda: len(self.transcript(type="message")) >= n, timeout, f"{n} message(s) at {self.hostport}")
        return self._enough(self.messages(), n, "message(s)")

    def wait_connections(self, n: int, timeout: float = 20.0) -> list[str]:
        self._wait(lambda: len(self.connections()) >= n, timeout, f"{n} connection(s) at {self.hostport}")
        return self._enough(self.connections(), n, "connection(s)")

    def wait_events(self, pred, n: int = 1, timeout: float = 20.0) -> list[dict]:
        """Poll until n events satisfy pred(event); returns those events."""
        hits = lambda: [e for e in self.transcript() if pred(e)]  # noqa: E731
        self._wait(lambda: len(hits()) >= n, timeout, f"{n} matching event(s) at {self.hostport}")
        return self._enough(hits(), n, "matching event(s)")

    def wait_commands(self, pred, n: int = 1, timeout: float = 20.0) -> list[dict]:
        """Poll until n command events match: `pred` is a regex (searched in
        the line, case-insensitively) or a callable taking the line. Returns
        the matching "cmd" events (with "conn" and "line")."""
        if isinstance(pred, str):
            rx = re.compile(pred, re.I)
            test = lambda line: rx.search(line) is not None  # noqa: E731
        else:
            test = pred
        return self.wait_events(lambda e: e["type"] == "cmd" and test(e["line"]), n, timeout)

    def wait_closed(self, n: int = 1, timeout: float = 20.0) -> list[dict]:
        """Poll until n connections have closed; returns their close events."""
        return self.wait_events(lambda e: e["type"] == "close", n, timeout)

    def _enough(self, items: list, n: int, what: str) -> list:
        if len(items) < n:
            raise ScriptedSmtpError(f"scripted server exited with {len(items)} {what}\n{self.log()}")
        return items


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="scripted SMTP server (child of harness.scripted_smtp)")
    ap.add_argument("--serve", required=True, metavar="CONFIG")
    args = ap.parse_args(argv)
    return _serve(args.serve)


if __name__ == "__main__":
    sys.exit(main())
