"""A webhook receiver for the event-stream tests (SPEC §17) and the relay
benchmark: Python's http.server in a child process, on loopback.

Each POST is recorded (with --discard: only counted, in the file `count`) as one line of `requests.jsonl` in
the receiver's directory: {"path", "authorization", "events" (the parsed
JSON body), "status" (what was answered)}. What it answers is read from the
file `mode` in that directory at each request, so a test changes it
between requests:

    ok       200 (the default)
    fail     503 (the batch is not acknowledged)
    hang     no reply, ever: the connection is closed once the mode changes
             (by then the sender's 10 s deadline has passed)

    with WebhookReceiver() as hook:
        ... hook.url ...
        hook.set_mode("fail"); ...; hook.set_mode("ok")
        events = hook.wait_events(lambda evs: len(evs) >= 3)

With tls=(cert, key) it speaks HTTPS (url https://127.0.0.1:PORT/hook).

Run as a program: python3 webhook_receiver.py DIR PORT [--discard] [--tls CERT KEY]; it
prints "ready" on stdout's log once listening.
"""
import http.server
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

try:
    from harness.process import Peer, free_port, remove_at_exit, removed_now, spawn, stop_at_exit, forget_at_exit, \
        stop_session, read_text, wait_for
except ImportError:  # run as a program: the server side needs none of it
    Peer = object


def _serve(directory: str, port: int, discard: bool, tls=None) -> None:
    mode_path = os.path.join(directory, "mode")
    log_path = os.path.join(directory, "requests.jsonl")
    count_path = os.path.join(directory, "count")
    counted = [0]

    def mode() -> str:
        try:
            with open(mode_path) as fh:
                return fh.read().strip() or "ok"
        except OSError:
            return "ok"

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            m = mode()
            hung = m == "hang"
            if hung:
                with open(os.path.join(directory, "hanging"), "a") as fh:
                    fh.write("x\n")
            while m == "hang":
                time.sleep(0.05)
                m = mode()
            if hung:  # the sender gave up long ago: no reply, nothing acknowledged
                self.close_connection = True
                return
            status = 200 if m == "ok" else 503
            if discard:  # count only (the benchmark): events are the objects' "type" keys
                counted[0] += body.count(b'"type":')
                with open(count_path + ".tmp", "w") as fh:
                    fh.write(f"{counted[0]}\n")
                os.replace(count_path + ".tmp", count_path)
            else:
                try:
                    events = json.loads(body)
                except ValueError:
                    events = None
                with open(log_path, "a") as fh:
                    fh.write(json.dumps({"path": self.path, "authorization": self.headers.get("Authorization"),
                                         "content_type": self.headers.get("Content-Type"),
                                         "events": events, "status": status}) + "\n")
            reply = b"{}" if status == 200 else b'{"error":"unavailable"}'
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

    class Server(http.server.ThreadingHTTPServer):
        daemon_threads = True
        allow_reuse_address = True  # the previous receiver's TIME_WAIT connections must not block the port

    server = Server(("127.0.0.1", port), Handler)
    if tls:
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(tls[0], tls[1])
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    print("ready", flush=True)
    server.serve_forever()


class WebhookReceiver(Peer):
    """The receiver as a test's peer: start() picks a free port and waits
    until it listens; stop() ends it and removes its directory."""

    def __init__(self, discard: bool = False, path: str = "/hook", tls=None):
        self.tls = tuple(tls) if tls else None  # (certificate, key) PEM files: HTTPS
        self.address = "127.0.0.1"
        self.port = 0
        self.discard = discard
        self.path = path
        self.dir = None

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}{self.path}"

    def start(self):
        self.dir = tempfile.mkdtemp(prefix="impulse-webhook-")
        remove_at_exit(self.dir)
        self.start_again()
        stop_at_exit(self)
        return self

    def start_again(self, port=None):
        """(Re)starts the server, on the same port when it ran before."""
        self.port = port or self.port or free_port()
        args = [sys.executable, os.path.abspath(__file__), self.dir, str(self.port)]
        if self.discard:
            args.append("--discard")
        if self.tls:
            args += ["--tls", *self.tls]
        self.process = spawn(args, os.path.join(self.dir, "server.log"))
        wait_for(lambda: "ready" in read_text(os.path.join(self.dir, "server.log")).splitlines()
                 or self.process.poll() is not None, what="webhook receiver")
        assert self.process.poll() is None, read_text(os.path.join(self.dir, "server.log"))

    def halt(self):
        """Stops the server (the port stays chosen: start_again() reuses it)."""
        if self.process:
            stop_session(self.process, 5.0)
            self.process = None

    def stop(self):
        self.halt()
        forget_at_exit(self)
        if self.dir:
            removed_now(self.dir)

    def set_mode(self, mode: str) -> None:
        tmp = os.path.join(self.dir, "mode.tmp")
        with open(tmp, "w") as fh:
            fh.write(mode)
        os.replace(tmp, os.path.join(self.dir, "mode"))

    def hung_requests(self) -> int:
        """How many requests found the receiver hanging."""
        return len(read_text(os.path.join(self.dir, "hanging")).splitlines())

    def requests(self) -> list[dict]:
        out = []
        for line in read_text(os.path.join(self.dir, "requests.jsonl")).splitlines():
            if line.strip():
                out.append(json.loads(line))
        return out

    def acknowledged_events(self) -> list[dict]:
        """Events of the batches answered 200, in arrival order (a batch
        retried after a failure appears once per acknowledged POST)."""
        return [e for r in self.requests() if r["status"] == 200 for e in (r["events"] or [])]

    def wait_events(self, predicate, timeout: float = 30.0) -> list[dict]:
        """acknowledged_events() once predicate(events) holds."""
        box = {}

        def check():
            box["events"] = self.acknowledged_events()
            return predicate(box["events"])
        wait_for(check, timeout=timeout, what="webhook events")
        return box["events"]


if __name__ == "__main__":
    rest = sys.argv[3:]
    tls = rest[rest.index("--tls") + 1:rest.index("--tls") + 3] if "--tls" in rest else None
    _serve(sys.argv[1], int(sys.argv[2]), "--discard" in rest, tls)
