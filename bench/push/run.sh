#!/bin/bash
# Push benchmark (issues 12, 13): APN notifications per second through one
# impulsed to a local HTTP/2 sink (Debian's nghttpd: C++, TLS, ALPN h2, 100
# concurrent streams per connection), with the durable spool, and the CPU
# impulsed spends per notification. With --gcm: FCM HTTP v1 messages
# instead, to nginx (C, TLS; ALPN h2 with 128 concurrent streams, or with
# --http1 only http/1.1 with keep-alive: one request at a time per
# connection) answering the OAuth token endpoint (one grant per run) and
# every messages:send with 200 (a fixed `return`, no body parsing).
# --nginx: APN to that nginx (`return 200` for /3/device/), to compare
# APN and GCM on the same sink.
#
#   bench/push/run.sh [--gcm [--http1] | --nginx] [-n NOTIFICATIONS] [-r REPS] [-s SESSIONS]
#                     [-c CONNECTIONS] [--port PORT] [--sink-port PORT]
#                     [--impulsed PATH] [--impulsectl PATH] [--smtp-source PATH]
#                     [--workdir DIR]
#
# Defaults: -n 20000 -r 3 -s 20 -c 4, SMTP on 127.0.0.1:2725, the sink on
# 127.0.0.1:2726, impulsed/impulsectl from build/release (cmake --preset
# release), smtp-source from .tools/bin (scripts/install-deps.sh).
#
# Each rep, in a fresh working directory (spool and logs on disk):
#   1. a private CA and a certificate for 127.0.0.1 (openssl), a P-256
#      provider key (token authentication: one ES256 JWT reused), nghttpd on
#      the sink port serving an empty file at /3/device/<TOKEN> (so every
#      POST gets 200); --gcm: an RSA service-account file whose token_uri is
#      the sink's /token, nginx on the sink port (config in the work dir);
#   2. impulsed with the APN domain suspended (Suspend_Delivery = true);
#      smtp-source injects N notifications (-F: a plain message whose body
#      is a 40-byte APNs JSON payload, to <TOKEN>@apn.bench; --gcm: a
#      30-byte data object to <TOKEN>@gcm.bench; -d: one
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
# "sink CPU" is the sink's own (it must stay well below the rep's wall time);
# "other" is the CPU the rest of the machine used meanwhile (the sink,
# smtp-source, other builds on a shared machine): a large value marks a
# disturbed rep.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
n=20000 reps=3 sessions=20 conns=4 port=2725 sink_port=2726 mode=apn http1=0 sink_kind=nghttpd
impulsed=$ROOT/build/release/apps/impulsed/impulsed
impulsectl=$ROOT/build/release/apps/impulsectl/impulsectl
source_bin=$ROOT/.tools/bin/smtp-source
workdir=""
while [ $# -gt 0 ]; do
    case "$1" in
        --gcm) mode=gcm sink_kind=nginx; shift ;;
        --nginx) sink_kind=nginx; shift ;;
        --http1) http1=1; shift ;;
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
        -h|--help) sed -n '2,45p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[ -x "$impulsed" ] || die "no impulsed at $impulsed (cmake --preset release && cmake --build --preset release --target impulsed impulsectl)"
[ -x "$impulsectl" ] || die "no impulsectl at $impulsectl"
[ -x "$source_bin" ] || die "no smtp-source at $source_bin (scripts/install-deps.sh)"
[ $http1 = 0 ] || [ $mode = gcm ] || die "--http1 goes with --gcm (APNs is HTTP/2 only)"
if [ $sink_kind = nghttpd ]; then
    command -v nghttpd > /dev/null || die "no nghttpd (apt-get install nghttp2-server)"
else
    command -v nginx > /dev/null || die "no nginx (scripts/install-deps.sh: nginx-light)"
fi
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
# The sink's CPU (nghttpd, or nginx's master and worker): it must stay well
# below the wall time of a rep, else the sink is the bottleneck.
sink_cpu() {
    local total=0 p c
    for p in $sink $(ps -o pid= --ppid "$sink" 2> /dev/null); do
        c=$(cpu_seconds "$p" 2> /dev/null || echo 0)
        total=$(awk -v a="$total" -v b="$c" 'BEGIN { printf "%.2f", a + b }')
    done
    echo "$total"
}

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
if [ $mode = apn ]; then
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$keys/AuthKey.p8" 2> /dev/null
    printf 'Subject: bench\nContent-Type: application/json\n\n{"aps":{"alert":"Hello","badge":1}}\n' > "$workdir/message"
else
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$keys/sa.key" 2> /dev/null
    /usr/bin/python3 -c 'import json, sys
print(json.dumps({"type": "service_account", "project_id": "bench", "private_key_id": "bench1",
                  "private_key": open(sys.argv[1]).read(), "client_email": "fcm@bench.iam.gserviceaccount.com",
                  "token_uri": sys.argv[2]}))' "$keys/sa.key" "https://127.0.0.1:$sink_port/token" > "$keys/sa.json"
    printf 'Subject: bench\nContent-Type: application/json\n\n{"title":"Hello","count":"1"}\n' > "$workdir/message"
fi
if [ $sink_kind = nghttpd ]; then
    (exec nghttpd -a 127.0.0.1 -d "$workdir/htdocs" "$sink_port" "$keys/sink.key" "$keys/sink.pem" > "$workdir/nghttpd.log" 2>&1) &
    sink=$! sink_name=nghttpd sink_log=$workdir/nghttpd.log
else
    mkdir -p "$workdir/nginx"
    h2=" http2"; [ $http1 = 1 ] && h2=""
    cat > "$workdir/nginx/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $workdir/nginx/nginx.pid;
error_log $workdir/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $workdir/nginx/body;
  proxy_temp_path $workdir/nginx/proxy;
  fastcgi_temp_path $workdir/nginx/fastcgi;
  uwsgi_temp_path $workdir/nginx/uwsgi;
  scgi_temp_path $workdir/nginx/scgi;
  keepalive_requests 10000000;
  keepalive_timeout 60s;
  server {
    listen 127.0.0.1:$sink_port ssl$h2;
    ssl_certificate $keys/sink.pem;
    ssl_certificate_key $keys/sink.key;
    default_type application/json;
    location = /token { return 200 '{"access_token":"bench-token","expires_in":3600,"token_type":"Bearer"}'; }
    location /v1/ { return 200 '{"name":"projects/bench/messages/1"}'; }
    location /3/device/ { return 200; }
  }
}
EOF
    (exec nginx -p "$workdir/nginx" -e "$workdir/nginx/error.log" -c "$workdir/nginx/nginx.conf" > "$workdir/nginx.log" 2>&1) &
    sink=$! sink_name=nginx sink_log=$workdir/nginx/error.log
fi
for _ in $(seq 1 100); do listening "$sink_port" && break; sleep 0.05; done
listening "$sink_port" || die "$sink_name did not start: $(cat "$sink_log")"

domain=apn.bench; [ $mode = gcm ] && domain=gcm.bench
domain_config() {  # SUSPEND
    if [ $mode = apn ]; then
        cat <<EOF
Domain apn.bench {
  Suspend_Delivery = $1
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
EOF
    else
        cat <<EOF
Domain gcm.bench {
  Suspend_Delivery = $1
  Delivery_Method = GCM
  Routes = ( "gcm://127.0.0.1?port=$sink_port" )
  tls_ca = "$keys/ca.pem"
  GCM_Service_Account = "$keys/sa.json"
  Max_Outbound_Connections = $conns
  Idle_Timeout = 10
}
EOF
    fi
}

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
$(domain_config "$2")
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
        -t "$TOKEN@$domain" "127.0.0.1:$port" > "$1/smtp-source.out" 2>&1 ||
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

finish_rep() {  # DIR PHASE T0 CPU0 BUSY0 SINK0
    local t1 cpu busy1 other secs rate us sink_used
    t1=$(now)
    cpu=$(awk -v a="$4" -v b="$(cpu_seconds "$pid")" 'BEGIN { printf "%.2f", b - a }')
    sink_used=$(awk -v a="$6" -v b="$(sink_cpu)" 'BEGIN { printf "%.2f", b - a }')
    busy1=$(machine_busy)
    other=$(awk -v a="$5" -v b="$busy1" -v m="$cpu" 'BEGIN { printf "%.1f", b - a - m }')
    stop_pid "$pid"
    pid=""
    local failed
    failed=$(grep -c '@[TP]@' "$1/mainlog.ec" || true)
    [ "$failed" = 0 ] || die "$failed T/P records: $(grep -m3 '@[TP]@' "$1/mainlog.ec")"
    read -r secs rate us <<< "$(awk -v a="$3" -v b="$t1" -v n="${counted:-$n}" -v c="$cpu" \
        'BEGIN { s = b - a; printf "%.2f %.0f %.1f", s, n / s, c * 1e6 / n }')"
    printf '%s rep %d: %d notifications in %s s = %s /s; impulsed CPU %s s = %s us/notification; sink CPU %s s; other CPU %s s\n' \
        "$2" "$rep" "${counted:-$n}" "$secs" "$rate" "$cpu" "$us" "$sink_used" "$other"
    echo "$rate" >> "$workdir/rates.$2"
}

proto="HTTP/2"; [ $http1 = 1 ] && proto="HTTP/1.1"
what="APN"; [ $mode = gcm ] && what="GCM (FCM HTTP v1)"
if [ $sink_kind = nghttpd ]; then
    log "impulsed: $("$impulsed" --version) ($impulsed); nghttpd $(nghttpd --version | head -1); $what over $proto"
else
    log "impulsed: $("$impulsed" --version) ($impulsed); $(nginx -v 2>&1); $what over $proto"
fi
log "$n notifications, smtp-source -d -s $sessions, $conns $proto connection(s), $reps rep(s), load $(cut -d' ' -f1-3 /proc/loadavg), work dir $workdir"
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
    cpu0=$(cpu_seconds "$pid"); busy0=$(machine_busy); sink0=$(sink_cpu); t0=$(now)
    wait_delivered "$dir"
    counted=$((n - first)) finish_rep "$dir" deliver "$t0" "$cpu0" "$busy0" "$sink0"

    dir=$workdir/e2e$rep
    rm -rf "$dir"; mkdir -p "$dir"
    write_config "$dir" false
    start_daemon "$dir"
    cpu0=$(cpu_seconds "$pid"); busy0=$(machine_busy); sink0=$(sink_cpu); t0=$(now)
    inject "$dir"
    wait_delivered "$dir"
    finish_rep "$dir" e2e "$t0" "$cpu0" "$busy0" "$sink0"
done
for phase in deliver e2e; do
    sort -n "$workdir/rates.$phase" | awk -v p="$phase" '{ r[NR] = $1 } END {
        printf "%s: median %s notifications/s (min %s, max %s, %d reps)\n", p, r[int((NR + 1) / 2)], r[1], r[NR], NR }'
done
