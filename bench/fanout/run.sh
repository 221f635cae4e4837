#!/bin/bash
# Fan-out benchmark (issue 19, items 1 and 2): Impulse beside Postfix, same sitting.
#
#   bench/fanout/run.sh [-n N] [--domains D] [--sessions S] [--size BYTES]
#                       [--per-connection M] [--only impulse|postfix]
#                       [--impulsed PATH] [--perf] [--keep] [--timeout S] [--stall S]
#
# Defaults: 100,000 messages of 4,096 bytes to 1,000 domains, 20 injecting
# sessions, 100 messages per injecting connection. Item 2 (big messages) is
# the same command with --size 102400. Each domain d0000..d0999.fan.test has
# its own MX on its own loopback address 127.1.x.y (private nsd on a free
# high port); one sink process (sink.py) listens on port 25 of all of them
# and counts connections; it is measured alone first. impulsed is a copy of
# build/release's (build it first: nice -n 15 cmake --build build/release
# --target impulsed impulsectl -j2); Postfix is the Debian binaries unpacked by
# /work/shared/bench/setup-tools.sh into build/relaybench/tools, run as a
# private instance inside its own mount namespace, where /etc/resolv.conf
# names a private unbound that sends fan.test to the nsd (fanout.py says how).
# Prints the two side by side; RESULT lines are appended to
# bench/fanout/results.log. Needs root (port 25, 53, mount namespaces).
# --perf: perf record -g of impulsed during its run into /var/tmp/impulse-fanout-perf.data.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
case "${1:-}" in -h|--help) sed -n '2,22p' "$0"; exit 0 ;; esac
[ "$(id -u)" = 0 ] || { echo "run.sh: needs root (ports 25 and 53, unshare -m)" >&2; exit 1; }
tools=$ROOT/build/relaybench/tools
BENCH_TOOLS_DIR=$tools /work/shared/bench/setup-tools.sh >/dev/null
exec nice -n 0 /usr/bin/python3 "$HERE/fanout.py" --tools "$tools" "$@"
