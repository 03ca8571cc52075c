#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The size benchmark of issue #5: bits per weight of an exported debian-llama-16m at 2 bits with d = 8,
# counting everything in the file, part by part (codes, each kind of side information, full-precision tensors,
# the rest). Usage: bench/export_size.sh [BUILD_DIR] [extra glvq quantize options, e.g. --iterations 50]
# Environment: GLVQ_MODEL, GLVQ_CALIB, GLVQ_TEXT override the fixture paths; GLVQ_HESSIAN_CACHE (default
# BUILD_DIR/hessian-cache) keeps the calibration statistics between runs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
shift || true
fixtures=$root/../shared/fixtures
model=${GLVQ_MODEL:-$fixtures/debian-llama-16m}
calib=${GLVQ_CALIB:-$fixtures/calib.txt}
text=${GLVQ_TEXT:-$fixtures/eval_austen.txt}
out=$build/bench-export/$(basename "$model")-glvq-2bit-d8.h5
mkdir -p "$(dirname "$out")"

echo "\$ glvq quantize $(basename "$model") --method glvq --bits 2 --dim 8 --out $out --force $*"
"$build/app/cli/glvq" quantize "$model" --calib "$calib" --method glvq --bits 2 --dim 8 --eval-text "$text" \
  --eval-max-windows 8 --hessian-cache "${GLVQ_HESSIAN_CACHE:-$build/hessian-cache}" --out "$out" --force --quiet "$@" \
  | grep -E '^(bits/weight|quantized )'
echo
/usr/bin/python3 "$root/tools/export_breakdown.py" "$out"
