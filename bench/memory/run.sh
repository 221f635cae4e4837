#!/bin/bash
# Memory benchmark (issue 5): impulsed's resident memory with 100,000 queued
# messages that it may not deliver.
#
#   bench/memory/run.sh [-n MESSAGES] [-s SESSIONS] [-l BYTES] [--port PORT]
#                       [--impulsed PATH] [--impulsectl PATH] [--smtp-source PATH]
#                       [--workdir DIR] [--no-restart]
#
# Defaults: -n 100000 -s 20 -l 256, port 2725, impulsed/impulsectl from
# build/release, smtp-source from build/relaybench/tools (bench/relay/run.sh
# unpacks it) or .tools (scripts/install-deps.sh).
#
# A release impulsed on 127.0.0.1:PORT with a durable spool in a fresh
# directory on disk (WORKDIR, default a new directory under /var/tmp, removed
# at the end) and `Domain "held.test" { Suspend_Delivery = true }`: every
# message stays queued. smtp-source -s SESSIONS -l BYTES -m N sends them all
# to to@held.test (one connection per message). Then, once the console's
# summary shows N queued: VmHWM (peak RSS) and VmRSS from /proc/PID/status,
# smaps_rollup's anonymous memory, and `impulsectl summary`. Unless
# --no-restart, the daemon is then stopped (SIGTERM) and started again on the
# same spool, and the same figures are read once all N messages are
# recovered: the cost of rebuilding the queue from the spool. Also samples
# VmRSS every second during the injection (peak printed).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
n=100000 sessions=20 size=256 port=2725 restart=1 workdir=""
impulsed=$ROOT/build/release/apps/impulsed/impulsed
impulsectl=$ROOT/build/release/apps/impulsectl/impulsectl
source_bin=$ROOT/build/relaybench/tools/bin/smtp-source
[ -x "$source_bin" ] || source_bin=$ROOT/.tools/bin/smtp-source
while [ $# -gt 0 ]; do
    case "$1" in
        -n) n=$2; shift 2 ;;
        -s) sessions=$2; shift 2 ;;
        -l) size=$2; shift 2 ;;
        --port) port=$2; shift 2 ;;
        --impulsed) impulsed=$2; shift 2 ;;
        --impulsectl) impulsectl=$2; shift 2 ;;
        --smtp-source) source_bin=$2; shift 2 ;;
        --workdir) workdir=$2; shift 2 ;;
        --no-restart) restart=0; shift ;;
        -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
[ -x "$impulsed" ] || die "no impulsed at $impulsed (cmake --preset release && cmake --build --preset release --target impulsed impulsectl)"
[ -x "$impulsectl" ] || die "no impulsectl at $impulsectl"
[ -x "$source_bin" ] || die "no smtp-source (bench/relay/run.sh or scripts/install-deps.sh)"
listening() { [ -n "$(ss -Hltn "( sport = :$port )")" ]; }
listening && die "something already listens on port $port"

own_workdir=0
if [ -z "$workdir" ]; then
    workdir=$(mktemp -d "${TMPDIR:-/var/tmp}/impulse-memory.XXXXXX")
    own_workdir=1
fi
mkdir -p "$workdir"
pid="" sampler=""
stop_daemon() {
    [ -n "$pid" ] || return 0
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    fi
    local st=0
    wait "$pid" 2>/dev/null || st=$?
    pid=""
    return $st
}
cleanup() {
    [ -n "$sampler" ] && kill "$sampler" 2>/dev/null
    stop_daemon || true
    [ $own_workdir = 1 ] && rm -rf "$workdir"
    return 0
}
trap cleanup EXIT

cat > "$workdir/impulse.conf" <<EOF
Spoolbase = "spool"
Nameservers = ( "127.0.0.1:9" )
ESMTP_Listener {
  Relay_Hosts = ( "127.0.0.0/8" )
  Listen "127.0.0.1:$port" { }
}
Control_Listener {
  Listen "./console.sock" { }
}
Domain "held.test" {
  Suspend_Delivery = true
}
ec_logger "ec_logger" {
  mainlog = "mainlog.ec"
  paniclog = "paniclog.ec"
}
bounce_logger "bounce_logger" {
  bouncelog = "bouncelog.ec"
}
EOF

start_daemon() {
    (cd "$workdir" && exec "$impulsed" -c impulse.conf >> impulsed.stderr 2>&1) &
    pid=$!
    for _ in $(seq 1 600); do listening && [ -S "$workdir/console.sock" ] && break; kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    listening || { cat "$workdir/impulsed.stderr" >&2; die "impulsed did not start"; }
}
ctl() { "$impulsectl" -s "$workdir/console.sock" "$@"; }
summary_value() { ctl summary | awk -F': ' -v k="$1" '$1 ~ "\t" k "$" {print $2}'; }
status_kb() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$pid/status"; }
mb() { awk -v kb="$1" 'BEGIN { printf "%.1f", kb / 1024 }'; }
report() {  # report LABEL
    local hwm rss anon
    hwm=$(status_kb VmHWM) rss=$(status_kb VmRSS)
    anon=$(awk '$1 == "Anonymous:" {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)
    printf '%s: VmHWM %s MB (peak RSS), VmRSS %s MB (anonymous %s MB), threads %s, spool %s\n' \
        "$1" "$(mb "$hwm")" "$(mb "$rss")" "$(mb "$anon")" "$(status_kb Threads)" "$(du -sh "$workdir/spool" | cut -f1)"
    ctl summary
}
wait_queued() {  # wait until the summary's Total Queue Size is N
    local q=""
    for _ in $(seq 1 1800); do
        q=$(summary_value "Total Queue Size")
        [ "$q" = "$n" ] && return 0
        sleep 0.5
    done
    die "Total Queue Size is $q, expected $n"
}

log "impulsed: $("$impulsed" --version) ($impulsed, built $(date -u -r "$impulsed" +%Y-%m-%dT%H:%MZ), sha256 $(sha256sum "$impulsed" | cut -c1-12)); work dir $workdir ($(df -T "$workdir" | awk 'NR==2{print $2}'))"
log "load: $(uptime)"
start_daemon
log "idle after start: VmRSS $(mb "$(status_kb VmRSS)") MB"
samples=$workdir/rss.samples
( while kill -0 "$pid" 2>/dev/null; do awk '$1 == "VmRSS:" {print $2}' "/proc/$pid/status" 2>/dev/null; sleep 1; done ) > "$samples" &
sampler=$!
log "smtp-source -s $sessions -l $size -m $n -t to@held.test 127.0.0.1:$port"
t0=$(date +%s.%N)
"$source_bin" -s "$sessions" -l "$size" -m "$n" -f from@bench.test -t to@held.test "127.0.0.1:$port" \
    > "$workdir/smtp-source.out" 2>&1 || { cat "$workdir/smtp-source.out" >&2; die "smtp-source failed"; }
t1=$(date +%s.%N)
log "injected $n in $(awk -v a="$t0" -v b="$t1" -v n="$n" 'BEGIN { printf "%.1f s (%.0f msg/s)", b - a, n / (b - a) }')"
wait_queued
kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true; sampler=""
log "VmRSS samples during injection: max $(mb "$(sort -n "$samples" | tail -1)") MB over $(wc -l < "$samples") s"
report "after injecting $n messages (all queued, delivery suspended)"
log "load: $(uptime)"
stop_daemon || die "impulsed exited non-zero on SIGTERM: $(tail -3 "$workdir/impulsed.stderr")"
received=$(grep -c '@R@' "$workdir/mainlog.ec" || true)  # complete once stopped (buffered log)
[ "$received" = "$n" ] || die "mainlog has $received R records, expected $n"

if [ $restart = 1 ]; then
    t0=$(date +%s.%N)
    start_daemon
    wait_queued
    t1=$(date +%s.%N)
    log "restart: $n messages recovered, queue complete after $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s"
    report "after restart (recovered $n messages from the spool)"
    stop_daemon || die "impulsed exited non-zero on SIGTERM"
fi
