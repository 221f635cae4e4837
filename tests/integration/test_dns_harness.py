"""The DNS harness itself: nsd starts on a free port, answers from the given
zones, and is gone (process and temp dir) after stop."""

import os

from harness.dns import NsdServer, zone_header

ZONE = zone_header("test", ttl=300, negative_ttl=120) + (
    "multi IN MX 10 mx1.multi\n"
    "multi IN MX 20 mx2.multi\n"
    "mx1.multi 600 IN A 127.0.0.11\n"
    "mx1.multi 600 IN A 127.0.0.12\n"
    "v6only IN AAAA ::1\n"
    "alias IN CNAME mx1.multi\n"
)


def test_answers_a_records_from_the_zone():
    with NsdServer({"test": ZONE}) as dns:
        reply = dns.query("mx1.multi.test", "A")
        assert reply is not None
        assert reply.rcode_name == "NOERROR"
        assert reply.authoritative
        assert sorted(reply.values("A")) == ["127.0.0.11", "127.0.0.12"]
        assert {r.ttl for r in reply.answers} == {600}


def test_answers_mx_aaaa_cname_and_nxdomain():
    with NsdServer({"test": ZONE}) as dns:
        assert sorted(dns.query("multi.test", "MX").values("MX")) == [(10, "mx1.multi.test"), (20, "mx2.multi.test")]
        assert dns.query("v6only.test", "AAAA").values("AAAA") == ["::1"]
        assert dns.query("alias.test", "A").values("CNAME") == ["mx1.multi.test"]
        assert dns.query("nope.test", "A").rcode_name == "NXDOMAIN"
        assert dns.query("example.org", "A").rcode_name == "REFUSED"


def test_two_servers_get_different_ports_and_stop_cleans_up():
    a = NsdServer({"test": ZONE}).start()
    b = NsdServer({"test": ZONE}).start()
    try:
        assert a.port != b.port
        assert a.nameserver == f"127.0.0.1:{a.port}"
        assert b.query("multi.test", "MX").rcode == 0
    finally:
        pid, tmp = a.pid, a.dir
        a.stop()
        b.stop()
    assert not os.path.exists(tmp)
    try:
        os.kill(pid, 0)
        alive = True
    except ProcessLookupError:
        alive = False
    assert not alive


def test_bad_zone_is_reported():
    try:
        NsdServer({"test": zone_header("test") + "broken IN MX notanumber\n"}).start()
    except Exception as e:  # NsdError
        assert "zone test rejected" in str(e)
    else:
        raise AssertionError("a broken zone started")
