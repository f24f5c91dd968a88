#!/usr/bin/env bash
# Runs every libFuzzer target for a bounded time and prints a summary. Builds nothing: `make fuzz`
# configures the `fuzz` preset and builds its `fuzzers` target first.
#
# Usage: scripts/fuzz.sh [BUILD_DIR]        (default: build-fuzz)
#   FUZZ_SECONDS   seconds per fuzzer (default 60)
#   FUZZ_ONLY      run only the fuzzers whose name contains this text (e.g. FUZZ_ONLY=config)
#   FUZZ_WORK_DIR  where the growing corpora and crash inputs live (default BUILD_DIR/fuzz-work)
#
# Each fuzzer named in fuzz/<area>/CMakeLists.txt runs with fuzz/<area>/corpus as its seed corpus
# (read only: new inputs go to FUZZ_WORK_DIR/<area>/corpus, which grows from run to run) and
# fuzz/<area>/*.dict when there is one. A crash input lands in FUZZ_WORK_DIR/<area>/crashes/; make it a
# regression test by copying it to fuzz/<area>/regressions/ (tests/reliability/fuzz_regression_test.cpp
# feeds every file there through the same entry point in `make test` and `make test-asan`).
# Exit code: 0 when no fuzzer found anything, 1 otherwise, 2 on a usage problem.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build-fuzz}" 2>/dev/null && pwd) || { echo "fuzz.sh: no build folder ${1:-build-fuzz} (run make fuzz)" >&2; exit 2; }
seconds=${FUZZ_SECONDS:-60}
only=${FUZZ_ONLY:-}
work=${FUZZ_WORK_DIR:-$build/fuzz-work}
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "fuzz.sh: FUZZ_SECONDS must be a whole number of seconds" >&2; exit 2; }

summary=()
found=0
ran=0
for list in "$root"/fuzz/*/CMakeLists.txt; do
  area_dir=$(dirname "$list")
  area=$(basename "$area_dir")
  for name in $(sed -n 's/^[[:space:]]*pipehost_add_fuzzer(\([A-Za-z0-9_]*\).*/\1/p' "$list"); do
    [[ -z "$only" || "$name" == *"$only"* ]] || continue
    binary="$build/fuzz/$name"
    if [[ ! -x "$binary" ]]; then
      echo "fuzz.sh: $binary is missing (build the fuzz preset's 'fuzzers' target)" >&2
      exit 2
    fi
    corpus="$work/$area/corpus"
    crashes="$work/$area/crashes"
    mkdir -p "$corpus" "$crashes"
    args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
          -artifact_prefix="$crashes/")
    for dict in "$area_dir"/*.dict; do [[ -f "$dict" ]] && args+=(-dict="$dict"); done
    seeds=()
    [[ -d "$area_dir/corpus" ]] && seeds+=("$area_dir/corpus")
    log="$work/$area/$name.log"
    before=$(find "$crashes" -type f | wc -l)
    echo "== $name: ${seconds}s on fuzz/$area (log: $log)"
    status=0
    "$binary" "${args[@]}" "$corpus" "${seeds[@]}" >"$log" 2>&1 || status=$?
    after=$(find "$crashes" -type f | wc -l)
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    size=$(find "$corpus" -type f | wc -l)
    ran=$((ran + 1))
    if [[ $status -ne 0 || $after -gt $before ]]; then
      found=1
      crash=$(ls -t "$crashes" 2>/dev/null | head -n 1)
      summary+=("$(printf '%-22s FOUND  %10s runs  corpus %5s  -> %s' "$name" "${runs:-?}" "$size" "${crash:+$crashes/$crash}")")
      grep -E 'ERROR|SUMMARY|terminate|what\(\)' "$log" | head -n 5 | sed 's/^/    /' || true
    else
      summary+=("$(printf '%-22s ok     %10s runs  corpus %5s' "$name" "${runs:-?}" "$size")")
    fi
  done
done

if [[ $ran -eq 0 ]]; then
  echo "fuzz.sh: no fuzzer matched${only:+ FUZZ_ONLY=$only}" >&2
  exit 2
fi
echo
echo "fuzzing summary (${seconds}s each, $build):"
printf '  %s\n' "${summary[@]}"
if [[ $found -ne 0 ]]; then
  echo "A fuzzer found a problem: reproduce with BINARY CRASH_FILE, fix it, and copy the input to"
  echo "fuzz/<area>/regressions/ so tests/reliability/fuzz_regression_test.cpp keeps it fixed."
  exit 1
fi
