#!/bin/bash
# Million-message queue benchmark (issue 19, shape 4): COUNT messages queued
# for a suspended domain, then a restart, then the drain.
#
#   bench/bigqueue/run.sh [COUNT] [-s SESSIONS] [-l BYTES] [-c CONNECTIONS]
#                         [--port PORT] [--sink-port PORT] [--impulsed PATH]
#                         [--impulsectl PATH] [--workdir DIR] [--no-drain]
#                         [--save-spool DIR | --from-spool DIR]
#
# Defaults: COUNT 1000000, -s 20 injecting sessions, -l 1024 octets of body,
# -c 40 outbound connections, ports 2727 (ESMTP) and 2728 (smtp-sink),
# impulsed/impulsectl from build/release, smtp-source and smtp-sink from
# .tools/bin (scripts/install-deps.sh).
#
# What an operator would do to hold a domain: `Suspend_Delivery = true` in the
# domain's scope (impulsed has no console command to suspend one), so the
# steps are:
#   1. impulsed (release build, durable RocksDB spool in a fresh directory on
#      disk, WORKDIR default under /var/tmp, removed at the end) with
#      Domain "held.test" { Suspend_Delivery = true; Gateway = smtp-sink };
#      smtp-source -d -s SESSIONS -l BYTES -m COUNT to to@held.test.
#      Reported: the injection rate (smtp-source's wall time), then once the
#      console's summary shows COUNT queued: VmHWM (peak RSS), VmRSS and its
#      anonymous part, spool size on disk (du).
#   2. SIGTERM (exit 0 required), start again on the same spool. Reported:
#      the time from exec to the listener up, to the "recovered N message(s)
#      from the spool in X s" line, and to the summary's Total Queue Size =
#      COUNT (every message queued again); VmHWM after recovery.
#   3. Unless --no-drain: smtp-sink on the sink port, the configuration
#      rewritten without the suspension and SIGHUP (what an operator does);
#      the drain rate from the first delivery seen to the summary's
#      Successfully Delivered Messages = COUNT, and impulsed's CPU per message.
# The machine's load average is printed beside every phase.
# --save-spool DIR: after step 2's SIGTERM, a copy of the stopped spool goes
# to DIR (made; must not exist). --from-spool DIR: step 1 is skipped; the
# spool is a copy of DIR (saved with --save-spool, COUNT = its message count),
# so a restart (and drain) can be timed again, e.g. with another binary,
# without injecting again.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
n=1000000 sessions=20 size=1024 conns=40 port=2727 sink_port=2728 drain=1 workdir="" save_spool="" from_spool=""
impulsed=$ROOT/build/release/apps/impulsed/impulsed
impulsectl=$ROOT/build/release/apps/impulsectl/impulsectl
source_bin=$ROOT/.tools/bin/smtp-source
sink_bin=$ROOT/.tools/bin/smtp-sink
while [ $# -gt 0 ]; do
    case "$1" in
        -s) sessions=$2; shift 2 ;;
        -l) size=$2; shift 2 ;;
        -c) conns=$2; shift 2 ;;
        --port) port=$2; shift 2 ;;
        --sink-port) sink_port=$2; shift 2 ;;
        --impulsed) impulsed=$2; shift 2 ;;
        --impulsectl) impulsectl=$2; shift 2 ;;
        --workdir) workdir=$2; shift 2 ;;
        --no-drain) drain=0; shift ;;
        --save-spool) save_spool=$2; shift 2 ;;
        --from-spool) from_spool=$2; shift 2 ;;
        -h|--help) sed -n '2,37p' "$0"; exit 0 ;;
        [0-9]*) n=$1; shift ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
[ -x "$impulsed" ] || die "no impulsed at $impulsed (nice -n 15 cmake --build build/release --target impulsed impulsectl -j2)"
[ -x "$impulsectl" ] || die "no impulsectl at $impulsectl"
[ -x "$source_bin" ] && [ -x "$sink_bin" ] || die "no smtp-source/smtp-sink in .tools/bin (scripts/install-deps.sh)"
listening() { [ -n "$(ss -Hltn "( sport = :$1 )")" ]; }
[ -z "$save_spool" ] || [ ! -e "$save_spool" ] || die "--save-spool $save_spool exists"
[ -z "$from_spool" ] || [ -d "$from_spool/spool" ] || die "--from-spool $from_spool has no spool/"
listening "$port" && die "something already listens on port $port"
listening "$sink_port" && die "something already listens on port $sink_port"

own_workdir=0
if [ -z "$workdir" ]; then
    workdir=$(mktemp -d "${TMPDIR:-/var/tmp}/impulse-bigqueue.XXXXXX")
    own_workdir=1
fi
mkdir -p "$workdir"
pid="" sink=""
stop_pid() {  # PID: SIGTERM, wait up to 120 s, then SIGKILL; returns the exit status
    local p=$1 st=0
    [ -n "$p" ] || return 0
    if kill -0 "$p" 2>/dev/null; then
        kill -TERM "$p" 2>/dev/null || true
        for _ in $(seq 1 1200); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null
    fi
    wait "$p" 2>/dev/null || st=$?
    return $st
}
cleanup() {
    stop_pid "$pid" || true
    stop_pid "$sink" || true
    [ $own_workdir = 1 ] && rm -rf "$workdir"
    return 0
}
trap cleanup EXIT

write_config() {  # SUSPEND (true|false)
    cat > "$workdir/impulse.conf" <<EOF
Spoolbase = "spool"
Nameservers = ( "127.0.0.1:9" )
Delivery_Method = ESMTP
Max_Outbound_Connections = $conns
Idle_Timeout = 5
Retry_Interval = 5
ESMTP_Listener {
  Relay_Hosts = ( "127.0.0.0/8" )
  Listen "127.0.0.1:$port" { }
}
Control_Listener {
  Listen "./console.sock" { }
}
Domain "held.test" {
  Suspend_Delivery = $1
  Gateway = "127.0.0.1:$sink_port"
}
ec_logger "ec_logger" {
  mainlog = "mainlog.ec"
  paniclog = "paniclog.ec"
}
bounce_logger "bounce_logger" {
  bouncelog = "bouncelog.ec"
}
EOF
}

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
start_daemon() {
    (cd "$workdir" && exec "$impulsed" -c impulse.conf >> impulsed.stderr 2>&1) &
    pid=$!
}
wait_listening() {  # deadline 600 s
    for _ in $(seq 1 12000); do
        listening "$port" && [ -S "$workdir/console.sock" ] && return 0
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    cat "$workdir/impulsed.stderr" >&2; die "impulsed did not start"
}
ctl() { "$impulsectl" -s "$workdir/console.sock" "$@"; }
summary_value() { ctl summary 2>/dev/null | awk -F': ' -v k="$1" '$1 ~ "\t" k "$" {print $2}'; }
status_kb() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$pid/status"; }
mb() { awk -v kb="$1" 'BEGIN { printf "%.1f", kb / 1024 }'; }
clk_tck=$(getconf CLK_TCK)
cpu_seconds() { awk -v t="$clk_tck" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / t }' "/proc/$pid/stat"; }
memory() {
    local anon
    anon=$(awk '$1 == "Anonymous:" {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)
    printf 'VmHWM %s MiB (peak RSS), VmRSS %s MiB (anonymous %s MiB), threads %s' \
        "$(mb "$(status_kb VmHWM)")" "$(mb "$(status_kb VmRSS)")" "$(mb "$anon")" "$(status_kb Threads)"
}
wait_summary() {  # KEY VALUE DEADLINE_S POLL_S
    local got="" deadline=$(( $(date +%s) + $3 ))
    while :; do
        got=$(summary_value "$1")
        [ "${got:-0}" -ge "$2" ] 2>/dev/null && return 0
        [ "$(date +%s)" -lt "$deadline" ] || die "$1 is ${got:-?}, expected $2 within $3 s"
        sleep "$4"
    done
}

log "impulsed: $("$impulsed" --version) ($impulsed, built $(date -u -r "$impulsed" +%Y-%m-%dT%H:%MZ), sha256 $(sha256sum "$impulsed" | cut -c1-12)); work dir $workdir ($(df -T "$workdir" | awk 'NR==2{print $2}'))"
log "$n messages of $size octets, smtp-source -d -s $sessions, to a suspended domain; load $(load)"

inject_rate="-" mem_queued="-" spool_size="-"
if [ -z "$from_spool" ]; then
    # 1. Inject.
    write_config true
    start_daemon
    wait_listening
    log "idle after start: VmRSS $(mb "$(status_kb VmRSS)") MiB"
    t0=$(now)
    "$source_bin" -d -s "$sessions" -l "$size" -m "$n" -f from@bench.test -t to@held.test "127.0.0.1:$port" \
        > "$workdir/smtp-source.out" 2>&1 || { cat "$workdir/smtp-source.out" >&2; die "smtp-source failed"; }
    secs=$(since "$t0")
    inject_rate=$(awk -v s="$secs" -v n="$n" 'BEGIN { printf "%.0f", n / s }')
    log "injected $n in $secs s ($inject_rate msg/s), impulsed CPU $(cpu_seconds) s; load $(load)"
    wait_summary "Total Queue Size" "$n" 600 0.5
    mem_queued=$(memory)
    spool_size=$(du -sm "$workdir/spool" | cut -f1)
    log "all $n queued: $mem_queued; spool on disk $spool_size MiB"

fi
# 2. Restart on the same spool.
if [ -z "$from_spool" ]; then
    stop_pid "$pid" || die "impulsed exited non-zero on SIGTERM: $(tail -3 "$workdir/impulsed.stderr")"
    pid=""
    received=$(grep -c '@R@' "$workdir/mainlog.ec" || true)
    [ "$received" = "$n" ] || die "mainlog has $received R records, expected $n"
    if [ -n "$save_spool" ]; then
        mkdir -p "$save_spool" && cp -a "$workdir/spool" "$save_spool/"
        log "stopped spool saved in $save_spool"
    fi
else
    write_config true
    rm -rf "$workdir/spool" && cp -a "$from_spool/spool" "$workdir/"
    log "spool copied from $from_spool"
fi
spool_after=$(du -sm "$workdir/spool" | cut -f1)
log "stopped; spool on disk $spool_after MiB; load $(load)"
: > "$workdir/impulsed.stderr"
t0=$(now)
start_daemon
wait_listening
t_listen=$(since "$t0")
wait_summary "Total Queue Size" "$n" 600 0.05
t_queued=$(since "$t0")
line=$(grep -o 'recovered [0-9]* message(s) from the spool[^"]*' "$workdir/impulsed.stderr" | head -1 || true)
mem_recovered=$(memory)
restart_cpu=$(cpu_seconds)  # all of the new process's CPU so far: open, WAL replay, scan, re-queue
log "restart: listening after $t_listen s; all $n queued again after $t_queued s (impulsed: '$line'), impulsed CPU $restart_cpu s; $mem_recovered; load $(load)"

# 3. Drain to smtp-sink.
drain_rate="-" drain_us="-"
if [ $drain = 1 ]; then
    ("$sink_bin" -u nobody -c "127.0.0.1:$sink_port" 1000 > "$workdir/smtp-sink.out" 2>&1) &
    sink=$!
    for _ in $(seq 1 200); do listening "$sink_port" && break; sleep 0.05; done
    listening "$sink_port" || die "smtp-sink did not start: $(cat "$workdir/smtp-sink.out")"
    write_config false
    kill -HUP "$pid"
    # The clock starts at the first delivery seen (the lifted suspension is
    # noticed at the next queue scan).
    wait_summary "Successfully Delivered Messages" 1 120 0.01
    first=$(summary_value "Successfully Delivered Messages")
    cpu0=$(cpu_seconds) t0=$(now)
    wait_summary "Successfully Delivered Messages" "$n" 3600 0.2
    secs=$(since "$t0")
    cpu=$(awk -v a="$cpu0" -v b="$(cpu_seconds)" 'BEGIN { printf "%.2f", b - a }')
    read -r drain_rate drain_us <<< "$(awk -v s="$secs" -v n="$((n - first))" -v c="$cpu" \
        'BEGIN { printf "%.0f %.1f", n / s, c * 1e6 / n }')"
    failed=$(grep -c '@[TP]@' "$workdir/mainlog.ec" || true)
    log "drained $((n - first)) in $secs s ($drain_rate msg/s), impulsed CPU $cpu s ($drain_us us/msg), T/P records $failed; $(memory); load $(load)"
    [ "$failed" = 0 ] || die "$failed T/P records: $(grep -m3 '@[TP]@' "$workdir/mainlog.ec")"
fi
printf 'RESULT n=%s size=%s inject_msg_s=%s queued: %s spool_mib=%s restart_listen_s=%s restart_queued_s=%s restart_cpu_s=%s recovered: %s drain_msg_s=%s drain_us_msg=%s load=%s\n' \
    "$n" "$size" "$inject_rate" "$mem_queued" "$spool_size" "$t_listen" "$t_queued" "$restart_cpu" "$mem_recovered" "$drain_rate" "$drain_us" "$(load)" \
    | tee -a "$ROOT/bench/bigqueue/results.log"
