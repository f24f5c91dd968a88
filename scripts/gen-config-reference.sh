#!/usr/bin/env bash
# Writes docs/config-reference.md from the plugins' own config schemas, so the reference never
# drifts from the code. Usage: scripts/gen-config-reference.sh [BUILD_DIR] > docs/config-reference.md
# (tests/docs checks the committed file is current).
set -euo pipefail
build=${1:-build}
pipehost="$build/bin/pipehost"
plugins="$build/plugins"

cat <<'HEADER'
# Config reference

Generated from each plugin's config schema by `scripts/gen-config-reference.sh`; do not edit by hand.
`pipehost plugins NAME` prints the same for any installed plugin, including your own.

Every stage section also has `"plugin": "<name>"`. Relative paths (type "path") resolve against the
config file's folder; type "secret env var" is the NAME of an environment variable holding a key,
which must be set. Provider and logger sections also take keys that pipehost itself reads whatever the
plugin (the engine keys `mode`, `batch_size`, ... and `allow_insecure_http`; loggers also `required`):
each plugin below lists them after its own. The config also has a `run` section (`state_dir`, `max_attempts`, `allow_duplicate_keys`, `prices`, `give_up_after_s`,
`report`: whether to write `report.html` at the end of every run, default true): see
[the user guide](user-guide.md#the-config-file).
HEADER

for name in $("$pipehost" plugins --plugins "$plugins" | tail -n +2 | awk '{print $1}'); do
  echo
  # Skip the "File:" line: it is where this build keeps the library, not part of the reference.
  "$pipehost" plugins "$name" --plugins "$plugins" |
    sed -e '/^File: /d' -e 's/^# /## /' -e 's/^## \(source\|sink\|request\|provider\|parser\|logger\)$/### \1/'
done | cat -s
