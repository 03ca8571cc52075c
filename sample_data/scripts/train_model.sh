#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The sample model's training run, in one place for the CPU and the GPU path: hyperparameters, seed, data.
# Usage: train_model.sh cpu|cuda TRAINER_BINARY OUT_DIR [extra glvq-train options]
# Environment: GLVQ_TRAIN_STEPS (default: the step count of the published run), GLVQ_TRAIN_SECONDS (train
# for a wall-clock budget instead; steps are then fixed after a timing probe), GLVQ_TRAIN_THREADS (CPU).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
if [[ $# -lt 3 ]]; then
  echo "usage: $0 cpu|cuda TRAINER_BINARY OUT_DIR [extra glvq-train options]" >&2
  exit 2
fi
device=$1 trainer=$2 out=$3
shift 3

length=()
if [[ -n ${GLVQ_TRAIN_SECONDS:-} ]]; then
  length=(--time-budget "$GLVQ_TRAIN_SECONDS")
else
  length=(--steps "${GLVQ_TRAIN_STEPS:-2000}")
fi
threads=()
[[ -n ${GLVQ_TRAIN_THREADS:-} ]] && threads=(--threads "$GLVQ_TRAIN_THREADS")

set -x
"$trainer" --device "$device" \
  --config "$here/model_config.json" \
  --tokens "$here/.work/train.u16" --eval-tokens "$here/.work/valid.u16" \
  --out "$out" \
  --batch 64 --seq-len 512 --lr 2e-3 --min-lr-ratio 0.1 --warmup 300 --weight-decay 0.1 --grad-clip 1.0 \
  --seed 1234 --log-every 100 --save-every 1000 \
  "${length[@]}" "${threads[@]}" "$@"
