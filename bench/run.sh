#!/usr/bin/env bash
# Runs every pipehost benchmark and writes bench/results/latest.md (figure, value, baseline, ratio,
# plus machine notes). `make bench` calls it after a Release build:
#
#   bench/run.sh [BUILD_DIR=build-release]
#
# Environment knobs (defaults in brackets):
#   BENCH_ROWS [20000]        rows of the main end-to-end comparison
#   BENCH_REPS [3]            repetitions of each side at BENCH_ROWS (alternating node, pipehost, ...)
#   BENCH_BIG_ROWS [100000]   rows of the scaling run (0 = skip it)
#   BENCH_BIG_REPS [1]        repetitions at BENCH_BIG_ROWS
#   BENCH_BATCH_SIZE [2500]   pipehost's batch_size in the end-to-end runs (max_jobs_in_flight 4: the
#                             way a user runs it). At BENCH_ROWS pipehost also runs once per repetition
#                             with every row in one job, the baseline's shape, for the phase table.
#   BENCH_OPENAI_ROWS [BENCH_ROWS]  rows of the OpenAI comparison: pipehost with openai-batch vs the
#                             same flow with the official `openai` Node client (one run each; 0 = skip)
#   BENCH_CALLGRIND_ROWS [2000]  rows of the instruction-count comparison under callgrind (0 = skip;
#                             skipped with a note when valgrind is missing; takes ~5 minutes)
#   BENCH_ONLY []             "openai": only the OpenAI comparison (the other benches are skipped)
#   BENCH_WORK [BUILD_DIR/bench-work]   scratch folder (removed at the end unless BENCH_KEEP=1)
#   BENCH_OUT [bench/results/latest.md] where the table goes
#
# Benchmarks are never timed assertions: this script reports, it does not judge (it fails only when
# a run breaks or two outputs disagree on their row counts). Where wall-clock noise would mislead on
# a shared machine, the table gives ratios measured in the same run (alternating runs) and CPU time.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$(cd "${1:-build-release}" && pwd)
bin="$build/bin"
plugins="$build/plugins"
benches="$build/bench"
rows=${BENCH_ROWS:-20000}
reps=${BENCH_REPS:-3}
big_rows=${BENCH_BIG_ROWS:-100000}
big_reps=${BENCH_BIG_REPS:-1}
batch_size=${BENCH_BATCH_SIZE:-2500}
callgrind_rows=${BENCH_CALLGRIND_ROWS:-2000}
openai_rows=${BENCH_OPENAI_ROWS:-$rows}
work=${BENCH_WORK:-$build/bench-work}
out=${BENCH_OUT:-$repo/bench/results/latest.md}
logs="$work/logs"

# Obviously fake keys, only in the environment of the processes started here.
export GEMINI_API_KEY="bench-fake-gemini-key"
export BRAINTRUST_API_KEY="bench-fake-braintrust-key"
export OPENAI_API_KEY="bench-fake-openai-key"

rm -rf "$work"
mkdir -p "$work" "$logs" "$(dirname "$out")"
table="$work/table.md"      # figure | value | baseline | ratio rows, filled as we go
notes="$work/notes.md"      # skipped benches and remarks
: >"$table"
: >"$notes"

say() { printf '[bench] %s\n' "$*" >&2; }
note() { printf -- '- %s\n' "$*" >>"$notes"; say "$*"; }
row() { printf '| %s | %s | %s | %s |\n' "$1" "$2" "$3" "$4" >>"$table"; }

# --- measuring helpers -----------------------------------------------------------------------

# timed LOG CMD...: runs CMD under /usr/bin/time -v (stdout+stderr to LOG, time's report to
# LOG.time); sets WALL (s, from a monotonic clock), CPU (user+sys s) and RSS_MB (peak).
timed() {
  local log=$1
  shift
  local start end
  start=$(date +%s.%N)
  if ! /usr/bin/time -v -o "$log.time" "$@" >"$log" 2>&1; then
    say "FAILED: $* (log: $log)"
    tail -20 "$log" >&2
    return 1
  fi
  end=$(date +%s.%N)
  WALL=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
  CPU=$(awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' "$log.time")
  RSS_MB=$(awk -F': ' '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }' "$log.time")
}

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f×", a / b; else print "-" }'; }
fmt() { awk -v v="$1" -v d="${2:-1}" 'BEGIN { printf "%.*f", d, v }'; }
# thousands VALUE: 1234567 -> 1,234,567
thousands() { printf "%.0f" "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }

# --- machine notes ---------------------------------------------------------------------------

cpu_model=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo unknown)
cores=$(nproc)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
kernel=$(uname -sr)
compiler_path=$(awk -F= '/^CMAKE_CXX_COMPILER:/ { print $2 }' "$build/CMakeCache.txt" 2>/dev/null || true)
compiler=$("${compiler_path:-c++}" --version 2>/dev/null | head -1 || echo unknown)
build_type=$(awk -F= '/^CMAKE_BUILD_TYPE:/ { print $2 }' "$build/CMakeCache.txt" 2>/dev/null || true)
memory=$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
node_version=$(node --version 2>/dev/null || echo "not installed")
commit=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
started=$(date -u '+%Y-%m-%d %H:%M UTC')
say "machine: $cpu_model, $cores cores, load $load_start, $kernel, $compiler"

# --- component benches -----------------------------------------------------------------------

have() { [ -x "$benches/$1" ]; }

bench_csv() {
  if ! have csv_bench; then note "csv_bench not built (bench/csv): CSV figures skipped"; return; fi
  say "csv: generating 100 MB of songs-shaped CSV"
  "$benches/csv_bench" generate "$work/csv-100m.csv" 100 >"$logs/csv-generate.log" 2>&1
  timed "$logs/csv-read.log" "$benches/csv_bench" read "$work/csv-100m.csv" || return 1
  local line
  line=$(grep -i 'read' "$logs/csv-read.log" | tail -1)
  # "... wall X s = N MB/s ... cpu Y s = M MB/s" -> take the MB/s figures in order.
  local rates
  rates=($(grep -o '[0-9.]* MB/s' <<<"$line" | awk '{ print $1 }'))
  row "CSV read (csv-io CsvSource, 100 MB songs-shaped)" "${rates[0]:-?} MB/s wall, ${rates[1]:-?} MB/s per CPU-s; peak RSS $RSS_MB MB" "-" "-"
  rm -f "$work/csv-100m.csv"
}

bench_parser() {
  if ! have parser_bench; then note "parser_bench not built (bench/parser): parser figures skipped"; return; fi
  timed "$logs/parser.log" "$benches/parser_bench" 600000 3000 || return 1
  local line rate mbs
  line=$(grep '^mixed' "$logs/parser.log")
  rate=$(grep -o '[0-9]* answers/s' <<<"$line" | awk '{ print $1 }')
  mbs=$(grep -o '[0-9.]* MB/s' <<<"$line" | awk '{ print $1 }')
  row "Answers parsed (markdown-json-parser, 1.5 KB songs answers, 1/3 fenced)" \
    "$(thousands "$rate") answers/s per CPU-s ($mbs MB/s); peak RSS $RSS_MB MB" "-" "-"
}

bench_ledger() {
  if ! have ledger_bench; then note "ledger_bench not built (bench/ledger): ledger figures skipped"; return; fi
  timed "$logs/ledger.log" "$benches/ledger_bench" 100000 "$work/ledger" || return 1
  local line wall_rate cpu_rate
  line=$(grep '^record_outcomes' "$logs/ledger.log")
  wall_rate=$(awk '{ print $7 }' <<<"$line")
  cpu_rate=$(awk '{ print $12 }' <<<"$line")
  row "Ledger writes (RunLedger::record_outcomes, commits of 512, 100,000 rows)" \
    "$(thousands "$wall_rate") rows/s wall, $(thousands "$cpu_rate") rows/s per CPU-s; peak RSS $RSS_MB MB" "-" "-"
  rm -rf "$work/ledger"
}

bench_emulator() {
  if ! have emulator_throughput_bench; then note "emulator_throughput_bench not built (bench/emulator): transfer figures skipped"; return; fi
  timed "$logs/emulator.log" "$benches/emulator_throughput_bench" --lines "$rows" --emulator "$bin/pipehost-emulator" \
    --work "$work/emulator" || return 1
  local up down
  up=$(grep '^upload:' "$logs/emulator.log" | grep -o '= [0-9.]* MB/s' | awk '{ print $2 }')
  down=$(grep '^download of the' "$logs/emulator.log" | grep -o '= [0-9.]* MB/s' | awk '{ print $2 }')
  local emu_rss
  emu_rss=$(awk '/peak RSS/ { for (i = 1; i <= NF; i++) if ($(i + 1) == "kB") printf "%.1f MB", $i / 1024 }' "$logs/emulator.log")
  row "Emulator intake: upload of a $(thousands "$rows")-line batch input over loopback TLS (bare Beast client, 8 MiB chunks)" \
    "$up MB/s wall; client peak RSS $RSS_MB MB, emulator ${emu_rss:-?}" "-" "-"
  row "Emulator output: the same file downloaded over loopback TLS (streamed)" "$down MB/s wall" "-" "-"
  rm -rf "$work/emulator"
}

bench_gemini() {
  if ! have gemini_bench; then note "gemini_bench not built (bench/gemini): JSONL preparation and provider upload figures skipped"; return; fi
  timed "$logs/gemini.log" "$benches/gemini_bench" --rows "$rows" --dir "$work/gemini" --emulator "$bin/pipehost-emulator" ||
    return 1
  # "prepare JSONL:     371.3 MB in 0.612 s =     607 MB/s   (dir)"
  rate() { awk -v p="$1" 'index($0, p) == 1 { for (i = 1; i < NF; i++) if ($(i + 1) == "MB/s") { print $i; exit } }' "$logs/gemini.log"; }
  local size
  size=$(grep '^prepare JSONL:' "$logs/gemini.log" | awk '{ print $3 }')
  row "JSONL preparation (gemini-batch write_jsonl: encode + write $size MB to disk, $(thousands "$rows") requests)" \
    "$(fmt "$(awk -v r="$(rate 'prepare JSONL:')" 'BEGIN { print r / 1000 }')" 2) GB/s wall (encode only: $(fmt "$(awk -v r="$(rate 'encode only:')" 'BEGIN { print r / 1000 }')" 1) GB/s); bench peak RSS $RSS_MB MB" "-" "-"
  row "Upload over loopback TLS (gemini-batch GeminiApi::upload_file through the host HTTP client, 8 MiB chunks)" \
    "$(rate 'upload (TLS):') MB/s wall" "-" "-"
  rm -rf "$work/gemini"
}

# --- end to end: Node baseline vs pipehost -----------------------------------------------------

node_dir="$build/baseline-node"
node_ready=0

install_node_baseline() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    note "node/npm not found: the Node baseline is skipped (scripts/deps.sh installs them)"
    return
  fi
  mkdir -p "$node_dir"
  cp "$repo/bench/baseline-node/package.json" "$repo/bench/baseline-node/package-lock.json" \
    "$repo/bench/baseline-node/baseline.mjs" "$node_dir/"
  if [ ! -f "$node_dir/node_modules/@google/genai/package.json" ] || [ ! -f "$node_dir/node_modules/.bench-lock-stamp" ] ||
    ! cmp -s "$node_dir/package-lock.json" "$node_dir/node_modules/.bench-lock-stamp"; then
    say "installing the Node baseline's packages (npm ci) into $node_dir"
    if ! (cd "$node_dir" && timeout 600 npm ci --no-audit --no-fund --loglevel=error >"$logs/npm.log" 2>&1); then
      note "npm ci failed (see $logs/npm.log): the Node baseline is skipped"
      return
    fi
    cp "$node_dir/package-lock.json" "$node_dir/node_modules/.bench-lock-stamp"
  fi
  node_ready=1
}

node_openai_dir="$build/baseline-node-openai"
node_openai_ready=0

install_node_openai_baseline() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    note "node/npm not found: the OpenAI Node baseline is skipped (scripts/deps.sh installs them)"
    return
  fi
  mkdir -p "$node_openai_dir"
  cp "$repo/bench/baseline-node-openai/package.json" "$repo/bench/baseline-node-openai/package-lock.json" \
    "$repo/bench/baseline-node-openai/baseline.mjs" "$node_openai_dir/"
  if [ ! -f "$node_openai_dir/node_modules/openai/package.json" ] ||
    ! cmp -s "$node_openai_dir/package-lock.json" "$node_openai_dir/node_modules/.bench-lock-stamp" 2>/dev/null; then
    say "installing the OpenAI Node baseline's packages (npm ci) into $node_openai_dir"
    if ! (cd "$node_openai_dir" && timeout 600 npm ci --no-audit --no-fund --loglevel=error >"$logs/npm-openai.log" 2>&1); then
      note "npm ci failed (see $logs/npm-openai.log): the OpenAI Node baseline is skipped"
      return
    fi
    cp "$node_openai_dir/package-lock.json" "$node_openai_dir/node_modules/.bench-lock-stamp"
  fi
  node_openai_ready=1
}

# make_input DIR ROWS: songs-shaped CSV (examples/songs/songs.csv repeated), the example's prompt and
# schema, and the pipehost config template.
make_input() {
  local dir=$1 n=$2
  mkdir -p "$dir"
  awk -v n="$n" 'NR == 1 { print; next } { line[++count] = $0 }
    END { for (i = 0; i < n; i++) print line[i % count + 1] }' "$repo/examples/songs/songs.csv" >"$dir/songs.csv"
  cp "$repo/examples/songs/prompt.md" "$repo/examples/songs/schema.json" "$dir/"
}

# pipehost_config DIR BATCH_SIZE JOBS_IN_FLIGHT BASE_URL CA_FILE RUN_DIR [PROVIDER]: the songs job,
# with gemini-batch (default) or openai-batch (PROVIDER=openai).
pipehost_config() {
  local dir=$1 n=$2 jobs=$3 base_url=$4 ca_file=$5 run_dir=$6 provider=${7:-gemini}
  local provider_json="\"plugin\": \"gemini-batch\", \"model\": \"gemini-flash-latest\", \"api_key_env\": \"GEMINI_API_KEY\",
    \"base_url\": \"$base_url\""
  if [ "$provider" = openai ]; then
    provider_json="\"plugin\": \"openai-batch\", \"model\": \"gpt-4.1-mini\", \"api_key_env\": \"OPENAI_API_KEY\",
    \"base_url\": \"$base_url/v1\""
  fi
  cat >"$run_dir/run.json" <<EOF
{
  "source": {"plugin": "csv-io", "path": "$dir/songs.csv"},
  "request": {
    "plugin": "prompt-template",
    "system_file": "$dir/prompt.md",
    "user_template": "Artist: {{artist}}\\nSong: {{song}}\\nMost frequent name in the lyrics: {{name}} ({{n}} times; refers to a person: {{person}})",
    "response_schema_file": "$dir/schema.json",
    "generation": {"temperature": 0.2}
  },
  "provider": {
    $provider_json, "ca_file": "$ca_file", "mode": "batch",
    "batch_size": $n, "max_jobs_in_flight": $jobs, "poll_interval_s": 0.5
  },
  "parser": {"plugin": "markdown-json-parser", "response_schema_file": "$dir/schema.json", "list_separator": "; "},
  "sinks": [{"plugin": "csv-io", "path": "$run_dir/out.csv"}],
  "run": {"state_dir": "$run_dir/state", "max_attempts": 1}
}
EOF
}

emulator_pid=""
stop_emulator() {
  if [ -n "$emulator_pid" ]; then
    kill "$emulator_pid" 2>/dev/null || true
    wait "$emulator_pid" 2>/dev/null || true
    emulator_pid=""
  fi
}
trap stop_emulator EXIT

# start_emulator DIR: a fresh emulator (batches finish after 50 ms); sets BASE_URL and CA_FILE.
start_emulator() {
  local dir=$1
  mkdir -p "$dir"
  "$bin/pipehost-emulator" --state-dir "$dir/emulator" --faults batch_ms=50 >"$dir/emulator.out" 2>"$dir/emulator.err" &
  emulator_pid=$!
  for _ in $(seq 100); do
    grep -q '^ca_file:' "$dir/emulator.out" 2>/dev/null && break
    sleep 0.1
  done
  BASE_URL=$(awk '/^listening on/ { print $3 }' "$dir/emulator.out")
  CA_FILE=$(awk '/^ca_file:/ { print $2 }' "$dir/emulator.out")
  if [ -z "$BASE_URL" ] || [ -z "$CA_FILE" ]; then
    say "the emulator did not start:"
    cat "$dir/emulator.err" >&2
    return 1
  fi
}

# count_output CSV: "ROWS OK" (data lines; lines whose _status is ok: the writers put _status,_error
# last, and _error is empty for ok rows; no field of this data holds a newline).
count_output() { awk 'NR > 1 { n++; if ($0 ~ /,ok,("")?$/) ok++ } END { printf "%d %d\n", n, ok }' "$1"; }

# run_node DATA RUN_DIR / run_pipehost DATA RUN_DIR ROWS SHAPE: one measured run each against a
# fresh emulator; appends "wall cpu rss rows ok" to RUN_DIR/../<side>.runs. SHAPE is "pipelined"
# (batch_size BENCH_BATCH_SIZE, 4 jobs in flight; side "pipehost") or "one-job" (every row in one
# job like the baseline; side "pipehost-one-job", whose debug log also gives the phase figures).
run_node() {
  local data=$1 dir=$2
  mkdir -p "$dir"
  start_emulator "$dir"
  timed "$dir/node.log" env NODE_EXTRA_CA_CERTS="$CA_FILE" node "$node_dir/baseline.mjs" --input "$data/songs.csv" \
    --prompt "$data/prompt.md" --schema "$data/schema.json" --output "$dir/out.csv" --work "$dir/work" \
    --base-url "$BASE_URL" --poll-ms 500
  stop_emulator
  node_phases "$dir/node.log" >>"$(dirname "$dir")/node.phases"
  echo "$WALL $CPU $RSS_MB $(count_output "$dir/out.csv")" >>"$(dirname "$dir")/node.runs"
  say "node     $(basename "$dir"): wall ${WALL}s cpu ${CPU}s peak RSS ${RSS_MB} MB ($(count_output "$dir/out.csv") rows/ok)"
  rm -rf "$dir/work" "$dir/emulator"
}

run_pipehost() {
  local data=$1 dir=$2 n=$3 shape=$4 side=pipehost
  mkdir -p "$dir"
  start_emulator "$dir"
  if [ "$shape" = one-job ]; then
    side=pipehost-one-job
    pipehost_config "$data" "$n" 1 "$BASE_URL" "$CA_FILE" "$dir"
  else
    pipehost_config "$data" "$batch_size" 4 "$BASE_URL" "$CA_FILE" "$dir"
  fi
  local started_at
  started_at=$(date +%H:%M:%S.%N)
  # Debug level: the log then has one line per HTTP call with its duration and size, from which
  # pipehost_phases reads where the time went (about 60 lines per job; no per-row lines).
  timed "$dir/pipehost.log" "$bin/pipehost" run --plugins "$plugins" --config "$dir/run.json" --no-progress \
    --log-level debug
  if [ "$shape" = one-job ]; then
    pipehost_phases "$dir/pipehost.log" "$started_at" "$(date +%H:%M:%S.%N)" >>"$(dirname "$dir")/pipehost.phases"
  fi
  stop_emulator
  echo "$WALL $CPU $RSS_MB $(count_output "$dir/out.csv")" >>"$(dirname "$dir")/$side.runs"
  say "$side $(basename "$dir"): wall ${WALL}s cpu ${CPU}s peak RSS ${RSS_MB} MB ($(count_output "$dir/out.csv") rows/ok)"
  rm -rf "$dir/state" "$dir/emulator"
}

# pipehost_phases LOG START END (times of day): one line "prepare upload batch download export
# jsonl_MB download_bytes" (seconds) from pipehost's debug log. prepare = start until the JSONL is
# written (plugin loading, reading the CSV, registering rows in the ledger, writing the JSONL);
# upload = upload start until the batch is created; batch = until the responses download starts;
# download = the streamed download of the responses, each line decoded, parsed and recorded in the
# ledger as it arrives (the HTTP call's own duration); export = until the process ended (CSV re-read,
# joined with the ledger, output written).
pipehost_phases() {
  awk -v start="$2" -v end="$3" '
    function sod(t, a) { split(t, a, ":"); return a[1] * 3600 + a[2] * 60 + a[3] }
    function after(piece, n, p) { n = split($0, p, "("); return p[n] }
    / wrote [0-9]+ requests / { wrote = sod($1); split(after(), w, " "); mb += w[1] }
    / info .*\] uploading / { if (!upload) upload = sod($1) }
    / info .*\] created batches\// { created = sod($1) }
    # "(767 ms, 12516100 bytes)" or "(7.3 s, 62612035 bytes)"
    /:download\?alt=media -> 200/ {
      split(after(), d, /[ ,]+/); dl_ms = d[2] == "s" ? d[1] * 1000 : d[1]; dl_bytes = d[3]; dl_end = sod($1)
    }
    / fetched [0-9]+ responses / { fetched = sod($1) }
    END {
      s = sod(start); e = sod(end); if (e < s) e += 86400
      printf "%.3f %.3f %.3f %.3f %.3f %.1f %d\n", wrote - s, created - upload, (dl_end - dl_ms / 1000) - created,
        dl_ms / 1000, e - fetched, mb, dl_bytes
    }' "$1"
}

# node_phases LOG: the baseline prints "phase NAME SECONDS s" on stderr.
node_phases() {
  awk '/^phase / { t[$2] = $3 } END {
    printf "%.3f %.3f %.3f %.3f %.3f %.3f %.3f\n", t["read-csv"], t["prepare-jsonl"], t["upload"],
      t["create-and-poll"], t["download"], t["parse-answers"], t["write-csv"] }' "$1"
}

# compare ROWS REPS: alternating runs (node first, then pipehost, repeated; at BENCH_ROWS also
# pipehost with one job), medians and ratios.
compare() {
  local n=$1 count=$2
  local base="$work/e2e-$n"
  say "end to end, $(thousands "$n") rows, $count repetition(s) each, alternating"
  make_input "$base/data" "$n"
  for i in $(seq "$count"); do
    if [ "$node_ready" = 1 ]; then run_node "$base/data" "$base/runs/node-$i"; fi
    run_pipehost "$base/data" "$base/runs/pipehost-$i" "$n" pipelined
    if [ "$n" = "$rows" ]; then run_pipehost "$base/data" "$base/runs/pipehost-one-job-$i" "$n" one-job; fi
  done
  local p_wall p_cpu p_rss p_rows p_ok
  p_wall=$(column_median "$base/runs/pipehost.runs" 1)
  p_cpu=$(column_median "$base/runs/pipehost.runs" 2)
  p_rss=$(column_median "$base/runs/pipehost.runs" 3)
  p_rows=$(column_set "$base/runs/pipehost.runs" 4)
  p_ok=$(column_set "$base/runs/pipehost.runs" 5)
  local label="$(thousands "$n") rows, 16.6 KB system instruction per request, pipehost batch_size $batch_size × 4 jobs in flight"
  if [ -s "$base/runs/pipehost.phases" ]; then phase_rows "$base/runs/pipehost.phases" "$n"; fi
  if [ "$node_ready" != 1 ]; then
    row "End to end, $label: wall (median of $count)" "$(fmt "$p_wall" 2) s" "not measured (no node)" "-"
    row "End to end, $label: peak RSS" "$p_rss MB" "not measured (no node)" "-"
    if [ -s "$base/runs/pipehost.phases" ]; then phase_table "$n" "$base/runs"; fi
    {
      echo "    $n rows, one line per run: wall_s cpu_s peak_rss_MB rows ok"
      sed 's/^/    pipehost: /' "$base/runs/pipehost.runs"
    } >>"$work/raw-e2e.txt"
    return
  fi
  local n_wall n_cpu n_rss n_rows n_ok
  n_wall=$(column_median "$base/runs/node.runs" 1)
  n_cpu=$(column_median "$base/runs/node.runs" 2)
  n_rss=$(column_median "$base/runs/node.runs" 3)
  n_rows=$(column_set "$base/runs/node.runs" 4)
  n_ok=$(column_set "$base/runs/node.runs" 5)
  row "End to end, $label: wall time (median of $count; alternating runs)" "$(fmt "$p_wall" 2) s" \
    "$(fmt "$n_wall" 2) s" "$(ratio "$n_wall" "$p_wall") faster"
  row "End to end, $label: CPU time, user + sys (median)" "$(fmt "$p_cpu" 2) s" "$(fmt "$n_cpu" 2) s" \
    "$(ratio "$n_cpu" "$p_cpu") less"
  row "End to end, $label: peak RSS (median)" "$p_rss MB" "$n_rss MB" "$(ratio "$n_rss" "$p_rss") less"
  row "End to end, $label: output rows / ok" "$p_rows / $p_ok" "$n_rows / $n_ok" \
    "$([ "$p_rows" = "$n_rows" ] && [ "$p_ok" = "$n_ok" ] && echo same || echo DIFFERENT)"
  if [ -s "$base/runs/pipehost-one-job.runs" ]; then
    local o_wall o_cpu o_rss o_rows o_ok
    o_wall=$(column_median "$base/runs/pipehost-one-job.runs" 1)
    o_cpu=$(column_median "$base/runs/pipehost-one-job.runs" 2)
    o_rss=$(column_median "$base/runs/pipehost-one-job.runs" 3)
    o_rows=$(column_set "$base/runs/pipehost-one-job.runs" 4)
    o_ok=$(column_set "$base/runs/pipehost-one-job.runs" 5)
    local one="$(thousands "$n") rows, pipehost with every row in one job (the baseline's shape)"
    row "End to end, $one: wall time (median of $count)" "$(fmt "$o_wall" 2) s" "$(fmt "$n_wall" 2) s" \
      "$(ratio "$n_wall" "$o_wall") faster"
    row "End to end, $one: CPU time (median)" "$(fmt "$o_cpu" 2) s" "$(fmt "$n_cpu" 2) s" "$(ratio "$n_cpu" "$o_cpu") less"
    row "End to end, $one: peak RSS (median)" "$o_rss MB" "$n_rss MB" "$(ratio "$n_rss" "$o_rss") less"
    if [ "$o_rows" != "$n_rows" ] || [ "$o_ok" != "$n_ok" ]; then
      note "DIFFERENT outputs at $n rows: pipehost (one job) $o_rows rows/$o_ok ok, node $n_rows rows/$n_ok ok"
      e2e_mismatch=1
    fi
  fi
  if [ "$p_rows" != "$n_rows" ] || [ "$p_ok" != "$n_ok" ] || [ "$p_rows" != "$n" ]; then
    note "DIFFERENT outputs at $n rows: pipehost $p_rows rows/$p_ok ok, node $n_rows rows/$n_ok ok"
    e2e_mismatch=1
  fi
  if [ -s "$base/runs/pipehost.phases" ]; then phase_table "$n" "$base/runs"; fi
  {
    echo "    $n rows, one line per run: wall_s cpu_s peak_rss_MB rows ok"
    sed 's/^/    pipehost: /' "$base/runs/pipehost.runs"
    if [ -s "$base/runs/pipehost-one-job.runs" ]; then sed 's/^/    pipehost, one job: /' "$base/runs/pipehost-one-job.runs"; fi
    sed 's/^/    node:     /' "$base/runs/node.runs"
  } >>"$work/raw-e2e.txt"
}

# compare_openai ROWS: one run each, against a fresh emulator: pipehost with openai-batch (batch_size
# BENCH_BATCH_SIZE, 4 jobs in flight) and bench/baseline-node-openai (the official `openai` client,
# whole files, split only at the API's 200 MB per batch file).
compare_openai() {
  local n=$1 base="$work/openai-$1"
  say "OpenAI end to end, $(thousands "$n") rows, one run each"
  make_input "$base/data" "$n"
  local dir="$base/pipehost"
  mkdir -p "$dir"
  start_emulator "$dir"
  pipehost_config "$base/data" "$batch_size" 4 "$BASE_URL" "$CA_FILE" "$dir" openai
  timed "$dir/pipehost.log" "$bin/pipehost" run --plugins "$plugins" --config "$dir/run.json" --no-progress || return 1
  stop_emulator
  local p_wall=$WALL p_cpu=$CPU p_rss=$RSS_MB p_out
  p_out=$(count_output "$dir/out.csv")
  say "pipehost (openai-batch): wall ${p_wall}s cpu ${p_cpu}s peak RSS ${p_rss} MB ($p_out rows/ok)"
  rm -rf "$dir/state" "$dir/emulator"
  local label="$(thousands "$n") rows, OpenAI Batch API (gpt-4.1-mini, chat completions), pipehost openai-batch batch_size $batch_size × 4 jobs in flight"
  if [ "$node_openai_ready" != 1 ]; then
    row "End to end, $label: wall" "$(fmt "$p_wall" 2) s" "not measured (no node)" "-"
    row "End to end, $label: CPU time, user + sys" "$(fmt "$p_cpu" 2) s" "not measured (no node)" "-"
    row "End to end, $label: peak RSS" "$p_rss MB" "not measured (no node)" "-"
    return
  fi
  dir="$base/node"
  mkdir -p "$dir"
  start_emulator "$dir"
  timed "$dir/node.log" env NODE_EXTRA_CA_CERTS="$CA_FILE" node "$node_openai_dir/baseline.mjs" --input "$base/data/songs.csv" \
    --prompt "$base/data/prompt.md" --schema "$base/data/schema.json" --output "$dir/out.csv" --work "$dir/work" \
    --base-url "$BASE_URL/v1" --poll-ms 500 || return 1
  stop_emulator
  local n_out
  n_out=$(count_output "$dir/out.csv")
  say "node (openai client): wall ${WALL}s cpu ${CPU}s peak RSS ${RSS_MB} MB ($n_out rows/ok)"
  row "End to end, $label: wall time (one run)" "$(fmt "$p_wall" 2) s" "$(fmt "$WALL" 2) s" "$(ratio "$WALL" "$p_wall") faster"
  row "End to end, $label: CPU time, user + sys" "$(fmt "$p_cpu" 2) s" "$(fmt "$CPU" 2) s" "$(ratio "$CPU" "$p_cpu") less"
  row "End to end, $label: peak RSS" "$p_rss MB" "$RSS_MB MB" "$(ratio "$RSS_MB" "$p_rss") less"
  row "End to end, $label: output rows / ok" "${p_out/ / / }" "${n_out/ / / }" "$([ "$p_out" = "$n_out" ] && echo same || echo DIFFERENT)"
  if [ "$p_out" != "$n_out" ]; then
    note "DIFFERENT outputs in the OpenAI comparison: pipehost $p_out, node $n_out (rows ok)"
    e2e_mismatch=1
  fi
  {
    echo "    OpenAI, $n rows, one line per run: wall_s cpu_s peak_rss_MB rows ok"
    echo "    pipehost (openai-batch): $p_wall $p_cpu $p_rss $p_out"
    echo "    node (openai client):    $WALL $CPU $RSS_MB $n_out"
  } >>"$work/raw-e2e.txt"
  rm -rf "$dir/work" "$dir/emulator"
}

# instructions ROWS: both clients once under callgrind (all threads of the client process; the
# emulator is not measured). Instruction counts do not depend on the machine's load, so this ratio
# is the noise-free one; wall time under valgrind is meaningless and not reported.
instructions() {
  local n=$1 base="$work/callgrind-$1"
  if ! command -v valgrind >/dev/null; then
    note "valgrind not found: the instruction-count comparison is skipped (apt-get install valgrind)"
    return
  fi
  say "instruction counts (callgrind), $(thousands "$n") rows"
  make_input "$base/data" "$n"
  local p_ir n_ir=""
  mkdir -p "$base/pipehost"
  start_emulator "$base/pipehost"
  pipehost_config "$base/data" "$n" 1 "$BASE_URL" "$CA_FILE" "$base/pipehost"
  valgrind --tool=callgrind --callgrind-out-file="$base/pipehost/callgrind.out" "$bin/pipehost" run \
    --plugins "$plugins" --config "$base/pipehost/run.json" --no-progress >"$base/pipehost/log" 2>&1
  stop_emulator
  p_ir=$(awk '/Collected :/ { print $NF }' "$base/pipehost/log")
  if [ "$node_ready" = 1 ]; then
    mkdir -p "$base/node"
    start_emulator "$base/node"
    env NODE_EXTRA_CA_CERTS="$CA_FILE" valgrind --tool=callgrind --callgrind-out-file="$base/node/callgrind.out" \
      node "$node_dir/baseline.mjs" --input "$base/data/songs.csv" --prompt "$base/data/prompt.md" \
      --schema "$base/data/schema.json" --output "$base/node/out.csv" --work "$base/node/work" \
      --base-url "$BASE_URL" --poll-ms 500 >"$base/node/log" 2>&1
    stop_emulator
    n_ir=$(awk '/Collected :/ { print $NF }' "$base/node/log")
  fi
  local label="Instructions executed, $(thousands "$n") rows end to end (callgrind; client process, all threads)"
  if [ "$node_ready" = 1 ] && [ -z "$n_ir" ]; then
    note "the Node baseline did not finish under callgrind (see $base/node/log)"
    row "$label" "$(fmt "$(awk -v v="$p_ir" 'BEGIN { print v / 1e9 }')" 2) G" "not measured (failed under valgrind)" "-"
  elif [ -n "$n_ir" ]; then
    row "$label" "$(fmt "$(awk -v v="$p_ir" 'BEGIN { print v / 1e9 }')" 2) G" \
      "$(fmt "$(awk -v v="$n_ir" 'BEGIN { print v / 1e9 }')" 2) G" "$(ratio "$n_ir" "$p_ir") fewer"
  else
    row "$label" "$(fmt "$(awk -v v="$p_ir" 'BEGIN { print v / 1e9 }')" 2) G" "not measured (no node)" "-"
  fi
  if command -v callgrind_annotate >/dev/null; then
    {
      echo
      echo "Heaviest functions of pipehost by inclusive instruction count ($(thousands "$n") rows, callgrind):"
      echo
      # (|| true: head closes the pipe early, which pipefail would report.)
      callgrind_annotate --inclusive=yes --threshold=100 "$base/pipehost/callgrind.out" 2>/dev/null |
        grep -E 'pipehost::(ledger|engine|gemini|net|csv|markdown_json|prompt)[a-z_]*::[A-Za-z_:]+\(' |
        grep -v '{lambda' |
        awk '{ ir = $1; pct = $2; $1 = ""; $2 = ""; sub(/^ +/, ""); sub(/^\?\?\?:/, ""); sub(/\(.*$/, "");
               printf "    %-14s %-9s %s\n", ir, pct, $0 }' |
        grep -v -E '::(run_model|ModelRun::run)$' | head -14 || true
    } >>"$work/phases.md"
  fi
  rm -rf "$base/node/work"
}

# column_median FILE COLUMN / column_set FILE COLUMN: the median / the distinct values (joined
# by "/") of a column of a runs file.
column_median() { awk -v c="$2" '{ print $c }' "$1" | median; }
column_set() { awk -v c="$2" '{ print $c }' "$1" | sort -u | paste -sd/; }

# phase_rows PHASES_FILE ROWS: component figures read from pipehost's own one-job end-to-end runs
# (medians).
phase_rows() {
  local f=$1 n=$2 prep upload dl mb bytes
  prep=$(column_median "$f" 1)
  upload=$(column_median "$f" 2)
  dl=$(column_median "$f" 4)
  mb=$(column_median "$f" 6)
  bytes=$(column_median "$f" 7)
  row "JSONL preparation in one-job \`pipehost run\` (start → $(fmt "$mb" 1) MB JSONL written: plugins, CSV read, ledger registration, encoding, write)" \
    "$(fmt "$(awk -v a="$mb" -v b="$prep" 'BEGIN { print a / b }')" 0) MB/s wall ($(fmt "$prep" 2) s)" "-" "-"
  row "Upload in one-job \`pipehost run\` (host HTTP client, TLS, 8 MiB chunks, $(fmt "$mb" 1) MB)" \
    "$(fmt "$(awk -v a="$mb" -v b="$upload" 'BEGIN { print a / b }')" 0) MB/s wall ($(fmt "$upload" 2) s)" "-" "-"
  row "Download + parse in one-job \`pipehost run\` ($(fmt "$(awk -v b="$bytes" 'BEGIN { print b / 1e6 }')" 1) MB responses streamed: decode, parse, ledger)" \
    "$(fmt "$(awk -v a="$bytes" -v b="$dl" 'BEGIN { print a / 1e6 / b }')" 1) MB/s wall, $(thousands "$(awk -v r="$n" -v b="$dl" 'BEGIN { print r / b }')") answers/s ($(fmt "$dl" 2) s)" "-" "-"
}

# phase_table ROWS RUNS_DIR: where the time goes (median seconds per phase) -> phases section.
phase_table() {
  local n=$1 dir=$2
  {
    echo
    echo "$(thousands "$n") rows, both with every row in one batch job (median seconds per phase):"
    echo
    echo "| phase | pipehost | node baseline |"
    echo "|---|---|---|"
    local p=() q=() i
    for i in 1 2 3 4 5; do p[i]=$(column_median "$dir/pipehost.phases" "$i"); done
    if [ -s "$dir/node.phases" ]; then
      for i in 1 2 3 4 5 6 7; do q[i]=$(column_median "$dir/node.phases" "$i"); done
      q[0]=$(awk -v a="${q[1]}" -v b="${q[2]}" 'BEGIN { print a + b }')
      q[8]=$(awk -v a="${q[5]}" -v b="${q[6]}" 'BEGIN { print a + b }')
    else
      q=(- - - - - - - - -)
    fi
    echo "| prepare: start-up, read CSV, build + write JSONL | ${p[1]} | ${q[0]} (read ${q[1]} + JSONL ${q[2]}) |"
    echo "| upload | ${p[2]} | ${q[3]} |"
    echo "| create batch + poll until done | ${p[3]} | ${q[4]} |"
    echo "| download + parse answers | ${p[4]} | ${q[8]} (download ${q[5]} + parse ${q[6]}) |"
    echo "| write output CSV | ${p[5]} | ${q[7]} |"
  } >>"$work/phases.md"
}

# --- run everything --------------------------------------------------------------------------

e2e_mismatch=0
: >"$work/raw-e2e.txt"
: >"$work/phases.md"
only=${BENCH_ONLY:-}
if [ -z "$only" ]; then
  install_node_baseline
  compare "$rows" "$reps"
  if [ "$big_rows" -gt 0 ]; then compare "$big_rows" "$big_reps"; fi
fi
if [ "$openai_rows" -gt 0 ] && { [ -z "$only" ] || [ "$only" = openai ]; }; then
  install_node_openai_baseline
  compare_openai "$openai_rows"
fi
if [ -z "$only" ]; then
  if [ "$callgrind_rows" -gt 0 ]; then instructions "$callgrind_rows"; fi
  bench_csv
  bench_parser
  bench_ledger
  bench_emulator
  bench_gemini
fi

load_end=$(cut -d' ' -f1-3 /proc/loadavg)
{
  echo "# pipehost benchmark results"
  echo
  echo "Written by \`make bench\` (bench/run.sh) on $started, commit $commit. Figures are from this one"
  echo "run; the baseline is bench/baseline-node (the seed pipeline in Node.js with the official"
  echo "@google/genai client), run against the same local emulator in the same run, alternating with"
  echo "pipehost, each run against a freshly started emulator (batches finish after 50 ms). The OpenAI"
  echo "rows compare pipehost's openai-batch provider with bench/baseline-node-openai (the same flow with"
  echo "the official \`openai\` 6.x client), one run each."
  echo
  echo "| figure | value | baseline | ratio |"
  echo "|---|---|---|---|"
  cat "$table"
  echo
  echo "## Machine"
  echo
  echo "- CPU: $cpu_model, $cores cores; memory $memory"
  echo "- load average at start: $load_start; at end: $load_end"
  echo "- kernel: $kernel"
  echo "- compiler: $compiler ($build_type build); node $node_version"
  echo
  echo "## How to read it"
  echo
  echo "- Wall times on a shared, loaded machine are noisy: compare the ratios (both sides measured in"
  echo "  the same run, alternating) and CPU time (user + sys of the client process, /usr/bin/time -v),"
  echo "  which the load affects much less. Component rates say whether they are per wall second or"
  echo "  per CPU-second."
  echo "- Peak RSS is \"Maximum resident set size\" from /usr/bin/time -v of the client process (the"
  echo "  emulator's own memory is not included)."
  echo "- End-to-end input: examples/songs/songs.csv repeated to the row count, examples/songs/prompt.md"
  echo "  as the system instruction (16.6 KB, used as is), examples/songs/schema.json as the response schema."
  if [ -s "$notes" ]; then
    echo
    echo "## Notes"
    echo
    cat "$notes"
  fi
  echo
  echo "## Where the time goes (end to end)"
  echo
  echo "pipehost phases come from its debug log (HTTP call durations, phase log lines), the baseline's"
  echo "from the phase lines it prints on stderr. The far end (the emulator) does the same work for both:"
  echo "it receives the same bytes, processes the batch and serves the responses."
  cat "$work/phases.md"
  echo
  echo "## Raw end-to-end runs"
  echo
  cat "$work/raw-e2e.txt"
} >"$out"
say "wrote $out"
cat "$out"

if [ "${BENCH_KEEP:-0}" != 1 ]; then rm -rf "$work"; fi
exit "$e2e_mismatch"
