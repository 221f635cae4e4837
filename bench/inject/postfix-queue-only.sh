#!/bin/bash
# Postfix's injection rate with delivery held, to compare like with like:
# run.sh's impulsed only queues (Suspend_Delivery = true), while the shared
# relay bench's Postfix delivers to smtp-sink during the injection. Here every
# message is put on Postfix's hold queue by smtpd (`check_client_access
# static:HOLD`): smtpd -> cleanup -> fsync'd queue file, as durable as
# Postfix's default, and qmgr/smtp never touch it.
#
#   bench/inject/postfix-queue-only.sh BENCH_DIR [-n MESSAGES] [-r REPS] [-s SESSIONS] [-l BYTES]
#
# BENCH_DIR: a writable copy of the shared relay bench (/work/shared/bench),
# whose peers/postfix.sh runs a private Postfix on 127.0.0.1:2525 (start
# empties its queue; stop by the master's PID). Same load as run.sh:
# smtp-source -s 20 -l 4096 -m N, one connection per message, timed until it
# exits, with CPU seconds over that window for Postfix (its cgroup
# mtabench/mta), smtp-source and everything else ("other", as in run.sh); the
# queue's hold directory must then hold N files (postqueue is
# setgid and cannot load the privately unpacked libraries).
set -euo pipefail
[ $# -ge 1 ] || { sed -n '2,18p' "$0"; exit 2; }
BENCH=$(cd "$1" && pwd); shift
n=20000 reps=3 sessions=20 size=4096
while [ $# -gt 0 ]; do
    case "$1" in
        -n) n=$2; shift 2 ;;
        -r) reps=$2; shift 2 ;;
        -s) sessions=$2; shift 2 ;;
        -l) size=$2; shift 2 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done
. "$BENCH/lib/common.sh"
PEER=$BENCH/peers/postfix.sh
SOURCE=$TOOLS_DIR/bin/smtp-source
CONF=${PEERS_DIR:-$BENCH/.peers}/postfix/etc
export LD_LIBRARY_PATH="$TOOLS_DIR/pfx/usr/lib/postfix"
pf() { local cmd=$1; shift; "$TOOLS_DIR/pfx/usr/sbin/$cmd" -c "$CONF" "$@"; }
clk_tck=$(getconf CLK_TCK)
machine_busy() {  # CPU seconds the whole machine has been busy (all cores)
    awk -v t="$clk_tck" '$1 == "cpu" { printf "%.2f", ($2 + $3 + $4 + $7 + $8 + $9) / t; exit }' /proc/stat
}
mta_cpu() {  # CPU seconds of cgroup mtabench/mta, where peers/postfix.sh starts Postfix
    local d
    d=$(cg_dir mta)
    if [ -f "$d/cpuacct.usage" ]; then awk '{ printf "%.2f", $1 / 1e9 }' "$d/cpuacct.usage"
    elif [ -f "$d/cpu.stat" ]; then awk '$1 == "usage_usec" { printf "%.2f", $2 / 1e6 }' "$d/cpu.stat"
    else echo 0; fi
}

"$BENCH/setup-tools.sh"
mkdir -p "$RUN_DIR"
trap '"$PEER" stop || true' EXIT
rates=()
for rep in $(seq 1 "$reps"); do
    "$PEER" start
    pf postconf -e 'smtpd_recipient_restrictions = check_client_access static:HOLD'
    pf postfix reload 2>/dev/null
    sleep 2  # settle, as run-peer.sh does (and let the reload reach smtpd)
    load_before=$(cut -d' ' -f1 /proc/loadavg)
    mta0=$(mta_cpu)
    busy0=$(machine_busy)
    t0=$(date +%s.%N)
    /usr/bin/time -f '%U %S' -o "$RUN_DIR/smtp-source.time" \
        "$SOURCE" -s "$sessions" -l "$size" -m "$n" -M client.bench.test -f from@bench.test -t to@dest.test "127.0.0.1:$BENCH_INJECT_PORT"
    t1=$(date +%s.%N)
    busy1=$(machine_busy)
    load_after=$(cut -d' ' -f1 /proc/loadavg)
    cpu=$(awk -v a="$mta0" -v b="$(mta_cpu)" 'BEGIN { printf "%.2f", b - a }')
    source_cpu=$(awk '{ printf "%.2f", $1 + $2 }' "$RUN_DIR/smtp-source.time")
    other_cpu=$(awk -v a="$busy0" -v b="$busy1" -v m="$cpu" -v s="$source_cpu" 'BEGIN { printf "%.1f", b - a - m - s }')
    qdir=$(pf postconf -h queue_directory)
    held=$(find "$qdir/hold" -type f | wc -l)
    [ "$held" = "$n" ] || die "expected $n messages on hold, $qdir/hold has $held"
    other=$(find "$qdir/incoming" "$qdir/active" "$qdir/deferred" -type f | wc -l)
    [ "$other" = 0 ] || die "$other message(s) not on hold"
    "$PEER" stop
    read -r secs rate cpu_ms <<<"$(awk -v a="$t0" -v b="$t1" -v n="$n" -v c="$cpu" \
        'BEGIN { s = b - a; printf "%.2f %.0f %.3f", s, n / s, c * 1000 / n }')"
    rates+=("$rate")
    printf 'rep %d: %d messages in %s s = %s msg/s (%s on hold); postfix CPU %s s (%s ms/msg), smtp-source %s s, other %s s; load %s -> %s\n' \
        "$rep" "$n" "$secs" "$rate" "$held" "$cpu" "$cpu_ms" "$source_cpu" "$other_cpu" "$load_before" "$load_after"
done
trap - EXIT
printf '%s\n' "${rates[@]}" | sort -n | awk '
    { v[NR] = $1 }
    END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
          printf "postfix (held) inject msg/s: median %.0f [min %.0f - max %.0f] over %d rep(s)\n", m, v[1], v[NR], NR }'
