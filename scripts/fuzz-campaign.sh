#!/bin/bash
# A fuzzing campaign over every libFuzzer target (issue 18): builds the
# `fuzz` preset (clang 14, ASan+UBSan), runs each target for MINUTES minutes
# of wall time on a scratch copy of its committed corpus, then merges into
# tests/fuzz/corpus/<stem>/ only the inputs that add coverage (libFuzzer's
# -merge=1, so the committed seeds keep their names and the additions are
# minimal). A crash leaves its input under build/fuzz-campaign/crashes/
# and is listed in the summary; the campaign goes on with the other
# targets.
#
#   scripts/fuzz-campaign.sh [MINUTES] [TARGET-REGEX]
#   env: JOBS   targets run at once (default: nproc)
#        NICE   niceness of the fuzzers (default 0; 19 = use idle CPU only)
#        TIMEOUT  seconds one input may take before it counts as a hang
#               (default 10; 600 when NICE is set, since libFuzzer's timeout
#               is wall time and a starved fuzzer would report false hangs)
#
# Prints, and writes to build/fuzz-campaign/summary.txt, one line per target:
# executions, CPU seconds, coverage (libFuzzer's cov: edges and ft:
# features), corpus files before/after the merge, crashes.
set -uo pipefail
cd "$(dirname "$0")/.."

minutes=${1:-30}
filter=${2:-.}
jobs=${JOBS:-$(nproc)}
niceness=${NICE:-0}
if [[ $niceness != 0 ]]; then timeout=${TIMEOUT:-600}; else timeout=${TIMEOUT:-10}; fi
out=build/fuzz-campaign
bin=build/fuzz/tests/fuzz

scripts/install-deps.sh fuzz || exit 1
cmake --preset fuzz >/dev/null || exit 1
nice -n "$niceness" cmake --build --preset fuzz -j "$(nproc)" >/dev/null || {
  echo "fuzz-campaign: the fuzz preset does not build" >&2; exit 1; }

mkdir -p "$out/crashes" "$out/logs" "$out/scratch"
targets=()
for t in "$bin"/fuzz_*; do
  [[ -x $t && ! -d $t ]] || continue
  name=$(basename "$t")
  [[ $name =~ $filter ]] && targets+=("$name")
done
if ((${#targets[@]} == 0)); then
  echo "fuzz-campaign: no target matches '$filter'" >&2; exit 1
fi
echo "fuzz-campaign: ${#targets[@]} targets, ${minutes} min each, ${jobs} at once, nice ${niceness}"

run_one() {
  local name=$1 stem=${1#fuzz_}
  local corpus=tests/fuzz/corpus/$stem scratch=$out/scratch/$stem
  mkdir -p "$corpus" "$out/crashes/$stem"
  rm -rf "$scratch"; mkdir -p "$scratch"
  cp -r "$corpus"/. "$scratch"/ 2>/dev/null
  local before; before=$(find "$corpus" -type f | wc -l)
  /usr/bin/time -f "%U %S" -o "$out/logs/$name.time" \
    nice -n "$niceness" "$bin/$name" -max_total_time=$((minutes * 60)) -print_final_stats=1 \
      -timeout="$timeout" -rss_limit_mb=2048 -artifact_prefix="$out/crashes/$stem/" \
      "$scratch" >"$out/logs/$name.log" 2>&1
  local rc=$?
  "$bin/$name" -merge=1 "$corpus" "$scratch" >"$out/logs/$name.merge.log" 2>&1
  local after; after=$(find "$corpus" -type f | wc -l)
  local execs cov ft cpu crashes
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$out/logs/$name.log" | awk '{print $2}')
  cov=$(grep -o 'cov: [0-9]*' "$out/logs/$name.log" | tail -1 | awk '{print $2}')
  ft=$(grep -o 'ft: [0-9]*' "$out/logs/$name.log" | tail -1 | awk '{print $2}')
  cpu=$(awk '{printf "%.0f", $1 + $2}' "$out/logs/$name.time" 2>/dev/null)
  crashes=$(find "$out/crashes/$stem" -type f | wc -l)
  printf '%-36s execs %10s  cpu %6ss  cov %6s  ft %7s  corpus %4s -> %4s  crashes %s  rc %s\n' \
    "$name" "${execs:-?}" "${cpu:-?}" "${cov:-?}" "${ft:-?}" "$before" "$after" "$crashes" "$rc"
}
export -f run_one
export out bin minutes niceness timeout

printf '%s\n' "${targets[@]}" |
  xargs -P "$jobs" -I{} bash -c 'run_one "$@"' _ {} | tee "$out/summary.txt"
echo "fuzz-campaign: logs in $out/logs, crash inputs in $out/crashes, summary in $out/summary.txt"
if grep -q 'crashes [1-9]' "$out/summary.txt"; then exit 1; fi
