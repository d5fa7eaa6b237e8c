#!/usr/bin/env bash
# Installs the Debian 12 packages morel needs to build and test, and only the
# ones that are missing, without prompts. Safe to run again and again.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libprotobuf-dev protobuf-compiler
  libdnnl-dev libonnx-dev
  libstb-dev nlohmann-json3-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev
)
# Python is only needed to regenerate fixtures (tests/fixtures/generate_*.py).
if [ "${MOREL_FIXTURE_TOOLS:-0}" = 1 ]; then
  packages+=(python3-numpy python3-torch python3-onnx)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing missing packages: ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
