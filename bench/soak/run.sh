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
# override the binaries. HEAPTRACK=1 runs impulsed under heaptrack's
# preload library (package heaptrack; the PID stays impulsed's, so RSS is
# still sampled) and then prints the heap over time, minute by minute, and
# the peak consumers; the recording is left as $OUT/heaptrack.<pid>.gz for
# heaptrack_print (memory findings: bench/README.md, "Soak"). Exit status 1
# when an accepted message was neither delivered nor bounced, or fewer kills
# happened than asked. The driver is soak.py; its work directory is removed
# (the samples CSV is copied to $OUT, default bench/soak/).
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
if [ -n "${HEAPTRACK:-}" ]; then
  preload=/usr/lib/heaptrack/libheaptrack_preload.so
  [ -f "$preload" ] || { echo "soak: HEAPTRACK needs the heaptrack package ($preload)" >&2; exit 2; }
  mkdir -p "$OUT"
  printf '#!/bin/sh\nLD_PRELOAD=%s DUMP_HEAPTRACK_OUTPUT=%s/heaptrack.raw.$$ exec %s "$@"\n' \
    "$preload" "$WORK" "$IMPULSED" > "$WORK/impulsed-heaptrack"
  chmod +x "$WORK/impulsed-heaptrack"
  export IMPULSED="$WORK/impulsed-heaptrack"
fi
/usr/bin/python3 "$HERE/soak.py" --minutes "$MINUTES" --workdir "$WORK" --out "$OUT" "$@" || status=$?
if [ -n "${HEAPTRACK:-}" ]; then
  for raw in "$WORK"/heaptrack.raw.*; do
    [ -f "$raw" ] || continue
    gz="$OUT/heaptrack.${raw##*.}.gz"
    /usr/lib/heaptrack/libexec/heaptrack_interpret < "$raw" 2>/dev/null | gzip -1 > "$gz"
    rm -f "$raw"
    echo "soak: heaptrack of pid ${raw##*.}: $gz"
    heaptrack_print -f "$gz" -p 0 -a 0 -T 0 -l 0 -M "$WORK/massif" 2>/dev/null | grep -E '^(peak heap|peak RSS|total runtime)'
    grep -E '^(time|mem_heap_B)=' "$WORK/massif" | paste - - |
      awk -F'[=\t]' '{ if ($2 >= next_t) { printf "soak:   heap at %5.0f s: %6.1f MB\n", $2, $4 / 1048576; next_t = $2 + 60 } }'
    heaptrack_print -f "$gz" -p 1 -n 6 -a 0 -T 0 -l 0 -m 1 2>/dev/null |
      awk '/^PEAK MEMORY CONSUMERS/ { on = 1; next }
           on && /peak memory consumed over/ { getline where; getline from; sub(/^ +/, "", from)
                                               print "soak:   peak " $1 " " substr(where, 1, 90) " " from }'
  done
fi
echo "soak: $(date -u +%FT%TZ) done; load average $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
