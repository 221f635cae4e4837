"""A full disk (issue 18; SPEC §5 "durable before acknowledged").

The spool, then the log directory, on a small tmpfs mounted for the test
(root needed; the test is skipped, saying why, where mounting is not
allowed), filled with a filler file:

- spool: eight smtplib clients inject random (incompressible) messages
  until the disk is full. Every reply is 250 or 4xx (452 4.3.1 for the
  full disk), never a dropped connection, and the daemon stays up. Once
  the filler is deleted injection works again by itself; with delivery
  turned on every message that got a 250 reaches the sink exactly once and
  no refused one does; a restart finds an empty, uncorrupted spool.
- logs: with the mainlog and paniclog on a full disk, mail is still
  accepted and delivered; the failure is reported on stderr, and once
  there is room again the paniclog says how many lines were dropped.
"""
import base64
import os
import re
import smtplib
import subprocess
import threading

import pytest

from harness.impulse import QUEUED, Daemon, daemon_config
from harness.logs import LogDir
from harness.process import wait_for
from harness.smtp_peers import SmtpSink

CLIENTS = 8
MAX_PER_CLIENT = 400  # a client stops after this many messages, or after 3 refusals in a row
BODY_LINES = 200      # ~20 KB of base64 per message
SINK = "127.0.0.61"
TAG = re.compile(r"^X-Test-Tag: (\S+)$", re.M)


class Tmpfs:
    """A size-limited tmpfs mounted at `path` while the block runs."""

    def __init__(self, path, size):
        self.path, self.size = str(path), size

    def __enter__(self):
        os.makedirs(self.path, exist_ok=True)
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={self.size}", "tmpfs", self.path],
                           capture_output=True, text=True)
        if r.returncode != 0:
            pytest.skip(f"cannot mount a {self.size} tmpfs for the full disk (root and mount permission "
                        f"needed): {r.stderr.strip()}")
        return self

    def __exit__(self, *exc):
        subprocess.run(["umount", self.path], capture_output=True)
        if os.path.ismount(self.path):
            subprocess.run(["umount", "-l", self.path], capture_output=True)

    def free(self):
        st = os.statvfs(self.path)
        return st.f_bavail * st.f_frsize


def fill(directory, leave):
    """A filler file taking all but `leave` bytes of the file system."""
    path = os.path.join(directory, "filler")
    with open(path, "wb") as f:
        chunk = b"\0" * (1 << 20)
        while True:
            st = os.statvfs(directory)
            room = st.f_bavail * st.f_frsize - leave
            if room <= 0:
                break
            try:
                f.write(chunk[:min(room, len(chunk))])
                f.flush()
            except OSError:
                break
    return path


def message(tag):
    lines = [base64.b64encode(os.urandom(75)) for _ in range(BODY_LINES)]
    return (f"Subject: full disk {tag}\r\nX-Test-Tag: {tag}\r\n\r\n".encode() + b"\r\n".join(lines) + b"\r\n")


def spool_config(spool, sink, suspend):
    return lambda port: daemon_config(
        port, f'Suspend_Delivery = {"true" if suspend else "false"}\n', bouncelog=False,
        extra=f'Domain "example.com" {{ Routes = ( "smtp://{sink.address}?port={sink.port}" ) }}\n',
    ).replace('Spoolbase = "spool"', f'Spoolbase = "{spool}"')


def inject_until_refused(port, client, acked, refused, errors, lock):
    """Sends messages over one connection until three in a row are refused
    with a 4xx (or MAX_PER_CLIENT). Any other reply or a lost connection
    goes to `errors`."""
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=60) as c:
            c.ehlo("client.test")
            in_a_row = 0
            for i in range(MAX_PER_CLIENT):
                tag = f"c{client}-m{i}"
                assert c.mail("a@sender.test")[0] == 250
                assert c.rcpt(f"{tag}@example.com")[0] == 250
                try:
                    code, text = c.data(message(tag))
                except smtplib.SMTPDataError as e:
                    code, text = e.smtp_code, e.smtp_error
                text = text.decode(errors="replace")
                with lock:
                    if code == 250 and QUEUED.match(text):
                        acked.add(tag)
                        in_a_row = 0
                    elif 400 <= code < 500:
                        refused.append((tag, code, text))
                        in_a_row += 1
                    else:
                        errors.append((tag, code, text))
                        return
                if code != 250:
                    c.rset()
                if in_a_row >= 3:
                    return
    except Exception as e:  # noqa: BLE001 - judged by the test
        errors.append(repr(e))


def try_send(d, tag):
    """One message; its tag when it got a 250, None when refused with a 4xx."""
    with d.smtp(timeout=30) as c:
        c.ehlo("client.test")
        c.mail("a@sender.test")
        c.rcpt(f"{tag}@example.com")
        try:
            code, _ = c.data(message(tag))
        except smtplib.SMTPDataError as e:
            assert 400 <= e.smtp_code < 500, e
            return None
        return tag if code == 250 else None


def test_full_spool_disk_answers_4xx_loses_nothing_and_resumes_when_space_returns(tmp_path):
    with Tmpfs(tmp_path / "disk", "24m") as disk, SmtpSink(SINK) as sink:
        spool = os.path.join(disk.path, "spool")
        make = spool_config(spool, sink, suspend=True)
        with Daemon(tmp_path / "d", make) as d:
            filler = fill(disk.path, leave=4 << 20)
            acked, refused, errors, lock = set(), [], [], threading.Lock()
            threads = [threading.Thread(target=inject_until_refused,
                                        args=(d.port, k, acked, refused, errors, lock), daemon=True)
                       for k in range(CLIENTS)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(300)
            assert not any(t.is_alive() for t in threads)
            assert errors == [], errors[:5]
            assert d.impulsed.proc.poll() is None, d.impulsed.stderr()
            assert acked, "nothing was accepted before the disk filled"
            assert refused, "the disk never filled"
            assert {code for _, code, _ in refused} <= {451, 452}, refused[:5]
            assert any(code == 452 and text.startswith("4.3.1") for _, code, text in refused), refused[:5]

            # Space returns: injection works again without any help.
            os.remove(filler)
            n = [0]

            def accepted_again():
                n[0] += 1
                tag = try_send(d, f"after-{n[0]}")
                if tag:
                    acked.add(tag)
                return tag
            wait_for(accepted_again, timeout=30, interval=0.2, what="a 250 once the filler is gone")

            # Delivery on: every acknowledged message reaches the sink once,
            # no refused one does.
            d.write_config(make(d.port).replace("Suspend_Delivery = true", "Suspend_Delivery = false"))
            assert d.ctl("config", "reload") == "Configuration reloaded.\n"
            sink.wait_messages(len(acked), timeout=120)
            wait_for(lambda: "Total Queue Size: 0" in d.ctl("summary"), timeout=30, what="an empty queue")
            tags = [m.group(1) for m in (TAG.search(s.text) for s in sink.messages()) if m]
            assert sorted(tags) == sorted(acked)  # each once: no duplicates, nothing else
            assert not {tag for tag, _, _ in refused} & set(tags)

        # A restart finds a consistent (and empty) spool.
        with Daemon(tmp_path / "d", make) as d2:
            err = d2.impulsed.stderr()
            assert "corrupt" not in err.lower(), err  # "spool: skipped corrupt record ..."
            assert "Total Queue Size: 0" in d2.ctl("summary")  # every delivered message was removed


def test_full_log_disk_does_not_stop_delivery_and_is_reported_when_it_recovers(tmp_path):
    with Tmpfs(tmp_path / "logs", "4m") as disk, SmtpSink(SINK) as sink:
        logs = disk.path

        def make(port):
            text = spool_config("spool", sink, suspend=False)(port)
            return (text.replace('mainlog = "mainlog.ec"', f'mainlog = "{logs}/mainlog.ec"')
                    .replace('paniclog = "paniclog.ec"', f'paniclog = "{logs}/paniclog.ec"'))

        with Daemon(tmp_path / "d", make) as d:
            filler = fill(logs, leave=0)
            ids = [d.send("a@sender.test", [f"full-log-{i}@example.com"], message(f"log-{i}")) for i in range(40)]
            assert len(set(ids)) == 40  # more log lines than the files' last pages hold
            sink.wait_messages(40, timeout=60)
            # The mainlog (flushed every second) fails and says so once, in
            # the paniclog or, when the paniclog's last page is full too
            # (a file can still fill its last 4 KiB page), on stderr.
            panic = os.path.join(logs, "paniclog.ec")

            def reported():
                text = d.impulsed.stderr() + (open(panic).read() if os.path.exists(panic) else "")
                return re.search(r"mainlog \S+: write failed: No space left on device", text) or \
                    re.search(r"paniclog \S+: write failed: No space left on device", text)
            wait_for(reported, timeout=20, what="the log write failure in the paniclog or on stderr")
            assert d.impulsed.proc.poll() is None

            os.remove(filler)
            after = d.send("a@sender.test", ["full-log-after@example.com"], message("log-after"))
            sink.wait_messages(41, timeout=60)
            wait_for(lambda: re.search(r"mainlog \S+: writing works again; [1-9]\d* log lines were dropped",
                                       open(panic).read() if os.path.exists(panic) else ""),
                     timeout=20, what="the mainlog's recovery in the paniclog")
            LogDir(logs).wait_records("D", after, timeout=20)  # the mainlog is written again


def test_deliveries_made_while_the_spool_disk_is_full_are_not_repeated_after_a_restart(tmp_path):
    # The spool cannot record that these messages were delivered while the
    # disk is full; it keeps the removals and writes them once there is room,
    # so a restart does not send them again.
    with Tmpfs(tmp_path / "disk", "24m") as disk, SmtpSink(SINK) as sink:
        spool = os.path.join(disk.path, "spool")
        make = spool_config(spool, sink, suspend=True)
        with Daemon(tmp_path / "d", make) as d:
            for i in range(20):
                d.send("a@sender.test", [f"early-{i}@example.com"], message(f"early-{i}"))
            filler = fill(disk.path, leave=0)
            # A refused injection puts the spool in its failed state (RocksDB
            # then refuses every write until it can resume). What still fit
            # in the files' last pages is accepted and delivered too.
            expected = [f"early-{i}" for i in range(20)]
            for i in range(200):
                tag = try_send(d, f"more-{i}")
                if tag is None:
                    break
                expected.append(tag)
            assert tag is None, "the disk never filled"
            d.write_config(make(d.port).replace("Suspend_Delivery = true", "Suspend_Delivery = false"))
            assert d.ctl("config", "reload") == "Configuration reloaded.\n"
            sink.wait_messages(len(expected), timeout=60)
            wait_for(lambda: "Total Queue Size: 0" in d.ctl("summary"), timeout=30, what="an empty queue")
            # The removals failed ("spool remove failed ... kept") ...
            wait_for(lambda: "remove failed" in d.log_text(), timeout=20, what="the failed removals reported")
            os.remove(filler)
            # ... and are written by themselves once there is room: nothing
            # else writes to the spool before the restart.
        with Daemon(tmp_path / "d", make) as d2:
            assert "Total Queue Size: 0" in d2.ctl("summary"), d2.impulsed.stderr()
        tags = [m.group(1) for m in (TAG.search(s.text) for s in sink.messages()) if m]
        assert sorted(tags) == sorted(expected)  # once each


class Ext4Image:
    """A loop-mounted ext4 file system of `size_mb` MiB at `path` with no
    blocks reserved for root (so root fills it like anyone)."""

    def __init__(self, path, size_mb):
        self.path, self.size_mb = str(path), size_mb
        self.image = self.path + ".img"

    def __enter__(self):
        os.makedirs(self.path, exist_ok=True)
        with open(self.image, "wb") as f:
            f.truncate(self.size_mb << 20)
        for cmd in (["mkfs.ext4", "-q", "-F", "-m", "0", self.image], ["mount", "-o", "loop", self.image, self.path]):
            try:
                r = subprocess.run(cmd, capture_output=True, text=True)
            except FileNotFoundError as e:
                pytest.skip(f"no {cmd[0]}: {e}")
            if r.returncode != 0:
                pytest.skip(f"cannot make a loop-mounted ext4 ({' '.join(cmd[:2])}): {r.stderr.strip()}")
        return self

    def __exit__(self, *exc):
        subprocess.run(["umount", self.path], capture_output=True)
        if os.path.ismount(self.path):
            subprocess.run(["umount", "-l", self.path], capture_output=True)
        os.remove(self.image)


def test_starts_on_a_nearly_full_ext4_and_says_clearly_when_it_is_full(tmp_path):
    # RocksDB used to fallocate 35 MiB ahead of its write-ahead log: with
    # 20 MiB free that reservation took the disk and start-up failed.
    with Ext4Image(tmp_path / "ext4", 128) as disk, SmtpSink(SINK) as sink:
        spool = os.path.join(disk.path, "spool")
        make = spool_config(spool, sink, suspend=True)
        filler = fill(disk.path, leave=20 << 20)
        with Daemon(tmp_path / "d", make) as d:
            assert try_send(d, "nearly-full") == "nearly-full"
        os.remove(filler)
        fill(disk.path, leave=0)
        # Full: it either starts and refuses mail with a 4xx, or stops with
        # one clear line; it never dies of a signal.
        d = Daemon(tmp_path / "d2", make)
        try:
            d.start()
        except RuntimeError:
            assert d.impulsed.proc.returncode == 1, d.impulsed.stderr()
            assert re.search(r"^impulsed: .*spool.*(full|No space left)", d.impulsed.stderr(), re.M), \
                d.impulsed.stderr()
            return
        with d:
            assert try_send(d, "full") is None
