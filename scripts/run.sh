#!/usr/bin/env bash
# The main command: installs what is missing, builds, and runs GLVQ Studio's main job on the sample model.
# The desktop application is not built yet (issue #7), so this runs the headless pipeline: the model's
# architecture, then GLVQ-8D at 2 bits (calibrate -> allocate bits -> learn each group's lattice), original
# vs quantized perplexity and KL on Persuasion at ctx 512, an HDF5 export and its summary. Progress shows on
# stderr; Ctrl-C cancels cleanly.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh" "$root/build"
fixtures=$root/../shared/fixtures
model=${GLVQ_MODEL:-$fixtures/debian-llama-16m}
text=${GLVQ_TEXT:-$fixtures/eval_austen.txt}
calib=${GLVQ_CALIB:-$fixtures/calib.txt}
out=$root/build/$(basename "$model")-glvq-2bit.h5
glvq="$root/build/app/cli/glvq"
"$glvq" info "$model" | sed -n 1,3p   # sed reads to the end: no SIGPIPE under pipefail
echo
# --force: the output is this script's own file in build/, replaced on every run.
"$glvq" quantize "$model" --calib "$calib" --method glvq --bits 2 --eval-text "$text" --out "$out" --force
echo
"$glvq" inspect "$out"
