#!/usr/bin/env bash
# The test command: installs what is missing, builds, and runs the whole test suite under ctest.
# The reference fixtures must sit in ../shared/fixtures beside the checkout; tests fail without them.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh" "$root/build"
cd "$root/build"
ctest --output-on-failure -j"$(nproc)"
