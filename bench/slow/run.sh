#!/bin/bash
# Slow-receiver benchmark (issue 19, item 3): Impulse beside Postfix, same
# sitting, against a sink that waits 50 ms before each reply.
#
#   bench/slow/run.sh [-n N] [--connections C] [--delay S] [--size BYTES]
#                     [--sessions S] [--pipelining] [--only impulse|postfix|sink]
#                     [--impulsed PATH] [--event-loops L]
#
# Defaults: 3,000 messages of 4,096 bytes, 20 connections to the sink
# (Impulse's Max_Outbound_Connections, Postfix's destination concurrency
# limit), 20 injecting sessions; the sink alone is measured first. Prints
# msg/s beside the bound C / (4 replies x 50 ms) = 100 msg/s at C = 20
# (slow.py says what is counted); RESULT lines go to bench/slow/results.log.
# impulsed is a copy of build/release's (build it first: nice -n 15 cmake
# --build build/release --target impulsed impulsectl -j2); Postfix and
# smtp-source are those unpacked by /work/shared/bench/setup-tools.sh into
# build/relaybench/tools. Needs root (Postfix's private instance).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
case "${1:-}" in -h|--help) sed -n '2,17p' "$0"; exit 0 ;; esac
[ "$(id -u)" = 0 ] || { echo "run.sh: needs root (Postfix's private instance)" >&2; exit 1; }
tools=$ROOT/build/relaybench/tools
BENCH_TOOLS_DIR=$tools /work/shared/bench/setup-tools.sh >/dev/null
exec /usr/bin/python3 "$HERE/slow.py" --tools "$tools" "$@"
