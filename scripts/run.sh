#!/usr/bin/env bash
# The main command: installs what is missing, builds, and runs GLVQ Studio on the sample model.
# With a display (X11 or Wayland) it opens the desktop application, glvq-studio, on the model with the pipeline
# panel set up for GLVQ-8D at 2 bits (press Run; inspect groups; File > Export). Without one (or with
# GLVQ_HEADLESS=1) it runs the headless pipeline: the model's architecture, then GLVQ-8D at 2 bits (calibrate ->
# allocate bits -> learn each group's lattice), original vs quantized perplexity and KL on Persuasion at ctx
# 512, an HDF5 export and its summary. Progress shows on stderr; Ctrl-C cancels cleanly.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh" "$root/build"
# The project's own sample model (sample_data/README.md): it ships with the checkout, nothing to download.
model=${GLVQ_MODEL:-$root/sample_data/model}
text=${GLVQ_TEXT:-$root/sample_data/texts/persuasion.txt}
calib=${GLVQ_CALIB:-$root/sample_data/texts/calibration.txt}
studio="$root/build/app/gui/glvq-studio"
if [[ -n ${DISPLAY:-}${WAYLAND_DISPLAY:-} && ${GLVQ_HEADLESS:-0} != 1 && -x $studio ]]; then
  exec "$studio" "$model" --calib "$calib" --eval-text "$text"
fi
out=$root/build/$(basename "$model")-glvq-2bit.h5
glvq="$root/build/app/cli/glvq"
"$glvq" info "$model" | sed -n 1,3p   # sed reads to the end: no SIGPIPE under pipefail
echo
# --force: the output is this script's own file in build/, replaced on every run.
"$glvq" quantize "$model" --calib "$calib" --method glvq --bits 2 --eval-text "$text" --out "$out" --force
echo
"$glvq" inspect "$out"
