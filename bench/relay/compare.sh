#!/bin/bash
# Relay benchmark for a change: the current impulsed, an earlier impulsed
# and Postfix in one sitting, interleaved (new, old, postfix; R times), each
# through run.sh (same harness, ports, spool on disk, load gate).
#
#   bench/relay/compare.sh OLD_IMPULSED [--reps R] [-n N] [--wait-load L]
#
# OLD_IMPULSED: a release build of the earlier commit, e.g. made with
#   git worktree add /tmp/old REV && (cd /tmp/old && cmake --preset release &&
#   cmake --build --preset release --target impulsed)
# The RESULT lines go to bench/relay/results.log; the two impulsed builds are
# told apart by their version string (built time and sha256, see run.sh).
# Summary: /work/shared/bench/lib/summarize.py bench/relay/results.log
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 1 ] || { sed -n '2,14p' "$0"; exit 2; }
old=$1; shift
reps=3 n=20000 wait_load=""
while [ $# -gt 0 ]; do
    case "$1" in
        --reps) reps=$2; shift 2 ;;
        -n) n=$2; shift 2 ;;
        --wait-load) wait_load="--wait-load $2"; shift 2 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done
for _ in $(seq 1 "$reps"); do
    # shellcheck disable=SC2086
    "$HERE/run.sh" --only impulse --reps 1 -n "$n" $wait_load
    # shellcheck disable=SC2086
    "$HERE/run.sh" --only impulse --reps 1 -n "$n" --impulsed "$old" $wait_load
    # shellcheck disable=SC2086
    "$HERE/run.sh" --only postfix --reps 1 -n "$n" $wait_load
done
