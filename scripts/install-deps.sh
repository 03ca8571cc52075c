#!/usr/bin/env bash
# Installs the Debian 12 packages GLVQ Studio builds and tests with. Idempotent: when nothing is missing it
# does not touch apt at all.
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config ccache
  libtorch-dev libopenblas0-pthread libeigen3-dev libhdf5-dev nlohmann-json3-dev libpcre2-dev libgtest-dev
  qt6-base-dev qt6-base-dev-tools qt6-charts-dev qt6-svg-dev libxkbcommon-dev
  xvfb xauth python3-h5py python3-numpy
)
# libopenblas0-pthread: without it Debian points libblas.so.3 at the single-threaded reference BLAS and
# every matrix product in libtorch runs about 10x slower.

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#packages[@]} packages present, apt not needed"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
