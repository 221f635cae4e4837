#!/bin/bash
# ECSTREAM benchmark (issue 15): node A -> node B over ECSTREAM beside the
# same two nodes relaying over SMTP, in the same sitting, durable spools.
#
#   bench/ecstream/run.sh [-n N] [--reps R] [--sessions S] [--impulsed PATH] [--only ecstream|smtp]
#
# Each rep, for each mode (ecstream, then smtp): fresh spools and logs in a
# temporary directory on disk; Postfix's smtp-sink on 127.0.0.1:$SINK_PORT;
# node B (ESMTP_Listener on $B_SMTP_PORT, ECStream_Listener on $B_EC_PORT,
# everything to the sink); node A (ESMTP_Listener on $A_PORT; Delivery_Method
# ECSTREAM with Gateway B:$B_EC_PORT, or ESMTP with Gateway B:$B_SMTP_PORT);
# smtp-source injects N messages of 4 KiB into A over S sessions (default
# 20, one connection per message). Measured: from the first connection of
# smtp-source until B has delivered N (its console's summary; end to end), the injection
# time (until smtp-source exits), and the CPU (user + system, /proc/PID/stat)
# used by A and by B over that time, per message. One RESULT line per mode
# and rep goes to stdout and to bench/ecstream/results.log.
#
# Needs build/release (cmake --preset release && cmake --build --preset
# release --target impulsed) and smtp-source / smtp-sink (.tools/bin or
# PATH). Ports: A_PORT 2731, B_SMTP_PORT 2732, B_EC_PORT 2733, SINK_PORT 2734
# (environment overrides).
#
# A second measurement per mode and rep, phase=hop, isolates the node-to-node
# transfer: A holds the N messages (Suspend_Delivery), B keeps what it gets;
# A's configuration is then reloaded without the suspension (impulsectl) and
# the time from B's first received message until B has received N (each
# durable on B; the console's summary counters) is measured, with A's and
# B's CPU from the reload on.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
n=20000 reps=3 sessions=20 only=""
impulsed=$ROOT/build/release/apps/impulsed/impulsed
IMPULSECTL=${IMPULSECTL:-$ROOT/build/release/apps/impulsectl/impulsectl}
while [ $# -gt 0 ]; do
    case "$1" in
        -n) n=$2; shift 2 ;;
        --reps) reps=$2; shift 2 ;;
        --sessions) sessions=$2; shift 2 ;;
        --impulsed) impulsed=$2; shift 2 ;;
        --only) only=$2; shift 2 ;;
        -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done
A_PORT=${A_PORT:-2731} B_SMTP_PORT=${B_SMTP_PORT:-2732} B_EC_PORT=${B_EC_PORT:-2733} SINK_PORT=${SINK_PORT:-2734}
RESULTS=${RESULTS:-$HERE/results.log}
PATH=$ROOT/.tools/bin:$PATH

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
[ -x "$impulsed" ] || die "no impulsed at $impulsed"
command -v smtp-source >/dev/null || die "no smtp-source"
command -v smtp-sink >/dev/null || die "no smtp-sink"
for p in $A_PORT $B_SMTP_PORT $B_EC_PORT $SINK_PORT; do
    [ -z "$(ss -Hltn "( sport = :$p )")" ] || die "port $p is busy"
done

workdir=$(mktemp -d "${TMPDIR:-/var/tmp}/impulse-ecstream.XXXXXX")
cp "$impulsed" "$workdir/impulsed"  # build/release may be rebuilt during the sitting
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    rm -rf "$workdir"
}
trap cleanup EXIT

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
wait_port() { for _ in $(seq 200); do ss -Hltn "( sport = :$1 )" | grep -q . && return 0; sleep 0.05; done; die "port $1 never opened"; }
# Counters from the node's console (the mainlog is flushed once a second:
# too coarse to time a few seconds of work).
summary() { "$IMPULSECTL" -s "$1/console.sock" summary 2>/dev/null | awk -F': ' -v k="$2" '$1 ~ k {print $2}'; }
count_d() { local v; v=$(summary "$1" "Successfully Delivered Messages"); echo "${v:-0}"; }
count_r() { local v; v=$(summary "$1" "Received Messages"); echo "${v:-0}"; }

common() {  # $1 = node dir name
    cat <<CONF
Spoolbase = "spool"
Nameservers = ( "127.0.0.1:9" )
Max_Outbound_Connections = 40
Idle_Timeout = 5
Retry_Interval = 5
ec_logger "ec_logger" {
  mainlog = "mainlog.ec"
  paniclog = "paniclog.ec"
}
Control_Listener {
  Listen "./console.sock" { }
}
CONF
}

node_b() {  # $1 = "suspend" to keep what it receives (hop runs)
    common
    [ "${1:-}" = suspend ] && echo "Suspend_Delivery = true"
    cat <<CONF
Delivery_Method = ESMTP
Gateway = "127.0.0.1:$SINK_PORT"
ESMTP_Listener {
  Relay_Hosts = ( "127.0.0.0/8" )
  Listen "127.0.0.1:$B_SMTP_PORT" { }
}
ECStream_Listener {
  Relay_Hosts = ( "127.0.0.0/8" )
  Listen "127.0.0.1:$B_EC_PORT" { }
}
CONF
}

node_a() {  # $1 = ecstream | smtp, $2 = "suspend" to hold what it receives
    common
    [ "${2:-}" = suspend ] && echo "Suspend_Delivery = true"
    if [ "$1" = ecstream ]; then
        printf 'Delivery_Method = ECSTREAM\nGateway = "127.0.0.1:%s"\n' "$B_EC_PORT"
    else
        printf 'Delivery_Method = ESMTP\nGateway = "127.0.0.1:%s"\n' "$B_SMTP_PORT"
    fi
    cat <<CONF
ESMTP_Listener {
  Relay_Hosts = ( "127.0.0.0/8" )
  Listen "127.0.0.1:$A_PORT" { }
}
CONF
}

start_impulsed() {  # $1 = dir; prints the pid
    (cd "$1" && exec "$workdir/impulsed" -c impulse.conf >impulsed.stderr 2>&1) &
    echo $!
}

one_run() {  # $1 = mode, $2 = rep
    local mode=$1 rep=$2 dir=$workdir/$1-$2
    mkdir -p "$dir/a" "$dir/b" "$dir/sink"
    node_a "$mode" > "$dir/a/impulse.conf"
    node_b > "$dir/b/impulse.conf"
    (cd "$dir/sink" && exec smtp-sink -u nobody 127.0.0.1:$SINK_PORT 256 >sink.log 2>&1) &
    local sink=$!
    local b a
    b=$(start_impulsed "$dir/b")
    pids=("$sink" "$b")
    wait_port $SINK_PORT; wait_port $B_SMTP_PORT; wait_port $B_EC_PORT
    a=$(start_impulsed "$dir/a")
    pids+=("$a")
    wait_port $A_PORT
    local a0 b0 t0 t_inj t1 a1 b1 hz
    hz=$(getconf CLK_TCK)
    a0=$(cpu_ticks "$a"); b0=$(cpu_ticks "$b")
    t0=$(date +%s.%N)
    smtp-source -s "$sessions" -l 4096 -m "$n" -f bench@sender.test -t bench@example.com 127.0.0.1:$A_PORT
    t_inj=$(date +%s.%N)
    local until=$((SECONDS + 600))
    while [ "$(count_d "$dir/b")" -lt "$n" ]; do
        [ $SECONDS -lt $until ] || die "$mode: only $(count_d "$dir/b") of $n delivered by B after 600 s"
        sleep 0.05
    done
    t1=$(date +%s.%N)
    a1=$(cpu_ticks "$a"); b1=$(cpu_ticks "$b")
    local ra da
    ra=$(count_r "$dir/a"); da=$(count_d "$dir/a")
    kill "$a" "$b" "$sink" 2>/dev/null || true
    wait "$a" "$b" "$sink" 2>/dev/null || true
    pids=()
    local line
    line=$(awk -v mode="$mode" -v rep="$rep" -v n="$n" -v t0="$t0" -v ti="$t_inj" -v t1="$t1" -v hz="$hz" \
        -v a="$((a1 - a0))" -v b="$((b1 - b0))" -v ra="$ra" -v da="$da" -v s="$sessions" 'BEGIN {
        e = t1 - t0; i = ti - t0;
        printf "RESULT phase=e2e mode=%s rep=%d n=%d sessions=%d e2e_s=%.2f e2e_msg_s=%.0f inject_msg_s=%.0f cpu_a_us_msg=%.0f cpu_b_us_msg=%.0f a_R=%d a_D=%d\n",
            mode, rep, n, s, e, n / e, n / i, a / hz / n * 1e6, b / hz / n * 1e6, ra, da }')
    echo "$line"
    echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) $line load=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' ,)" >> "$RESULTS"
}

# The hop alone: A holds N messages (Suspend_Delivery), B keeps what it
# receives; then A's configuration is reloaded without the suspension and the
# time until B has N R records (each durable on B) is the transfer time.
hop_run() {  # $1 = mode, $2 = rep
    local mode=$1 rep=$2 dir=$workdir/hop-$1-$2
    mkdir -p "$dir/a" "$dir/b"
    node_a "$mode" suspend > "$dir/a/impulse.conf"
    node_b suspend > "$dir/b/impulse.conf"
    local a b
    b=$(start_impulsed "$dir/b")
    pids=("$b")
    wait_port $B_SMTP_PORT; wait_port $B_EC_PORT
    a=$(start_impulsed "$dir/a")
    pids+=("$a")
    wait_port $A_PORT
    smtp-source -s "$sessions" -l 4096 -m "$n" -f bench@sender.test -t bench@example.com 127.0.0.1:$A_PORT
    local until=$((SECONDS + 600))
    while [ "$(count_r "$dir/a")" -lt "$n" ]; do [ $SECONDS -lt $until ] || die "A never got $n"; sleep 0.05; done
    node_a "$mode" > "$dir/a/impulse.conf"
    local a0 b0 t0 t1 a1 b1 hz
    hz=$(getconf CLK_TCK)
    "$IMPULSECTL" -s "$dir/a/console.sock" config reload >/dev/null
    # A suspended queue is looked at again on its loop's next maintenance
    # pass (seconds later): the clock starts when B has received the first
    # message; the CPU is counted from the reload (A and B idle until then).
    a0=$(cpu_ticks "$a"); b0=$(cpu_ticks "$b")
    until=$((SECONDS + 600))
    while [ "$(count_r "$dir/b")" -lt 1 ]; do [ $SECONDS -lt $until ] || die "$mode hop: nothing on B"; sleep 0.02; done
    t0=$(date +%s.%N)
    while [ "$(count_r "$dir/b")" -lt "$n" ]; do
        [ $SECONDS -lt $until ] || die "$mode hop: only $(count_r "$dir/b") of $n on B after 600 s"
        sleep 0.02
    done
    t1=$(date +%s.%N)
    a1=$(cpu_ticks "$a"); b1=$(cpu_ticks "$b")
    kill "$a" "$b" 2>/dev/null || true
    wait "$a" "$b" 2>/dev/null || true
    pids=()
    local line
    line=$(awk -v mode="$mode" -v rep="$rep" -v n="$n" -v t0="$t0" -v t1="$t1" -v hz="$hz" \
        -v a="$((a1 - a0))" -v b="$((b1 - b0))" 'BEGIN {
        e = t1 - t0;
        printf "RESULT phase=hop mode=%s rep=%d n=%d hop_s=%.2f hop_msg_s=%.0f cpu_a_us_msg=%.0f cpu_b_us_msg=%.0f\n",
            mode, rep, n, e, n / e, a / hz / n * 1e6, b / hz / n * 1e6 }')
    echo "$line"
    echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) $line load=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' ,)" >> "$RESULTS"
}

echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) sitting n=$n reps=$reps sessions=$sessions impulsed $impulsed ($(sha256sum "$impulsed" | cut -c1-12)), spool on $(df -T "$workdir" | awk 'NR==2{print $2}'), load $(cut -d' ' -f1-3 /proc/loadavg)" >> "$RESULTS"
for rep in $(seq "$reps"); do
    for mode in ecstream smtp; do
        [ -z "$only" ] || [ "$only" = "$mode" ] || continue
        log "rep $rep: $mode end to end"
        one_run "$mode" "$rep"
        log "rep $rep: $mode hop"
        hop_run "$mode" "$rep"
    done
done
