#!/bin/bash
# Injection-rate benchmark (issue 4): how fast impulsed answers 250 to
# smtp-source, with a durable spool (RocksDB, synced WAL) on the real disk.
#
#   bench/inject/run.sh [-n MESSAGES] [-r REPS] [-s SESSIONS] [-l BYTES]
#                       [--port PORT] [--impulsed PATH] [--smtp-source PATH]
#                       [--workdir DIR] [--reuse]
#
# Defaults: -n 20000 -r 3 -s 20 -l 4096, port 2525, impulsed from
# build/release (cmake --preset release), smtp-source from .tools/bin
# (scripts/install-deps.sh). One TCP connection per message, as smtp-source
# does by default (--reuse: smtp-source -d, all of a session's messages on
# one connection).
#
# Each rep: a fresh working directory (spool, logs) under WORKDIR (default: a
# new directory under ${TMPDIR:-/var/tmp}, on disk, removed at the end),
# impulsed started on 127.0.0.1:PORT, smtp-source -s SESSIONS -l BYTES -m N
# timed from just before it starts until it exits (= every DATA answered 250
# and QUIT), CPU seconds over that window for impulsed (/proc/PID/stat),
# smtp-source (/usr/bin/time) and everything else on the machine ("other",
# /proc/stat busy time minus those two: other engineers' work on a shared
# box; a large value marks a disturbed rep), impulsed stopped by its PID
# (SIGTERM, exit 0 expected), then the mainlog's esmtp R records counted
# (must be N). Prints one line per rep and a median/min/max summary. The
# configuration sets Suspend_Delivery = true: impulsed only queues (no
# delivery, no DNS), so this is the injection path alone.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
n=20000 reps=3 sessions=20 size=4096 port=2525 reuse=""
impulsed=$ROOT/build/release/apps/impulsed/impulsed
source_bin=$ROOT/.tools/bin/smtp-source
workdir=""
while [ $# -gt 0 ]; do
    case "$1" in
        -n) n=$2; shift 2 ;;
        -r) reps=$2; shift 2 ;;
        -s) sessions=$2; shift 2 ;;
        -l) size=$2; shift 2 ;;
        --port) port=$2; shift 2 ;;
        --impulsed) impulsed=$2; shift 2 ;;
        --smtp-source) source_bin=$2; shift 2 ;;
        --workdir) workdir=$2; shift 2 ;;
        --reuse) reuse=-d; shift ;;
        -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[ -x "$impulsed" ] || die "no impulsed at $impulsed (cmake --preset release && cmake --build --preset release --target impulsed)"
[ -x "$source_bin" ] || die "no smtp-source at $source_bin (scripts/install-deps.sh)"
listening() { [ -n "$(ss -Hltn "( sport = :$port )")" ]; }
listening && die "something already listens on port $port"

own_workdir=0
if [ -z "$workdir" ]; then
    workdir=$(mktemp -d "${TMPDIR:-/var/tmp}/impulse-inject.XXXXXX")
    own_workdir=1
fi
mkdir -p "$workdir"
pid=""
cleanup() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    fi
    [ $own_workdir = 1 ] && rm -rf "$workdir"
    return 0
}
trap cleanup EXIT

clk_tck=$(getconf CLK_TCK)
cpu_seconds() {  # utime + stime of one PID, in seconds
    awk -v t="$clk_tck" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / t }' "/proc/$1/stat"
}
machine_busy() {  # CPU seconds the whole machine has been busy (all cores, not idle/iowait)
    awk -v t="$clk_tck" '$1 == "cpu" { printf "%.2f", ($2 + $3 + $4 + $7 + $8 + $9) / t; exit }' /proc/stat
}

log "impulsed: $("$impulsed" --version) ($impulsed)"
log "smtp-source -s $sessions -l $size -m $n ${reuse:+-d }127.0.0.1:$port, $reps rep(s), work dir $workdir ($(df -T "$workdir" | awk 'NR==2{print $2}'))"
rates=()
for rep in $(seq 1 "$reps"); do
    dir=$workdir/rep$rep
    rm -rf "$dir"
    mkdir -p "$dir"
    cat > "$dir/impulse.conf" <<EOF
Spoolbase = "spool"
# Injection only: queues keep their mail (no delivery attempts, no DNS).
Suspend_Delivery = true
ESMTP_Listener {
  Relay_Hosts = ( "127.0.0.0/8" )
  Listen "127.0.0.1:$port" { }
}
ec_logger "ec_logger" {
  mainlog = "mainlog.ec"
  paniclog = "paniclog.ec"
}
bounce_logger "bounce_logger" {
  bouncelog = "bouncelog.ec"
}
EOF
    (cd "$dir" && exec "$impulsed" -c impulse.conf > impulsed.stderr 2>&1) &
    pid=$!
    for _ in $(seq 1 300); do listening && break; kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    listening || { cat "$dir/impulsed.stderr" >&2; die "impulsed did not start"; }
    load_before=$(cut -d' ' -f1 /proc/loadavg)
    cpu0=$(cpu_seconds "$pid")
    busy0=$(machine_busy)
    t0=$(date +%s.%N)
    /usr/bin/time -f '%U %S' -o "$dir/smtp-source.time" \
        "$source_bin" $reuse -s "$sessions" -l "$size" -m "$n" -M client.bench.test -f from@bench.test -t to@dest.test "127.0.0.1:$port" \
        > "$dir/smtp-source.out" 2>&1 || { cat "$dir/smtp-source.out" >&2; die "smtp-source failed"; }
    t1=$(date +%s.%N)
    busy1=$(machine_busy)
    load_after=$(cut -d' ' -f1 /proc/loadavg)
    cpu=$(awk -v a="$cpu0" -v b="$(cpu_seconds "$pid")" 'BEGIN { printf "%.2f", b - a }')
    source_cpu=$(awk '{ printf "%.2f", $1 + $2 }' "$dir/smtp-source.time")
    # CPU used by anything but impulsed and smtp-source during the run (other
    # engineers' work on this shared machine): large values = disturbed run.
    other_cpu=$(awk -v a="$busy0" -v b="$busy1" -v m="$cpu" -v s="$source_cpu" 'BEGIN { printf "%.1f", b - a - m - s }')
    kill -TERM "$pid"
    status=0
    wait "$pid" || status=$?
    pid=""
    [ "$status" = 0 ] || { cat "$dir/impulsed.stderr" >&2; die "impulsed exited $status"; }
    received=$(grep -c '@R@.*@esmtp@' "$dir/mainlog.ec" || true)
    [ "$received" = "$n" ] || die "mainlog has $received R records, expected $n (smtp-source output: $(head -3 "$dir/smtp-source.out"))"
    read -r secs rate cpu_ms <<<"$(awk -v a="$t0" -v b="$t1" -v n="$n" -v c="$cpu" \
        'BEGIN { s = b - a; printf "%.2f %.0f %.3f", s, n / s, c * 1000 / n }')"
    rates+=("$rate")
    printf 'rep %d: %d messages in %s s = %s msg/s; impulsed CPU %s s (%s ms/msg), smtp-source %s s, other %s s; load %s -> %s\n' \
        "$rep" "$n" "$secs" "$rate" "$cpu" "$cpu_ms" "$source_cpu" "$other_cpu" "$load_before" "$load_after"
    [ $own_workdir = 1 ] && rm -rf "$dir"
done
printf '%s\n' "${rates[@]}" | sort -n | awk '
    { v[NR] = $1 }
    END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
          printf "inject msg/s: median %.0f [min %.0f - max %.0f] over %d rep(s)\n", m, v[1], v[NR], NR }'
