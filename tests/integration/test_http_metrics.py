"""`GET /metrics` against a live impulsed (SPEC §16 "Metrics"): the text is
accepted by `promtool check metrics`, carries the names of the spec, its
values move with real traffic (a delivery, a permanent failure, a queued
message), the process_* metrics match what the kernel says of impulsed,
the spool's memtables hold a queued body, API_Keys guards it, and a
private Prometheus server started on loopback scrapes it (its target up, a
sample of impulse_messages_received_total stored).

Peers are real: Postfix's smtp-sink on 127.0.0.18x, Debian's promtool and
prometheus. Every wait polls what /metrics or Prometheus' API shows; no
sleeps. Prometheus is started in its own session and stopped by PID.
"""
import json
import os
import re
import subprocess
import urllib.parse
import urllib.request

from harness.http_api import HttpDaemon
from harness.process import free_port, stop_session, wait_for
from harness.smtp_peers import SmtpSink

DEAD_NAMESERVER = "127.0.0.1:9"
SPEC_NAMES = ["impulse_messages_received_total", "impulse_deliveries_total", "impulse_queue_messages",
              "impulse_outbound_connections", "impulse_spool_commit_seconds", "impulse_uptime_seconds",
              "impulse_build_info"]


class Daemon(HttpDaemon):
    def __init__(self, tmp_path, body="", http_options=""):
        super().__init__(tmp_path, body, http_options, f'Nameservers = ( "{DEAD_NAMESERVER}" )\n')

    def get_metrics(self, key=None):
        """(status, content type, text) of GET /metrics."""
        status, headers, raw = self.request("GET", "/metrics", key=key)
        return status, headers.get("Content-Type", ""), raw.decode()

    def metrics(self):
        status, ctype, text = self.get_metrics()
        assert status == 200, (status, text)
        assert ctype.startswith("text/plain; version=0.0.4"), ctype
        return text

    def send(self, rcpt, sender=""):
        """One message; the null sender by default (a failure makes no bounce)."""
        data = f"From: a@sender.test\r\nTo: {rcpt}\r\nSubject: metrics\r\n\r\nhello\r\n".encode()
        return super().send(sender, [rcpt], data)


SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def samples(text):
    """{(name, frozenset(labels)): value} of every sample line."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        assert m, f"not a sample line: {line!r}"
        labels = frozenset(LABEL.findall(m.group(2) or ""))
        out[(m.group(1), labels)] = float(m.group(3))
    return out


def value(text, name, **labels):
    return samples(text).get((name, frozenset(labels.items())))


def promtool_check(text):
    r = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, (r.stdout, r.stderr, text)


def test_metrics_pass_promtool_and_move_with_deliveries_and_queued_mail(tmp_path):
    with SmtpSink("127.0.0.181") as sink, SmtpSink("127.0.0.182", hard_reject={"RCPT"},
                                                  hard_reply="550 5.1.1 no such user") as refuser:
        body = f"""\
            Domain ok.test {{ Routes = ( "{sink.hostport}" ) }}
            Domain refused.test {{ Routes = ( "{refuser.hostport}" ) }}
            Domain held.test {{ Suspend_Delivery = true }}
            """
        with Daemon(tmp_path, body) as d:
            text = d.metrics()
            promtool_check(text)
            for name in SPEC_NAMES:
                assert f"# TYPE {name} " in text, f"no {name} in:\n{text}"
            assert "# TYPE impulse_spool_commit_seconds histogram" in text
            assert value(text, "impulse_messages_received_total") == 0
            assert value(text, "impulse_deliveries_total", method="esmtp", outcome="delivered") == 0
            assert value(text, "impulse_outbound_connections", method="esmtp") == 0
            assert value(text, "impulse_queue_messages", queue="active") == 0
            assert value(text, "impulse_uptime_seconds") >= 0
            [build] = [k for k in samples(text) if k[0] == "impulse_build_info"]
            assert dict(build[1])["version"] and samples(text)[build] == 1

            d.send("u@ok.test")
            sink.wait_messages(1)
            text = wait_for(lambda: (lambda t: t if value(t, "impulse_deliveries_total", method="esmtp",
                                                          outcome="delivered") == 1 else None)(d.metrics()),
                            what="one delivery counted")
            assert value(text, "impulse_messages_received_total") == 1
            assert value(text, "impulse_spool_commit_seconds_count") >= 1
            assert value(text, "impulse_spool_commit_seconds_bucket", le="+Inf") == \
                value(text, "impulse_spool_commit_seconds_count")
            assert value(text, "impulse_spool_commit_seconds_sum") > 0
            # the session to the sink idles (Idle_Timeout, 5 s by default), then closes: the gauge follows
            wait_for(lambda: value(d.metrics(), "impulse_outbound_connections", method="esmtp") == 1,
                     what="one open outbound session")
            wait_for(lambda: value(d.metrics(), "impulse_outbound_connections", method="esmtp") == 0, 30,
                     what="the outbound session closed")

            d.send("v@refused.test")
            text = wait_for(lambda: (lambda t: t if value(t, "impulse_deliveries_total", method="esmtp",
                                                          outcome="permanent") == 1 else None)(d.metrics()),
                            what="one permanent failure counted")
            assert value(text, "impulse_deliveries_total", method="esmtp", outcome="transient") == 0

            d.send("w@held.test")
            text = wait_for(lambda: (lambda t: t if value(t, "impulse_queue_messages", queue="active") == 1
                                     else None)(d.metrics()), what="one queued message")
            assert value(text, "impulse_domain_queue_messages", binding="default", domain="held.test",
                         queue="active") == 1
            assert value(text, "impulse_domain_queue_messages", binding="default", domain="held.test",
                         queue="delayed") == 0
            assert value(text, "impulse_messages_received_total") >= 3
            promtool_check(text)


def proc_rss_bytes(pid):
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def proc_soft_nofile(pid):
    with open(f"/proc/{pid}/limits") as fh:
        for line in fh:
            if line.startswith("Max open files"):
                return int(line.split()[3])
    raise AssertionError("no Max open files")


def test_process_and_spool_memory_metrics_are_the_daemons(tmp_path):
    """process_* as the kernel reports impulsed itself; the spool's memtables
    hold a held message's 300 KB body until a flush."""
    with Daemon(tmp_path, "Domain held.test { Suspend_Delivery = true }\n") as d:
        text = d.metrics()
        pid = d.impulsed.proc.pid
        rss = value(text, "process_resident_memory_bytes")
        kernel_rss = proc_rss_bytes(pid)
        assert kernel_rss / 2 < rss < kernel_rss * 2, (rss, kernel_rss)
        assert value(text, "process_virtual_memory_bytes") >= rss
        assert value(text, "process_max_fds") == proc_soft_nofile(pid)
        fds = len(os.listdir(f"/proc/{pid}/fd"))
        assert abs(value(text, "process_open_fds") - fds) <= 4, (value(text, "process_open_fds"), fds)
        memtables = value(text, "impulse_spool_memory_bytes", part="memtables")
        assert value(text, "impulse_spool_memory_bytes", part="block_cache") >= 0

        line = "x" * 998 + "\r\n"
        data = ("From: a@sender.test\r\nTo: u@held.test\r\nSubject: big\r\n\r\n" + line * 300).encode()
        HttpDaemon.send(d, "", ["u@held.test"], data)
        text = wait_for(lambda: (lambda t: t if value(t, "impulse_queue_messages", queue="active") == 1
                                 else None)(d.metrics()), what="the held message queued")
        assert value(text, "impulse_spool_memory_bytes", part="memtables") >= memtables + 300_000, text
        promtool_check(text)


def test_a_private_prometheus_scrapes_metrics_with_the_api_key(tmp_path):
    with SmtpSink("127.0.0.183") as sink:
        body = f'Domain ok.test {{ Routes = ( "{sink.hostport}" ) }}\n'
        with Daemon(tmp_path, body, http_options='API_Keys = ( "scrape-key" )') as d:
            status, _, _ = d.get_metrics()
            assert status == 401
            status, _, _ = d.get_metrics(key="wrong")
            assert status == 401
            status, _, text = d.get_metrics(key="scrape-key")
            assert status == 200 and "impulse_messages_received_total" in text
            d.send("u@ok.test")
            sink.wait_messages(1)

            prom_port = free_port()
            conf = tmp_path / "prometheus.yml"
            conf.write_text(f"""\
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: impulse
    authorization:
      credentials: scrape-key
    static_configs:
      - targets: ["127.0.0.1:{d.http_port}"]
""")
            log = open(tmp_path / "prometheus.log", "wb")
            prom = subprocess.Popen(["prometheus", f"--config.file={conf}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                                     f"--web.listen-address=127.0.0.1:{prom_port}"],
                                    stdout=log, stderr=log, start_new_session=True)
            try:
                def query(q):
                    url = f"http://127.0.0.1:{prom_port}/api/v1/query?" + urllib.parse.urlencode({"query": q})
                    try:
                        with urllib.request.urlopen(url, timeout=5) as r:
                            doc = json.load(r)
                    except OSError:
                        return None
                    return doc["data"]["result"] if doc.get("status") == "success" else None

                def up():
                    res = query('up{job="impulse"}')
                    return res and res[0]["value"][1] == "1"

                wait_for(up, 60, interval=0.2, what="Prometheus to scrape impulsed (up == 1)")
                res = wait_for(lambda: query('impulse_messages_received_total{job="impulse"}'), 30, interval=0.2,
                               what="a stored sample of impulse_messages_received_total")
                assert float(res[0]["value"][1]) == 1, res
                assert res[0]["metric"]["instance"] == f"127.0.0.1:{d.http_port}"
            finally:
                stop_session(prom, timeout=10)
                log.close()
