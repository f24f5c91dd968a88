#!/usr/bin/env bash
# What prompt caching saves on the songs job with anthropic-batch: the job of examples/songs-anthropic
# on the first ROWS songs of shared/data, run twice against the emulator - cache_system true and false
# - each against a freshly started emulator. Dollars come from the run's summary.json (the emulator's
# usage reported per row, priced with the plugin's Claude Sonnet 4.5 prices at the Batch API's half
# rate); writes OUT_DIR/anthropic-cache.md and OUT_DIR/anthropic-cache-summary.json.
#
#   bench/anthropic-cache/run.sh [BUILD_DIR=build] [ROWS=2000] [OUT_DIR=bench/results]
#
# The shared instruction is what every request repeats before the row's own text: the answer tool
# with the response schema, then the 16.6 KB system prompt (the API caches tools, then system). Its
# cost is what those tokens cost: without caching, every row pays them at the input price; with
# caching, the first row writes them (2x input, 1-hour TTL) and every later row reads them (0.1x).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$(cd "${1:-build}" && pwd)
rows=${2:-2000}
out=$(mkdir -p "${3:-$repo/bench/results}" && cd "${3:-$repo/bench/results}" && pwd)
shared=${PIPEHOST_SHARED_DIR:-$repo/../shared}
songs="$shared/data/songs/pudding_names_in_songs_repeats.csv"
[ -f "$songs" ] || { echo "no $songs (set PIPEHOST_SHARED_DIR)" >&2; exit 2; }

work=$(mktemp -d)
emulator_pid=""
cleanup() {
  [ -n "$emulator_pid" ] && kill "$emulator_pid" 2>/dev/null && wait "$emulator_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
export ANTHROPIC_API_KEY="bench-fake-anthropic-key"

head -n $((rows + 1)) "$songs" >"$work/songs.csv"
[ "$(($(wc -l <"$work/songs.csv") - 1))" -eq "$rows" ] || { echo "the songs file has fewer than $rows rows" >&2; exit 2; }

for cache in true false; do
  "$build/bin/pipehost-emulator" --no-tls --faults batch_ms=200 --state-dir "$work/emulator-$cache" \
    >"$work/emulator-$cache.out" 2>/dev/null &
  emulator_pid=$!
  for _ in $(seq 100); do grep -q "listening on" "$work/emulator-$cache.out" 2>/dev/null && break; sleep 0.05; done
  url=$(sed -n 's/^listening on //p' "$work/emulator-$cache.out")
  "$build/bin/pipehost" run --no-progress --log-level warn --plugins "$build/plugins" \
    --config "$repo/examples/songs-anthropic/run.json" \
    --set "source.path=$work/songs.csv" --set "provider.base_url=$url" --set "provider.cache_system=$cache" \
    --set provider.batch_size=500 --set provider.poll_interval_s=0.05 --set 'loggers=[]' \
    --set "run.state_dir=$work/state-$cache" --set "sinks.0.path=$work/out-$cache.csv" >"$work/run-$cache.log" 2>&1 ||
    { cat "$work/run-$cache.log" >&2; exit 1; }
  cp "$work/state-$cache/summary.json" "$work/summary-$cache.json"
  curl -s "$url/_emulator/stats" | jq '.anthropic' >"$work/emulator-stats-$cache.json"
  kill "$emulator_pid" && wait "$emulator_pid" 2>/dev/null || true
  emulator_pid=""
done

jq -n --argjson rows "$rows" \
  --slurpfile on "$work/summary-true.json" --slurpfile off "$work/summary-false.json" \
  --slurpfile on_stats "$work/emulator-stats-true.json" --slurpfile off_stats "$work/emulator-stats-false.json" '
  def per1000(usd): usd * 1000 / $rows;
  ($on[0]) as $a | ($off[0]) as $b |
  # Every row of the cached run either wrote or read the whole shared prefix; without caching those
  # tokens are part of the input, priced as the rest of it (the same share of the input cost).
  (($a.tokens.cached_input + $a.tokens.cache_write) / $rows) as $prefix |
  ($b.cost.input * ($prefix * $rows) / $b.tokens.input) as $shared_off |
  ($a.cost.cached_input + $a.cost.cache_write) as $shared_on |
  {
    rows: $rows, model: $a.model, mode: $a.mode,
    shared_instruction_tokens_per_row: $prefix,
    cache_on: {
      rows_ok: $a.rows.ok, tokens: $a.tokens, cost: $a.cost,
      usd_per_1000_rows: per1000($a.cost.total),
      cached_share_of_input: ($a.tokens.cached_input / $a.tokens.input),
      shared_instruction_usd_per_1000_rows: per1000($shared_on),
      emulator: $on_stats[0]
    },
    cache_off: {
      rows_ok: $b.rows.ok, tokens: $b.tokens, cost: $b.cost,
      usd_per_1000_rows: per1000($b.cost.total),
      cached_share_of_input: ($b.tokens.cached_input / $b.tokens.input),
      shared_instruction_usd_per_1000_rows: per1000($shared_off),
      emulator: $off_stats[0]
    },
    same_input_tokens: ($a.tokens.input == $b.tokens.input),
    shared_instruction_saving: (1 - $shared_on / $shared_off),
    total_saving: (1 - $a.cost.total / $b.cost.total),
    goal: "caching cuts the cost of the shared instruction by at least 80%",
    goal_met: ((1 - $shared_on / $shared_off) >= 0.8)
  }' >"$out/anthropic-cache-summary.json"

s="$out/anthropic-cache-summary.json"
pct() { jq -r "$1 * 1000 | round / 10 | tostring + \"%\"" "$s"; }
usd() { jq -r "$1 * 10000 | round / 10000 | \"\$\" + tostring" "$s"; }
num() { jq -r "$1 | round" "$s"; }
cat >"$out/anthropic-cache.md" <<MD
# Prompt caching on the songs job (anthropic-batch)

Written by \`bench/anthropic-cache/run.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$repo" rev-parse --short HEAD).
$(jq -r .rows "$s") songs of shared/data, the job of examples/songs-anthropic ($(jq -r .model "$s"), batch mode, batches of
500, 4 in flight) against the emulator, once with \`cache_system: true\` and once with \`false\`. Usage is
what the emulator reported per row (its token counts: 4 bytes a token); dollars are pipehost's, from
the plugin's prices: \$3 / MTok input, \$15 output, cache writes \$6 (1-hour TTL, 2x input), cache
reads \$0.30 (0.1x), everything at the Batch API's 50%.

| | cache_system: true | cache_system: false |
|---|---|---|
| rows ok | $(jq -r .cache_on.rows_ok "$s") | $(jq -r .cache_off.rows_ok "$s") |
| input tokens (all) | $(num .cache_on.tokens.input) | $(num .cache_off.tokens.input) |
| of which cache reads / cache writes | $(num .cache_on.tokens.cached_input) / $(num .cache_on.tokens.cache_write) | $(num .cache_off.tokens.cached_input) / $(num .cache_off.tokens.cache_write) |
| cached share of the input | $(pct .cache_on.cached_share_of_input) | $(pct .cache_off.cached_share_of_input) |
| output tokens | $(num .cache_on.tokens.output) | $(num .cache_off.tokens.output) |
| **dollars per 1,000 rows** | **$(usd .cache_on.usd_per_1000_rows)** | **$(usd .cache_off.usd_per_1000_rows)** |
| shared instruction ($(num .shared_instruction_tokens_per_row) tokens a row), dollars per 1,000 rows | $(usd .cache_on.shared_instruction_usd_per_1000_rows) | $(usd .cache_off.shared_instruction_usd_per_1000_rows) |

Caching cuts the cost of the shared instruction by **$(pct .shared_instruction_saving)** (goal: at least 80%) and the
whole job's by $(pct .total_saving). The first row writes the prefix at twice the input price and every
other row reads it at a tenth: over n rows the prefix costs (2 + 0.1 (n - 1)) / n of its uncached
price - a loss for 1 or 2 rows (200%, 105%), 73% for 3, 10.1% for 2,000 - so the saving tends to
90%. The rest of the bill is the rows' own text and the answers, which caching does not touch.
Machine-readable:
\`anthropic-cache-summary.json\` (\`cache_on.cached_share_of_input\`, \`shared_instruction_saving\`).
MD
cat "$out/anthropic-cache.md"
