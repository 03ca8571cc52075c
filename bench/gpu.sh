#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# GLVQ CUDA kernels on a GPU machine in one command: configure (no Qt, CUDA LibTorch), build the kernel
# tests and benches, run the tests, then the GPU bench (table on stdout, and in RESULTS.md if given) and the
# CPU reference bench. Meant for the H100 build machine of docs/kernels.md (Ubuntu 24.04, cmake 4, CUDA 13,
# pip torch); works on any Linux box with an NVIDIA GPU, nvcc and a LibTorch.
#
# Usage: bench/gpu.sh [RESULTS.md] [-- extra bench_kernels_gpu arguments, e.g. --quick or --iters 500]
# Environment: GLVQ_SKIP_DECODE_BENCH (set: no whole-model decoding or CLI runs), GLVQ_SKIP_LEARNING_BENCH (set: no
#              4096 × 11008 learning bench, CPU vs CUDA), GLVQ_GPU_BUILD_DIR (default <repo>/build-gpu), CUDA_HOME (default /usr/local/cuda),
#              GLVQ_CUDA_ARCHS (default "80;90"; "90" halves the build on an H100),
#              PYTHON (a python3 with torch), TORCH_CMAKE_PREFIX (skip the python lookup), JOBS.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build=${GLVQ_GPU_BUILD_DIR:-$repo/build-gpu}
results=""
if [[ $# -gt 0 && $1 != "--" ]]; then
  results=$(realpath -m "$1")
  shift
fi
[[ ${1:-} == "--" ]] && shift
bench_args=("$@")

cuda_home=${CUDA_HOME:-/usr/local/cuda}
if [[ ! -x $cuda_home/bin/nvcc ]]; then
  echo "gpu.sh: no nvcc at $cuda_home/bin/nvcc (set CUDA_HOME)" >&2
  exit 1
fi
# Torch's cuda.cmake enables CUDA and checks nvcc against the toolkit it finds: point both at one toolkit.
export PATH=$cuda_home/bin:$PATH
export CUDAToolkit_ROOT=$cuda_home
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true

torch_prefix=${TORCH_CMAKE_PREFIX:-}
if [[ -z $torch_prefix ]]; then
  for py in "${PYTHON:-}" python3 /opt/torch/.venv/bin/python; do
    if [[ -z $py ]] || ! command -v "$py" >/dev/null 2>&1; then
      continue
    fi
    if torch_prefix=$("$py" -c 'import torch; print(torch.utils.cmake_prefix_path)' 2>/dev/null); then
      echo "gpu.sh: torch from $py: $torch_prefix"
      break
    fi
    torch_prefix=""
  done
fi
if [[ -z $torch_prefix ]]; then
  echo "gpu.sh: no python with torch found (set PYTHON or TORCH_CMAKE_PREFIX)" >&2
  exit 1
fi

generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
jobs=${JOBS:-$(nproc)}
archs=${GLVQ_CUDA_ARCHS:-80;90}
torch_archs=$(echo "$archs" | sed -E 's/([0-9])([0-9])/\1.\2/g')

set -x
cmake -S "$repo" -B "$build" "${generator[@]}" \
  -DCMAKE_BUILD_TYPE=Release \
  -DGLVQ_BUILD_GUI=OFF \
  -DGLVQ_CUDA=ON \
  -DCMAKE_CUDA_COMPILER="$cuda_home/bin/nvcc" \
  -DCMAKE_CUDA_ARCHITECTURES="$archs" \
  -DCUDAToolkit_ROOT="$cuda_home" \
  -DCMAKE_PREFIX_PATH="$torch_prefix" \
  -DTORCH_CUDA_ARCH_LIST="$torch_archs"
cmake --build "$build" -j "$jobs" --target test_kernels test_kernels_cuda bench_kernels_gpu bench_kernels_cpu \
  glvq test_fused_inference test_model bench_decode test_quant_glvq bench_glvq_layer
set +x

tests_ok=1
ctest --test-dir "$build" -R '^test_kernels(_cuda)?$' --output-on-failure || tests_ok=0
# The quantized model on the fused CUDA kernels: logits and greedy tokens against the CPU model. These suites
# read ../shared/fixtures (debian-llama-16m); a GPU machine without them runs the sample-model checks below.
if [[ -d $repo/../shared/fixtures/debian-llama-16m ]]; then
  "$build/tests/pipeline/test_fused_inference" --gtest_brief=1 || tests_ok=0
  "$build/tests/model/test_model" --gtest_brief=1 --gtest_filter='*KvCache*' || tests_ok=0
else
  echo "gpu.sh: no ../shared/fixtures here: test_fused_inference and the KV-cache test not run"
fi
# GLVQ learning on CUDA (issue #6 item 3): GPU vs CPU quality, determinism, bit-exact decode. These tests skip
# without a CUDA device; on the GPU machine a skip means the LibTorch found has no CUDA, which is a failure here.
glvq_cuda_log="$build/test_glvq_cuda.log"
"$build/tests/quant/glvq/test_quant_glvq" --gtest_filter='GlvqCuda*' >"$glvq_cuda_log" 2>&1 || tests_ok=0
grep -E '^\[ *(OK|FAILED|SKIPPED|PASSED) *\]' "$glvq_cuda_log" || true
if grep -q 'SKIPPED' "$glvq_cuda_log"; then
  echo "gpu.sh: GLVQ CUDA learning tests skipped: this LibTorch sees no CUDA device" >&2
  tests_ok=0
fi
# The kernel CUDA suite skips (and passes) without a device: make a skipped GPU run visible.
"$build/tests/kernels/test_kernels_cuda" --gtest_brief=1 | grep -E 'SKIPPED|PASSED|FAILED' || true

bench_ok=1
if [[ -n $results ]]; then
  "$build/bench/bench_kernels_gpu" --markdown "$results" "${bench_args[@]}" || bench_ok=0
else
  "$build/bench/bench_kernels_gpu" "${bench_args[@]}" || bench_ok=0
fi
"$build/bench/bench_kernels_cpu" 5

# Whole-model batch-1 decoding (issue #6 item 4): Llama shapes with synthetic GLVQ layers on the fused kernels
# vs the same model in dense fp16 (cuBLAS); then the CLI on a real export of the sample model.
if [[ -z ${GLVQ_SKIP_DECODE_BENCH:-} ]]; then
  for args in "--shape llama2-7b --bits 2" "--shape llama2-7b --bits 4" "--shape llama2-7b --bits 2 --companding 1" \
              "--shape llama2-70b-layers --layers 8 --bits 2"; do
    echo "+ bench_decode $args"
    # shellcheck disable=SC2086
    "$build/bench/bench_decode" --device cuda $args || bench_ok=0
  done
  sample_h5="$build/sample-glvq2.h5"
  "$build/app/cli/glvq" quantize "$repo/sample_data/model" --device cuda --calib "$repo/sample_data/texts/calibration.txt" \
    --bits 2 --samples 32 --ctx 256 --iterations 30 --eval-text "$repo/sample_data/texts/persuasion.txt" \
    --eval-max-windows 4 --out "$sample_h5" --force --quiet || bench_ok=0
  "$build/app/cli/glvq" bench "$sample_h5" --device cuda --kernels fused --prompt 128 --tokens 128 --quiet || bench_ok=0
  "$build/app/cli/glvq" eval "$sample_h5" --device cuda --kernels fused --text "$repo/sample_data/texts/persuasion.txt" \
    --ctx 512 --max-windows 16 --quiet || bench_ok=0
  "$build/app/cli/glvq" eval "$sample_h5" --device cpu --kernels decoded --text "$repo/sample_data/texts/persuasion.txt" \
    --ctx 512 --max-windows 16 --quiet || bench_ok=0
fi

# One 4096 × 11008 layer at 2 bits, d = 8, learned on the CPU and on CUDA (same inputs, same options).
if [[ -z ${GLVQ_SKIP_LEARNING_BENCH:-} ]]; then
  "$build/bench/bench_glvq_layer" --device both --no-gaussian || bench_ok=0
fi

if [[ $tests_ok == 0 || $bench_ok == 0 ]]; then
  echo "gpu.sh: FAILED (tests ok: $tests_ok, bench ok: $bench_ok)" >&2
  exit 1
fi
echo "gpu.sh: all kernel tests passed${results:+; results in $results}"
