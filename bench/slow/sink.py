#!/usr/bin/python3
"""Slow-receiver sink for bench/slow (issue 19, item 3): an SMTP server on
one asyncio loop that waits DELAY (default 50 ms) before each reply.

    sink.py STATS_FILE PORT [--delay SECONDS] [--pipelining]

Replies: 220 banner, 250 to EHLO/HELO/MAIL/RCPT/RSET/NOOP, 354 to DATA, 250
after the final dot, 221 to QUIT; no TLS, the data discarded. Each command
of a connection is answered in order, each reply DELAY after the previous one
was sent (or after the command arrived, whichever is later): a client that
pipelines MAIL, RCPT and DATA still waits 3 x DELAY for their replies, so
PIPELINING changes the number of round trips, not the time per message.
PIPELINING is advertised only with --pipelining.

Counts (rewritten atomically into STATS_FILE as JSON every 0.1 s when they
changed): connections accepted, the peak of connections open at once,
messages, replies sent by command verb, the client's mean turnaround per
verb in ms (from our previous reply to the command's arrival: for MAIL, the
gap between one message and the next on a connection), the wall time of the first and of
the last message and of every message, this process's CPU seconds. "ready" on stdout once it
listens. Ends on SIGTERM/SIGINT (stats written once more); exit 1 when the
port cannot be bound. Leaves timing and the bound to the runner (slow.py).
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
        self.open = 0
        self.peak_open = 0
        self.messages = 0
        self.replies = {}
        self.wait_sum = {}  # verb -> seconds from our previous reply to this command's arrival
        self.first = 0.0
        self.last = 0.0
        self.times = []  # wall time of every message's final reply
        self.dirty = True

    def as_dict(self):
        t = os.times()
        return {"connections": self.connections, "peak_open": self.peak_open, "messages": self.messages,
                "replies": self.replies,
                "client_ms": {k: round(1000 * v / self.replies[k], 2) for k, v in self.wait_sum.items() if self.replies.get(k)},
                "first": self.first, "last": self.last, "times": self.times, "cpu": t.user + t.system}


async def session(reader, writer, stats, delay, pipelining):
    stats.connections += 1
    stats.open += 1
    stats.peak_open = max(stats.peak_open, stats.open)
    stats.dirty = True

    sent = [0.0]  # when our last reply was written

    async def reply(verb, text):
        if sent[0]:
            stats.wait_sum[verb] = stats.wait_sum.get(verb, 0.0) + time.monotonic() - sent[0]
        await asyncio.sleep(delay)
        stats.replies[verb] = stats.replies.get(verb, 0) + 1
        writer.write(text)
        await writer.drain()
        sent[0] = time.monotonic()

    try:
        await reply("BANNER", b"220 slow-sink ESMTP\r\n")
        while True:
            line = await reader.readline()
            if not line:
                return
            verb = line[:4].upper().decode("ascii", "replace")
            if verb in ("EHLO", "HELO"):
                ext = b"250-PIPELINING\r\n" if pipelining and verb == "EHLO" else b""
                await reply(verb, b"250-slow-sink\r\n" + ext + b"250 8BITMIME\r\n")
            elif verb == "DATA":
                await reply(verb, b"354 go ahead\r\n")
                while True:
                    data = await reader.readline()
                    if not data:
                        return
                    if data in (b".\r\n", b".\n"):
                        break
                now = time.time()
                await reply("DOT", b"250 2.0.0 queued\r\n")
                if stats.messages == 0:
                    stats.first = now
                stats.messages += 1
                stats.times.append(now)
                stats.last = now
                stats.dirty = True
            elif verb == "QUIT":
                await reply(verb, b"221 2.0.0 bye\r\n")
                return
            else:
                await reply(verb if verb in ("MAIL", "RCPT", "RSET", "NOOP") else "OTHER", b"250 2.0.0 ok\r\n")
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        stats.open -= 1
        stats.dirty = True
        writer.close()


def write_stats(path, stats):
    tmp = path + ".tmp"
    with open(tmp, "w") as fh:
        json.dump(stats.as_dict(), fh)
    os.replace(tmp, path)
    stats.dirty = False


async def main():
    args = sys.argv[1:]
    delay, pipelining = 0.05, False
    if "--pipelining" in args:
        args.remove("--pipelining")
        pipelining = True
    if "--delay" in args:
        i = args.index("--delay")
        delay = float(args[i + 1])
        del args[i:i + 2]
    path, port = args[0], int(args[1])
    stats = Stats()
    try:
        server = await asyncio.start_server(lambda r, w: session(r, w, stats, delay, pipelining), "127.0.0.1", port,
                                            reuse_address=True, backlog=256, limit=1 << 20)
    except OSError as e:
        print(f"sink: cannot listen on 127.0.0.1:{port}: {e}", file=sys.stderr)
        sys.exit(1)
    loop = asyncio.get_running_loop()
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
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
