#!/bin/bash
# Relay benchmark (issue 5): impulsed vs Postfix in the same sitting, through
# the shared relay harness (/work/shared/bench, used read-only).
#
#   bench/relay/run.sh [--reps R] [-n N] [--only impulse|postfix] [--interleave]
#                      [--impulsed PATH] [--bench DIR] [--state DIR]
#                      [--wait-load L [--max-wait S]] [--events]
#                      [--append-conf FILE --mta-name NAME] [--loops N]
#                      [-- extra run-peer.sh options, e.g. --reuse]
#
# smtp-source (20 sessions, 4 KiB, one connection per message) -> MTA on
# 127.0.0.1:$BENCH_INJECT_PORT -> smtp-sink on 127.0.0.1:$BENCH_SINK_PORT, as
# described in /work/shared/bench/README.md. For impulsed:
#   MTA_NAME=impulse MTA_CMD='impulsed -c impulse.conf' run-peer.sh cmd --reps R -n N
# with impulse.conf generated from bench/relay/impulse.conf (ports filled in)
# in a fresh temporary directory on disk (spool, logs, console socket; emptied
# before every rep by MTA_PRESTART, removed at the end); then
#   run-peer.sh postfix --reps R -n N
# --interleave alternates one rep of each instead (impulse, postfix, impulse,
# ...), so that a change of machine load hits both alike. Before each
# run-peer.sh call the script waits (at most --max-wait S seconds, default
# 3600) until no other benchmark is running (see "foreign" below) and, with
# --wait-load L, until the 1-minute load average is below L (the machine is
# shared with compilers). The impulsed binary is copied at the start, so a
# rebuild of build/release during the sitting does not change it.
#
# The shared harness is not modified: its state goes to --state (default
# build/relaybench: tools/ = smtp-source, smtp-sink and Postfix unpacked by
# setup-tools.sh, peers/ = Postfix's private instance, run/ = per-run files),
# and the RESULT lines to bench/relay/results.log (BENCH_RESULTS). Before and
# after each peer's runs the load average (`uptime`) is appended to that file
# as a comment line. Ports: $BENCH_INJECT_PORT / $BENCH_SINK_PORT, default
# 2625 / 2626 here (not the harness's 2525 / 2526, which other benchmarks on
# this machine use). Summary: /work/shared/bench/lib/summarize.py bench/relay/results.log
#
# --events: impulsed also writes the JSON event log and feeds one webhook
# (bench/relay/events.conf appended to the configuration; mta=impulse-events
# in the RESULT lines) whose receiver, started here on 127.0.0.1:
# $BENCH_WEBHOOK_PORT (default 2627), answers every batch with 200
# (tests/integration/harness/webhook_receiver.py --discard).
#
# --append-conf FILE --mta-name NAME: FILE appended to the configuration and
# mta=NAME in the RESULT lines (bench/dkim/run.sh: DKIM signing on).
#
# --loops N: impulsed runs N event loops (`impulsed --event-loops N`; the
# default is one per CPU core); mta=impulse-loopsN in the RESULT lines
# (issue 19 item 5: 1 vs 2 loops).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
reps=3 n=20000 only="" interleave=0 wait_load="" max_wait=3600 events=0 append_conf="" mta_name="" loops=""
impulsed=$ROOT/build/release/apps/impulsed/impulsed
bench=/work/shared/bench
state=$ROOT/build/relaybench
extra=()
while [ $# -gt 0 ]; do
    case "$1" in
        --reps) reps=$2; shift 2 ;;
        -n) n=$2; shift 2 ;;
        --only) only=$2; shift 2 ;;
        --interleave) interleave=1; shift ;;
        --wait-load) wait_load=$2; shift 2 ;;
        --max-wait) max_wait=$2; shift 2 ;;
        --impulsed) impulsed=$2; shift 2 ;;
        --bench) bench=$2; shift 2 ;;
        --state) state=$2; shift 2 ;;
        --events) events=1; shift ;;
        --append-conf) append_conf=$2; shift 2 ;;
        --mta-name) mta_name=$2; shift 2 ;;
        --loops) loops=$2; shift 2 ;;
        --) shift; extra=("$@"); break ;;
        -h|--help) sed -n '2,47p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[ -x "$impulsed" ] || die "no impulsed at $impulsed (cmake --preset release && cmake --build --preset release --target impulsed impulsectl)"
[ -x "$bench/run-peer.sh" ] || die "no relay harness at $bench"
impulsed=$(cd "$(dirname "$impulsed")" && pwd)/$(basename "$impulsed")

export BENCH_INJECT_PORT=${BENCH_INJECT_PORT:-2625}
export BENCH_SINK_PORT=${BENCH_SINK_PORT:-2626}
export BENCH_WEBHOOK_PORT=${BENCH_WEBHOOK_PORT:-2627}
export BENCH_TOOLS_DIR=$state/tools BENCH_PEERS_DIR=$state/peers BENCH_RUN_DIR=$state/run
export BENCH_RESULTS=${BENCH_RESULTS:-$HERE/results.log}
mkdir -p "$state"
state=$(cd "$state" && pwd)

for p in "$BENCH_INJECT_PORT" "$BENCH_SINK_PORT"; do
    [ -z "$(ss -Hltn "( sport = :$p )")" ] || die "port $p is busy: $(ss -Hltnp "( sport = :$p )")"
done
"$bench/setup-tools.sh"

workdir=$(mktemp -d "${TMPDIR:-/var/tmp}/impulse-relay.XXXXXX")
monitor="" receiver=""
trap '[ -n "$monitor" ] && kill "$monitor" 2>/dev/null; [ -n "$receiver" ] && kill "$receiver" 2>/dev/null; rm -rf "$workdir"' EXIT
cp "$HERE/impulse.conf" "$workdir/impulse.conf.in"
if [ $events = 1 ]; then
    [ -z "$(ss -Hltn "( sport = :$BENCH_WEBHOOK_PORT )")" ] || die "port $BENCH_WEBHOOK_PORT is busy"
    sed -e "s/@WEBHOOK_PORT@/$BENCH_WEBHOOK_PORT/g" "$HERE/events.conf" >> "$workdir/impulse.conf.in"
    mkdir -p "$workdir/hook"
    /usr/bin/python3 "$ROOT/tests/integration/harness/webhook_receiver.py" "$workdir/hook" "$BENCH_WEBHOOK_PORT" \
        --discard > "$workdir/hook/server.log" 2>&1 &
    receiver=$!
    for _ in $(seq 100); do grep -qx ready "$workdir/hook/server.log" && break; sleep 0.1; done
    grep -qx ready "$workdir/hook/server.log" || die "webhook receiver did not start: $(cat "$workdir/hook/server.log")"
fi
[ -z "$append_conf" ] || cat "$append_conf" >> "$workdir/impulse.conf.in"
# A snapshot of the binary: build/release is shared and may be rebuilt (with
# whatever the working tree holds) during the sitting.
cp "$impulsed" "$workdir/impulsed"
built=$(date -u -r "$impulsed" +%Y-%m-%dT%H:%MZ)
sum=$(sha256sum "$impulsed" | cut -c1-12)

# The harness accounts CPU in the cgroups mtabench/{mta,source,sink}, which
# every copy of it on this machine shares, and another benchmark would also
# compete for the 2 cores. A monitor records every process in those cgroups
# (and every smtp-source: a load generator) that is not ours: our tools live under
# $state/tools, our MTA is $workdir/impulsed (system binaries, e.g. the shell
# running postfix-script, are ignored). Before each rep we wait until
# there is none (and, with --wait-load, until the load is below L); a rep
# during which one was seen gets tag=overlap in its RESULT line, so that
# summarize.py keeps it out of the tag=default figures.
foreign_log=$workdir/foreign.log
: > "$foreign_log"
foreign_now() {
    local pid exe
    for pid in $(cat /sys/fs/cgroup/cpuacct/mtabench/*/cgroup.procs /sys/fs/cgroup/mtabench/*/cgroup.procs 2>/dev/null) \
               $(pgrep -x smtp-source); do
        exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || continue
        case "$exe" in
            "$state"/tools/*|"$workdir"/impulsed|/usr/bin/*|/bin/*) ;;  # ours; postfix-script's shell
            *) echo "$pid $exe" ;;
        esac
    done | sort -u
}
( while :; do f=$(foreign_now); [ -z "$f" ] || echo "$(date +%s) $f" | tr '\n' ' ' | sed 's/ $/\n/' >> "$foreign_log"; sleep 0.5; done ) &
monitor=$!

wait_clear() {
    local end=$((SECONDS + max_wait)) said=0
    while :; do
        local f load_ok=1
        f=$(foreign_now)
        if [ -n "$wait_load" ] && ! awk -v l="$wait_load" '{ exit !($1 < l) }' /proc/loadavg; then load_ok=0; fi
        [ -z "$f" ] && [ $load_ok = 1 ] && return 0
        [ $SECONDS -lt $end ] || { log "still busy after $max_wait s (load $(cut -d' ' -f1 /proc/loadavg), foreign: ${f:-none}); running anyway"; return 0; }
        [ $said = 1 ] || { log "waiting: load $(cut -d' ' -f1 /proc/loadavg)${wait_load:+ (want < $wait_load)}, foreign benchmark processes: ${f:-none}"; said=1; }
        sleep 5
    done
}

# peers/cmd.sh contract: MTA_CMD runs in the foreground, with cwd MTA_DIR, in
# cgroup mtabench/mta; stop = SIGTERM to that PID. MTA_PRESTART runs before
# every start: a fresh spool, fresh logs, the ports filled in.
export MTA_NAME=impulse
[ $events = 1 ] && MTA_NAME=impulse-events
[ -z "$loops" ] || MTA_NAME=$MTA_NAME-loops$loops
[ -z "$mta_name" ] || MTA_NAME=$mta_name
export MTA_DIR=$workdir/mta
export MTA_VERSION="$("$impulsed" --version | awk '{print $NF}')-built${built}-sha${sum}"
export MTA_PRESTART='rm -rf spool mainlog.ec paniclog.ec bouncelog.ec events.jsonl console.sock && sed -e "s/@INJECT_PORT@/$BENCH_INJECT_PORT/g" -e "s/@SINK_PORT@/$BENCH_SINK_PORT/g" ../impulse.conf.in > impulse.conf'
export MTA_CMD="$workdir/impulsed -c impulse.conf${loops:+ --event-loops $loops}"
export MTA_STOP_TIMEOUT=60
mkdir -p "$MTA_DIR"

note() { echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $*" >> "$BENCH_RESULTS"; log "$*"; }

# run_peer NAME REPS ARGS...: one run-peer.sh call, flagged if overlapped
run_peer() {
    local name=$1 k=$2; shift 2
    [ "$k" = 1 ] && wait_clear
    local t0 lines0
    t0=$(date +%s)
    lines0=$(wc -l < "$BENCH_RESULTS")
    note "$name x$k start: $(uptime)"
    "$bench/run-peer.sh" "$@" --reps "$k" -n "$n" ${extra[@]+"${extra[@]}"}
    note "$name end: $(uptime)"
    local seen
    seen=$(awk -v t="$t0" '$1 >= t' "$foreign_log" | head -3)
    if [ -n "$seen" ]; then
        # retag this call's RESULT lines
        /usr/bin/python3 - "$BENCH_RESULTS" "$lines0" <<'PY'
import sys
path, skip = sys.argv[1], int(sys.argv[2])
lines = open(path).read().splitlines(keepends=True)
for i in range(skip, len(lines)):
    if lines[i].startswith("RESULT "):
        lines[i] = lines[i].replace(" tag=default ", " tag=overlap ")
open(path, "w").writelines(lines)
PY
        note "WARNING: foreign benchmark processes during this run (RESULT retagged tag=overlap): $(echo "$seen" | head -1)"
    fi
}

run_impulse() {
    run_peer impulse "$1" cmd
    # every message relayed exactly once: R and D records, nothing left over
    local r d
    r=$(grep -c '@R@' "$MTA_DIR/mainlog.ec" || true)
    d=$(grep -c '@D@' "$MTA_DIR/mainlog.ec" || true)
    note "impulse last rep: mainlog has $r R and $d D records; paniclog: $(grep -v -c -E 'started:|received SIGTERM' "$MTA_DIR/paniclog.ec" || true) other line(s)"
    if [ $events = 1 ]; then
        note "impulse last rep: events.jsonl has $(wc -l < "$MTA_DIR/events.jsonl") events; the webhook receiver has acknowledged $(cat "$workdir/hook/count" 2>/dev/null || echo 0) since the sitting began; webhook cursor $(cat "$MTA_DIR/spool/webhooks/bench/cursor" 2>/dev/null || echo none); receiver: $(tail -c 300 "$workdir/hook/server.log" | tr '\n' ' ')"
    fi
}
run_postfix() { run_peer postfix "$1" postfix; }

note "sitting: n=$n reps=$reps interleave=$interleave ports $BENCH_INJECT_PORT/$BENCH_SINK_PORT, impulsed $impulsed (built $built, sha256 $sum), spool in $workdir ($(df -T "$workdir" | awk 'NR==2{print $2}'))"
if [ $interleave = 1 ]; then
    for _ in $(seq 1 "$reps"); do
        [ "$only" = postfix ] || run_impulse 1
        [ "$only" = impulse ] || run_postfix 1
    done
else
    wait_clear
    [ "$only" = postfix ] || run_impulse "$reps"
    [ "$only" = impulse ] || run_postfix "$reps"
fi
/usr/bin/python3 "$bench/lib/summarize.py" "$BENCH_RESULTS"
