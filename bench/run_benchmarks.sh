#!/usr/bin/env bash
# Foundation benchmarks on this machine: checkpoint open time, tokenizer throughput, and the end-to-end
# perplexity run of eval_austen.txt at ctx 512 on debian-llama-16m. Usage: bench/run_benchmarks.sh [BUILD_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
fixtures=$here/../shared/fixtures

run() { echo "\$ $*"; "$@"; echo; }

run "$build/bench/bench_checkpoint" "$fixtures/debian-llama-16m"
run "$build/bench/bench_tokenizer"
echo "\$ glvq eval debian-llama-16m --text eval_austen.txt --ctx 512"
/usr/bin/time -f "wall %e s, peak RSS %M KiB" \
  "$build/app/cli/glvq" eval "$fixtures/debian-llama-16m" --text "$fixtures/eval_austen.txt" --ctx 512 --quiet
