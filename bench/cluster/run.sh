#!/bin/bash
# Cluster benchmark (issue 17): the relay rate of one impulsed with cluster
# limits on (a private redis-server on loopback) beside the same node
# without, in one sitting, alternating, and the Redis operations per
# delivered message (redis-cli INFO commandstats before/after each run).
# Reps alternate the order (ABBA); the sitting ends with the medians.
#
#   bench/cluster/run.sh [--reps R] [-n N] [--impulsed PATH] [--bench DIR] [--state DIR]
#
# Per run: a fresh directory with bench/relay/impulse.conf (ports filled in)
# and, for "cluster", a Cluster stanza plus Cluster_Max_Outbound_Connections
# = 40 (the local limit) and Cluster_Outbound_Throttle_Messages =
# "1000000/1" (so every message takes a token and nothing is held back:
# the cost of sharing, not a throttle); impulsed started in it; the shared
# harness's relay-bench.sh (smtp-source, 20 sessions, 4 KiB, one connection
# per message, into smtp-sink; /work/shared/bench, read-only) against it.
# RESULT lines go to bench/cluster/results.log with mta=impulse or
# mta=impulse-cluster, followed by "# redis_ops=... per_message=...
# round_trips=... per_message=..." lines: redis_ops counts every command
# Redis ran (the TIME/GET/SET/ZADD... inside each EVAL included, as
# INFO commandstats does), round_trips the commands impulsed sent.
# Ports: $BENCH_INJECT_PORT / $BENCH_SINK_PORT (default 2635 / 2636) and
# Redis on $BENCH_REDIS_PORT (default 2637). Every process started here is
# stopped by its PID.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
reps=3 n=20000
impulsed=$ROOT/build/release/apps/impulsed/impulsed
bench=/work/shared/bench
state=$ROOT/build/relaybench
while [ $# -gt 0 ]; do
    case "$1" in
        --reps) reps=$2; shift 2 ;;
        -n) n=$2; shift 2 ;;
        --impulsed) impulsed=$2; shift 2 ;;
        --bench) bench=$2; shift 2 ;;
        --state) state=$2; shift 2 ;;
        -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done
log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
[ -x "$impulsed" ] || die "no impulsed at $impulsed"
impulsed=$(cd "$(dirname "$impulsed")" && pwd)/$(basename "$impulsed")
command -v redis-server >/dev/null || die "redis-server missing (scripts/install-deps.sh)"

export BENCH_INJECT_PORT=${BENCH_INJECT_PORT:-2635}
export BENCH_SINK_PORT=${BENCH_SINK_PORT:-2636}
redis_port=${BENCH_REDIS_PORT:-2637}
export BENCH_TOOLS_DIR=$state/tools BENCH_PEERS_DIR=$state/peers BENCH_RUN_DIR=$state/run
export BENCH_RESULTS=${BENCH_RESULTS:-$HERE/results.log}
mkdir -p "$state"
"$bench/setup-tools.sh"

work=$(mktemp -d "${TMPDIR:-/var/tmp}/impulse-cluster.XXXXXX")
redis_pid="" mta_pid=""
cleanup() {
    [ -n "$mta_pid" ] && kill "$mta_pid" 2>/dev/null && wait "$mta_pid" 2>/dev/null
    [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null && wait "$redis_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" \
    --logfile "$work/redis.log" &
redis_pid=$!
for _ in $(seq 100); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
redis-cli -p "$redis_port" ping >/dev/null || die "redis-server did not start"

commandstats() {  # "command calls" lines so far
    redis-cli -p "$redis_port" info commandstats | tr -d '\r' |
        sed -n 's/^cmdstat_\([a-z|]*\):calls=\([0-9]*\),.*/\1 \2/p'
}
redis_calls() {  # total calls of every command so far, those run inside the Lua scripts included
    commandstats | awk '$1 != "info" { s += $2 } END { print s + 0 }'
}
round_trips() {  # commands impulsed sent (EVAL, ZREM, PING...): what it waited for
    commandstats | awk '$1 ~ /^(eval|evalsha|zrem|ping|auth|select)$/ { s += $2 } END { print s + 0 }'
}

one_run() {  # $1 = impulse | impulse-cluster
    local mta=$1 dir=$work/run
    rm -rf "$dir"; mkdir -p "$dir"
    sed -e "s/@INJECT_PORT@/$BENCH_INJECT_PORT/g" -e "s/@SINK_PORT@/$BENCH_SINK_PORT/g" \
        "$ROOT/bench/relay/impulse.conf" > "$dir/impulse.conf"
    if [ "$mta" = impulse-cluster ]; then
        cat >> "$dir/impulse.conf" <<CONF
Cluster {
  Redis = "127.0.0.1:$redis_port"
  Node_Name = "bench-1"
}
Cluster_Max_Outbound_Connections = 40
Cluster_Outbound_Throttle_Messages = "1000000/1"
CONF
    fi
    (cd "$dir" && exec "$impulsed" -c impulse.conf) > "$dir/impulsed.out" 2>&1 &
    mta_pid=$!
    for _ in $(seq 200); do [ -n "$(ss -Hltn "( sport = :$BENCH_INJECT_PORT )")" ] && break; sleep 0.05; done
    [ -n "$(ss -Hltn "( sport = :$BENCH_INJECT_PORT )")" ] || die "impulsed did not start: $(cat "$dir/impulsed.out")"
    local before after rt_before rt_after
    before=$(redis_calls)
    rt_before=$(round_trips)
    "$bench/relay-bench.sh" "127.0.0.1:$BENCH_INJECT_PORT" "$n" 4096 20 "$BENCH_SINK_PORT" --mta "$mta" \
        || log "relay-bench.sh failed for $mta"
    after=$(redis_calls)
    rt_after=$(round_trips)
    local ops=$((after - before)) rts=$((rt_after - rt_before))
    echo "# mta=$mta redis_ops=$ops per_message=$(awk -v o=$ops -v n=$n 'BEGIN { printf "%.3f", o / n }')" \
        "round_trips=$rts per_message=$(awk -v o=$rts -v n=$n 'BEGIN { printf "%.4f", o / n }')" \
        | tee -a "$BENCH_RESULTS"
    kill "$mta_pid"; wait "$mta_pid" 2>/dev/null || true
    mta_pid=""
}

echo "# $(date -u +%FT%TZ) bench/cluster/run.sh reps=$reps n=$n impulsed=$impulsed $(uptime)" >> "$BENCH_RESULTS"
for r in $(seq "$reps"); do
    # ABBA: odd reps start without, even reps with, so a load that drifts
    # during the sitting favours neither.
    if [ $((r % 2)) -eq 1 ]; then order="impulse impulse-cluster"; else order="impulse-cluster impulse"; fi
    for mta in $order; do log "rep $r: $mta"; one_run "$mta"; done
done
sitting=$(awk '/^# .*bench\/cluster\/run.sh/ { n = NR } END { print n }' "$BENCH_RESULTS")
# Medians of this sitting (e2e msg/s, MTA CPU us/msg), and the load now.
tail -n +"$sitting" "$BENCH_RESULTS" | awk '
    /^RESULT/ { m = ""; for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
                m = v["mta"]; rate[m] = rate[m] " " v["e2e_per_s"]; cpu[m] = cpu[m] " " v["mta_cpu_us_per_msg"] }
    function median(list,   a, n, i, j, t) { n = split(list, a, " ")
        for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
        return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
    END { for (m in rate) printf "# median mta=%s e2e_per_s=%s mta_cpu_us_per_msg=%s\n", m, median(rate[m]), median(cpu[m]) }' |
    tee -a "$BENCH_RESULTS"
echo "# end $(uptime)" >> "$BENCH_RESULTS"
