#!/bin/bash
# One sitting of the injection comparison, interleaved so that the load other
# work puts on this shared machine hits every contender alike:
#
#   bench/inject/sitting.sh BENCH_DIR [ITERATIONS] [-n MESSAGES] [--impulsed PATH]
#
# Each iteration runs, one after the other, with N messages (default 20000)
# of 4 KiB over 20 sessions, one connection per message:
#   1. run.sh -r 1                        impulsed, durable spool, queue only
#   2. BENCH_DIR/run-peer.sh postfix      Postfix relaying to smtp-sink (the
#      --reps 1                           shared bench: inject_per_s, e2e_per_s)
#   3. postfix-queue-only.sh -r 1         Postfix, every message put on hold
# BENCH_DIR is a writable copy of /work/shared/bench (it keeps its tools, its
# private Postfix and its RESULT lines there). Everything goes to stdout with
# timestamps and /proc/loadavg between steps; lines starting "rep " and
# "RESULT " are the measurements.
set -euo pipefail
[ $# -ge 1 ] || { sed -n '2,16p' "$0"; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
BENCH=$(cd "$1" && pwd); shift
iterations=3
if [ $# -gt 0 ] && [[ $1 != -* ]]; then iterations=$1; shift; fi
n=20000 impulsed=()
while [ $# -gt 0 ]; do
    case "$1" in
        -n) n=$2; shift 2 ;;
        --impulsed) impulsed=(--impulsed "$2"); shift 2 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done
mark() { echo "== $* $(date -u +%FT%TZ) loadavg $(cat /proc/loadavg)"; }
mark "sitting: $iterations iteration(s), n=$n"
for i in $(seq 1 "$iterations"); do
    mark "iteration $i: impulsed"
    "$HERE/run.sh" -n "$n" -r 1 ${impulsed[@]+"${impulsed[@]}"} 2>&1
    mark "iteration $i: postfix relay (shared bench)"
    (cd "$BENCH" && ./run-peer.sh postfix --reps 1 -n "$n" 2>&1)
    mark "iteration $i: postfix hold"
    "$HERE/postfix-queue-only.sh" "$BENCH" -n "$n" -r 1 2>&1
done
mark "end"
