"""Shared helpers for the integration tests (real programs on loopback).

dns: NsdServer, a real authoritative nsd on a free high port with given zones.
"""
