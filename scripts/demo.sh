#!/usr/bin/env bash
# The songs example end to end against the local emulator: 200 songs classified through the
# Gemini Batch API wire protocol over verified TLS, every call logged to the BrainTrust emulator.
# Usage: scripts/demo.sh [BUILD_DIR] [OUT_DIR]
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
out=${2:-$build/demo}
config="$root/examples/songs/run.json"

rm -rf "$out"
mkdir -p "$out"

# Throwaway keys: the emulator accepts exactly these. Real keys are never needed for the demo.
export GEMINI_API_KEY="demo-gemini-key-$$"
export BRAINTRUST_API_KEY="demo-braintrust-key-$$"

"$build/bin/pipehost-emulator" --port 0 --state-dir "$out/emulator" >"$out/emulator.log" 2>&1 &
emulator=$!
trap 'kill $emulator 2>/dev/null; wait $emulator 2>/dev/null || true' EXIT

for _ in $(seq 1 100); do
  grep -q '^ca_file: ' "$out/emulator.log" 2>/dev/null && break
  kill -0 $emulator 2>/dev/null || { cat "$out/emulator.log" >&2; echo "demo: the emulator did not start" >&2; exit 3; }
  sleep 0.05
done
url=$(sed -n 's/^listening on //p' "$out/emulator.log")
ca=$(sed -n 's/^ca_file: //p' "$out/emulator.log")
echo "emulator: $url (certificate $ca)"
echo

"$build/bin/pipehost" run --plugins "$build/plugins" --config "$config" \
  --set "provider.base_url=$url" --set "provider.ca_file=$ca" --set provider.poll_interval_s=0.2 \
  --set "loggers.0.api_url=$url" --set "loggers.0.app_url=$url" --set "loggers.0.ca_file=$ca" \
  --set "loggers.1.path=$out/calls.jsonl" \
  --set "sinks.0.path=$out/songs-classified.csv" --set "run.state_dir=$out/state" && status=0 || status=$?

if [ "$status" -ne 0 ] && [ "$status" -ne 1 ]; then
  echo "demo: pipehost failed with exit code $status" >&2
  exit "$status"
fi

echo
echo "First rows of $out/songs-classified.csv:"
head -n 4 "$out/songs-classified.csv" | cut -c1-220
echo
echo "Run summary: $out/state/summary.json"
echo "Run report (open it in a browser): $out/state/report.html"
echo "Every call, as logged: $out/calls.jsonl (and in the emulator's BrainTrust project)"
echo
echo "Against the real services (keys from the environment only):"
echo "  GEMINI_API_KEY=... BRAINTRUST_API_KEY=... $build/bin/pipehost --plugins $build/plugins --config examples/songs/run.json"
exit 0
