"""impulsed's mainlog, bouncelog and paniclog as the integration tests read
them (Momentum's formats, reference/momentum.md §10.1; src/log/).

A record is one line of '@'-separated fields; field 4 is its type and
field 1 the message id. records() parses the records of one type into
dicts named by the field lists below (a record with another number of
fields fails the test); wait_records() polls until there are enough,
with a deadline, and on timeout shows the log:

    logs = LogDir(daemon_dir)
    [d] = logs.wait_records("D", msgid)                # mainlog.ec
    [b] = logs.wait_records("B", msgid, name="bouncelog.ec")
    d["remote_ip"], b["classification"]

Only complete lines count (a record is written with its newline), so a
record being written is never half-read. Reads files only; any thread.
"""

from __future__ import annotations

import os

from harness.process import wait_for

R_FIELDS = ["time", "msgid", "batchid", "connid", "type", "rcpt_local", "rcpt_domain", "sender_local",
            "sender_domain", "peer_ip", "size", "protocol", "binding_group", "binding"]
D_FIELDS = ["time", "msgid", "batchid", "connid", "type", "domain", "size", "binding_group", "binding",
            "retries", "seconds", "remote_ip"]
# T (transient) and P (permanent) records share their fields.
T_FIELDS = P_FIELDS = ["time", "msgid", "batchid", "connid", "type", "domain", "bytes_sent", "binding_group",
                       "binding", "stage", "retries", "seconds", "remote_ip", "response"]
B_FIELDS = ["time", "msgid", "batchid", "connid", "type", "rcpt_local", "rcpt_domain", "sender_local",
            "sender_domain", "binding_group", "binding", "stage", "classification", "size", "remote_ip",
            "raw_response"]
FIELDS = {"R": R_FIELDS, "D": D_FIELDS, "T": T_FIELDS, "P": P_FIELDS, "B": B_FIELDS}
OUTCOMES = ("D", "T", "P")  # a delivery attempt's record, one per recipient


def logged(text: str) -> str:
    """A reply as the logs write it: '@' is the field separator, so it is
    written as %40 (src/log/log_fields.hpp)."""
    return text.replace("@", "%40")


def read_lines(path: str) -> list[str]:
    """The complete lines of a log file ([] when it does not exist yet)."""
    try:
        with open(path, "rb") as f:
            data = f.read().decode("utf-8", errors="replace")
    except FileNotFoundError:
        return []
    return data.split("\n")[:-1]  # complete lines only


def parse_records(lines, kind: str, msgid: str | None = None, fields: list[str] | None = None) -> list[dict]:
    """The records of type `kind` (of `msgid`, if given) as dicts."""
    fields = fields or FIELDS[kind]
    out = []
    for line in lines:
        parts = line.split("@")
        if len(parts) > 4 and parts[4] == kind and (msgid is None or parts[1] == msgid):
            assert len(parts) == len(fields), line
            out.append(dict(zip(fields, parts)))
    return out


class LogDir:
    """The logs in one daemon's directory (names relative to it)."""

    def __init__(self, directory: str):
        self.dir = str(directory)

    def path(self, name: str) -> str:
        return os.path.join(self.dir, name)

    def lines(self, name: str = "mainlog.ec") -> list[str]:
        return read_lines(self.path(name))

    def records(self, kind: str, msgid: str | None = None, name: str = "mainlog.ec",
                fields: list[str] | None = None) -> list[dict]:
        return parse_records(self.lines(name), kind, msgid, fields)

    def wait_records(self, kind: str, msgid: str | None = None, count: int = 1, name: str = "mainlog.ec",
                     fields: list[str] | None = None, timeout: float = 20.0) -> list[dict]:
        """Every such record, once there are at least `count`."""
        try:
            return wait_for(lambda: (lambda rs: rs if len(rs) >= count else None)(
                self.records(kind, msgid, name, fields)), timeout=timeout,
                what=f"{count} {kind} record(s) of {msgid or 'any message'} in {name}")
        except TimeoutError as e:
            raise TimeoutError(f"{e}\n{self.log_text(name)}") from None

    def bouncelog(self, msgid: str | None = None) -> list[dict]:
        """The bouncelog's B records (of `msgid`, if given)."""
        return self.records("B", msgid, "bouncelog.ec")

    def first_outcome(self, msgid: str, timeout: float = 20.0) -> dict:
        """The first D, T or P record of `msgid`, whichever comes first."""
        def find():
            for line in self.lines():
                parts = line.split("@")
                if len(parts) > 4 and parts[1] == msgid and parts[4] in OUTCOMES:
                    return dict(zip(FIELDS[parts[4]], parts))
            return None
        try:
            return wait_for(find, timeout=timeout, what=f"an outcome for {msgid}")
        except TimeoutError as e:
            raise TimeoutError(f"{e}\n{self.log_text()}") from None

    def log_text(self, name: str = "mainlog.ec") -> str:
        """`name` and the paniclog, for a failing test's message."""
        return (f"--- {name} ---\n" + "\n".join(self.lines(name)) +
                "\n--- paniclog.ec ---\n" + "\n".join(self.lines("paniclog.ec")))
