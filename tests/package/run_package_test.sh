#!/usr/bin/env bash
# The packages as a user gets them (`make test-package`; issue 18):
#  - the tarball, unpacked into a temporary folder, is one folder pipehost-<version>/ whose
#    `bin/pipehost --plugins plugins/ --config examples/songs/run.json` classifies the 200 songs against
#    the emulator from its own bin/, finds its plugins by itself from anywhere, is stripped, and whose
#    SDK (include/, lib/cmake/) builds examples/echo-provider;
#  - the .deb, extracted (not installed), holds the install layout under /usr, declares in Depends the
#    package of every shared library its binaries and plugins need, and its pipehost lists every plugin.
# Usage: tests/package/run_package_test.sh PACKAGES_DIR   (exits non-zero on any failure)
set -euo pipefail

packages=$(cd "${1:?usage: $0 PACKAGES_DIR}" && pwd)
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
emulator=
cleanup() {
  if [ -n "$emulator" ]; then kill "$emulator" 2>/dev/null || true; wait "$emulator" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "package test: FAIL: $*" >&2
  exit 1
}
step() { echo "package test: $*"; }

# The plugins every package ships.
plugins=(anthropic-batch braintrust-log csv-io gemini-batch json-io jsonl-log markdown-json-parser openai-batch prompt-template)

# Every plugin name appears in a `pipehost plugins` listing.
expect_all_plugins() {
  local listing=$1 where=$2
  for p in "${plugins[@]}"; do
    grep -q "^$p " <<<"$listing" || fail "$where: plugin $p not listed:"$'\n'"$listing"
  done
}

expect_stripped() {
  local description
  description=$(file -L "$1")
  case "$description" in
    *"not stripped"* | *"with debug_info"*) fail "$1 is not stripped: $description" ;;
    *ELF*) ;;
    *) fail "$1 is not an ELF file: $description" ;;
  esac
}

# The Debian package that installed a library file, whichever of its names (/lib or /usr/lib, a
# symbolic link or the file it points to) dpkg recorded.
package_owning() {
  local candidate real
  real=$(readlink -f "$1")
  for candidate in "$1" "$real" "${1#/usr}" "/usr$1" "${real#/usr}"; do
    if dpkg -S "$candidate" >/dev/null 2>&1; then
      # Read all of dpkg's answer: a reader that stops early (head) makes it die of SIGPIPE, which
      # pipefail turns into a failure once the answer outgrows the pipe's buffer.
      dpkg -S "$candidate" | awk -F: 'NR == 1 {print $1}'
      return 0
    fi
  done
  return 1
}

one_file() {
  local matches=("$packages"/$1)
  [ ${#matches[@]} -eq 1 ] && [ -f "${matches[0]}" ] || fail "expected exactly one $1 in $packages, found: ${matches[*]}"
  echo "${matches[0]}"
}

# --- the tarball ------------------------------------------------------------------------------
tarball=$(one_file 'pipehost-*-Linux-x86_64.tar.gz')
version=$(basename "$tarball" | sed -E 's/^pipehost-(.*)-Linux-x86_64\.tar\.gz$/\1/')
step "unpacking $(basename "$tarball") ($(du -h "$tarball" | cut -f1))"
mkdir "$work/unpacked"
tar -xzf "$tarball" -C "$work/unpacked"
[ "$(ls "$work/unpacked")" = "pipehost-$version" ] || fail "the tarball does not unpack to one folder pipehost-$version/: $(ls "$work/unpacked")"
top="$work/unpacked/pipehost-$version"
for path in bin/pipehost bin/pipehost-emulator include/pipehost/sdk.hpp \
  lib/cmake/pipehost/pipehostConfig.cmake lib/cmake/pipehost/PipehostPlugin.cmake \
  examples/songs/run.json examples/songs/songs.csv examples/json-sink/run.json examples/songs-openai/run.json examples/songs-anthropic/run.json examples/echo-provider/CMakeLists.txt \
  docs/user-guide.md README.md; do
  [ -e "$top/$path" ] || fail "the tarball has no $path"
done
for p in "${plugins[@]}"; do
  [ -f "$top/plugins/pipehost-$p.so" ] || fail "the tarball has no plugins/pipehost-$p.so"
done
for path in lib/pipehost share; do
  [ ! -e "$top/$path" ] || fail "the tarball still has the installed layout's $path/"
done
for binary in "$top"/bin/* "$top"/plugins/*.so; do expect_stripped "$binary"; done

step "bin/pipehost finds plugins/ by itself, wherever it is started from"
expect_all_plugins "$(cd / && "$top/bin/pipehost" plugins)" "pipehost plugins (from /)"
expect_all_plugins "$(cd "$top" && bin/pipehost plugins --plugins plugins/)" "pipehost plugins --plugins plugins/"

step "a folder without plugin libraries says where they are"
set +e
slip=$(cd "$top" && bin/pipehost plugins --plugins examples/ 2>&1)
status=$?
set -e
[ $status -eq 2 ] || fail "--plugins examples/ exited $status, expected 2: $slip"
grep -q "examples/ holds no pipehost plugin libraries (\*.so); after \`make build\` they are in build/plugins" <<<"$slip" ||
  fail "--plugins examples/ did not say where the plugins are: $slip"

step "the songs example against the emulator: bin/pipehost --plugins plugins/ --config examples/songs/run.json"
export GEMINI_API_KEY="package-test-gemini-key-$$" BRAINTRUST_API_KEY="package-test-braintrust-key-$$"
"$top/bin/pipehost-emulator" --port 0 --state-dir "$work/emulator" >"$work/emulator.log" 2>&1 &
emulator=$!
for _ in $(seq 1 200); do
  grep -q '^ca_file: ' "$work/emulator.log" 2>/dev/null && break
  kill -0 "$emulator" 2>/dev/null || fail "the emulator did not start: $(cat "$work/emulator.log")"
  sleep 0.05
done
url=$(sed -n 's/^listening on //p' "$work/emulator.log")
ca=$(sed -n 's/^ca_file: //p' "$work/emulator.log")
[ -n "$url" ] && [ -n "$ca" ] || fail "no URL or CA file from the emulator: $(cat "$work/emulator.log")"
(
  cd "$top"
  bin/pipehost --plugins plugins/ --config examples/songs/run.json --no-progress \
    --set "provider.base_url=$url" --set "provider.ca_file=$ca" --set provider.poll_interval_s=0.2 \
    --set "loggers.0.api_url=$url" --set "loggers.0.app_url=$url" --set "loggers.0.ca_file=$ca"
) >"$work/run.log" 2>&1 || fail "the songs run failed (exit $?):"$'\n'"$(cat "$work/run.log")"
output="$top/examples/songs/out/songs-classified.csv"
[ -f "$output" ] || fail "no $output"
header=$(head -n 1 "$output")
[ "$header" = "artist,song,person,name,n,primary_genre,subgenres,energy,mood,accessibility,era,reasoning,context,_status,_error" ] ||
  fail "unexpected output columns: $header"
# Count rows with the packaged csv-io and json-io (CSV fields may hold line breaks): a copy run.
cat >"$work/count.json" <<JSON
{"source": {"plugin": "csv-io", "path": "$output"},
 "sinks": [{"plugin": "json-io", "path": "$work/rows.jsonl", "format": "jsonl"}]}
JSON
"$top/bin/pipehost" run --no-progress --config "$work/count.json" >/dev/null 2>&1 || fail "could not read back $output"
rows=$(wc -l <"$work/rows.jsonl")
ok=$(grep -c '"_status":"ok","_error":""}$' "$work/rows.jsonl" || true)
[ "$rows" -eq 200 ] || fail "the output has $rows rows, expected 200"
[ "$ok" -eq 200 ] || fail "$ok of 200 rows are ok"
grep -q '"primary_genre":"[^"]' "$work/rows.jsonl" || fail "no AI column was filled: $(head -n 1 "$work/rows.jsonl")"
[ "$(wc -l <"$top/examples/songs/out/calls.jsonl")" -eq 200 ] || fail "calls.jsonl does not hold 200 calls"

step "pipehost init --from a CSV, then validate what it wrote"
"$top/bin/pipehost" init --from "$top/examples/songs/songs.csv" "$work/job" >/dev/null || fail "init failed"
"$top/bin/pipehost" validate "$work/job/run.json" >"$work/validate.log" 2>&1 ||
  fail "validate failed on what init wrote: $(cat "$work/validate.log")"
grep -q "input: 200 rows, 5 columns" "$work/validate.log" || fail "validate: $(cat "$work/validate.log")"

step "the SDK in the tarball builds examples/echo-provider, and pipehost loads it"
cmake -S "$top/examples/echo-provider" -B "$work/echo" -DCMAKE_PREFIX_PATH="$top" >"$work/echo.log" 2>&1 &&
  cmake --build "$work/echo" >>"$work/echo.log" 2>&1 || fail "building echo-provider failed: $(cat "$work/echo.log")"
grep -q "^echo-provider " <<<"$("$top/bin/pipehost" plugins --plugins "$top/plugins" --plugins "$work/echo")" ||
  fail "echo-provider built against the tarball's SDK is not listed"

# --- the .deb ------------------------------------------------------------------------------------
deb=$(one_file 'pipehost_*_amd64.deb')
step "extracting $(basename "$deb") ($(du -h "$deb" | cut -f1))"
[ "$(dpkg-deb -f "$deb" Package)" = pipehost ] || fail "the .deb's Package is not pipehost"
[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] || fail "the .deb's Version is not $version"
depends=$(dpkg-deb -f "$deb" Depends)
echo "package test:   Depends: $depends"
# One package name a line: alternatives split, version constraints dropped.
depends_names=$(tr ',|' '\n\n' <<<"$depends" | sed -E 's/\(.*\)//; s/:any$//; s/^ +//; s/ +$//')
dpkg-deb -x "$deb" "$work/deb"
root="$work/deb/usr"
for path in bin/pipehost bin/pipehost-emulator include/pipehost/sdk.hpp lib/cmake/pipehost/pipehostConfig.cmake \
  share/pipehost/examples/songs/run.json share/doc/pipehost/user-guide.md; do
  [ -e "$root/$path" ] || fail "the .deb has no /usr/$path"
done
for p in "${plugins[@]}"; do
  [ -f "$root/lib/pipehost/plugins/pipehost-$p.so" ] || fail "the .deb has no /usr/lib/pipehost/plugins/pipehost-$p.so"
done
# Every shared library any binary or plugin needs comes from a package the .deb depends on.
# The linker's cache, read once and in full (see package_owning on early readers and pipefail).
linker_cache=$(ldconfig -p)
needed=$(for f in "$root"/bin/* "$root"/lib/pipehost/plugins/*.so; do
  readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'
done | sort -u)
for library in $needed; do
  path=$(awk -v lib="$library" '$1 == lib && /x86-64/ && !found {print $NF; found = 1}' <<<"$linker_cache")
  [ -n "$path" ] || fail "$library (needed by the .deb's binaries) is not installed here"
  owner=$(package_owning "$path") || fail "no installed package owns $path (for $library)"
  # The package itself, or a name it provides (libspdlog1.10 provides libspdlog1.10-fmt9, which its
  # shlibs file tells dpkg-shlibdeps to depend on).
  names=("$owner")
  IFS=', ' read -r -a provided <<<"$(dpkg-query -W -f='${Provides}' "$owner" | sed -E 's/ *\([^)]*\)//g')"
  names+=("${provided[@]}")
  declared=
  for name in "${names[@]}"; do
    [ -n "$name" ] && grep -Fxq "$name" <<<"$depends_names" && declared=$name
  done
  [ -n "$declared" ] || fail "Depends names neither ${names[*]} (for $library): $depends"
done
expect_all_plugins "$(cd / && "$root/bin/pipehost" plugins)" "the .deb's pipehost plugins"
cp -r "$root/share/pipehost/examples/songs" "$work/songs-copy"
"$root/bin/pipehost" validate "$work/songs-copy/run.json" >"$work/deb-validate.log" 2>&1 ||
  fail "the .deb's pipehost cannot validate its songs example: $(cat "$work/deb-validate.log")"

step "apt resolves the .deb's Depends: apt-get --simulate install ./$(basename "$deb")"
apt-get --simulate install "$deb" >"$work/apt-simulate.log" 2>&1 ||
  fail "apt cannot install the .deb: $(cat "$work/apt-simulate.log")"
grep -q '^Inst pipehost ' "$work/apt-simulate.log" || fail "apt would not install pipehost: $(cat "$work/apt-simulate.log")"

# A real install changes the machine, so it runs only where asked (.ci/run, on a throwaway machine)
# and as root; it is removed again whatever happens.
if [ "${PIPEHOST_PACKAGE_TEST_INSTALL:-0}" = 1 ] && [ "$(id -u)" -ne 0 ]; then
  step "not installing the .deb: apt-get install needs root (running as uid $(id -u))"
elif [ "${PIPEHOST_PACKAGE_TEST_INSTALL:-0}" = 1 ]; then
  [ ! -e /usr/bin/pipehost ] || fail "/usr/bin/pipehost exists already: not installing over it"
  step "apt-get install ./$(basename "$deb"), then the installed pipehost runs the songs example"
  remove_package() { apt-get remove -y pipehost >>"$work/apt-install.log" 2>&1 || true; }
  trap 'remove_package; cleanup' EXIT
  apt-get install -y --no-install-recommends "$deb" >"$work/apt-install.log" 2>&1 ||
    fail "apt-get install failed: $(cat "$work/apt-install.log")"
  expect_all_plugins "$(cd / && pipehost plugins)" "the installed pipehost plugins"
  cp -r /usr/share/pipehost/examples/songs "$work/songs-installed"
  (
    cd "$work/songs-installed"
    pipehost --config run.json --no-progress \
      --set "provider.base_url=$url" --set "provider.ca_file=$ca" --set provider.poll_interval_s=0.2 \
      --set "loggers.0.api_url=$url" --set "loggers.0.app_url=$url" --set "loggers.0.ca_file=$ca"
  ) >"$work/installed-run.log" 2>&1 || fail "the installed songs run failed:"$'\n'"$(cat "$work/installed-run.log")"
  grep -q "rows: 200 total, 200 ok" "$work/installed-run.log" || fail "$(cat "$work/installed-run.log")"
  remove_package
  [ ! -e /usr/bin/pipehost ] || fail "apt-get remove left /usr/bin/pipehost"
fi

step "ok: $(basename "$tarball") and $(basename "$deb")"
