#!/usr/bin/env bash
# Times `pipehost report` on a synthetic run: wall time and peak RSS from /usr/bin/time -v.
# Usage: bench/report/run.sh [BUILD_DIR=build-release] [ROWS=1000000] [WORK_DIR=BUILD_DIR/bench-work/report]
set -euo pipefail
build=$(cd "${1:-build-release}" && pwd)
rows=${2:-1000000}
work=${3:-$build/bench-work/report}
"$build/bench/report_bench" "$work" "$rows"
for i in 1 2 3; do
  /usr/bin/time -v "$build/bin/pipehost" report --plugins "$build/plugins" --log-level warn "$work/run.json" \
    -o "$work/report.html" >/dev/null 2>"$work/time-$i.log"
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time-$i.log")
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time-$i.log")
  echo "report of $rows rows, run $i: wall $wall, peak RSS $((rss / 1024)) MB, $(($(stat -c %s "$work/report.html") / 1024)) KB of HTML"
done
