#!/usr/bin/python3
"""Fan-out benchmark sink: one process, one asyncio loop, an SMTP listener
on port PORT of every address given (127.1.x.y: one per recipient domain).

    sink.py STATS_FILE PORT ADDRESS...      (or ADDRESS given as @FILE, one per line)

Several copies may run at once (SO_REUSEPORT: the kernel spreads the
connections among them), each with its own STATS_FILE; the runner sums them.
Accepts every transaction (250 to EHLO/HELO/MAIL/RCPT/RSET/NOOP, 354 to
DATA, 250 after the final dot, 221 to QUIT; PIPELINING advertised, no TLS),
discards the data and counts: connections accepted, messages, message bytes,
the wall time of the first and of the last message. Every 0.1 s, when a
count changed, it rewrites STATS_FILE (JSON, replaced atomically) so that
the runner can wait for the last message; "ready" is printed on stdout once
every address listens. Ends on SIGTERM/SIGINT (stats written once more).
Fails (exit 1, reason on stderr) if an address cannot be bound.
What it leaves to others: timing, which the runner reads from STATS_FILE.
"""
import asyncio
import json
import os
import signal
import sys
import time


class Stats:
    def __init__(self):
        self.connections = 0
        self.messages = 0
        self.bytes = 0
        self.first = 0.0
        self.last = 0.0
        self.dirty = True

    def as_dict(self):
        t = os.times()
        return {"connections": self.connections, "messages": self.messages, "bytes": self.bytes,
                "first": self.first, "last": self.last, "cpu": t.user + t.system}


class Session(asyncio.Protocol):
    def __init__(self, stats):
        self.stats = stats
        self.buf = bytearray()
        self.in_data = False
        self.size = 0

    def connection_made(self, transport):
        self.t = transport
        self.stats.connections += 1
        self.stats.dirty = True
        transport.write(b"220 sink ESMTP\r\n")

    def data_received(self, data):
        self.buf += data
        out = []
        while True:
            if self.in_data:
                end = self.buf.find(b"\r\n.\r\n")
                if end < 0:
                    # keep only a tail long enough to hold a split terminator
                    if len(self.buf) > 8:
                        self.size += len(self.buf) - 4
                        del self.buf[:-4]
                    break
                self.size += end + 2
                del self.buf[:end + 5]
                self.in_data = False
                s = self.stats
                now = time.time()
                if s.messages == 0:
                    s.first = now
                s.messages += 1
                s.bytes += self.size
                s.last = now
                s.dirty = True
                out.append(b"250 2.0.0 queued\r\n")
                continue
            nl = self.buf.find(b"\n")
            if nl < 0:
                break
            line = bytes(self.buf[:nl]).rstrip(b"\r")
            del self.buf[:nl + 1]
            verb = line[:4].upper()
            if verb == b"EHLO":
                out.append(b"250-sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SIZE 0\r\n")
            elif verb == b"DATA":
                out.append(b"354 go ahead\r\n")
                self.in_data = True
                self.size = 0
                # the terminator search starts at the data's first line: a
                # message of nothing but "." ends at once
                self.buf[:0] = b"\r\n"
                self.size = -2
            elif verb == b"QUIT":
                out.append(b"221 2.0.0 bye\r\n")
                self.t.write(b"".join(out))
                self.t.close()
                return
            else:
                out.append(b"250 2.0.0 ok\r\n")
        if out:
            self.t.write(b"".join(out))


def write_stats(path, stats):
    tmp = path + ".tmp"
    with open(tmp, "w") as fh:
        json.dump(stats.as_dict(), fh)
    os.replace(tmp, path)
    stats.dirty = False


async def main():
    path, port = sys.argv[1], int(sys.argv[2])
    addresses = []
    for a in sys.argv[3:]:
        if a.startswith("@"):
            addresses += [l.strip() for l in open(a[1:]) if l.strip()]
        else:
            addresses.append(a)
    stats = Stats()
    loop = asyncio.get_running_loop()
    servers = []
    for a in addresses:
        try:
            servers.append(await loop.create_server(lambda: Session(stats), a, port, reuse_address=True,
                                                    reuse_port=True, backlog=256))
        except OSError as e:
            print(f"sink: cannot listen on {a}:{port}: {e}", file=sys.stderr)
            sys.exit(1)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    write_stats(path, stats)
    print("ready", flush=True)
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), 0.1)
        except asyncio.TimeoutError:
            pass
        if stats.dirty:
            write_stats(path, stats)
    write_stats(path, stats)
    for s in servers:
        s.close()


if __name__ == "__main__":
    asyncio.run(main())
