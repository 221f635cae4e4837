#!/bin/sh
# Soak (issue 18): impulsed for MINUTES (default 30) under mixed load (SMTP
# from several clients, HTTP injection, five domains through a private nsd)
# while sinks die and return, DNS answers SERVFAIL for a while, one
# receiver answers a 4xx storm, `config reload` runs every minute and the
# daemon is SIGKILLed and restarted; then a drain. Prints the faults as they
# happen, RSS and open descriptors sampled over time, and one RESULT line
# (accepted, delivered, bounced, lost, duplicates, peak RSS, fds min/max),
# with the load average before and after.
#
#   bench/soak/run.sh            # 30 minutes, release build
#   bench/soak/run.sh 5 --kills 2 --clients 3
#
# BUILD (default build/release) picks the build; IMPULSED / IMPULSECTL
# override the binaries. Exit status 1 when an accepted message was neither
# delivered nor bounced, or fewer kills happened than asked. The driver is
# soak.py; its work directory is removed (the samples CSV is copied to
# $OUT, default bench/soak/).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${BUILD:-$ROOT/build/release}
MINUTES=30
case "${1:-}" in [0-9]*) MINUTES=$1; shift ;; esac
export IMPULSED="${IMPULSED:-$BUILD/apps/impulsed/impulsed}"
export IMPULSECTL="${IMPULSECTL:-$BUILD/apps/impulsectl/impulsectl}"
export IMPULSE_SOURCE_DIR="$ROOT"
export IMPULSE_TOOLS="${IMPULSE_TOOLS:-$ROOT/.tools}"
for b in "$IMPULSED" "$IMPULSECTL"; do
  [ -x "$b" ] || { echo "soak: $b not built (nice -n 15 cmake --build $BUILD --target impulsed impulsectl -j2)" >&2; exit 2; }
done
OUT=${OUT:-$HERE}
WORK=$(mktemp -d /tmp/impulse-soak.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
echo "soak: $(date -u +%FT%TZ) $IMPULSED, $MINUTES min; load average $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
/usr/bin/python3 "$HERE/soak.py" --minutes "$MINUTES" --workdir "$WORK" --out "$OUT" "$@" || status=$?
echo "soak: $(date -u +%FT%TZ) done; load average $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
