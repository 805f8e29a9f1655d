#!/usr/bin/env bash
# Runs every libFuzzer target for SECONDS each (default 60) from freshly generated seeds, under
# ASan and UBSan (preset `fuzz`). Fails on any crash, leak or sanitizer report, naming the target
# and the input that caused it (kept in build-fuzz/fuzz/artifacts/). Prints executions per target.
#   tests/fuzz/run.sh [SECONDS]        e.g. 3600 before a release
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
bin=build-fuzz/fuzz
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$bin/artifacts"
"$bin/fuzz_make_seeds" "$work/seeds" >/dev/null
# intercept_tls_get_addr=0: the sanitizer runtimes of GCC 12 and clang 14 can take a dynamic TLS
# block for a pre-2.25 glibc one and crash in the leak check (tests/lsan.supp says more).
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1:intercept_tls_get_addr=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export OMP_THREAD_LIMIT=1
# One target per core at a time: each still runs SECONDS on a core of its own.
jobs=${RXDESK_FUZZ_JOBS:-$(nproc)}
targets=(eprescription jws_json agreement codes image backup)
run_one() {
  local target=$1 corpus="$work/corpus-$1" max_len=65536 log="$work/$1.log"
  mkdir -p "$corpus"
  cp "$work/seeds/$target"/* "$corpus/" 2>/dev/null || true
  [ "$target" = image ] && max_len=262144
  [ "$target" = backup ] && max_len=$(( $(stat -c %s "$work/seeds/backup/seed.rxbak") * 2 ))
  if "$bin/fuzz_$target" -max_total_time="$seconds" -max_len="$max_len" -rss_limit_mb=2048 \
       -timeout=20 -print_final_stats=1 -artifact_prefix="$bin/artifacts/$target-" \
       "$corpus" >"$log" 2>&1; then
    echo ok >"$work/$target.result"
  else
    echo failed >"$work/$target.result"
  fi
}
for target in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  run_one "$target" &
done
wait
failed=()
for target in "${targets[@]}"; do
  log="$work/$target.log"
  if [ "$(cat "$work/$target.result" 2>/dev/null)" = ok ]; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    echo "fuzz_$target: ${runs:-?} executions in ${seconds} s, no finding"
  else
    echo "fuzz_$target: FAILED — see below; the input is in $bin/artifacts/" >&2
    tail -40 "$log" >&2
    failed+=("$target")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzzers with findings: ${failed[*]}" >&2
  exit 1
fi
