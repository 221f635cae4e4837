"""CHUNKING (RFC 3030; SPEC §19) through the real impulsed: BDAT in (raw
commands over a socket: smtplib has no BDAT), chunks pipelined with the
envelope, refused chunks still read, DATA after BDAT refused, Max_Message_Size
over chunks; and BDAT out to a private Postfix smtpd (which advertises
CHUNKING), asserting on what Postfix logged (its verbose log for our client
shows the BDAT command) and delivered.
"""
import socket

from harness.impulse import QUEUED, Daemon, daemon_config
from harness.smtp_peers import PostfixSmtpd

BODY = b"From: a@sender.test\r\nTo: b@example.net\r\nSubject: chunked\r\n\r\n.leading dot kept\r\nline two\r\n"


def read_reply(f):
    lines = []
    while True:
        line = f.readline()
        if not line:
            return lines
        lines.append(line.decode().rstrip("\r\n"))
        if line[3:4] != b"-":
            return lines


class Raw:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=20)
        self.f = self.s.makefile("rb")
        assert read_reply(self.f)[0].startswith("220 ")

    def send(self, data: bytes, replies: int = 1):
        self.s.sendall(data)
        return [read_reply(self.f)[-1] for _ in range(replies)]

    def close(self):
        self.s.close()


def held(port, settings=""):
    return daemon_config(port, "Suspend_Delivery = true\n" + settings)


def test_bdat_in_pipelined_chunks_is_queued(tmp_path):
    with Daemon(tmp_path, held) as d:
        c = Raw(d.port)
        ehlo = c.send(b"EHLO client.test\r\n")
        first, second = BODY[:30], BODY[30:]
        replies = c.send(b"MAIL FROM:<a@sender.test>\r\nRCPT TO:<b@example.net>\r\n"
                         + b"BDAT %d\r\n" % len(first) + first
                         + b"BDAT %d LAST\r\n" % len(second) + second + b"QUIT\r\n", replies=5)
        c.close()
        assert ehlo == ["250 CHUNKING"] or ehlo[-1] == "250 CHUNKING"
        assert replies[:3] == ["250 2.1.0 Ok", "250 2.1.5 Ok", f"250 2.0.0 {len(first)} octets received"]
        assert QUEUED.match(replies[3][4:]), replies
        assert replies[4].startswith("221 ")
        out = d.ctl("mailq")
        assert "example.net" in out


def test_bdat_sequence_and_size_rules(tmp_path):
    with Daemon(tmp_path, lambda port: held(port, "Max_Message_Size = 40\n")) as d:
        c = Raw(d.port)
        c.send(b"EHLO client.test\r\n")
        # before MAIL: refused, but its octets are read (NOOP answers next)
        assert c.send(b"BDAT 4\r\nNOOPNOOP\r\n", 2) == ["503 5.5.1 Bad sequence of commands: send MAIL first",
                                                       "250 2.0.0 Ok"]
        assert c.send(b"MAIL FROM:<a@sender.test>\r\nRCPT TO:<b@example.net>\r\nBDAT 3\r\nabcDATA\r\n", 4) == [
            "250 2.1.0 Ok", "250 2.1.5 Ok", "250 2.0.0 3 octets received",
            "503 5.5.1 Bad sequence of commands: DATA after BDAT"]
        # past Max_Message_Size: 552, and the transaction is over
        assert c.send(b"BDAT 50 LAST\r\n" + b"x" * 50, 1) == [
            "552 5.3.4 Message size exceeds fixed maximum message size"]
        assert c.send(b"BDAT 0 LAST\r\n", 1) == ["503 5.5.1 Bad sequence of commands: send MAIL first"]
        c.close()


def test_bdat_out_to_postfix(tmp_path):
    with PostfixSmtpd("127.0.0.43", hostname="mx.chunk.test", main_cf={"debug_peer_list": "127.0.0.0/8"}) as mx:
        route = f'Domain "example.net" {{ Routes = ( "smtp://{mx.address}?port={mx.port}" ) }}\n'
        with Daemon(tmp_path, lambda port: daemon_config(port, extra=route)) as d:
            d.send("a@sender.test", ["b@example.net"], BODY)
            [m] = mx.wait_messages(1)
            assert m.recipient == "b@example.net"
            assert ".leading dot kept\nline two\n" in m.data.decode() if isinstance(m.data, bytes) else m.data
            mx.wait_log(r"< \S+\[127\.0\.0\.1\]: BDAT \d+ LAST")
            assert "DATA" not in [ln.split(": ", 1)[-1] for ln in mx.log().splitlines() if "]: DATA" in ln]
