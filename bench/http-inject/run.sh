#!/bin/bash
# HTTP injection benchmark (issue 11): 4 KiB messages injected over HTTP
# (POST /api/v1/messages, HTTP/1.1 keep-alive, 20 connections, h2load --h1
# from Debian's nghttp2-client) beside SMTP injection (Postfix's
# smtp-source, 20 sessions, 4 KiB) into the same impulsed build in the same
# sitting, with a durable spool and Suspend_Delivery = true (impulsed only
# queues: no delivery, no DNS).
#
#   bench/http-inject/run.sh [-n MESSAGES] [-r REPS] [-c CONNECTIONS]
#                            [--smtp-port 2535] [--http-port 2536]
#                            [--impulsed PATH] [--smtp-source PATH]
#                            [--smtp-new-connections]
#
# Defaults: -n 20000 -r 3 -c 20, impulsed from build/release (copied aside,
# so a rebuild during the sitting cannot change it), smtp-source from
# .tools/bin. SMTP keeps its connections open (smtp-source -d, like HTTP
# keep-alive); --smtp-new-connections: one TCP connection per message, as
# bench/inject does.
#
# Each rep runs SMTP then HTTP (interleaved across reps, so drifting machine
# load hits both alike), each on a fresh impulsed with a fresh spool under
# ${TMPDIR:-/var/tmp}: the clock runs from just before the load generator
# starts until it exits (every message acknowledged: 250 / 200, i.e.
# durable); CPU seconds of impulsed (/proc/PID/stat) and of everything else
# on the machine ("other": a large value marks a disturbed rep) over that
# window; then impulsed is stopped (exit 0 checked) and its mainlog's R
# records counted (must be N, protocol esmtp resp. rest). Prints one line per
# rep and per protocol, then medians.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
n=20000 reps=3 conns=20 size=4096 smtp_port=2535 http_port=2536 reuse=-d
impulsed=$ROOT/build/release/apps/impulsed/impulsed
source_bin=$ROOT/.tools/bin/smtp-source
while [ $# -gt 0 ]; do
    case "$1" in
        -n) n=$2; shift 2 ;;
        -r) reps=$2; shift 2 ;;
        -c) conns=$2; shift 2 ;;
        --smtp-port) smtp_port=$2; shift 2 ;;
        --http-port) http_port=$2; shift 2 ;;
        --impulsed) impulsed=$2; shift 2 ;;
        --smtp-source) source_bin=$2; shift 2 ;;
        --smtp-new-connections) reuse=""; shift ;;
        -h|--help) sed -n '2,29p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[ -x "$impulsed" ] || die "no impulsed at $impulsed (cmake --preset release && cmake --build --preset release --target impulsed)"
[ -x "$source_bin" ] || die "no smtp-source at $source_bin (scripts/install-deps.sh)"
command -v h2load > /dev/null || die "no h2load (apt-get install nghttp2-client)"
busy() { [ -n "$(ss -Hltn "( sport = :$1 )")" ]; }
busy "$smtp_port" && die "port $smtp_port is busy"
busy "$http_port" && die "port $http_port is busy"

workdir=$(mktemp -d "${TMPDIR:-/var/tmp}/impulse-http-inject.XXXXXX")
pid=""
cleanup() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    fi
    rm -rf "$workdir"
}
trap cleanup EXIT
cp "$impulsed" "$workdir/impulsed"
bin=$workdir/impulsed

clk_tck=$(getconf CLK_TCK)
cpu_seconds() { awk -v t="$clk_tck" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / t }' "/proc/$1/stat"; }
machine_busy() { awk -v t="$clk_tck" '$1 == "cpu" { printf "%.2f", ($2 + $3 + $4 + $7 + $8 + $9) / t; exit }' /proc/stat; }

# The HTTP request body: the same 4096-byte body smtp-source sends (lines of
# "La de da de da 1." ... as it generates them are not needed: any 4 KiB).
python3 - "$workdir/message.json" "$size" <<'EOF'
import json, sys
path, size = sys.argv[1], int(sys.argv[2])
line = "La de da de da 1. La de da de da 2. La de da de da 3. La de da de da 4.\r\n"
body = (line * (size // len(line) + 1))[:size]
content = "From: from@bench.test\r\nTo: to@dest.test\r\nSubject: http bench\r\n\r\n" + body
json.dump({"envelope_sender": "from@bench.test", "recipients": ["to@dest.test"], "content": content},
          open(path, "w"))
EOF

start_impulsed() {  # $1 = directory
    cat > "$1/impulse.conf" <<EOF
Spoolbase = "spool"
Suspend_Delivery = true
ESMTP_Listener {
  Relay_Hosts = ( "127.0.0.0/8" )
  Listen "127.0.0.1:$smtp_port" { }
}
HTTP_Listener {
  Listen "127.0.0.1:$http_port" { }
}
ec_logger "ec_logger" {
  mainlog = "mainlog.ec"
  paniclog = "paniclog.ec"
}
EOF
    (cd "$1" && exec "$bin" -c impulse.conf > impulsed.stderr 2>&1) &
    pid=$!
    for _ in $(seq 1 300); do busy "$http_port" && busy "$smtp_port" && return 0; kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    cat "$1/impulsed.stderr" >&2
    die "impulsed did not start"
}

stop_impulsed() {  # $1 = directory
    kill -TERM "$pid"
    local status=0
    wait "$pid" || status=$?
    pid=""
    [ "$status" = 0 ] || { cat "$1/impulsed.stderr" >&2; die "impulsed exited $status"; }
}

declare -A rates cpus
run_one() {  # $1 = smtp|http, $2 = rep
    local proto=$1 rep=$2 dir=$workdir/$1-$2
    mkdir -p "$dir"
    start_impulsed "$dir"
    local cpu0 busy0 t0 t1 busy1 cpu gen_cpu other
    cpu0=$(cpu_seconds "$pid"); busy0=$(machine_busy); t0=$(date +%s.%N)
    if [ "$proto" = smtp ]; then
        /usr/bin/time -f '%U %S' -o "$dir/gen.time" \
            "$source_bin" $reuse -s "$conns" -l "$size" -m "$n" -M client.bench.test -f from@bench.test \
            -t to@dest.test "127.0.0.1:$smtp_port" > "$dir/gen.out" 2>&1 || { cat "$dir/gen.out" >&2; die "smtp-source failed"; }
    else
        /usr/bin/time -f '%U %S' -o "$dir/gen.time" \
            h2load --h1 -c "$conns" -n "$n" -d "$workdir/message.json" -H 'Content-Type: application/json' \
            "http://127.0.0.1:$http_port/api/v1/messages" > "$dir/gen.out" 2>&1 || { cat "$dir/gen.out" >&2; die "h2load failed"; }
        grep -q "status codes: $n 2xx" "$dir/gen.out" || { cat "$dir/gen.out" >&2; die "not every request got a 2xx"; }
    fi
    t1=$(date +%s.%N); busy1=$(machine_busy)
    cpu=$(awk -v a="$cpu0" -v b="$(cpu_seconds "$pid")" 'BEGIN { printf "%.2f", b - a }')
    gen_cpu=$(awk '{ printf "%.2f", $1 + $2 }' "$dir/gen.time")
    other=$(awk -v a="$busy0" -v b="$busy1" -v m="$cpu" -v s="$gen_cpu" 'BEGIN { printf "%.1f", b - a - m - s }')
    stop_impulsed "$dir"
    local want=esmtp; [ "$proto" = http ] && want=rest
    local received
    received=$(grep -c "@R@.*@$want@" "$dir/mainlog.ec" || true)
    [ "$received" = "$n" ] || die "$proto: mainlog has $received $want R records, expected $n"
    local secs rate cpu_ms
    read -r secs rate cpu_ms <<<"$(awk -v a="$t0" -v b="$t1" -v n="$n" -v c="$cpu" \
        'BEGIN { s = b - a; printf "%.2f %.0f %.3f", s, n / s, c * 1000 / n }')"
    rates[$proto]+="$rate "
    cpus[$proto]+="$cpu_ms "
    printf 'rep %d %-4s: %d messages in %s s = %s msg/s; impulsed CPU %s s (%s ms/msg), generator %s s, other %s s\n' \
        "$rep" "$proto" "$n" "$secs" "$rate" "$cpu" "$cpu_ms" "$gen_cpu" "$other"
    rm -rf "$dir"
}

log "impulsed: $("$bin" --version) ($impulsed, $(date -u -r "$impulsed" +%Y-%m-%dT%H:%MZ))"
smtp_mode="connections kept open"; [ -z "$reuse" ] && smtp_mode="one connection per message"
log "$reps rep(s) of $n x ${size} B messages, $conns connections (SMTP $smtp_mode, HTTP keep-alive); work dir $workdir ($(df -T "$workdir" | awk 'NR==2{print $2}'))"
for rep in $(seq 1 "$reps"); do
    if [ $((rep % 2)) = 1 ]; then run_one smtp "$rep"; run_one http "$rep"; else run_one http "$rep"; run_one smtp "$rep"; fi
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%s [%s-%s]", m, v[1], v[NR] }'; }
log "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
for proto in smtp http; do
    printf '%-4s: msg/s median %s, impulsed CPU ms/msg median %s\n' "$proto" \
        "$(echo "${rates[$proto]}" | median)" "$(echo "${cpus[$proto]}" | median)"
done
