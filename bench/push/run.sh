#!/bin/bash
# Push benchmark (issue 12): APN notifications per second through one
# impulsed to a local HTTP/2 sink (Debian's nghttpd: C++, TLS, ALPN h2, 100
# concurrent streams per connection), with the durable spool, and the CPU
# impulsed spends per notification.
#
#   bench/push/run.sh [-n NOTIFICATIONS] [-r REPS] [-s SESSIONS] [-c CONNECTIONS]
#                     [--port PORT] [--sink-port PORT] [--impulsed PATH]
#                     [--impulsectl PATH] [--smtp-source PATH] [--workdir DIR]
#
# Defaults: -n 20000 -r 3 -s 20 -c 4, SMTP on 127.0.0.1:2725, the sink on
# 127.0.0.1:2726, impulsed/impulsectl from build/release (cmake --preset
# release), smtp-source from .tools/bin (scripts/install-deps.sh).
#
# Each rep, in a fresh working directory (spool and logs on disk):
#   1. a private CA and a certificate for 127.0.0.1 (openssl), a P-256
#      provider key (token authentication: one ES256 JWT reused), nghttpd on
#      the sink port serving an empty file at /3/device/<TOKEN> (so every
#      POST gets 200);
#   2. impulsed with the APN domain suspended (Suspend_Delivery = true);
#      smtp-source injects N notifications (-F: a plain message whose body
#      is a 40-byte APNs JSON payload, to <TOKEN>@apn.bench, -d: one
#      connection per session) -> N durable spool records;
#   3. "deliver": the configuration is rewritten without the suspension and
#      impulsed is sent SIGHUP; the clock runs from the SIGHUP until the
#      console's summary says N delivered (polled every 50 ms); impulsed's
#      CPU (utime+stime from /proc/PID/stat) over the same window / N is the
#      CPU per notification (spool reads, requests, spool removals, mainlog);
#   4. "e2e": a second daemon, not suspended: smtp-source and delivery run
#      together; the clock runs from smtp-source's start until N delivered.
# ("deliver" counts from the first delivery seen after the SIGHUP.)
# Prints one line per rep and phase, then the median of each phase.
# "other" is the CPU the rest of the machine used meanwhile (other builds on
# a shared machine): a large value marks a disturbed rep.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
n=20000 reps=3 sessions=20 conns=4 port=2725 sink_port=2726
impulsed=$ROOT/build/release/apps/impulsed/impulsed
impulsectl=$ROOT/build/release/apps/impulsectl/impulsectl
source_bin=$ROOT/.tools/bin/smtp-source
workdir=""
while [ $# -gt 0 ]; do
    case "$1" in
        -n) n=$2; shift 2 ;;
        -r) reps=$2; shift 2 ;;
        -s) sessions=$2; shift 2 ;;
        -c) conns=$2; shift 2 ;;
        --port) port=$2; shift 2 ;;
        --sink-port) sink_port=$2; shift 2 ;;
        --impulsed) impulsed=$2; shift 2 ;;
        --impulsectl) impulsectl=$2; shift 2 ;;
        --smtp-source) source_bin=$2; shift 2 ;;
        --workdir) workdir=$2; shift 2 ;;
        -h|--help) sed -n '2,36p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[ -x "$impulsed" ] || die "no impulsed at $impulsed (cmake --preset release && cmake --build --preset release --target impulsed impulsectl)"
[ -x "$impulsectl" ] || die "no impulsectl at $impulsectl"
[ -x "$source_bin" ] || die "no smtp-source at $source_bin (scripts/install-deps.sh)"
command -v nghttpd > /dev/null || die "no nghttpd (apt-get install nghttp2-server)"
impulsed=$(realpath "$impulsed") impulsectl=$(realpath "$impulsectl") source_bin=$(realpath "$source_bin")
listening() { [ -n "$(ss -Hltn "( sport = :$1 )")" ]; }
listening "$port" && die "something already listens on port $port"
listening "$sink_port" && die "something already listens on port $sink_port"

TOKEN=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
own_workdir=0
if [ -z "$workdir" ]; then
    workdir=$(mktemp -d "${TMPDIR:-/var/tmp}/impulse-push.XXXXXX")
    own_workdir=1
fi
mkdir -p "$workdir"
pid="" sink=""
stop_pid() {
    local p=$1
    [ -n "$p" ] && kill -0 "$p" 2> /dev/null || return 0
    kill -TERM "$p" 2> /dev/null || true
    for _ in $(seq 1 200); do kill -0 "$p" 2> /dev/null || return 0; sleep 0.1; done
    kill -KILL "$p" 2> /dev/null || true
}
cleanup() {
    stop_pid "$pid"
    stop_pid "$sink"
    [ $own_workdir = 1 ] && rm -rf "$workdir"
    return 0
}
trap cleanup EXIT

clk_tck=$(getconf CLK_TCK)
cpu_seconds() { awk -v t="$clk_tck" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / t }' "/proc/$1/stat"; }
machine_busy() { awk -v t="$clk_tck" '$1 == "cpu" { printf "%.2f", ($2 + $3 + $4 + $7 + $8 + $9) / t; exit }' /proc/stat; }
now() { date +%s.%N; }

# Keys, certificates and the sink's document root, once.
keys=$workdir/keys
mkdir -p "$keys" "$workdir/htdocs/3/device"
: > "$workdir/htdocs/3/device/$TOKEN"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=Push bench CA" \
    -keyout "$keys/ca.key" -out "$keys/ca.pem" 2> /dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=127.0.0.1 \
    -keyout "$keys/sink.key" -out "$keys/sink.csr" 2> /dev/null
printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > "$keys/sink.ext"
openssl x509 -req -in "$keys/sink.csr" -CA "$keys/ca.pem" -CAkey "$keys/ca.key" -CAcreateserial -days 2 \
    -extfile "$keys/sink.ext" -out "$keys/sink.pem" 2> /dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$keys/AuthKey.p8" 2> /dev/null
printf 'Subject: bench\nContent-Type: application/json\n\n{"aps":{"alert":"Hello","badge":1}}\n' > "$workdir/message"

(exec nghttpd -a 127.0.0.1 -d "$workdir/htdocs" "$sink_port" "$keys/sink.key" "$keys/sink.pem" > "$workdir/nghttpd.log" 2>&1) &
sink=$!
for _ in $(seq 1 100); do listening "$sink_port" && break; sleep 0.05; done
listening "$sink_port" || die "nghttpd did not start: $(cat "$workdir/nghttpd.log")"

write_config() {  # DIR SUSPEND
    cat > "$1/impulse.conf" <<EOF
Spoolbase = "spool"
Nameservers = ( "127.0.0.1:9" )
Retry_Interval = 5
# The lifted suspension is noticed at the next scan (the "deliver" phase).
Delayed_Queue_Scan_Interval = 1
ESMTP_Listener {
  Relay_Hosts = ( "127.0.0.0/8" )
  Listen "127.0.0.1:$port" { }
}
Control_Listener {
  Listen "./console.sock" { }
}
Domain apn.bench {
  Suspend_Delivery = $2
  Delivery_Method = APN
  Routes = ( "apn://127.0.0.1?port=$sink_port" )
  tls_ca = "$keys/ca.pem"
  APN_Key_File = "$keys/AuthKey.p8"
  APN_Key_ID = "ABC123DEFG"
  APN_Team_ID = "DEF123GHIJ"
  APN_Topic = "com.example.bench"
  Max_Outbound_Connections = $conns
  Idle_Timeout = 10
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

start_daemon() {  # DIR
    (cd "$1" && exec "$impulsed" -c impulse.conf > impulsed.stderr 2>&1) &
    pid=$!
    for _ in $(seq 1 300); do listening "$port" && [ -S "$1/console.sock" ] && break; kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
    listening "$port" || { cat "$1/impulsed.stderr" >&2; die "impulsed did not start"; }
}

inject() {  # DIR
    "$source_bin" -d -s "$sessions" -m "$n" -F "$workdir/message" -M client.bench.test -f from@bench.test \
        -t "$TOKEN@apn.bench" "127.0.0.1:$port" > "$1/smtp-source.out" 2>&1 ||
        { cat "$1/smtp-source.out" >&2; die "smtp-source failed"; }
}

delivered() {  # DIR: the console's count of delivered messages
    "$impulsectl" -s "$1/console.sock" summary 2> /dev/null |
        awk -F: '/Successfully Delivered Messages/ { gsub(/ /, "", $2); print $2; exit }'
}

wait_delivered() {  # DIR
    local deadline=$(( $(date +%s) + 600 )) got
    while :; do
        got=$(delivered "$1")
        [ "${got:-0}" -ge "$n" ] && return 0
        [ "$(date +%s)" -lt "$deadline" ] || die "only ${got:-0} of $n delivered after 600 s: $(tail -3 "$1/mainlog.ec")"
        sleep 0.05
    done
}

finish_rep() {  # DIR PHASE T0 CPU0 BUSY0
    local t1 cpu busy1 other secs rate us
    t1=$(now)
    cpu=$(awk -v a="$4" -v b="$(cpu_seconds "$pid")" 'BEGIN { printf "%.2f", b - a }')
    busy1=$(machine_busy)
    other=$(awk -v a="$5" -v b="$busy1" -v m="$cpu" 'BEGIN { printf "%.1f", b - a - m }')
    stop_pid "$pid"
    pid=""
    local failed
    failed=$(grep -c '@[TP]@' "$1/mainlog.ec" || true)
    [ "$failed" = 0 ] || die "$failed T/P records: $(grep -m3 '@[TP]@' "$1/mainlog.ec")"
    read -r secs rate us <<< "$(awk -v a="$3" -v b="$t1" -v n="${counted:-$n}" -v c="$cpu" \
        'BEGIN { s = b - a; printf "%.2f %.0f %.1f", s, n / s, c * 1e6 / n }')"
    printf '%s rep %d: %d notifications in %s s = %s /s; impulsed CPU %s s = %s us/notification; other CPU %s s\n' \
        "$2" "$rep" "${counted:-$n}" "$secs" "$rate" "$cpu" "$us" "$other"
    echo "$rate" >> "$workdir/rates.$2"
}

log "impulsed: $("$impulsed" --version) ($impulsed); nghttpd $(nghttpd --version | head -1)"
log "$n notifications, smtp-source -d -s $sessions, $conns HTTP/2 connection(s), $reps rep(s), work dir $workdir"
for rep in $(seq 1 "$reps"); do
    dir=$workdir/deliver$rep
    rm -rf "$dir"; mkdir -p "$dir"
    write_config "$dir" true
    start_daemon "$dir"
    inject "$dir"
    write_config "$dir" false
    kill -HUP "$pid"
    # The clock starts at the first delivery seen (the lifted suspension is
    # noticed at the next queue scan); those already delivered are not counted.
    for _ in $(seq 1 400); do first=$(delivered "$dir"); [ "${first:-0}" -gt 0 ] && break; sleep 0.01; done
    cpu0=$(cpu_seconds "$pid"); busy0=$(machine_busy); t0=$(now)
    wait_delivered "$dir"
    counted=$((n - first)) finish_rep "$dir" deliver "$t0" "$cpu0" "$busy0"

    dir=$workdir/e2e$rep
    rm -rf "$dir"; mkdir -p "$dir"
    write_config "$dir" false
    start_daemon "$dir"
    cpu0=$(cpu_seconds "$pid"); busy0=$(machine_busy); t0=$(now)
    inject "$dir"
    wait_delivered "$dir"
    finish_rep "$dir" e2e "$t0" "$cpu0" "$busy0"
done
for phase in deliver e2e; do
    sort -n "$workdir/rates.$phase" | awk -v p="$phase" '{ r[NR] = $1 } END {
        printf "%s: median %s notifications/s (min %s, max %s, %d reps)\n", p, r[int((NR + 1) / 2)], r[1], r[NR], NR }'
done
