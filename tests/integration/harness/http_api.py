"""impulsed with an HTTP_Listener, for the tests of the HTTP API (SPEC §16).

    with HttpDaemon(tmp_path, body, http_options='API_Keys = ( "k1" )') as d:
        status, doc = d.api("GET", "/api/v1/summary", key="k1")     # JSON body
        status, headers, raw = d.request("GET", "/metrics", key="k1")  # bytes

HttpDaemon is harness.impulse.Daemon (SMTP on a free port, the console,
the logs) plus `HTTP_Listener { Listen "127.0.0.1:<free port>" }` with the
test's `http_options`, global `settings` and `body` (domains...). It waits
for the HTTP port as well when started; write_config(body) rewrites the
file with the same ports. One request per connection, each with a 20 s
timeout. Failures: a JSON answer that is not application/json or does not
parse fails the test.
"""
import http.client
import json

from harness.impulse import Daemon, daemon_config
from harness.process import free_port, port_open, wait_for


def http_config(port, http_port, body="", http_options="", settings=""):
    return daemon_config(port, settings, extra=f"""\
        HTTP_Listener {{
          {http_options}
          Listen "127.0.0.1:{http_port}" {{ }}
        }}
        """ + body)


class HttpDaemon(Daemon):
    def __init__(self, tmp_path, body="", http_options="", settings=""):
        self.http_port = free_port()
        self.http_options = http_options
        self.settings = settings
        super().__init__(tmp_path, lambda port: http_config(port, self.http_port, body, http_options, settings))

    def start(self):
        super().start()
        wait_for(lambda: port_open("127.0.0.1", self.http_port), what="the HTTP listener")
        return self

    def config_text(self, body):
        return http_config(self.port, self.http_port, body, self.http_options, self.settings)

    def write_config(self, body):
        super().write_config(self.config_text(body))

    def request(self, method, path, body=None, key=None):
        """(status, {header: value}, raw body) of one request; `body` is sent as JSON."""
        c = http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=20)
        try:
            headers = {"Authorization": f"Bearer {key}"} if key else {}
            data = None
            if body is not None:
                data = json.dumps(body).encode()
                headers["Content-Type"] = "application/json"
            c.request(method, path, body=data, headers=headers)
            r = c.getresponse()
            return r.status, dict(r.getheaders()), r.read()
        finally:
            c.close()

    def api(self, method, path, body=None, key=None):
        """(status, parsed JSON body) of one request."""
        status, headers, raw = self.request(method, path, body, key)
        assert headers.get("Content-Type", "").startswith("application/json"), (path, headers, raw)
        return status, json.loads(raw)
