#!/bin/sh
# Crash loop (issue 18): 100,000 messages from 20 smtplib clients into
# impulsed while it is killed with SIGKILL at 20 random moments and
# restarted, delivering to Postfix's smtp-sink; then every message that got
# a 250 must have been delivered at least once. Prints the kills, the queue
# at the end and one RESULT line (acked, delivered, lost, duplicates,
# injection and drain seconds), with the load average before and after.
#
#   bench/crashloop/run.sh                      # the long form, release build
#   bench/crashloop/run.sh --messages 3000 --kills 3 --clients 10 --seed 7
#
# BUILD (default build/release) picks the build; IMPULSED / IMPULSECTL
# override the binaries. Exit status 1 when a message was lost or fewer
# kills happened than asked. The driver is crashloop.py (also used by
# tests/integration/test_crash_loop.py); its work directory is removed.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${BUILD:-$ROOT/build/release}
export IMPULSED="${IMPULSED:-$BUILD/apps/impulsed/impulsed}"
export IMPULSECTL="${IMPULSECTL:-$BUILD/apps/impulsectl/impulsectl}"
export IMPULSE_SOURCE_DIR="$ROOT"
export IMPULSE_TOOLS="${IMPULSE_TOOLS:-$ROOT/.tools}"
for b in "$IMPULSED" "$IMPULSECTL"; do
  [ -x "$b" ] || { echo "crashloop: $b not built (nice -n 15 cmake --build $BUILD --target impulsed impulsectl -j2)" >&2; exit 2; }
done
WORK=$(mktemp -d /tmp/impulse-crashloop.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
echo "crashloop: $(date -u +%FT%TZ) $IMPULSED; load average $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
/usr/bin/python3 "$HERE/crashloop.py" --workdir "$WORK" "$@" || status=$?
echo "crashloop: $(date -u +%FT%TZ) done; load average $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
