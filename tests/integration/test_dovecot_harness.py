"""The Dovecot LMTP harness itself: a private dovecot answers LMTP on a free
loopback port and on a Unix socket, delivers to Maildirs the test can read,
refuses unknown users at RCPT, reports over-quota users after DATA (or at
RCPT with lmtp_rcpt_check_quota), and is gone (processes and temp dir)
after stop.

The exact replies asserted here are those of Dovecot 2.3.19 (Debian 12);
the codes and enhanced codes are what Impulse's LMTP client acts on."""

import os
import re
import socket

import pytest

import harness.dovecot as dovecot_module
from harness.dovecot import DovecotError, DovecotLmtp, lmtp_transaction

USERS = {"alice": {}, "bob": {}, "carol": {"quota": "1K"}}
SENDER = "sender@origin.test"


def message(marker: str, size: int = 200) -> bytes:
    head = f"From: <{SENDER}>\r\nTo: <alice@lmtp.test>\r\nSubject: {marker}\r\n" \
           f"Message-ID: <{marker}@origin.test>\r\n\r\n{marker}\r\n".encode()
    line = b"0123456789" * 7 + b"\r\n"
    body = line * max(0, (size - len(head)) // len(line))
    return head + body + b".leading dot survives\r\n"


def alive(pid: int) -> bool:
    """True while pid exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def target(lmtp: DovecotLmtp, transport: str):
    return lmtp.tcp if transport == "tcp" else lmtp.socket_path


@pytest.mark.parametrize("transport", ["tcp", "unix"])
def test_unknown_user_refused_at_rcpt_others_get_one_reply_each_after_data(transport):
    with DovecotLmtp(USERS, domain="lmtp.test") as lmtp:
        assert lmtp.host == "127.0.0.1" and lmtp.port > 1024
        assert lmtp.target == f"127.0.0.1:{lmtp.port}"
        assert os.path.basename(lmtp.socket_path) == "lmtp"
        marker = f"three-rcpts-{transport}"
        r = lmtp_transaction(target(lmtp, transport), SENDER,
                             ["alice@lmtp.test", "bob@lmtp.test", "nobody@lmtp.test"], message(marker))
        log = lmtp.log()

        assert r.banner == (220, "lmtp.test Dovecot (Debian) ready."), log
        assert r.lhlo[0] == 250 and {"PIPELINING", "ENHANCEDSTATUSCODES", "8BITMIME", "CHUNKING"} \
            <= set(r.lhlo[1].split("\n")[1:]), r.lhlo
        assert r.mail == (250, "2.1.0 OK")
        assert r.rcpt == [
            ("alice@lmtp.test", 250, "2.1.5 OK"),
            ("bob@lmtp.test", 250, "2.1.5 OK"),
            ("nobody@lmtp.test", 550, "5.1.1 <nobody@lmtp.test> User doesn't exist: nobody@lmtp.test"),
        ], log
        assert r.data == (354, "OK")
        # exactly one reply per accepted RCPT, in RCPT order
        assert [(rcpt, code) for rcpt, code, _ in r.delivery] == \
            [("alice@lmtp.test", 250), ("bob@lmtp.test", 250)], log
        for rcpt, _code, text in r.delivery:
            assert re.fullmatch(rf"2\.0\.0 <{re.escape(rcpt)}> \S+ Saved", text), text

        for user in ("alice", "bob"):
            (stored,) = lmtp.mailbox(user)
            assert stored.startswith(f"Return-Path: <{SENDER}>\n".encode()), stored[:200]
            assert f"Subject: {marker}\n".encode() in stored
            assert b"\n.leading dot survives\n" in stored  # dot-unstuffed, stored with LF
        assert lmtp.mailbox("carol") == []
        assert lmtp.mailbox("nobody") == []


@pytest.mark.parametrize("tempfail", [False, True])
def test_over_quota_user_fails_after_data_others_delivered(tempfail):
    with DovecotLmtp(USERS, quota_full_tempfail=tempfail) as lmtp:
        r = lmtp_transaction(lmtp.tcp, SENDER,
                             ["alice@lmtp.test", "carol@lmtp.test", "bob@lmtp.test"],
                             message("too-big-for-carol", size=4096))
        log = lmtp.log()
        # The quota is not checked at RCPT (lmtp_rcpt_check_quota = no)...
        assert [code for _, code, _ in r.rcpt] == [250, 250, 250], log
        # ...but the save fails, and that recipient's post-DATA reply says so.
        code, enhanced = (452, "4.2.2") if tempfail else (552, "5.2.2")
        assert r.delivery == [
            ("alice@lmtp.test", 250, r.delivery_reply("alice@lmtp.test")[1]),
            ("carol@lmtp.test", code,
             f"{enhanced} <carol@lmtp.test> Quota exceeded (mailbox for user is full)"),
            ("bob@lmtp.test", 250, r.delivery_reply("bob@lmtp.test")[1]),
        ], log
        assert len(lmtp.mailbox("alice")) == 1 and len(lmtp.mailbox("bob")) == 1
        assert lmtp.mailbox("carol") == []
        # a small message still fits carol's quota
        small = lmtp_transaction(lmtp.socket_path, SENDER, ["carol@lmtp.test"], message("small", 100))
        assert small.delivery_reply("carol@lmtp.test")[0] == 250, lmtp.log()
        assert len(lmtp.mailbox("carol")) == 1


def test_unknown_and_over_quota_in_one_transaction():
    """Issue 6's case: one message, three recipients; one delivered, one
    refused at RCPT, one refused after DATA."""
    with DovecotLmtp(USERS) as lmtp:
        r = lmtp_transaction(lmtp.tcp, SENDER,
                             ["alice@lmtp.test", "ghost@lmtp.test", "carol@lmtp.test"],
                             message("mixed", size=3000))
        assert r.rcpt_reply("ghost@lmtp.test")[0] == 550
        assert [(rcpt, code) for rcpt, code, _ in r.delivery] == \
            [("alice@lmtp.test", 250), ("carol@lmtp.test", 552)], lmtp.log()
        assert len(lmtp.wait_mailbox("alice", 1)) == 1
        assert lmtp.mailbox("carol") == []


@pytest.mark.parametrize("tempfail", [False, True])
def test_rcpt_check_quota_refuses_a_full_mailbox_at_rcpt(tempfail):
    with DovecotLmtp(USERS, rcpt_check_quota=True, quota_full_tempfail=tempfail) as lmtp:
        # Under quota, RCPT is accepted; a message too big still fails after DATA.
        r = lmtp_transaction(lmtp.tcp, SENDER, ["carol@lmtp.test"], message("big", 4096))
        assert r.rcpt_reply("carol@lmtp.test") == (250, "2.1.5 OK")
        assert r.delivery_reply("carol@lmtp.test")[0] == (452 if tempfail else 552)
        # Once the mailbox is over quota, RCPT itself is refused.
        lmtp.put("carol", message("filler", 4096))
        r = lmtp_transaction(lmtp.tcp, SENDER, ["alice@lmtp.test", "carol@lmtp.test"], message("after"))
        enhanced = "4.2.2" if tempfail else "5.2.2"
        assert r.rcpt_reply("carol@lmtp.test") == \
            (452 if tempfail else 552, f"{enhanced} <carol@lmtp.test> Quota exceeded (mailbox for user is full)"), \
            lmtp.log()
        assert [(rcpt, code) for rcpt, code, _ in r.delivery] == [("alice@lmtp.test", 250)]
        assert len(lmtp.mailbox("carol")) == 1  # only the filler


def test_message_count_quota():
    with DovecotLmtp({"dave": {"messages": 1}}) as lmtp:
        codes = [lmtp_transaction(lmtp.tcp, SENDER, ["dave@lmtp.test"], message(f"m{i}"))
                 .delivery_reply("dave@lmtp.test")[0] for i in range(2)]
        assert codes == [250, 552], lmtp.log()


def test_mailbox_keeps_delivery_order_and_wait_mailbox_polls():
    with DovecotLmtp(["alice"]) as lmtp:
        for i in range(3):
            lmtp_transaction(lmtp.socket_path, SENDER, ["alice@lmtp.test"], message(f"order-{i}"))
        msgs = lmtp.wait_mailbox("alice", 3, timeout=5)
        assert [re.search(rb"Subject: (\S+)", m).group(1) for m in msgs] == [b"order-0", b"order-1", b"order-2"]
        with pytest.raises(TimeoutError):
            lmtp.wait_mailbox("alice", 4, timeout=0.2)


def test_parallel_instances_are_separate_and_stop_leaves_nothing():
    a = DovecotLmtp(["alice"]).start()
    b = DovecotLmtp(["alice"]).start()
    try:
        assert a.port != b.port and a.dir != b.dir and a.socket_path != b.socket_path
        pids = a.process_ids() + b.process_ids()
        assert a.pid in pids and b.pid in pids and len(pids) > 2  # master + children each
        lmtp_transaction(a.tcp, SENDER, ["alice@lmtp.test"], message("to-a"))
        assert len(a.mailbox("alice")) == 1 and b.mailbox("alice") == []
        dirs = (a.dir, b.dir)
    finally:
        a.stop()
        b.stop()
    assert not [p for p in pids if alive(p)]
    assert not any(os.path.exists(d) for d in dirs)
    assert "starting up for lmtp" in a.log()  # the log outlives stop()
    a.stop()  # idempotent


def test_processes_cleaned_up_when_the_test_body_fails():
    with pytest.raises(ZeroDivisionError):
        with DovecotLmtp(["alice"]) as lmtp:
            pids, d = lmtp.process_ids(), lmtp.dir
            1 / 0
    assert pids and not [p for p in pids if alive(p)]
    assert not os.path.exists(d)


def test_start_failure_is_reported_with_the_log_and_cleaned_up():
    lmtp = DovecotLmtp(["alice"], extra_config="no_such_setting = 1")
    with pytest.raises(DovecotError) as err:
        lmtp.start()
    assert "no_such_setting" in str(err.value)
    assert lmtp.process is None and lmtp.dir is None


def test_rejects_bad_user_names():
    with pytest.raises(ValueError):
        DovecotLmtp(["alice@lmtp.test"])
    with pytest.raises(ValueError):
        DovecotLmtp(["Alice", "alice"])


def test_a_port_taken_before_dovecot_binds_it_is_retried(monkeypatch):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        real, calls = dovecot_module.free_port, []

        def first_one_taken(address):
            calls.append(address)
            return taken if len(calls) == 1 else real(address)

        monkeypatch.setattr(dovecot_module, "free_port", first_one_taken)
        with DovecotLmtp(["alice"]) as lmtp:
            assert len(calls) == 2 and lmtp.port != taken
            assert f"listen(127.0.0.1, {taken}) failed: Address already in use" in lmtp.log()
            r = lmtp_transaction(lmtp.tcp, SENDER, ["alice@lmtp.test"], message("retried"))
            assert r.delivery_reply("alice@lmtp.test")[0] == 250
