"""A stand-in for Apple's APNs provider API (HTTP/2 over TLS with ALPN h2),
written from Apple's published protocol (reference/protocols.md §4a) with
python3-h2, as strict as the real service about what it checks:

- TLS 1.2+, ALPN must select h2; with `client_ca` a client certificate
  signed by that CA is required (certificate authentication);
- token authentication (`jwt_key`, `key_id`, `team_id`): `authorization:
  bearer <JWT>` verified with python3-jwt (ES256 with the test's public
  key, `kid` = key id, `iss` = team id, `iat` not older than an hour nor in
  the future): 403 MissingProviderToken / InvalidProviderToken /
  ExpiredProviderToken;
- only `POST /3/device/<hex token>` (405 MethodNotAllowed, 404 BadPath,
  400 BadDeviceToken); headers: apns-topic (required with token auth:
  400 MissingTopic), apns-push-type (400 InvalidPushType), apns-priority
  (400 BadPriority), apns-id lower-case UUID (400 BadMessageId),
  apns-expiration digits (400 BadExpirationDate), apns-collapse-id at most
  64 bytes (400 BadCollapseId);
- payload: a JSON object (400 PayloadEmpty / BadPayload), at most 4096
  bytes (5120 for voip; 413 PayloadTooLarge);
- SETTINGS_MAX_CONCURRENT_STREAMS = `max_streams`;
- `plain`: cleartext HTTP/2 with prior knowledge instead (an http:// push
  route on a port other than 443, SPEC §11).

Told what to answer per device token through a control file (JSON, re-read
on every request; ApnsServer.script() writes it):

    {"<token>": {"status": 410, "reason": "Unregistered", "retry_after": 30,
                 "delay": 0.5, "goaway": true, "times": 1}, "*": {...}}

`times` limits how many requests get the scripted answer (then 200);
`delay` holds the answer that many seconds; `goaway` sends GOAWAY
(Shutdown) naming the stream *before* this one as the last processed, so
this request (and any later stream) is not processed and must come again on
a new connection, while the earlier streams still get their answers before
the connection closes;
`expire_token` answers 403 ExpiredProviderToken to the first JWT seen and
accepts only a different JWT afterwards.

Every connection and request is appended to `record` as a JSON line
({"event": "request", "conn": N, "stream": S, "in_flight": K, "headers":
{...}, "body": "...", "token": "...", "jwt": {"header": {...}, "claims":
{...}} or null, "status": 200, "reason": "", ...}), which the tests read
with ApnsServer.requests().

Run as a program (python3 apns_server.py --port ...), started and stopped
by the ApnsServer peer class below; it prints "listening" once ready.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import ssl
import sys
import time

DEVICE_PATH = re.compile(r"^/3/device/([^/]*)$")
HEX = re.compile(r"^[0-9a-fA-F]+$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
PUSH_TYPES = {"alert", "background", "voip", "location", "complication", "fileprovider", "mdm",
              "liveactivity", "pushtotalk", "widgets", "controls"}


# --------------------------------------------------------------------------
# The server program
# --------------------------------------------------------------------------

class Judge:
    """Checks one request as APNs would; returns (status, reason) or None."""

    def __init__(self, args):
        self.args = args
        self.public_key = None
        if args.jwt_key:
            with open(args.jwt_key, "rb") as fh:
                self.public_key = fh.read()
        self.expired_jwts: set[str] = set()
        self.script_counts: dict[str, int] = {}

    def check_token_auth(self, headers, record):
        import jwt  # python3-jwt
        auth = headers.get("authorization")
        if not auth or not auth.startswith("bearer "):
            return 403, "MissingProviderToken"
        token = auth[len("bearer "):]
        try:
            header = jwt.get_unverified_header(token)
            claims = jwt.decode(token, self.public_key, algorithms=["ES256"],
                                options={"verify_exp": False, "verify_iat": False, "verify_aud": False})
        except Exception as e:  # bad signature, not a JWT, wrong algorithm
            record["jwt_error"] = str(e)
            return 403, "InvalidProviderToken"
        record["jwt"] = {"header": header, "claims": claims, "raw": token}
        if header.get("alg") != "ES256" or header.get("kid") != self.args.key_id:
            return 403, "InvalidProviderToken"
        if claims.get("iss") != self.args.team_id or not isinstance(claims.get("iat"), int):
            return 403, "InvalidProviderToken"
        now = int(time.time())
        if claims["iat"] > now + 60:
            return 403, "InvalidProviderToken"
        if now - claims["iat"] > 3600:
            return 403, "ExpiredProviderToken"
        return None

    def judge(self, method, path, headers, body, record, script):
        if method != "POST":
            return 405, "MethodNotAllowed"
        m = DEVICE_PATH.match(path)
        if not m:
            return 404, "BadPath"
        token = m.group(1)
        record["token"] = token
        if not token:
            return 400, "MissingDeviceToken"
        if not HEX.match(token):
            return 400, "BadDeviceToken"
        if self.public_key is not None:
            verdict = self.check_token_auth(headers, record)
            if verdict:
                return verdict
            if script.get("expire_token"):
                raw = record["jwt"]["raw"]
                if not self.expired_jwts:
                    self.expired_jwts.add(raw)
                if raw in self.expired_jwts:
                    return 403, "ExpiredProviderToken"
        elif "authorization" in headers and self.args.client_ca:
            pass  # certificate authentication: APNs ignores nothing but we record it
        push_type = headers.get("apns-push-type", "alert")
        if push_type not in PUSH_TYPES:
            return 400, "InvalidPushType"
        if self.public_key is not None and not headers.get("apns-topic"):
            return 400, "MissingTopic"
        if "apns-priority" in headers and headers["apns-priority"] not in ("10", "5", "1"):
            return 400, "BadPriority"
        if "apns-id" in headers and not UUID.match(headers["apns-id"]):
            return 400, "BadMessageId"
        if "apns-expiration" in headers and not headers["apns-expiration"].isdigit():
            return 400, "BadExpirationDate"
        if len(headers.get("apns-collapse-id", "").encode()) > 64:
            return 400, "BadCollapseId"
        if not body:
            return 400, "PayloadEmpty"
        if len(body) > (5120 if push_type == "voip" else 4096):
            return 413, "PayloadTooLarge"
        try:
            payload = json.loads(body)
        except ValueError:
            return 400, "BadPayload"
        if not isinstance(payload, dict):
            return 400, "BadPayload"
        return None

    def scripted(self, token):
        """The control file's entry for `token` (or "*"), counting `times`."""
        try:
            with open(self.args.control) as fh:
                control = json.load(fh)
        except (OSError, ValueError):
            control = {}
        entry = control.get(token) or control.get("*") or {}
        key = token if token in control else "*"
        times = entry.get("times")
        if times is not None:
            used = self.script_counts.get(key, 0)
            if used >= times:
                return {}
            self.script_counts[key] = used + 1
        return entry


class Server:
    def __init__(self, args):
        self.args = args
        self.judge = Judge(args)
        self.next_conn = 0
        self.record_fh = open(args.record, "a", buffering=1)

    def record(self, obj):
        obj["time"] = time.time()
        self.record_fh.write(json.dumps(obj) + "\n")


class Connection(asyncio.Protocol):
    def __init__(self, server: Server):
        import h2.config
        import h2.connection
        import h2.settings
        self.server = server
        server.next_conn += 1
        self.id = server.next_conn
        self.conn = h2.connection.H2Connection(
            config=h2.config.H2Configuration(client_side=False, header_encoding="utf-8"))
        self.conn.local_settings = h2.settings.Settings(
            client=False, initial_values={h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS: server.args.max_streams})
        self.streams: dict[int, dict] = {}
        self.pending: set[int] = set()
        self.transport = None
        self.gone = False
        self.goaway_last = None  # last_stream_id of the GOAWAY sent, if any

    def connection_made(self, transport):
        self.transport = transport
        ssl_obj = transport.get_extra_info("ssl_object")
        alpn = ssl_obj.selected_alpn_protocol() if ssl_obj else None
        peercert = transport.get_extra_info("peercert")
        subject = None
        if peercert:
            subject = dict(x[0] for x in peercert.get("subject", ()))
        self.client_subject = subject
        self.server.record({"event": "connection", "conn": self.id, "alpn": alpn,
                            "tls_version": ssl_obj.version() if ssl_obj else None, "client_cert": subject,
                            "sni": SNI_SEEN.get(id(ssl_obj))})
        if alpn != "h2" and not self.server.args.plain:
            transport.close()
            return
        self.conn.initiate_connection()
        self.flush()

    def connection_lost(self, exc):
        self.gone = True
        self.server.record({"event": "closed", "conn": self.id})

    def flush(self):
        if not self.gone and self.transport:
            data = self.conn.data_to_send()
            if data:
                self.transport.write(data)

    def data_received(self, data):
        import h2.events
        import h2.exceptions
        try:
            events = self.conn.receive_data(data)
        except h2.exceptions.ProtocolError as e:
            self.server.record({"event": "protocol_error", "conn": self.id, "error": str(e)})
            self.flush()
            self.transport.close()
            return
        for ev in events:
            if isinstance(ev, h2.events.RequestReceived):
                self.streams[ev.stream_id] = {"headers": list(ev.headers), "body": b""}
                self.pending.add(ev.stream_id)
            elif isinstance(ev, h2.events.DataReceived):
                if ev.stream_id in self.streams:
                    self.streams[ev.stream_id]["body"] += ev.data
                self.conn.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
            elif isinstance(ev, h2.events.StreamEnded):
                if ev.stream_id in self.streams:
                    asyncio.get_event_loop().create_task(self.answer(ev.stream_id))
            elif isinstance(ev, h2.events.StreamReset):
                self.pending.discard(ev.stream_id)
                self.server.record({"event": "reset", "conn": self.id, "stream": ev.stream_id})
        self.flush()

    async def answer(self, stream_id):
        st = self.streams.pop(stream_id)
        pseudo = {k: v for k, v in st["headers"] if k.startswith(":")}
        headers = {}
        duplicate = False
        for k, v in st["headers"]:
            if not k.startswith(":"):
                duplicate |= k in headers
                headers[k] = v
        body = st["body"]
        record = {"event": "request", "conn": self.id, "stream": stream_id, "in_flight": len(self.pending),
                  "method": pseudo.get(":method"), "path": pseudo.get(":path"),
                  "authority": pseudo.get(":authority"), "headers": headers,
                  "body": body.decode("utf-8", "replace"), "token": None, "jwt": None,
                  "client_cert": self.client_subject}
        m = DEVICE_PATH.match(pseudo.get(":path", ""))
        script = self.server.judge.scripted(m.group(1) if m else "")
        record["script"] = script
        if script.get("goaway"):
            # Not processed: the last stream processed is the one before this.
            self.pending.discard(stream_id)
            record["status"] = None
            record["goaway"] = True
            self.server.record(record)
            # A graceful GOAWAY written as a raw frame: python-h2's
            # close_connection() would refuse to answer the streams it keeps.
            from hyperframe.frame import GoAwayFrame
            last = max(stream_id - 2, 0)
            self.goaway_last = last
            self.flush()
            self.transport.write(GoAwayFrame(stream_id=0, last_stream_id=last, error_code=0,
                                             additional_data=b'{"reason":"Shutdown"}').serialize())
            self.close_when_done()
            return
        verdict = None if not duplicate else (400, "DuplicateHeaders")
        if verdict is None:
            verdict = self.server.judge.judge(pseudo.get(":method"), pseudo.get(":path", ""), headers, body,
                                              record, script)
        if verdict is None and script.get("status"):
            verdict = (script["status"], script.get("reason", ""))
        status, reason = verdict if verdict else (200, "")
        record["status"] = status
        record["reason"] = reason
        delay = script.get("delay", 0)
        if delay:
            await asyncio.sleep(delay)  # the stand-in answers late on purpose
        self.pending.discard(stream_id)
        if self.goaway_last is not None and stream_id > self.goaway_last:
            record["status"], record["reason"], record["refused"] = None, "", True
            self.server.record(record)  # not processed (the GOAWAY said so): never answered
            self.close_when_done()
            return
        record["answered"] = time.time()
        self.server.record(record)
        if self.gone:
            return
        apns_id = headers.get("apns-id") or "00000000-0000-4000-8000-000000000000"
        out = [(":status", str(status)), ("apns-id", apns_id)]
        data = b""
        if status != 200:
            doc = {"reason": reason}
            if status == 410:
                doc["timestamp"] = int(time.time() * 1000)
            data = json.dumps(doc).encode()
            out.append(("content-type", "application/json"))
            out.append(("content-length", str(len(data))))
            if script.get("retry_after") is not None:
                out.append(("retry-after", str(script["retry_after"])))
        try:
            self.conn.send_headers(stream_id, out, end_stream=not data)
            if data:
                self.conn.send_data(stream_id, data, end_stream=True)
        except Exception as e:  # the stream was reset meanwhile
            self.server.record({"event": "send_failed", "conn": self.id, "stream": stream_id, "error": str(e)})
        self.flush()
        self.close_when_done()

    def close_when_done(self):
        """After a GOAWAY: close once every stream it kept has its answer."""
        if self.goaway_last is None or self.gone:
            return
        if not any(sid <= self.goaway_last for sid in self.pending):
            self.transport.close()


SNI_SEEN: dict[int, str] = {}  # id(SSLObject) -> the server name the client asked for


def serve(args):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.sni_callback = lambda ssl_obj, name, _ctx: SNI_SEEN.__setitem__(id(ssl_obj), name)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(args.cert, args.key)
    ctx.set_alpn_protocols(["h2"])
    if args.client_ca:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(args.client_ca)
    server = Server(args)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    srv = loop.run_until_complete(
        loop.create_server(lambda: Connection(server), args.address, args.port, ssl=None if args.plain else ctx,
                           reuse_address=True))
    print("listening", flush=True)
    try:
        loop.run_forever()
    finally:
        srv.close()


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--address", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--record", required=True)
    p.add_argument("--control", required=True)
    p.add_argument("--max-streams", type=int, default=1000)
    p.add_argument("--client-ca")
    p.add_argument("--plain", action="store_true", help="cleartext HTTP/2 with prior knowledge (no TLS)")
    p.add_argument("--jwt-key", help="the provider's public key (PEM): token authentication")
    p.add_argument("--key-id")
    p.add_argument("--team-id")
    serve(p.parse_args(argv))


# --------------------------------------------------------------------------
# The peer the tests use
# --------------------------------------------------------------------------

class ApnsServer:
    """The stand-in as a test peer:

        with ApnsServer(tmp_path, cert, key, jwt_key=pub, key_id="ABC123DEFG",
                        team_id="DEF123GHIJ") as apns:        # or client_ca=ca.ca_path
            apns.script("aabb...", status=410, reason="Unregistered")
            ...
            [req] = apns.wait_requests(1)                     # dicts, see the module doc
            apns.connections()

    Listens on `address` at a free port (apns.port), or at `port`; stopped by PID."""

    def __init__(self, directory, cert, key, address="127.0.0.1", max_streams=1000, client_ca=None,
                 jwt_key=None, key_id=None, team_id=None, port=None, plain=False):
        from harness.process import free_port
        self.dir = os.fspath(directory)
        os.makedirs(self.dir, exist_ok=True)
        self.address = address
        self.port = port or free_port(address)
        self.record_path = os.path.join(self.dir, f"apns-{self.port}.jsonl")
        self.control_path = os.path.join(self.dir, f"apns-{self.port}.control.json")
        self.log_path = os.path.join(self.dir, f"apns-{self.port}.log")
        self.args = ["--address", address, "--port", str(self.port), "--cert", cert, "--key", key,
                     "--record", self.record_path, "--control", self.control_path,
                     "--max-streams", str(max_streams)]
        if client_ca:
            self.args += ["--client-ca", client_ca]
        if jwt_key:
            self.args += ["--jwt-key", jwt_key, "--key-id", key_id, "--team-id", team_id]
        if plain:
            self.args += ["--plain"]
        self.process = None
        self._script: dict = {}
        self.script_all()

    def start(self):
        from harness.process import spawn, stop_at_exit, wait_for, read_text
        self.process = spawn(["/usr/bin/python3", os.path.abspath(__file__), *self.args], self.log_path)
        stop_at_exit(self)

        def ready():
            if self.process.poll() is not None:
                raise RuntimeError("apns_server exited:\n" + read_text(self.log_path))
            return "listening" in read_text(self.log_path)
        wait_for(ready, 15, what="the APNs stand-in to listen")
        return self

    def stop(self):
        from harness.process import stop_session, forget_at_exit
        stop_session(self.process, timeout=5)
        forget_at_exit(self)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def script(self, token="*", **answer):
        """What to answer for `token` ("*": every token without its own entry)."""
        self._script[token] = answer
        self.script_all()

    def script_all(self):
        tmp = self.control_path + ".tmp"
        with open(tmp, "w") as fh:
            json.dump(self._script, fh)
        os.replace(tmp, self.control_path)

    def events(self, kind=None):
        out = []
        try:
            with open(self.record_path) as fh:
                for line in fh:
                    if line.strip():
                        obj = json.loads(line)
                        if kind is None or obj.get("event") == kind:
                            out.append(obj)
        except FileNotFoundError:
            pass
        return out

    def requests(self):
        return self.events("request")

    def connections(self):
        return self.events("connection")

    def wait_requests(self, count, timeout=20.0, where=None):
        from harness.process import wait_for
        def enough():
            rs = [r for r in self.requests() if where is None or where(r)]
            return rs if len(rs) >= count else None
        return wait_for(enough, timeout, what=f"{count} request(s) at the APNs stand-in")

    def log(self):
        from harness.process import read_text
        return read_text(self.log_path)


if __name__ == "__main__":
    sys.exit(main())
