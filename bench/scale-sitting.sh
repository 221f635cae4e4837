#!/bin/bash
# Every shape of issue 19 in one sitting (bench/README.md "Scale"), Impulse
# beside Postfix where the shape has a peer: relay 4 KiB and 100 KiB,
# fan-out 100,000 x 4 KiB and 10,000 x 100 KiB, slow receivers (with and
# without PIPELINING), and 1 vs 2 event loops for relay and fan-out.
# The million-message queue is separate: bench/bigqueue/run.sh.
#
#   bench/scale-sitting.sh [IMPULSED]     # default: a copy of build/release's
#
# Run it on a quiet machine (about 25 minutes); each benchmark appends its
# RESULT lines to its own results.log.
set -uo pipefail
cd "$(dirname "$0")/.."
src=${1:-build/release/apps/impulsed/impulsed}
B=$(mktemp -d /var/tmp/impulse-scale.XXXXXX)/impulsed
cp "$src" "$B"
echo "=== sitting start $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "=== relay 4 KiB, 3 reps interleaved"; bench/relay/run.sh --impulsed $B --reps 3 -n 20000 --interleave 2>&1 | tail -15
echo "=== fanout 100k 4 KiB"; bench/fanout/run.sh --impulsed $B 2>&1 | tail -20
echo "=== fanout 10k 100 KiB"; bench/fanout/run.sh --impulsed $B -n 10000 --size 102400 2>&1 | tail -20
echo "=== relay 100 KiB single destination"; bench/relay/run.sh --impulsed $B --reps 2 -n 5000 --interleave -- --size 102400 2>&1 | tail -15
echo "=== slow"; bench/slow/run.sh --impulsed $B 2>&1 | tail -15
echo "=== slow pipelining"; bench/slow/run.sh --impulsed $B --pipelining 2>&1 | tail -15
echo "=== cores relay"; for r in 1 2; do for l in 1 2; do bench/relay/run.sh --impulsed $B --only impulse --reps 1 -n 20000 --loops $l 2>&1 | tail -4; done; done
echo "=== cores fanout"; for r in 1 2; do for l in 1 2; do bench/fanout/run.sh --impulsed $B --only impulse -n 20000 --loops $l 2>&1 | tail -12; done; done
echo "=== sitting end $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)"
rm -rf "$(dirname "$B")"
