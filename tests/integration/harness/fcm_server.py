"""A stand-in for Google's Firebase Cloud Messaging, written from Google's
published FCM HTTP v1 API, its OAuth2 service-account flow and the legacy
HTTP API (reference/protocols.md §5), as strict as the real service about
what it checks. One TLS listener serves three endpoints:

- the OAuth2 token endpoint (POST `--token-path`, default /token): an
  application/x-www-form-urlencoded JWT-bearer grant
  (grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer, assertion=<JWT>)
  verified with python3-jwt against the service account's public key: RS256,
  iss = the client_email, scope holding
  https://www.googleapis.com/auth/firebase.messaging, aud = the token_uri,
  iat not in the future nor older than 5 minutes, exp after now and at most
  iat + 3600; else 400 {"error": "invalid_grant", "error_description": ...}.
  It issues opaque tokens valid `--token-lifetime` seconds
  ({"access_token", "expires_in", "token_type": "Bearer"});
- FCM HTTP v1 (POST /v1/projects/<project>/messages:send): only tokens it
  issued and that have not expired (401 UNAUTHENTICATED otherwise), the
  project it serves (404 otherwise), a JSON body {"message": {...},
  "validate_only"?: bool} whose message has exactly one target, a string
  `token`, `data` values all strings, `android.ttl` a duration ("3.5s"),
  `android.collapse_key` a string, at most 4096 bytes (400 INVALID_ARGUMENT
  with the FcmError detail otherwise); 200 {"name":
  "projects/<p>/messages/<n>"};
- the legacy API (POST `--legacy-path`, default /gcm/send):
  `authorization: key=<--legacy-key>` (401 otherwise), a JSON body with
  `to` and the legacy fields typed as documented (400 otherwise); 200
  {"multicast_id", "success", "failure", "canonical_ids", "results": [...]}.

Told what to answer per registration token through a control file (JSON,
re-read on every request; FcmServer.script() writes it):

    {"<token>": {"error": "UNREGISTERED", "retry_after": 30, "times": 1},
     "*": {...}, "__token__": {"status": 400, "error": "invalid_grant"}}

v1: `error` is an FCM error code, answered with the status of Google's
table (INVALID_ARGUMENT 400, UNREGISTERED 404, SENDER_ID_MISMATCH 403,
QUOTA_EXCEEDED 429, UNAVAILABLE 503, INTERNAL 500, THIRD_PARTY_AUTH_ERROR
401); `status` alone answers that status with a gRPC status and no FCM code.
Legacy: `error` goes in results[0].error, `registration_id` in results[0]
(a canonical token), `status` is the HTTP status. `__token__` scripts the
token endpoint. `times` limits how many requests get the scripted answer;
`retry_after` adds a Retry-After header; `revoke` makes the v1 endpoint
refuse the token presented once (401), as after a key rotation.

HTTP/2 (python3-h2, ALPN h2) by default; with --http1 the listener offers
only http/1.1 and serves HTTP/1.1 with keep-alive (http.server over TLS).

Every request is appended to `record` as a JSON line ({"event": "request",
"kind": "token" | "v1" | "legacy", "path", "headers", "body", "json",
"claims" (token), "bearer", "status", "answer", "protocol"}), which the
tests read with FcmServer.requests() and FcmServer.grants().

Run as a program (python3 fcm_server.py --port ...), started and stopped by
the FcmServer peer class below; it prints "listening" once ready.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import re
import secrets
import ssl
import time
import urllib.parse

SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
V1_PATH = re.compile(r"^/v1/projects/([^/]+)/messages:send$")
DURATION = re.compile(r"^\d+(\.\d{1,9})?s$")
V1_STATUS = {"INVALID_ARGUMENT": (400, "INVALID_ARGUMENT"), "UNREGISTERED": (404, "NOT_FOUND"),
             "SENDER_ID_MISMATCH": (403, "PERMISSION_DENIED"), "QUOTA_EXCEEDED": (429, "RESOURCE_EXHAUSTED"),
             "UNAVAILABLE": (503, "UNAVAILABLE"), "INTERNAL": (500, "INTERNAL"),
             "THIRD_PARTY_AUTH_ERROR": (401, "UNAUTHENTICATED")}
GRPC_OF = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
           429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE"}
LEGACY_FIELDS = {"to": str, "registration_ids": list, "condition": str, "collapse_key": str, "priority": str,
                 "content_available": bool, "time_to_live": int, "restricted_package_name": str,
                 "dry_run": bool, "data": dict, "notification": dict, "delay_while_idle": bool}


# --------------------------------------------------------------------------
# The service: one request in, one answer out (shared by HTTP/2 and HTTP/1.1)
# --------------------------------------------------------------------------

def json_answer(status, doc, extra=()):
    return status, [("content-type", "application/json; charset=UTF-8"), *extra], json.dumps(doc).encode()


def v1_error(status, grpc, message, code=None):
    err = {"code": status, "message": message, "status": grpc}
    if code:
        err["details"] = [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": code}]
    return err


class Service:
    def __init__(self, args):
        self.args = args
        with open(args.sa_public_key, "rb") as fh:
            self.public_key = fh.read()
        self.tokens: dict[str, float] = {}  # access token -> expiry (unix)
        self.revoked: set[str] = set()
        self.counts: dict[str, int] = {}
        self.message_ids = itertools.count(1)
        self.record_fh = open(args.record, "a", buffering=1)

    def record(self, obj):
        obj["time"] = time.time()
        self.record_fh.write(json.dumps(obj) + "\n")

    def scripted(self, key):
        try:
            with open(self.args.control) as fh:
                control = json.load(fh)
        except (OSError, ValueError):
            control = {}
        if key in control:
            entry = control[key]
        elif key != "__token__":
            key = "*"
            entry = control.get("*") or {}
        else:
            entry = {}
        times = entry.get("times")
        if times is not None:
            used = self.counts.get(key, 0)
            if used >= times:
                return {}
            self.counts[key] = used + 1
        return entry

    def handle(self, method, path, headers, body, protocol):
        record = {"event": "request", "method": method, "path": path, "headers": headers,
                  "body": body.decode("utf-8", "replace"), "protocol": protocol}
        if method != "POST":
            answer = json_answer(405, {"error": "method not allowed"})
        elif path == self.args.token_path:
            record["kind"] = "token"
            answer = self.token(headers, body, record)
        elif V1_PATH.match(path):
            record["kind"] = "v1"
            answer = self.v1(V1_PATH.match(path).group(1), headers, body, record)
        elif path == self.args.legacy_path:
            record["kind"] = "legacy"
            answer = self.legacy(headers, body, record)
        else:
            answer = (404, [("content-type", "text/html")], b"<html>404 Not Found</html>")
        record["status"] = answer[0]
        record["answer"] = answer[2].decode("utf-8", "replace")
        self.record(record)
        return answer

    # -- OAuth2 token endpoint ------------------------------------------------
    def token(self, headers, body, record):
        import jwt  # python3-jwt
        refuse = lambda why: json_answer(400, {"error": "invalid_grant", "error_description": why})  # noqa: E731
        if not headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            return refuse("content-type must be application/x-www-form-urlencoded")
        form = urllib.parse.parse_qs(body.decode("ascii", "replace"), strict_parsing=False)
        if form.get("grant_type") != ["urn:ietf:params:oauth:grant-type:jwt-bearer"]:
            return json_answer(400, {"error": "unsupported_grant_type", "error_description": "Invalid grant_type"})
        [assertion] = form.get("assertion", [""])
        try:
            header = jwt.get_unverified_header(assertion)
            claims = jwt.decode(assertion, self.public_key, algorithms=["RS256"],
                                options={"verify_exp": False, "verify_iat": False, "verify_aud": False})
        except Exception as e:  # bad signature, not a JWT, wrong algorithm
            record["jwt_error"] = str(e)
            return refuse("Invalid JWT Signature.")
        record["claims"] = claims
        record["jwt_header"] = header
        now = int(time.time())
        if header.get("alg") != "RS256":
            return refuse("Invalid JWT: alg must be RS256")
        if claims.get("iss") != self.args.client_email:
            return refuse("Invalid JWT: iss is not the service account")
        if SCOPE not in str(claims.get("scope", "")).split():
            return refuse("Invalid JWT: scope does not hold " + SCOPE)
        if claims.get("aud") != self.args.token_uri:
            return refuse("Invalid JWT: aud must be the token_uri")
        iat, exp = claims.get("iat"), claims.get("exp")
        if not isinstance(iat, int) or not isinstance(exp, int):
            return refuse("Invalid JWT: iat and exp must be integers")
        if iat > now + 30 or now - iat > 300:
            return refuse("Invalid JWT: Token must be a short-lived token and in a reasonable timeframe.")
        if exp <= now or exp - iat > 3600:
            return refuse("Invalid JWT: exp must be after now and at most an hour after iat")
        script = self.scripted("__token__")
        if script.get("status"):
            return json_answer(script["status"], {"error": script.get("error", "invalid_grant"),
                                                  "error_description": script.get("description", "scripted")})
        token = "ya29.stand-in." + secrets.token_urlsafe(24)
        self.tokens[token] = time.time() + self.args.token_lifetime
        record["issued"] = token
        return json_answer(200, {"access_token": token, "expires_in": self.args.token_lifetime,
                                 "token_type": "Bearer"})

    # -- FCM HTTP v1 ------------------------------------------------------------
    def v1(self, project, headers, body, record):
        auth = headers.get("authorization", "")
        bearer = auth[len("Bearer "):] if auth.startswith("Bearer ") else None
        record["bearer"] = bearer
        unauth = json_answer(401, {"error": v1_error(
            401, "UNAUTHENTICATED", "Request is missing required authentication credential.")},
            [("www-authenticate", 'Bearer realm="https://accounts.google.com/"')])
        if not bearer or bearer not in self.tokens or self.tokens[bearer] < time.time() or bearer in self.revoked:
            return unauth
        if project != self.args.project:
            return json_answer(404, {"error": v1_error(404, "NOT_FOUND", "Requested entity was not found.")})
        bad = lambda why: json_answer(400, {"error": v1_error(400, "INVALID_ARGUMENT", why, "INVALID_ARGUMENT")})  # noqa
        if not headers.get("content-type", "").startswith("application/json"):
            return bad("content-type must be application/json")
        if len(body) > 4096 + 512:
            return bad("Message is too big")
        try:
            doc = json.loads(body)
        except ValueError:
            return bad("Invalid JSON payload received.")
        record["json"] = doc
        if not isinstance(doc, dict) or set(doc) - {"message", "validate_only"}:
            return bad("Invalid JSON payload received. Unknown name at top level.")
        if "validate_only" in doc and not isinstance(doc["validate_only"], bool):
            return bad("validate_only must be a boolean")
        message = doc.get("message")
        if not isinstance(message, dict):
            return bad("message is required")
        targets = [k for k in ("token", "topic", "condition") if k in message]
        if len(targets) != 1:
            return bad("Exactly one of token, topic or condition must be set")
        token = message.get("token")
        if not isinstance(token, str) or not token:
            return bad("The registration token is not a valid FCM registration token")
        data = message.get("data", {})
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            return bad("Invalid value at 'message.data': values must be strings")
        android = message.get("android", {})
        if not isinstance(android, dict):
            return bad("message.android must be an object")
        if "ttl" in android and not (isinstance(android["ttl"], str) and DURATION.match(android["ttl"])):
            return bad("Invalid value at 'message.android.ttl' (type.googleapis.com/google.protobuf.Duration)")
        if "collapse_key" in android and not isinstance(android["collapse_key"], str):
            return bad("message.android.collapse_key must be a string")
        record["token"] = token
        script = self.scripted(token)
        extra = [("retry-after", str(script["retry_after"]))] if script.get("retry_after") is not None else []
        if script.get("revoke"):
            self.revoked.add(bearer)
            return unauth
        if script.get("error"):
            status, grpc = V1_STATUS[script["error"]]
            return json_answer(status, {"error": v1_error(status, grpc, "scripted", script["error"])}, extra)
        if script.get("status"):
            status = script["status"]
            return json_answer(status, {"error": v1_error(status, GRPC_OF.get(status, "UNKNOWN"), "scripted")}, extra)
        return json_answer(200, {"name": f"projects/{project}/messages/0:{next(self.message_ids)}"})

    # -- legacy HTTP -----------------------------------------------------------
    def legacy(self, headers, body, record):
        if headers.get("authorization") != "key=" + self.args.legacy_key:
            return 401, [("content-type", "text/html")], b"<HTML><TITLE>Unauthorized</TITLE>Error 401</HTML>"
        if not headers.get("content-type", "").startswith("application/json"):
            return 400, [("content-type", "text/plain")], b"Content-Type must be application/json"
        try:
            doc = json.loads(body)
        except ValueError:
            return 400, [("content-type", "text/plain")], b"JSON_PARSING_ERROR: Unexpected character"
        record["json"] = doc
        if not isinstance(doc, dict) or not isinstance(doc.get("to"), str) or not doc["to"]:
            return 400, [("content-type", "text/plain")], b"Missing \"to\""
        for key, kind in LEGACY_FIELDS.items():
            if key in doc and not (isinstance(doc[key], kind) and not (kind is int and isinstance(doc[key], bool))):
                return 400, [("content-type", "text/plain")], f"Field \"{key}\" has the wrong type".encode()
        if "time_to_live" in doc and not 0 <= doc["time_to_live"] <= 2419200:
            return json_answer(200, {"multicast_id": 1, "success": 0, "failure": 1, "canonical_ids": 0,
                                     "results": [{"error": "InvalidTtl"}]})
        token = doc["to"]
        record["token"] = token
        script = self.scripted(token)
        extra = [("retry-after", str(script["retry_after"]))] if script.get("retry_after") is not None else []
        if script.get("status"):
            return script["status"], [("content-type", "text/html"), *extra], b"<HTML>scripted</HTML>"
        result = {}
        if script.get("error"):
            result["error"] = script["error"]
        else:
            result["message_id"] = f"0:{next(self.message_ids)}%stand-in"
            if script.get("registration_id"):
                result["registration_id"] = script["registration_id"]
        ok = "error" not in result
        return json_answer(200, {"multicast_id": 1, "success": int(ok), "failure": int(not ok),
                                 "canonical_ids": int("registration_id" in result), "results": [result]}, extra)


# --------------------------------------------------------------------------
# HTTP/2 (python3-h2)
# --------------------------------------------------------------------------

class H2Connection(asyncio.Protocol):
    def __init__(self, service: Service, counter):
        import h2.config
        import h2.connection
        self.service = service
        self.id = next(counter)
        self.conn = h2.connection.H2Connection(
            config=h2.config.H2Configuration(client_side=False, header_encoding="utf-8"))
        self.streams: dict[int, dict] = {}
        self.transport = None
        self.gone = False

    def connection_made(self, transport):
        self.transport = transport
        ssl_obj = transport.get_extra_info("ssl_object")
        alpn = ssl_obj.selected_alpn_protocol() if ssl_obj else None
        self.service.record({"event": "connection", "conn": self.id, "alpn": alpn,
                             "tls_version": ssl_obj.version() if ssl_obj else None})
        if alpn != "h2":
            transport.close()
            return
        self.conn.initiate_connection()
        self.flush()

    def connection_lost(self, exc):
        self.gone = True

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
            self.service.record({"event": "protocol_error", "conn": self.id, "error": str(e)})
            self.flush()
            self.transport.close()
            return
        for ev in events:
            if isinstance(ev, h2.events.RequestReceived):
                self.streams[ev.stream_id] = {"headers": list(ev.headers), "body": b""}
            elif isinstance(ev, h2.events.DataReceived):
                if ev.stream_id in self.streams:
                    self.streams[ev.stream_id]["body"] += ev.data
                self.conn.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
            elif isinstance(ev, h2.events.StreamEnded):
                if ev.stream_id in self.streams:
                    self.answer(ev.stream_id)
        self.flush()

    def answer(self, stream_id):
        st = self.streams.pop(stream_id)
        pseudo = {k: v for k, v in st["headers"] if k.startswith(":")}
        headers = {k: v for k, v in st["headers"] if not k.startswith(":")}
        status, out, data = self.service.handle(pseudo.get(":method"), pseudo.get(":path", ""), headers,
                                                st["body"], "h2")
        hdrs = [(":status", str(status)), *out, ("content-length", str(len(data)))]
        self.conn.send_headers(stream_id, hdrs, end_stream=not data)
        if data:
            self.conn.send_data(stream_id, data, end_stream=True)
        self.flush()


def serve_h2(args, ctx, service):
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    counter = itertools.count(1)
    srv = loop.run_until_complete(
        loop.create_server(lambda: H2Connection(service, counter), args.address, args.port, ssl=ctx,
                           reuse_address=True))
    print("listening", flush=True)
    try:
        loop.run_forever()
    finally:
        srv.close()


# --------------------------------------------------------------------------
# HTTP/1.1 (http.server over TLS, keep-alive)
# --------------------------------------------------------------------------

def serve_h1(args, ctx, service):
    import http.server
    import threading
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):  # noqa: N802
            length = int(self.headers.get("content-length", "0"))
            body = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            with lock:
                status, out, data = service.handle("POST", self.path, headers, body, "http/1.1")
            self.send_response(status)
            for k, v in out:
                self.send_header(k, v)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *a):
            pass

    class Server(http.server.ThreadingHTTPServer):
        allow_reuse_address = True
        daemon_threads = True

        def get_request(self):
            sock, addr = self.socket.accept()
            tls = ctx.wrap_socket(sock, server_side=True)
            service.record({"event": "connection", "alpn": tls.selected_alpn_protocol(),
                            "tls_version": tls.version()})
            return tls, addr

    httpd = Server((args.address, args.port), Handler)
    print("listening", flush=True)
    httpd.serve_forever()


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--address", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--record", required=True)
    p.add_argument("--control", required=True)
    p.add_argument("--sa-public-key", required=True, help="the service account's public key (PEM)")
    p.add_argument("--client-email", required=True)
    p.add_argument("--token-uri", required=True)
    p.add_argument("--token-path", default="/token")
    p.add_argument("--token-lifetime", type=int, default=3600)
    p.add_argument("--project", required=True)
    p.add_argument("--legacy-key", default="")
    p.add_argument("--legacy-path", default="/gcm/send")
    p.add_argument("--http1", action="store_true", help="offer only http/1.1 (ALPN) and serve HTTP/1.1")
    args = p.parse_args(argv)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(args.cert, args.key)
    ctx.set_alpn_protocols(["http/1.1"] if args.http1 else ["h2"])
    service = Service(args)
    if args.http1:
        serve_h1(args, ctx, service)
    else:
        serve_h2(args, ctx, service)


# --------------------------------------------------------------------------
# The peer the tests use
# --------------------------------------------------------------------------

class FcmServer:
    """The stand-in as a test peer:

        with FcmServer(tmp_path, cert, key, sa_public_key=pub, client_email=..., project="p",
                       legacy_key="AIza...") as fcm:
            fcm.token_uri                                 # for the service-account file
            fcm.script("token-1", error="UNREGISTERED")
            [req] = fcm.wait_requests(1, kind="v1")      # dicts, see the module doc
            fcm.grants()

    Listens on `address` at a free port (fcm.port); stopped by PID. The
    token_uri names `address`, or `token_host` when given."""

    def __init__(self, directory, cert, key, sa_public_key, client_email, project, legacy_key="",
                 address="127.0.0.1", token_lifetime=3600, http1=False, legacy_path="/gcm/send", token_host=None):
        from harness.process import free_port
        self.dir = os.fspath(directory)
        os.makedirs(self.dir, exist_ok=True)
        self.address = address
        self.port = free_port(address)
        # token_host: a name for the token_uri (the test's DNS maps it to `address`).
        self.token_uri = f"https://{token_host or address}:{self.port}/token"
        self.record_path = os.path.join(self.dir, f"fcm-{self.port}.jsonl")
        self.control_path = os.path.join(self.dir, f"fcm-{self.port}.control.json")
        self.log_path = os.path.join(self.dir, f"fcm-{self.port}.log")
        self.args = ["--address", address, "--port", str(self.port), "--cert", cert, "--key", key,
                     "--record", self.record_path, "--control", self.control_path,
                     "--sa-public-key", sa_public_key, "--client-email", client_email,
                     "--token-uri", self.token_uri, "--token-lifetime", str(token_lifetime),
                     "--project", project, "--legacy-key", legacy_key, "--legacy-path", legacy_path]
        if http1:
            self.args.append("--http1")
        self.process = None
        self._script: dict = {}
        self.script_all()

    def start(self):
        from harness.process import spawn, stop_at_exit, wait_for, read_text
        self.process = spawn(["/usr/bin/python3", os.path.abspath(__file__), *self.args], self.log_path)
        stop_at_exit(self)

        def ready():
            if self.process.poll() is not None:
                raise RuntimeError("fcm_server exited:\n" + read_text(self.log_path))
            return "listening" in read_text(self.log_path)
        wait_for(ready, 15, what="the FCM stand-in to listen")
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
        """What to answer for `token` ("*": every token without its own entry; "__token__": grants)."""
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

    def requests(self, kind=None):
        return [r for r in self.events("request") if kind is None or r.get("kind") == kind]

    def grants(self):
        """Token endpoint requests that were answered with a token."""
        return [r for r in self.requests("token") if r.get("status") == 200]

    def connections(self):
        return self.events("connection")

    def wait_requests(self, count, kind=None, timeout=20.0):
        from harness.process import wait_for

        def enough():
            rs = self.requests(kind)
            return rs if len(rs) >= count else None
        return wait_for(enough, timeout, what=f"{count} {kind or ''} request(s) at the FCM stand-in")


if __name__ == "__main__":
    main()
