#!/usr/bin/env bash
# Installs the Debian packages pipehost builds with, when they are missing.
# As root it runs apt-get itself; otherwise it prints the exact command and fails.
set -euo pipefail

packages=(
  cmake g++ make pkg-config ccache
  libboost1.81-dev libboost-program-options1.81-dev libboost-json1.81-dev libboost-filesystem1.81-dev
  libspdlog-dev libfmt-dev libssl-dev libsqlite3-dev sqlite3
  libgtest-dev libgmock-dev
  openssl ca-certificates
  time
  dpkg-dev file  # make package: CPack's .deb runs dpkg-shlibdeps on what `file` says is ELF
  chromium fonts-dejavu-core  # the report's browser test
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# chromium (with a font) opens the run report in the browser test (tests/report/browser_test.cpp).
# Node.js runs the official-client conformance tests, the browser test and the benchmark baseline. Any install will
# do (Debian's, or NodeSource's, which bundles npm), so check the commands, not the packages.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

cmd="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "pipehost needs these Debian packages: ${missing[*]}" >&2
  echo "Run as root:  $cmd" >&2
  exit 1
fi

echo "Installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
