"""A stand-in MMSC for MM7 (3GPP TS 23.140 §8.7, SOAP 1.1 with attachments;
reference/protocols.md §6), as strict as a real one about what it checks,
written from the specification and not from Impulse's code:

- HTTP/1.1 keep-alive, over TLS with `cert`/`key`; only POST to `path`
  (404 otherwise);
- a `SOAPAction` header (its value, usually "", recorded);
- Basic authentication when `user`/`password` are given: 401 with
  `WWW-Authenticate: Basic realm="MMSC"` without the right credentials;
- `Content-Type: multipart/related` with `type="text/xml"` and `start`; the
  start part is the envelope (text/xml), its Content-ID matching `start`;
- the envelope: namespace http://schemas.xmlsoap.org/soap/envelope/ (its
  prefix recorded), Header then Body, the Header holding one
  `TransactionID` in the MM7 namespace with `mustUnderstand="1"`, unique
  over the server's life;
- Body/`SubmitReq` in the expected MM7 namespace (`namespace`), every child
  in that namespace, `MM7Version` equal to `version`; children in the
  schema's xs:sequence order (a subsequence of SUBMIT_ORDER) with
  MM7Version, SenderIdentification, Recipients and Content present;
  SenderIdentification's children in order (VASPID, VASID, SenderAddress),
  equal to `vaspid`/`vasid` when given; Recipients holding To/Cc/Bcc, each
  with Number, RFC2822Address or ShortCode; DeliveryReport/ReadReply
  "true"/"false"; MessageClass one of the four;
- `Content href="cid:X"` naming another part whose Content-ID is <X>.
A request that breaks a rule gets HTTP 500 with a SOAP Fault whose
RSErrorRsp status is 4004 (Validation error), the rule in its Details; the
violation is recorded.

What to answer, per recipient (the text of the first recipient address, or
"*"), through a control file (JSON, re-read on every request;
MmscServer.script() writes it):

    {"<address>": {"code": 2002, "text": "Address Error", "fault": true,
                   "http_status": 500, "raw": "<html/>", "content_type": "text/html",
                   "retry_after": 30, "delay": 0.5, "times": 1}, "*": {...}}

Default: HTTP 200, a SubmitRsp with StatusCode 1000 and MessageID
"mmsc-<n>". `code` answers that status in a SubmitRsp, or with `fault` in a
SOAP Fault (HTTP 500 unless `http_status`) whose detail holds RSErrorRsp;
`raw` answers that body as is (no SOAP) with `http_status` (default 502);
`http_status` 401 without `code` refuses the credentials; `times` limits how
many requests get the scripted answer.

Every request is appended to `record` as a JSON line, read by
MmscServer.requests(). MmscServer.delivery_report() POSTs a
DeliveryReportReq to a VASP URL (the daemon's MM7_VASP_Path) and returns
(HTTP status, body, headers).

Run as a program (python3 mmsc_server.py --port ...), started and stopped by
the MmscServer peer class below; it prints "listening" once ready.
"""

from __future__ import annotations

import argparse
import base64
import email.parser
import email.policy
import json
import os
import re
import sys
import threading
import time
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
NS_BASE = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/"
DEFAULT_NS = NS_BASE + "REL-6-MM7-1-4"
SUBMIT_ORDER = ["MM7Version", "SenderIdentification", "Recipients", "ServiceCode", "LinkedID", "MessageClass",
                "TimeStamp", "ReplyCharging", "EarliestDeliveryTime", "ExpiryDate", "DeliveryReport", "ReadReply",
                "Priority", "Subject", "ChargedParty", "ChargedPartyID", "DistributionIndicator",
                "DeliveryCondition", "ApplicID", "ReplyApplicID", "AuxApplicInfo", "ContentClass", "DRMContent",
                "Content"]
SENDER_ORDER = ["VASPID", "VASID", "SenderAddress"]
ADDRESS_KINDS = {"Number", "RFC2822Address", "ShortCode"}
MESSAGE_CLASSES = {"Personal", "Informational", "Advertisement", "Auto"}


class Violation(Exception):
    pass


def split(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, local = tag[1:].split("}", 1)
        return ns, local
    return "", tag


def unbracket(s: str) -> str:
    s = s.strip()
    return s[1:-1] if s.startswith("<") and s.endswith(">") else s


def envelope(ns: str, tid: str, body: str) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="{SOAP_ENV}">'
            f'<env:Header><mm7:TransactionID xmlns:mm7="{ns}" env:mustUnderstand="1">{escape(tid)}'
            f'</mm7:TransactionID></env:Header><env:Body>{body}</env:Body></env:Envelope>')


def fault(code: int, text: str, details: str, ns: str, tid: str) -> str:
    return envelope(ns, tid,
                    f'<env:Fault><faultcode>env:Client</faultcode><faultstring>{escape(text)}</faultstring>'
                    f'<detail><mm7:RSErrorRsp xmlns:mm7="{ns}"><mm7:MM7Version>6.8.0</mm7:MM7Version>'
                    f'<mm7:Status><mm7:StatusCode>{code}</mm7:StatusCode><mm7:StatusText>{escape(text)}'
                    f'</mm7:StatusText><mm7:Details>{escape(details)}</mm7:Details></mm7:Status>'
                    f'</mm7:RSErrorRsp></detail></env:Fault>')


def submit_rsp(code: int, text: str, message_id: str, ns: str, version: str, tid: str) -> str:
    return envelope(ns, tid,
                    f'<SubmitRsp xmlns="{ns}"><MM7Version>{escape(version)}</MM7Version><Status>'
                    f'<StatusCode>{code}</StatusCode><StatusText>{escape(text)}</StatusText></Status>'
                    f'<MessageID>{escape(message_id)}</MessageID></SubmitRsp>')


class Mmsc:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.transactions: set[str] = set()
        self.counts: dict[str, int] = {}
        self.n = 0
        self.connections: dict[tuple, int] = {}

    def record(self, obj):
        with self.lock:
            with open(self.args.record, "a") as fh:
                fh.write(json.dumps(obj) + "\n")

    def script_for(self, address: str):
        try:
            with open(self.args.control) as fh:
                script = json.load(fh)
        except (FileNotFoundError, json.JSONDecodeError):
            script = {}
        key = address if address in script else "*"
        answer = script.get(key)
        if not answer:
            return None
        with self.lock:
            used = self.counts.get(key, 0)
            if "times" in answer and used >= answer["times"]:
                return None
            self.counts[key] = used + 1
        return answer

    def check(self, headers, body: bytes, rec: dict):
        """Validates one SubmitReq, filling `rec`; raises Violation."""
        if "SOAPAction" not in headers:
            raise Violation("no SOAPAction header")
        rec["soapaction"] = headers["SOAPAction"]
        ctype = headers.get("Content-Type", "")
        rec["http_content_type"] = ctype
        msg = email.parser.BytesParser(policy=email.policy.compat32).parsebytes(
            b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + body)
        if msg.get_content_type() != "multipart/related":
            raise Violation(f"Content-Type is {msg.get_content_type()}, not multipart/related")
        if (msg.get_param("type") or "") != "text/xml":
            raise Violation('multipart/related without type="text/xml"')
        start = msg.get_param("start")
        if not start:
            raise Violation("multipart/related without start")
        parts = msg.get_payload()
        if not isinstance(parts, list) or len(parts) < 2:
            raise Violation("multipart/related needs the envelope and the content")
        by_id = {unbracket(p.get("Content-ID", "")): p for p in parts}
        root = by_id.get(unbracket(start))
        if root is None:
            raise Violation(f"no part with Content-ID {start}")
        if root.get_content_type() != "text/xml":
            raise Violation(f"the start part is {root.get_content_type()}, not text/xml")
        xml_bytes = root.get_payload(decode=True)
        m = re.search(rb"<([A-Za-z_][\w.-]*):Envelope\b", xml_bytes)
        rec["env_prefix"] = m.group(1).decode() if m else ""
        env = ET.fromstring(xml_bytes)
        if split(env.tag) != (SOAP_ENV, "Envelope"):
            raise Violation(f"root element {env.tag} is not a SOAP 1.1 Envelope")
        kids = list(env)
        if len(kids) != 2 or split(kids[0].tag) != (SOAP_ENV, "Header") or split(kids[1].tag) != (SOAP_ENV, "Body"):
            raise Violation("the Envelope must hold Header then Body")
        header, body_el = kids
        tids = [e for e in header if split(e.tag)[1] == "TransactionID"]
        if len(tids) != 1:
            raise Violation("the Header needs one TransactionID")
        if split(tids[0].tag)[0] != self.args.namespace:
            raise Violation(f"TransactionID in namespace {split(tids[0].tag)[0]}")
        if tids[0].get(f"{{{SOAP_ENV}}}mustUnderstand") != "1":
            raise Violation('TransactionID without mustUnderstand="1"')
        tid = (tids[0].text or "").strip()
        if not tid:
            raise Violation("empty TransactionID")
        rec["transaction_id"] = tid
        with self.lock:
            if tid in self.transactions:
                raise Violation(f"TransactionID {tid} used twice")
            self.transactions.add(tid)
        reqs = list(body_el)
        if len(reqs) != 1 or split(reqs[0].tag) != (self.args.namespace, "SubmitReq"):
            raise Violation(f"the Body must hold one SubmitReq in {self.args.namespace}: {[e.tag for e in reqs]}")
        req = reqs[0]
        order = []
        for child in req:
            ns, local = split(child.tag)
            if ns != self.args.namespace:
                raise Violation(f"{local} in namespace {ns}")
            order.append(local)
        rec["order"] = order
        for name in order:
            if name not in SUBMIT_ORDER:
                raise Violation(f"unknown element {name}")
        positions = [SUBMIT_ORDER.index(n) for n in order]
        if positions != sorted(positions) or len(set(order)) != len(order):
            raise Violation(f"SubmitReq elements out of schema order: {order}")
        for required in ("MM7Version", "SenderIdentification", "Recipients", "Content"):
            if required not in order:
                raise Violation(f"SubmitReq without {required}")
        ns = "{" + self.args.namespace + "}"
        rec["version"] = (req.findtext(ns + "MM7Version") or "").strip()
        if rec["version"] != self.args.version:
            raise Violation(f"MM7Version {rec['version']}, expected {self.args.version}")
        sender = req.find(ns + "SenderIdentification")
        s_order = [split(c.tag)[1] for c in sender]
        if [n for n in SENDER_ORDER if n in s_order] != s_order:
            raise Violation(f"SenderIdentification out of order: {s_order}")
        rec["vaspid"] = (sender.findtext(ns + "VASPID") or "").strip() if "VASPID" in s_order else None
        rec["vasid"] = (sender.findtext(ns + "VASID") or "").strip() if "VASID" in s_order else None
        if self.args.vaspid is not None and rec["vaspid"] != self.args.vaspid:
            raise Violation(f"VASPID {rec['vaspid']!r}, expected {self.args.vaspid!r}")
        if self.args.vasid is not None and rec["vasid"] != self.args.vasid:
            raise Violation(f"VASID {rec['vasid']!r}, expected {self.args.vasid!r}")
        sa = sender.find(ns + "SenderAddress")
        rec["sender_address"] = None
        if sa is not None:
            inner = list(sa)
            if len(inner) != 1 or split(inner[0].tag)[1] not in ADDRESS_KINDS:
                raise Violation("SenderAddress must hold one Number, RFC2822Address or ShortCode")
            rec["sender_address"] = {"kind": split(inner[0].tag)[1], "value": (inner[0].text or "").strip()}
        recipients = []
        for box in req.find(ns + "Recipients"):
            field = split(box.tag)[1]
            if field not in ("To", "Cc", "Bcc"):
                raise Violation(f"Recipients holds {field}")
            for addr in box:
                kind = split(addr.tag)[1]
                if kind not in ADDRESS_KINDS:
                    raise Violation(f"{field} holds {kind}")
                recipients.append({"field": field, "kind": kind, "value": (addr.text or "").strip()})
        if not recipients:
            raise Violation("no recipient")
        rec["recipients"] = recipients
        for flag in ("DeliveryReport", "ReadReply"):
            v = req.findtext(ns + flag)
            if v is not None and v.strip() not in ("true", "false"):
                raise Violation(f"{flag} is {v!r}, not a boolean")
            rec[flag] = None if v is None else v.strip()
        mc = req.findtext(ns + "MessageClass")
        if mc is not None and mc.strip() not in MESSAGE_CLASSES:
            raise Violation(f"MessageClass {mc!r}")
        rec["message_class"] = mc
        rec["service_code"] = req.findtext(ns + "ServiceCode")
        rec["subject"] = req.findtext(ns + "Subject")
        href = req.find(ns + "Content").get("href", "")
        if not href.startswith("cid:"):
            raise Violation(f"Content href {href!r} is not a cid: reference")
        part = by_id.get(href[4:])
        if part is None or part is root:
            raise Violation(f"no attachment with Content-ID <{href[4:]}>")
        rec["content_type"] = part.get("Content-Type", "")
        if part.is_multipart():
            text = part.as_string()
            rec["content"] = text.split("\n\n", 1)[1] if "\n\n" in text else ""
        else:
            rec["content"] = (part.get_payload(decode=True) or b"").decode("latin-1")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "MMSC-standin/1"

    def log_message(self, fmt, *args):
        sys.stderr.write("mmsc: " + (fmt % args) + "\n")

    def reply(self, status, body: str, ctype="text/xml; charset=utf-8", extra=()):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        mmsc: Mmsc = self.server.mmsc
        args = mmsc.args
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with mmsc.lock:
            conn = mmsc.connections.setdefault(self.client_address, len(mmsc.connections) + 1)
        rec = {"event": "request", "conn": conn, "path": self.path, "host": self.headers.get("Host"),
               "time": time.time()}
        if self.path != args.path:
            rec["status"] = 404
            mmsc.record(rec)
            self.reply(404, "", "text/plain")
            return
        if args.user is not None:
            expected = "Basic " + base64.b64encode(f"{args.user}:{args.password}".encode()).decode()
            rec["authorization"] = self.headers.get("Authorization")
            if self.headers.get("Authorization") != expected:
                rec["status"] = 401
                mmsc.record(rec)
                self.reply(401, "", "text/plain", [("WWW-Authenticate", 'Basic realm="MMSC"')])
                return
        ns = args.namespace
        try:
            mmsc.check(self.headers, body, rec)
        except (Violation, ET.ParseError) as e:
            rec["violation"] = str(e)
            rec["status"] = 500
            mmsc.record(rec)
            self.reply(500, fault(4004, "Validation error", str(e), ns, rec.get("transaction_id", "")))
            return
        answer = mmsc.script_for(rec["recipients"][0]["value"]) or {}
        if answer.get("delay"):
            time.sleep(float(answer["delay"]))
        tid = rec["transaction_id"]
        extra = [("Retry-After", str(answer["retry_after"]))] if "retry_after" in answer else []
        if "raw" in answer:
            rec["status"] = answer.get("http_status", 502)
            mmsc.record(rec)
            self.reply(rec["status"], answer["raw"], answer.get("content_type", "text/html"), extra)
            return
        if answer.get("http_status") == 401 and "code" not in answer:
            rec["status"] = 401
            mmsc.record(rec)
            self.reply(401, "", "text/plain", [("WWW-Authenticate", 'Basic realm="MMSC"')])
            return
        code = int(answer.get("code", 1000))
        text = answer.get("text", "Success" if code == 1000 else "")
        rec["code"] = code
        if answer.get("fault"):
            rec["status"] = answer.get("http_status", 500)
            mmsc.record(rec)
            self.reply(rec["status"], fault(code, text, "", ns, tid), extra=extra)
            return
        with mmsc.lock:
            mmsc.n += 1
            message_id = f"mmsc-{mmsc.n}"
        rec["status"] = answer.get("http_status", 200)
        rec["message_id"] = message_id
        mmsc.record(rec)
        self.reply(rec["status"], submit_rsp(code, text, message_id, ns, args.version, tid), extra=extra)


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("--address", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--path", default="/mm7")
    p.add_argument("--record", required=True)
    p.add_argument("--control", required=True)
    p.add_argument("--namespace", default=DEFAULT_NS)
    p.add_argument("--version", default="6.8.0")
    p.add_argument("--vaspid")
    p.add_argument("--vasid")
    p.add_argument("--user")
    p.add_argument("--password")
    p.add_argument("--cert")
    p.add_argument("--key")
    args = p.parse_args(argv)
    server = ThreadingHTTPServer((args.address, args.port), Handler)
    server.daemon_threads = True
    if args.cert:  # HTTPS (mm7s:// routes)
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.cert, args.key)
        server.socket = ctx.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    server.mmsc = Mmsc(args)
    print("listening", flush=True)
    server.serve_forever()


class MmscServer:
    """The stand-in as a test peer:

        with MmscServer(tmp_path, path="/mm7", vaspid="vasp1", user="u", password="p") as mmsc:
            mmsc.script("15551234567", code=2002, text="Address Error", fault=True)
            [req] = mmsc.wait_requests(1)
            mmsc.delivery_report("http://127.0.0.1:8081/mm7/dr", "mmsc-1", "+1555", "Retrieved")

    Listens on `address` at a free port (mmsc.port); stopped by PID."""

    def __init__(self, directory, path="/mm7", namespace=DEFAULT_NS, version="6.8.0", vaspid=None, vasid=None,
                 user=None, password=None, address="127.0.0.1", cert=None, key=None):
        from harness.process import free_port
        self.dir = os.fspath(directory)
        os.makedirs(self.dir, exist_ok=True)
        self.address = address
        self.port = free_port(address)
        self.record_path = os.path.join(self.dir, f"mmsc-{self.port}.jsonl")
        self.control_path = os.path.join(self.dir, f"mmsc-{self.port}.control.json")
        self.log_path = os.path.join(self.dir, f"mmsc-{self.port}.log")
        self.args = ["--address", address, "--port", str(self.port), "--path", path, "--record", self.record_path,
                     "--control", self.control_path, "--namespace", namespace, "--version", version]
        if vaspid is not None:
            self.args += ["--vaspid", vaspid]
        if vasid is not None:
            self.args += ["--vasid", vasid]
        if user is not None:
            self.args += ["--user", user, "--password", password or ""]
        if cert is not None:
            self.args += ["--cert", cert, "--key", key]
        self.process = None
        self._script: dict = {}
        self._write_script()

    def start(self):
        from harness.process import spawn, stop_at_exit, wait_for, read_text
        self.process = spawn(["/usr/bin/python3", os.path.abspath(__file__), *self.args], self.log_path)
        stop_at_exit(self)

        def ready():
            if self.process.poll() is not None:
                raise RuntimeError("mmsc_server exited:\n" + read_text(self.log_path))
            return "listening" in read_text(self.log_path)
        wait_for(ready, 15, what="the MMSC stand-in to listen")
        return self

    def stop(self):
        from harness.process import stop_session, forget_at_exit
        stop_session(self.process, timeout=5)
        forget_at_exit(self)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def script(self, address="*", **answer):
        """What to answer when the first recipient is `address` ("*": any other)."""
        self._script[address] = answer
        self._write_script()

    def _write_script(self):
        tmp = self.control_path + ".tmp"
        with open(tmp, "w") as fh:
            json.dump(self._script, fh)
        os.replace(tmp, self.control_path)

    def requests(self):
        try:
            with open(self.record_path) as fh:
                return [json.loads(line) for line in fh if line.strip()]
        except FileNotFoundError:
            return []

    def wait_requests(self, n, timeout=20.0):
        from harness.process import wait_for
        box = {}

        def enough():
            box["r"] = self.requests()
            return len(box["r"]) >= n
        wait_for(enough, timeout, what=f"{n} request(s) at the MMSC stand-in")
        return box["r"]

    @staticmethod
    def delivery_report_xml(message_id, recipient, status, transaction_id="dr-1", namespace=DEFAULT_NS,
                            version="6.8.0"):
        kind = "RFC2822Address" if "@" in recipient else "Number"
        return envelope(namespace, transaction_id,
                        f'<DeliveryReportReq xmlns="{namespace}"><MM7Version>{escape(version)}</MM7Version>'
                        f'<MMSRelayServerID>standin</MMSRelayServerID><MessageID>{escape(message_id)}</MessageID>'
                        f'<Recipient><{kind}>{escape(recipient)}</{kind}></Recipient>'
                        f'<Sender><ShortCode>12345</ShortCode></Sender><Date>2026-12-06T10:00:00Z</Date>'
                        f'<MMStatus>{escape(status)}</MMStatus><StatusText>report</StatusText>'
                        f'</DeliveryReportReq>')

    def delivery_report(self, url, message_id, recipient, status, user=None, password=None,
                        transaction_id="dr-1", timeout=10):
        """POSTs a DeliveryReportReq to `url`: (HTTP status, body text, headers)."""
        import urllib.error
        import urllib.request
        data = self.delivery_report_xml(message_id, recipient, status, transaction_id).encode()
        req = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": 'text/xml; charset="utf-8"', "SOAPAction": '""'})
        if user is not None:
            req.add_header("Authorization", "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode())
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return resp.status, resp.read().decode(), dict(resp.headers)
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode(), dict(e.headers)


if __name__ == "__main__":
    main()
