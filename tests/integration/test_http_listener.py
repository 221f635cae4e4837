"""The HTTP_Listener's injection endpoints and its limits against the real
impulsed (SPEC §16; reference/momentum.md §11.2): Momentum's REST injector
(POST /v1.0/inject/, template substitution per recipient, all or none) and
Impulse's POST /api/v1/messages (raw or base64 content, binding), each
delivered intact to Postfix's smtp-sink; a 200 only once durable (kill -9
right after it, restart, delivered); every bad input answered with its
status and a JSON {"error": ...} while the daemon keeps serving (malformed
JSON, wrong types, bad addresses, empty recipients, bad base64, oversize,
missing or wrong API key, a client outside Relay_Hosts, a slow client, too
many connections); /healthz and /readyz; HTTPS.

Clients are curl and Python's http.client; every wait polls a condition
(sink, logs, sockets) with a deadline, never a sleep.
"""
import base64
import http.client
import json
import os
import re
import socket
import subprocess
import textwrap

from harness.impulse import ID, Daemon, Impulsed, daemon_config, run_impulsed
from harness.process import free_port, port_open, wait_for
from harness.smtp_peers import SmtpSink
from harness.test_ca import TestCA

MESSAGE = "From: a@sender.test\r\nTo: r@ok.test\r\nSubject: over http\r\n\r\nline one\r\n.dot line\r\nline three\r\n"


def http_config(port, http_port, body="", http_options="", settings="", http_address="127.0.0.1"):
    return daemon_config(port, settings, extra=f"""\
        HTTP_Listener {{
          {http_options}
          Listen "{http_address}:{http_port}" {{ }}
        }}
        """ + body)


class HttpDaemon(Daemon):
    """impulsed with SMTP, the console and an HTTP_Listener on a free port."""

    def __init__(self, tmp_path, body="", http_options="", settings="", http_address="127.0.0.1"):
        self.http_port = free_port(http_address)
        self.http_address = http_address
        super().__init__(tmp_path, lambda port: http_config(port, self.http_port, body, http_options, settings,
                                                            http_address))

    def start(self):
        super().start()
        wait_for(lambda: port_open(self.http_address, self.http_port), what="the HTTP listener")
        return self

    def conn(self, source=None, timeout=20):
        return http.client.HTTPConnection(self.http_address, self.http_port, timeout=timeout,
                                          source_address=(source, 0) if source else None)

    def request(self, method, path, body=None, headers=None, conn=None, raw=None):
        """(status, headers, parsed JSON body); `raw` sends bytes as they are."""
        c = conn or self.conn()
        try:
            data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
            c.request(method, path, body=data, headers=headers or {})
            r = c.getresponse()
            payload = r.read()
            assert r.getheader("Content-Type", "").startswith("application/json"), (path, r.getheaders(), payload)
            return r.status, dict(r.getheaders()), json.loads(payload)
        finally:
            if conn is None:
                c.close()


def curl(*args):
    r = subprocess.run(["curl", "-sS", "--max-time", "20", "-w", "\n%{http_code}", *args],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    body, _, code = r.stdout.rpartition("\n")
    return int(code), json.loads(body)


def routed_to(sink, domain="ok.test", suspended=False):
    return f"""\
        Domain {domain} {{
          Routes = ( "{sink.hostport}" )
          Suspend_Delivery = {"true" if suspended else "false"}
        }}
        """


def assert_error(status, doc, want_status, pattern=""):
    assert status == want_status, (status, doc)
    assert isinstance(doc.get("error"), str) and doc["error"], doc
    assert re.search(pattern, doc["error"]), (pattern, doc)


def test_momentum_rest_injector_substitutes_per_recipient_and_delivers_each(tmp_path):
    template = ("From: <%= :from %>\nTo: [%= :to %]\nSubject: hello <%= :name %>\n\n"
                "Dear [%= :name %], your code is <%=:code%>.\n")
    with SmtpSink("127.0.0.191") as sink, HttpDaemon(tmp_path, routed_to(sink)) as d:
        payload = {"template": template, "recipients": [
            {"to": "ann@ok.test", "from": "news@sender.test", "keys": {"name": "Ann", "code": 1234}},
            {"to": "bob@ok.test", "from": "news@sender.test", "keys": {"name": "Bob", "code": "x-9"},
             "vctx": {"campaign": "c1"}}]}
        path = os.path.join(d.dir, "inject.json")
        with open(path, "w") as f:
            json.dump(payload, f)
        code, doc = curl("-X", "POST", f"http://127.0.0.1:{d.http_port}/v1.0/inject/", "-d", f"@{path}")
        assert code == 200, doc
        assert doc["status"] == "success"
        assert [r["status"] for r in doc["results"]] == ["success", "success"]
        mids = [r["mid"] for r in doc["results"]]
        for r in doc["results"]:
            assert re.fullmatch(ID, r["mid"]) and r["reason"] == f"250 {r['mid']}", r
        assert len(set(mids)) == 2

        msgs = {m.recipients[0]: m for m in sink.wait_messages(2)}
        assert set(msgs) == {"ann@ok.test", "bob@ok.test"}
        ann, bob = msgs["ann@ok.test"], msgs["bob@ok.test"]
        assert ann.sender == "news@sender.test"
        assert ann.text.endswith("From: news@sender.test\nTo: ann@ok.test\nSubject: hello Ann\n\n"
                                 "Dear Ann, your code is 1234.\n"), ann.text
        assert bob.text.endswith("To: bob@ok.test\nSubject: hello Bob\n\nDear Bob, your code is x-9.\n"), bob.text
        assert "Received: from unknown" in ann.text and "with HTTP id" in ann.text

        # mainlog R: protocol rest, peer "unknown" (as Momentum logs HTTP)
        for mid, rcpt in zip(mids, ["ann", "bob"]):
            [r] = d.wait_records("R", mid)
            assert (r["rcpt_local"], r["rcpt_domain"], r["protocol"], r["peer_ip"]) == (rcpt, "ok.test", "rest",
                                                                                          "unknown")


def test_momentum_rest_injector_injects_no_recipient_when_one_is_bad(tmp_path):
    with SmtpSink("127.0.0.192") as sink, HttpDaemon(tmp_path, routed_to(sink)) as d:
        status, _, doc = d.request("POST", "/v1.0/inject/", {"template": "Subject: <%= :s %>\n\nx\n", "recipients": [
            {"to": "a@ok.test", "from": "f@sender.test", "keys": {"s": "one"}},
            {"to": "b@ok.test", "from": "f@sender.test"}]})
        assert_error(status, doc, 400, r"recipients\[1\]: no value for template key 's'")
        assert doc["status"] == "failure" and doc["results"] == []
        status, _, doc = d.request("POST", "/v1.0/inject/", {"template": "x", "recipients": [
            {"to": "a@ok.test", "from": "f@sender.test"}, {"to": "not an address", "from": "f@sender.test"}]})
        assert_error(status, doc, 400, r"recipients\[1\]\.to: not a valid address")
        # nothing was received: the next message is the first the daemon logs
        status, _, doc = d.request("POST", "/api/v1/messages", {"envelope_sender": "", "recipients": ["c@ok.test"],
                                                                "content": "Subject: marker\r\n\r\nm\r\n"})
        assert status == 200, doc
        [m] = sink.wait_messages(1)
        assert m.recipients == ["c@ok.test"]
        d.wait_records("R", doc["id"])
        assert [r["msgid"] for r in d.records("R")] == [doc["id"]]


def test_api_messages_delivers_raw_and_base64_content_intact(tmp_path):
    with SmtpSink("127.0.0.193") as sink, HttpDaemon(tmp_path, routed_to(sink)) as d:
        status, _, doc = d.request("POST", "/api/v1/messages", {
            "envelope_sender": "a@sender.test", "recipients": ["r1@ok.test", "r2@ok.test"], "content": MESSAGE})
        assert status == 200, doc
        assert re.fullmatch(ID, doc["id"]) and doc["recipients"] == 2
        raw = ("Subject: binary-ish\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
               "caf\u00e9 \u2603\r\n").encode()
        code, doc2 = curl("-H", "Content-Type: application/json", "--data-binary", json.dumps({
            "envelope_sender": "", "recipients": ["r3@ok.test"],
            "content_base64": base64.b64encode(raw).decode()}), f"http://127.0.0.1:{d.http_port}/api/v1/messages")
        assert code == 200, doc2
        msgs = sink.wait_messages(2)
        by_rcpt = {tuple(m.recipients): m for m in msgs}
        first = by_rcpt[("r1@ok.test", "r2@ok.test")]
        assert first.sender == "a@sender.test"
        assert first.data.endswith(MESSAGE.replace("\r\n", "\n").encode()), first.data
        second = by_rcpt[("r3@ok.test",)]
        assert second.sender == ""
        assert second.data.endswith(raw.replace(b"\r\n", b"\n")), second.data
        assert "BODY=8BITMIME" in second.mail_params or second.mail_args  # 8-bit content, sent as given
        [r] = d.wait_records("R", doc2["id"])
        assert r["protocol"] == "rest"


def test_api_messages_binding_selects_the_binding(tmp_path):
    with SmtpSink("127.0.0.194") as sink:
        body = routed_to(sink) + """\
            Binding "b1" { }
            """
        with HttpDaemon(tmp_path, body) as d:
            status, _, doc = d.request("POST", "/api/v1/messages", {
                "envelope_sender": "a@sender.test", "recipients": ["r@ok.test"], "content": MESSAGE, "binding": "b1"})
            assert status == 200, doc
            [m] = sink.wait_messages(1)
            assert b"X-Impulse-Binding" not in m.data
            [r] = d.wait_records("R", doc["id"])
            assert r["binding"] == "b1"


def test_http_injection_is_durable_before_the_200(tmp_path):
    """kill -9 right after the 200; the restarted daemon delivers the message."""
    with SmtpSink("127.0.0.195") as sink:
        http_port, smtp_port = free_port(), free_port()
        def conf(suspended):
            return http_config(smtp_port, http_port, routed_to(sink, suspended=suspended))
        d = Impulsed(tmp_path, conf(True))
        with d:
            d.start(wait_ports=[("127.0.0.1", smtp_port), ("127.0.0.1", http_port)])
            c = http.client.HTTPConnection("127.0.0.1", http_port, timeout=20)
            c.request("POST", "/api/v1/messages", body=json.dumps({
                "envelope_sender": "a@sender.test", "recipients": ["durable@ok.test"], "content": MESSAGE}))
            r = c.getresponse()
            doc = json.loads(r.read())
            assert r.status == 200, doc
            d.kill9()
            c.close()
        assert sink.count == 0
        d2 = Impulsed(tmp_path, conf(False))
        with d2:
            d2.start(wait_ports=[("127.0.0.1", smtp_port)])
            [m] = sink.wait_messages(1)
            assert m.recipients == ["durable@ok.test"]
            assert m.data.endswith(MESSAGE.replace("\r\n", "\n").encode())
            assert d2.stop() == 0


def test_bad_requests_get_their_status_and_a_json_error_while_the_daemon_keeps_serving(tmp_path):
    with SmtpSink("127.0.0.196") as sink, HttpDaemon(tmp_path, routed_to(sink),
                                                    http_options="Max_Request_Size = 2K") as d:
        c = d.conn()  # one keep-alive connection carries every 4xx that keeps it open
        cases = [
            (b"{not json", 400, r"malformed JSON"),
            (b"[1, 2]", 400, r"must be a JSON object"),
            (json.dumps({"envelope_sender": 5, "recipients": ["a@ok.test"], "content": "x"}).encode(), 400,
             r"envelope_sender: must be a string"),
            (json.dumps({"envelope_sender": "", "recipients": "a@ok.test", "content": "x"}).encode(), 400,
             r"recipients: must be an array"),
            (json.dumps({"envelope_sender": "", "recipients": [], "content": "x"}).encode(), 400,
             r"recipients: empty"),
            (json.dumps({"envelope_sender": "", "recipients": ["no-domain"], "content": "x"}).encode(), 400,
             r"recipients\[0\]: not a valid address"),
            (json.dumps({"envelope_sender": "bad sender@x", "recipients": ["a@ok.test"], "content": "x"}).encode(),
             400, r"envelope_sender: not a valid address"),
            (json.dumps({"envelope_sender": "", "recipients": ["a@ok.test"], "content_base64": "@@@"}).encode(), 400,
             r"content_base64: invalid base64"),
            (json.dumps({"envelope_sender": "", "recipients": ["a@ok.test"]}).encode(), 400, r"content: missing"),
        ]
        for raw, want, pattern in cases:
            status, _, doc = d.request("POST", "/api/v1/messages", raw=raw, conn=c)
            assert_error(status, doc, want, pattern)
        status, _, doc = d.request("GET", "/api/v1/nothing-here", conn=c)
        assert_error(status, doc, 404, r"no such resource")
        status, headers, doc = d.request("GET", "/api/v1/messages", conn=c)
        assert_error(status, doc, 405, r"not allowed")
        assert headers.get("Allow") == "POST"
        c.close()

        # over Max_Request_Size: 413 (announced length, and chunked)
        big = json.dumps({"envelope_sender": "", "recipients": ["a@ok.test"], "content": "x" * 4096}).encode()
        status, _, doc = d.request("POST", "/api/v1/messages", raw=big)
        assert_error(status, doc, 413, r"Max_Request_Size")
        code, doc = curl("-H", "Transfer-Encoding: chunked", "--data-binary", big.decode(),
                         f"http://127.0.0.1:{d.http_port}/api/v1/messages")
        assert code == 413 and "Max_Request_Size" in doc["error"], doc

        # malformed HTTP: 400 with a JSON error
        with socket.create_connection(("127.0.0.1", d.http_port), timeout=20) as s:
            s.sendall(b"THIS IS NOT HTTP\r\n\r\n")
            reply = recv_all(s)
        assert reply.startswith(b"HTTP/1.1 400"), reply
        assert "error" in json.loads(reply.split(b"\r\n\r\n", 1)[1])

        # still serving
        status, _, doc = d.request("POST", "/api/v1/messages", {"envelope_sender": "", "recipients": ["ok@ok.test"],
                                                                "content": MESSAGE})
        assert status == 200, doc
        [m] = sink.wait_messages(1)
        assert m.recipients == ["ok@ok.test"]
        d.wait_records("R", doc["id"])
        assert all(r["msgid"] == doc["id"] for r in d.records("R"))


def recv_all(s):
    out = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            return out
        out += chunk


def test_api_keys_guard_injection_but_not_health(tmp_path):
    with SmtpSink("127.0.0.197") as sink, HttpDaemon(tmp_path, routed_to(sink),
                                                    http_options='API_Keys = ( "k-one" "k-two" )') as d:
        body = {"envelope_sender": "", "recipients": ["k@ok.test"], "content": MESSAGE}
        status, headers, doc = d.request("POST", "/api/v1/messages", body)
        assert_error(status, doc, 401, r"missing API key")
        assert headers.get("WWW-Authenticate") == "Bearer"
        status, _, doc = d.request("POST", "/v1.0/inject/", body, headers={"Authorization": "Bearer nope"})
        assert_error(status, doc, 401, r"wrong API key")
        code, doc = curl("-H", "Authorization: Bearer k-two", "--data-binary", json.dumps(body),
                         f"http://127.0.0.1:{d.http_port}/api/v1/messages")
        assert code == 200, doc
        assert d.request("GET", "/healthz")[0] == 200
        assert d.request("GET", "/readyz")[0] == 200
        [m] = sink.wait_messages(1)
        assert m.recipients == ["k@ok.test"]


def test_client_outside_relay_hosts_gets_403(tmp_path):
    with SmtpSink("127.0.0.198") as sink, HttpDaemon(tmp_path, routed_to(sink), http_address="127.0.0.190",
                                                    http_options='Relay_Hosts = ( "127.0.0.1/32" )') as d:
        body = {"envelope_sender": "", "recipients": ["x@ok.test"], "content": MESSAGE}
        status, _, doc = d.request("POST", "/api/v1/messages", body, conn=d.conn(source="127.0.0.189"))
        assert_error(status, doc, 403, r"127\.0\.0\.189 is not in Relay_Hosts")
        status, _, doc = d.request("GET", "/api/v1/anything", conn=d.conn(source="127.0.0.189"))
        assert_error(status, doc, 403, r"not in Relay_Hosts")
        # health needs nothing
        assert d.request("GET", "/healthz", conn=d.conn(source="127.0.0.189"))[0] == 200
        # the allowed client is served
        status, _, doc = d.request("POST", "/api/v1/messages", body, conn=d.conn(source="127.0.0.1"))
        assert status == 200, doc
        sink.wait_messages(1)


def test_default_relay_hosts_is_loopback_only(tmp_path):
    """No Relay_Hosts in HTTP_Listener: loopback is served (the ESMTP
    listener's own Relay_Hosts does not reach it)."""
    with HttpDaemon(tmp_path, settings="Suspend_Delivery = true") as d:
        status, _, doc = d.request("POST", "/api/v1/messages", {"envelope_sender": "", "recipients": ["x@ok.test"],
                                                                "content": MESSAGE})
        assert status == 200, doc


def test_slow_clients_are_cut_off_with_408_and_the_daemon_keeps_serving(tmp_path):
    with HttpDaemon(tmp_path, settings="Suspend_Delivery = true",
                    http_options="http_header_timeout = 1\n  http_body_timeout = 1") as d:
        # a head that never ends
        with socket.create_connection(("127.0.0.1", d.http_port), timeout=20) as s:
            s.sendall(b"POST /api/v1/messages HTTP/1.1\r\nHost: x\r\n")
            reply = recv_all(s)  # the server answers and closes
        assert reply.startswith(b"HTTP/1.1 408"), reply
        assert "http_header_timeout" in json.loads(reply.split(b"\r\n\r\n", 1)[1])["error"]
        # a body that never comes
        with socket.create_connection(("127.0.0.1", d.http_port), timeout=20) as s:
            s.sendall(b"POST /api/v1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n{\"envelope")
            reply = recv_all(s)
        assert reply.startswith(b"HTTP/1.1 408"), reply
        assert "http_body_timeout" in json.loads(reply.split(b"\r\n\r\n", 1)[1])["error"]
        # a silent client is closed without a reply
        with socket.create_connection(("127.0.0.1", d.http_port), timeout=20) as s:
            assert recv_all(s) == b""
        wait_for(lambda: "request body not received within http_body_timeout" in "\n".join(d.lines("paniclog.ec")),
                 what="the paniclog line")
        status, _, doc = d.request("POST", "/api/v1/messages", {"envelope_sender": "", "recipients": ["x@ok.test"],
                                                                "content": MESSAGE})
        assert status == 200, doc


def test_connections_over_service_sessions_get_503(tmp_path):
    with HttpDaemon(tmp_path, settings="Suspend_Delivery = true", http_options="Service_Sessions = 2") as d:
        held = [d.conn(), d.conn()]
        for c in held:  # both connections are open and served
            assert d.request("GET", "/healthz", conn=c)[0] == 200
        with socket.create_connection(("127.0.0.1", d.http_port), timeout=20) as s:
            reply = recv_all(s)
        assert reply.startswith(b"HTTP/1.1 503"), reply
        assert json.loads(reply.split(b"\r\n\r\n", 1)[1]) == {"error": "too many connections"}
        held[0].close()
        wait_for(lambda: d.request("GET", "/healthz")[0] == 200, what="a free connection slot")
        held[1].close()


def test_healthz_and_readyz(tmp_path):
    with HttpDaemon(tmp_path, settings="Suspend_Delivery = true", http_options="Log_Requests_To_Paniclog = true") as d:
        code, doc = curl(f"http://127.0.0.1:{d.http_port}/healthz")
        assert (code, doc) == (200, {"status": "ok"})
        code, doc = curl(f"http://127.0.0.1:{d.http_port}/readyz")
        assert (code, doc) == (200, {"status": "ready"})
        status, headers, doc = d.request("POST", "/healthz")
        assert_error(status, doc, 405, "not allowed")
        assert headers.get("Allow") == "GET"
        # Log_Requests_To_Paniclog: `ip "METHOD path HTTP/x" status bytes ms`
        wait_for(lambda: any(re.search(r'127\.0\.0\.1 "GET /readyz HTTP/1\.1" 200 \d+ \d+$', line)
                             for line in d.lines("paniclog.ec")), what="the request line in the paniclog")


def test_https_injection(tmp_path):
    ca = TestCA(tmp_path / "ca")
    cert, key = ca.issue("http.impulse.test", ips=["127.0.0.1"])
    with SmtpSink("127.0.0.199") as sink, HttpDaemon(
            tmp_path / "d", routed_to(sink), http_options=f'TLS_Certificate = "{cert}"\n  TLS_Key = "{key}"') as d:
        code, doc = curl("--cacert", ca.ca_path, "--data-binary", json.dumps({
            "envelope_sender": "", "recipients": ["tls@ok.test"], "content": MESSAGE}),
            f"https://127.0.0.1:{d.http_port}/api/v1/messages")
        assert code == 200, doc
        [m] = sink.wait_messages(1)
        assert "with HTTPS id" in m.text
        # plain HTTP to the TLS port is not served
        with socket.create_connection(("127.0.0.1", d.http_port), timeout=20) as s:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            assert not recv_all(s).startswith(b"HTTP/1.1 200")


def test_check_accepts_the_http_listener_options_and_reports_bad_ones_with_position(tmp_path):
    good = tmp_path / "good.conf"
    good.write_text(textwrap.dedent("""\
        HTTP_Listener {
          Relay_Hosts = ( "127.0.0.0/8" "::1" )
          API_Keys = ( "k1" "k2" )
          Max_Request_Size = 1M
          MM7_VASP_Path = "/mm7"
          http_header_timeout = 10
          http_body_timeout = 20
          Service_Sessions = 50
          Listen "127.0.0.1:8081" {
            API_Keys = ( "k3" )
            Max_Request_Size = 2M
          }
        }
        """))
    r = run_impulsed("-c", str(good), "--check")
    assert r.returncode == 0, r.stderr
    bad = tmp_path / "bad.conf"
    bad.write_text(textwrap.dedent("""\
        HTTP_Listener {
          Max_Request_Size = lots
          Listen "127.0.0.1:8081" {
            API_Key = ( "k" )
          }
        }
        """))
    r = run_impulsed("-c", str(bad), "--check")
    assert r.returncode != 0
    assert re.search(rf"{re.escape(str(bad))}:2:22: error: expected a size in bytes", r.stderr), r.stderr
    assert re.search(rf"{re.escape(str(bad))}:4:5: error: unknown option 'API_Key'.*api_keys", r.stderr, re.I), r.stderr


def test_expect_100_continue_gets_its_interim_reply_and_a_large_message_arrives_intact(tmp_path):
    """curl sends `Expect: 100-continue` before a large body (Momentum 3.x
    crashed on it: reference/momentum.md §11.2 sources)."""
    body_lines = "".join(f"line {i:07d} of a large message body\r\n" for i in range(40000))  # ~1.4 MB
    content = "Subject: large\r\n\r\n" + body_lines
    with SmtpSink("127.0.0.188") as sink, HttpDaemon(tmp_path, routed_to(sink)) as d:
        path = os.path.join(d.dir, "large.json")
        with open(path, "w") as f:
            json.dump({"envelope_sender": "", "recipients": ["big@ok.test"], "content": content}, f)
        r = subprocess.run(["curl", "-sS", "-v", "--max-time", "30", "-H", "Expect: 100-continue",
                            "--data-binary", f"@{path}", f"http://127.0.0.1:{d.http_port}/api/v1/messages"],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        assert "HTTP/1.1 100 Continue" in r.stderr, r.stderr
        assert json.loads(r.stdout)["recipients"] == 1
        [m] = sink.wait_messages(1, timeout=60)
        assert m.data.endswith(content.replace("\r\n", "\n").encode())
