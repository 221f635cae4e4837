"""Shared helpers for the integration tests (real programs on loopback).

impulse: the daemon under test (Impulsed, the Daemon most tests use,
daemon_config, impulsectl); logs: its mainlog/bouncelog/paniclog records;
process: ports, polling with deadlines, starting and stopping programs by
PID (and Peer, the base of every peer below).
dns: NsdServer, a real authoritative nsd on a free high port with given zones.
smtp_peers: Postfix's smtp-sink and a private Postfix smtpd; scripted_smtp:
a scripted aiosmtpd server; dovecot: a private Dovecot LMTP server;
test_ca: a throw-away certificate authority.
http_api: impulsed with an HTTP_Listener and a client for its JSON API.
"""
