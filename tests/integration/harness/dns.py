"""A real authoritative DNS server (Debian's nsd) for integration tests.

NsdServer writes the given zones and an nsd.conf into a fresh temp dir,
checks each zone with nsd-checkzone, starts ``nsd -d`` in its own process
group on 127.0.0.1 (or ::1) at a free high port, and waits until every
zone's SOA answers NOERROR. stop() ends it by PID (SIGTERM to its process
group, SIGKILL after 5 s) and removes the temp dir.

    from harness.dns import NsdServer, zone_header

    zone = zone_header("test") + "example IN MX 10 mx1.example\\n" \\
                                 "mx1.example IN A 127.0.0.11\\n"
    with NsdServer({"test": zone}) as dns:
        config = f'Nameservers = ( "{dns.nameserver}" )'   # "127.0.0.1:<port>"
        reply = dns.query("mx1.example.test", "A")          # DnsReply(rcode, answers)

The tiny DNS client here (build_query/parse_reply) needs no third-party
module; it understands A, AAAA, MX, CNAME and keeps other rdata as bytes.
A port taken between probing and nsd's bind is retried on another port.
Failures raise NsdError with nsd's log in the message.
"""

from __future__ import annotations

import ipaddress
import os
import random
import shutil
import socket
import struct
import subprocess
import tempfile
import time
from dataclasses import dataclass, field

from harness.process import Peer, find_program, spawn, stop_group

QTYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "MX": 15, "TXT": 16, "AAAA": 28}
RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"}


class NsdError(RuntimeError):
    pass


def zone_header(origin: str, ttl: int = 300, negative_ttl: int = 300) -> str:
    """$ORIGIN, $TTL, SOA (negative TTL = negative_ttl) and NS records, so a
    test zone only lists its own records."""
    return (
        f"$ORIGIN {origin.rstrip('.')}.\n$TTL {ttl}\n"
        f"@ IN SOA ns1 hostmaster 1 3600 600 86400 {negative_ttl}\n"
        "@ IN NS ns1\n"
        "ns1 IN A 127.0.0.1\n"
    )


# --- a minimal DNS client -------------------------------------------------


@dataclass
class Record:
    name: str
    type: int
    ttl: int
    rdata: bytes
    value: object = None  # str for A/AAAA/CNAME, (pref, exchange) for MX, else None


@dataclass
class DnsReply:
    rcode: int
    authoritative: bool
    answers: list[Record] = field(default_factory=list)

    @property
    def rcode_name(self) -> str:
        return RCODES.get(self.rcode, str(self.rcode))

    def values(self, qtype: str) -> list:
        """Decoded values of the answer records of one type, in answer order."""
        return [r.value for r in self.answers if r.type == QTYPES[qtype]]


def build_query(name: str, qtype: int | str, qid: int, recursion_desired: bool = False) -> bytes:
    if isinstance(qtype, str):
        qtype = QTYPES[qtype]
    flags = 0x0100 if recursion_desired else 0
    wire = struct.pack("!HHHHHH", qid, flags, 1, 0, 0, 0)
    for label in name.rstrip(".").split(".") if name.strip(".") else []:
        raw = label.encode("ascii")
        wire += bytes([len(raw)]) + raw
    return wire + b"\x00" + struct.pack("!HH", qtype, 1)


def _read_name(msg: bytes, offset: int) -> tuple[str, int]:
    labels, end, jumps = [], None, 0
    while True:
        length = msg[offset]
        if length & 0xC0 == 0xC0:
            if end is None:
                end = offset + 2
            offset = ((length & 0x3F) << 8) | msg[offset + 1]
            jumps += 1
            if jumps > 64:
                raise ValueError("compression loop")
            continue
        offset += 1
        if length == 0:
            break
        labels.append(msg[offset:offset + length].decode("ascii", "backslashreplace").lower())
        offset += length
    return ".".join(labels), (end if end is not None else offset)


def parse_reply(msg: bytes) -> tuple[int, DnsReply]:
    """(query id, reply) of a DNS response message."""
    qid, flags, qd, an, _ns, _ar = struct.unpack("!HHHHHH", msg[:12])
    offset = 12
    for _ in range(qd):
        _, offset = _read_name(msg, offset)
        offset += 4
    reply = DnsReply(rcode=flags & 0x0F, authoritative=bool(flags & 0x0400))
    for _ in range(an):
        name, offset = _read_name(msg, offset)
        rtype, _cls, ttl, rdlen = struct.unpack("!HHIH", msg[offset:offset + 10])
        offset += 10
        rdata = msg[offset:offset + rdlen]
        value = None
        if rtype == QTYPES["A"] and rdlen == 4:
            value = str(ipaddress.IPv4Address(rdata))
        elif rtype == QTYPES["AAAA"] and rdlen == 16:
            value = str(ipaddress.IPv6Address(rdata))
        elif rtype == QTYPES["CNAME"]:
            value = _read_name(msg, offset)[0]
        elif rtype == QTYPES["MX"]:
            value = (struct.unpack("!H", rdata[:2])[0], _read_name(msg, offset + 2)[0])
        reply.answers.append(Record(name, rtype, ttl, rdata, value))
        offset += rdlen
    return qid, reply


def query(address: str, port: int, name: str, qtype: int | str, timeout: float = 1.0) -> DnsReply | None:
    """One UDP query (RD clear); None when nothing answered within timeout."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    qid = random.randrange(1 << 16)
    deadline = time.monotonic() + timeout
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        try:
            s.connect((address, port))
            s.send(build_query(name, qtype, qid))
        except OSError:
            return None
        while (left := deadline - time.monotonic()) > 0:
            s.settimeout(left)
            try:
                data = s.recv(65535)
            except socket.timeout:
                return None
            except OSError:  # e.g. ECONNREFUSED before nsd has bound its port
                return None
            if len(data) < 12 or not data[2] & 0x80:
                continue
            rid, reply = parse_reply(data)
            if rid == qid:
                return reply
    return None


# --- the server -----------------------------------------------------------


def _program(name: str) -> str:
    return find_program(name, NsdError, "package nsd")


def free_port(address: str = "127.0.0.1") -> int:
    """A port free for both UDP and TCP right now (the kernel's choice)."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    for _ in range(20):
        with socket.socket(family, socket.SOCK_DGRAM) as udp:
            udp.bind((address, 0))
            port = udp.getsockname()[1]
            with socket.socket(family, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind((address, port))
                except OSError:
                    continue
        if port >= 1024:
            return port
    raise NsdError(f"no free port on {address}")


class NsdServer(Peer):
    """nsd serving zone_text_by_origin ({"test": "<zone file text>"})."""

    def __init__(self, zone_text_by_origin: dict[str, str], address: str = "127.0.0.1",
                 ready_timeout: float = 15.0):
        self.zones = {origin.rstrip("."): text for origin, text in zone_text_by_origin.items()}
        self.address = address
        self.ready_timeout = ready_timeout
        self.port = 0
        self.dir: str | None = None
        self.process: subprocess.Popen | None = None


    @property
    def nameserver(self) -> str:
        """"127.0.0.1:<port>" or "[::1]:<port>", as `Nameservers` takes it."""
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"{host}:{self.port}"

    def query(self, name: str, qtype: int | str = "A", timeout: float = 1.0) -> DnsReply | None:
        return query(self.address, self.port, name, qtype, timeout)

    def logs(self) -> str:
        out = []
        for f in ("nsd.out", "nsd.log"):
            try:
                with open(os.path.join(self.dir or "", f), errors="replace") as fh:
                    out.append(fh.read())
            except OSError:
                pass
        return "".join(out)

    def start(self) -> "NsdServer":
        if self.process:
            return self
        self.dir = tempfile.mkdtemp(prefix="impulse-nsd-")
        try:
            self._write_zones()
            if self.launch_on_free_port(lambda: free_port(self.address), NsdError, prepare=self._write_config):
                return self
            raise NsdError("nsd could not bind a port after 8 attempts\n" + self.logs())
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        self._kill()
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    # internals

    def _zone_file(self, origin: str) -> str:
        return (origin or "root") + ".zone"

    def _write_zones(self) -> None:
        for origin, text in self.zones.items():
            path = os.path.join(self.dir, self._zone_file(origin))
            with open(path, "w") as fh:
                fh.write(text)
            check = subprocess.run([_program("nsd-checkzone"), origin, path], capture_output=True, text=True)
            if check.returncode != 0:
                raise NsdError(f"zone {origin} rejected:\n{check.stdout}{check.stderr}")

    def _write_config(self) -> None:
        d = self.dir
        lines = [
            "server:",
            f"    ip-address: {self.address}@{self.port}",
            f"    port: {self.port}",
            '    username: ""',
            '    chroot: ""',
            f'    zonesdir: "{d}"',
            '    database: ""',
            f'    pidfile: "{d}/nsd.pid"',
            f'    logfile: "{d}/nsd.log"',
            f'    xfrdfile: "{d}/xfrd.state"',
            f'    xfrdir: "{d}"',
            f'    zonelistfile: "{d}/zone.list"',
            "    server-count: 1",
            "    verbosity: 1",
            "remote-control:",
            "    control-enable: no",
        ]
        for origin in self.zones:
            lines += ["zone:", f'    name: "{origin}"', f'    zonefile: "{self._zone_file(origin)}"']
        with open(os.path.join(d, "nsd.conf"), "w") as fh:
            fh.write("\n".join(lines) + "\n")

    def _spawn(self) -> None:
        # its own process group: nsd forks helpers
        self.process = spawn([_program("nsd"), "-d", "-c", os.path.join(self.dir, "nsd.conf")],
                             os.path.join(self.dir, "nsd.out"))

    def _wait_ready(self) -> str:
        deadline = time.monotonic() + self.ready_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = self.logs()
                self.process = None
                if any(s in log for s in ("in use", "can't bind", "cannot bind")):
                    return "port taken"
                return "nsd exited during start-up\n" + log
            if all((r := self.query(origin, "SOA", timeout=0.1)) is not None and r.rcode == 0
                   for origin in self.zones):
                return "ready"
        return f"nsd did not answer SOA queries within {self.ready_timeout} s\n" + self.logs()

    def _kill(self) -> None:
        # its own process group: nsd forks helpers, stopped with it
        proc, self.process = self.process, None
        stop_group(proc, timeout=5)
