#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Trains the sample model on a CUDA machine: configures a Qt-free build against the CUDA LibTorch of the
# local PyTorch, builds only glvq-train, and runs scripts/train_model.sh on the GPU. Needs the token files of
# make_sample.sh's "tokens" stage in sample_data/.work/ (train.u16, valid.u16): copy them over when training
# on another machine. Tested on Ubuntu 24.04, cmake 4, CUDA 13, pip torch 2.11 (see README.md here).
# Usage: sample_data/train_gpu.sh OUT_DIR [extra glvq-train options]
# Environment: GLVQ_TRAIN_BUILD_DIR (default <repo>/build-train), CUDA_HOME (default /usr/local/cuda),
#              PYTHON (a python3 with torch), TORCH_CMAKE_PREFIX (skip the python lookup), GLVQ_TRAIN_DEVICE
#              (default cuda), and train_model.sh's GLVQ_TRAIN_STEPS / GLVQ_TRAIN_SECONDS.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
if [[ $# -lt 1 ]]; then
  echo "usage: $0 OUT_DIR [extra glvq-train options]" >&2
  exit 2
fi
out=$(realpath -m "$1")
shift
build=${GLVQ_TRAIN_BUILD_DIR:-$repo/build-train}
for f in "$repo/sample_data/.work/train.u16" "$repo/sample_data/.work/valid.u16"; do
  [[ -f $f ]] || { echo "train_gpu.sh: $f missing: run sample_data/make_sample.sh --until tokens first" >&2; exit 1; }
done

# Torch's CMake config enables CUDA and checks nvcc against the toolkit it finds: point both at one toolkit.
cuda_home=${CUDA_HOME:-/usr/local/cuda}
if [[ -x $cuda_home/bin/nvcc ]]; then
  export PATH=$cuda_home/bin:$PATH CUDAToolkit_ROOT=$cuda_home
fi
torch_prefix=${TORCH_CMAKE_PREFIX:-}
if [[ -z $torch_prefix ]]; then
  for py in "${PYTHON:-}" python3 /opt/torch/.venv/bin/python; do
    [[ -n $py ]] && command -v "$py" >/dev/null 2>&1 || continue
    torch_prefix=$("$py" -c 'import torch; print(torch.utils.cmake_prefix_path)' 2>/dev/null) && break
    torch_prefix=""
  done
fi
[[ -n $torch_prefix ]] || { echo "train_gpu.sh: no python with torch found (set PYTHON or TORCH_CMAKE_PREFIX)" >&2; exit 1; }
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || true

generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
set -x
cmake -S "$repo" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
  -DGLVQ_BUILD_GUI=OFF -DGLVQ_CUDA=OFF -DGLVQ_BUILD_TESTS=OFF -DGLVQ_BUILD_BENCH=OFF -DGLVQ_BUILD_TRAINER=ON \
  -DCMAKE_PREFIX_PATH="$torch_prefix" -DTORCH_CUDA_ARCH_LIST="8.0;9.0" >/dev/null
cmake --build "$build" -j "${JOBS:-$(nproc)}" --target glvq-train
"$repo/sample_data/scripts/train_model.sh" "${GLVQ_TRAIN_DEVICE:-cuda}" "$build/tools/trainer/glvq-train" "$out" "$@"
