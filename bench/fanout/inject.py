#!/usr/bin/python3
"""Fan-out benchmark injector: N messages of SIZE bytes over SESSIONS
concurrent SMTP sessions to HOST:PORT, message i addressed to
rcpt<i>@d<i mod DOMAINS>.<ZONE> (so every domain gets N/DOMAINS messages,
interleaved).

    inject.py HOST PORT N DOMAINS ZONE SIZE SESSIONS [PER_CONNECTION]

Each session takes the next message number from a shared counter, sends
MAIL, RCPT and DATA in one write (PIPELINING: both MTAs offer it), then
the body, and waits for the final reply; after PER_CONNECTION messages
(default 100) it sends QUIT and connects again. Every reply has a 60 s
deadline. Prints one JSON line: start and end wall times, messages
accepted, rejected (with the first rejection's text), elapsed seconds.
Exit 1 if a session fails (connection refused, timeout, protocol error).
"""
import asyncio
import json
import os
import sys
import time

TIMEOUT = 60.0


def make_body(size: int) -> bytes:
    head = (b"From: <sender@bench.example>\r\nSubject: fan-out benchmark\r\n"
            b"Message-ID: <%d@bench.example>\r\n\r\n")
    line = b"x" * 76 + b"\r\n"
    room = max(0, size - len(head) - 2)   # "%d" is replaced by the number
    n, rest = divmod(room, len(line))
    tail = b"y" * (rest - 2) + b"\r\n" if rest >= 2 else b""
    return head + line * n + tail


class Failed(Exception):
    pass


async def reply(reader) -> bytes:
    """One complete (possibly multi-line) reply."""
    lines = []
    while True:
        line = await asyncio.wait_for(reader.readline(), TIMEOUT)
        if not line:
            raise Failed("connection closed by the MTA")
        lines.append(line)
        if len(line) < 4 or line[3:4] != b"-":
            return b"".join(lines)


async def session(host, port, counter, n, domains, zone, body, per_conn, result):
    while counter[0] < n:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), TIMEOUT)
        try:
            r = await reply(reader)
            if not r.startswith(b"220"):
                raise Failed(f"greeting {r!r}")
            writer.write(b"EHLO inject.bench.example\r\n")
            r = await reply(reader)
            if not r.startswith(b"250"):
                raise Failed(f"EHLO {r!r}")
            sent = 0
            while sent < per_conn and counter[0] < n:
                i = counter[0]
                counter[0] += 1
                sent += 1
                rcpt = f"rcpt{i}@d{i % domains:04d}.{zone}".encode()
                writer.write(b"MAIL FROM:<sender@bench.example>\r\nRCPT TO:<" + rcpt + b">\r\nDATA\r\n")
                replies = [await reply(reader) for _ in range(3)]
                if not (replies[0].startswith(b"250") and replies[1].startswith(b"250")
                        and replies[2].startswith(b"354")):
                    result["rejected"] += 1
                    result.setdefault("first_rejection", b" | ".join(replies).decode(errors="replace"))
                    if replies[2].startswith(b"354"):
                        writer.write(b".\r\n")
                        await reply(reader)
                    writer.write(b"RSET\r\n")
                    await reply(reader)
                    continue
                writer.write(body % i + b".\r\n")
                r = await reply(reader)
                if r.startswith(b"250"):
                    result["accepted"] += 1
                else:
                    result["rejected"] += 1
                    result.setdefault("first_rejection", r.decode(errors="replace"))
            writer.write(b"QUIT\r\n")
            await writer.drain()
            try:
                await reply(reader)
            except Failed:
                pass
        finally:
            writer.close()


async def main():
    host, port, n, domains, zone, size, sessions = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
        int(sys.argv[4]), sys.argv[5], int(sys.argv[6]), int(sys.argv[7])
    per_conn = int(sys.argv[8]) if len(sys.argv) > 8 else 100
    body = make_body(size)
    counter = [0]
    result = {"accepted": 0, "rejected": 0}
    start = time.time()
    try:
        await asyncio.gather(*(session(host, port, counter, n, domains, zone, body, per_conn, result)
                               for _ in range(sessions)))
    except (Failed, OSError, asyncio.TimeoutError) as e:
        result["error"] = f"{type(e).__name__}: {e}"
    end = time.time()
    t = os.times()
    result.update(start=start, end=end, elapsed=end - start, body_bytes=len(body % 10000),
                  cpu=t.user + t.system)
    print(json.dumps(result), flush=True)
    sys.exit(1 if "error" in result else 0)


if __name__ == "__main__":
    asyncio.run(main())
