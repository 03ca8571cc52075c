#!/usr/bin/env bash
# The main command: installs what is missing, builds, and runs GLVQ Studio's main job on the sample model.
# The desktop application is not built yet (issue #7), so this runs the headless pipeline: the model's
# architecture and tensors, then its perplexity on Persuasion at ctx 512, with progress (Ctrl-C cancels).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh" "$root/build"
model=${GLVQ_MODEL:-$root/../shared/fixtures/debian-llama-16m}
text=${GLVQ_TEXT:-$root/../shared/fixtures/eval_austen.txt}
glvq="$root/build/app/cli/glvq"
"$glvq" info "$model" | head -n 8
echo
"$glvq" eval "$model" --text "$text" --ctx 512
