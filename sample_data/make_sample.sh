#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Regenerates everything in sample_data/ from Debian 12 packages, in stages:
#   fetch      apt-get download + dpkg -x of the five source packages into .work/ (nothing is installed)
#   extract    plain text from the R data, the SWORD modules and the dictd dictionary; the corpus split
#   tokenizer  spm_train (SentencePiece BPE, Llama-2 settings) -> model/tokenizer.model + tokenizer.json
#   tokens     the training and validation token files (.work/*.u16) and texts/reference_ids.json
#   build      configure + build glvq-train and glvq (cmake, into $GLVQ_BUILD_DIR, default <repo>/build)
#   train      train on the CPU (hours) or, with --device cuda, through train_gpu.sh (minutes)
#   evaluate   glvq eval: perplexity on Persuasion at ctx 512 (the README's figure)
# Usage: sample_data/make_sample.sh [--device cpu|cuda] [--from STAGE] [--until STAGE]
# Needs: apt-get, dpkg, /usr/bin/python3 with python3-sentencepiece, spm_train (Debian package sentencepiece).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
work=$here/.work
python=${PYTHON:-/usr/bin/python3}
export PYTHONDONTWRITEBYTECODE=1 # no __pycache__ beside the committed scripts
build=${GLVQ_BUILD_DIR:-$repo/build}
stages=(fetch extract tokenizer tokens build train evaluate)
packages=(r-cran-janeaustenr sword-text-web sword-comm-tdavid sword-comm-mhcc dict-devil)
device=cpu from=fetch until=evaluate
while [[ $# -gt 0 ]]; do
  case $1 in
    --device) device=$2; shift 2 ;;
    --from) from=$2; shift 2 ;;
    --until) until=$2; shift 2 ;;
    *) echo "usage: $0 [--device cpu|cuda] [--from STAGE] [--until STAGE]; stages: ${stages[*]}" >&2; exit 2 ;;
  esac
done
index_of() { local i; for i in "${!stages[@]}"; do [[ ${stages[$i]} == "$1" ]] && { echo "$i"; return; }; done
  echo "make_sample.sh: unknown stage '$1' (stages: ${stages[*]})" >&2; exit 2; }
first=$(index_of "$from") last=$(index_of "$until")
wanted() { local i; i=$(index_of "$1"); [[ $i -ge $first && $i -le $last ]]; }
stage() { echo "== make_sample: $1 ($(date -u +%H:%M:%S))"; }

if wanted fetch; then
  stage fetch
  rm -rf "$work/debs" "$work/root" && mkdir -p "$work/debs"
  (cd "$work/debs" && apt-get download "${packages[@]}")
  for deb in "$work"/debs/*.deb; do dpkg -x "$deb" "$work/root"; done
  for deb in "$work"/debs/*.deb; do dpkg-deb -f "$deb" Package Version | paste -sd' '; done | tee "$work/packages.txt"
fi

if wanted extract; then
  stage extract
  root=$work/root/usr
  "$python" "$here/scripts/extract_austen.py" "$root/lib/R/site-library/janeaustenr" "$work/text/austen"
  "$python" "$here/scripts/extract_sword.py" "$root/share/sword/modules/texts/ztext/engWEB2015eb" "$work/text/web.txt"
  "$python" "$here/scripts/extract_sword.py" "$root/share/sword/modules/comments/zcom/tdavid" "$work/text/tdavid.txt"
  "$python" "$here/scripts/extract_sword.py" "$root/share/sword/modules/comments/zcom/mhcc" "$work/text/mhcc.txt"
  "$python" "$here/scripts/extract_devil.py" "$root/share/dictd" "$work/text/devil.txt"
  mkdir -p "$here/texts"
  rm -rf "$work/documents" "$work/validation"
  "$python" "$here/scripts/build_corpus.py" "$work/text" "$work" "$here/texts/persuasion.txt" \
    "$here/texts/calibration.txt" --seed 1234
fi

if wanted tokenizer; then
  stage tokenizer
  mkdir -p "$work/spm" "$here/model"
  # Llama-2's settings: identity normalisation, whitespace kept as it is, digits split, byte fallback for
  # anything outside the 99.995% character coverage, a dummy-prefix "▁", unk=0 bos=1 eos=2 and no pad.
  # Relative paths and a fixed thread count: spm stores its arguments in tokenizer.model, which then comes out
  # byte-identical on any machine.
  (cd "$work" && spm_train --input=tokenizer_text.txt --model_prefix=spm/tokenizer --model_type=bpe --vocab_size=4096 \
    --normalization_rule_name=identity --remove_extra_whitespaces=false --add_dummy_prefix=true \
    --byte_fallback=true --split_digits=true --allow_whitespace_only_pieces=true --character_coverage=0.99995 \
    --max_sentence_length=20000 --unk_id=0 --bos_id=1 --eos_id=2 --pad_id=-1 --input_sentence_size=0 \
    --shuffle_input_sentence=false --seed_sentencepiece_size=1000000 --num_threads=2 \
    >spm/train.log 2>&1)
  cp "$work/spm/tokenizer.model" "$here/model/tokenizer.model"
  "$python" "$here/scripts/spm_to_hf_tokenizer.py" "$here/model/tokenizer.model" "$here/model"
fi

if wanted tokens; then
  stage tokens
  "$python" "$here/scripts/tokenize_corpus.py" "$here/model/tokenizer.model" "$work/train.u16" "$work"/documents/*.txt
  "$python" "$here/scripts/tokenize_corpus.py" "$here/model/tokenizer.model" "$work/valid.u16" "$work"/validation/*.txt
  "$python" "$here/scripts/reference_ids.py" "$here/model/tokenizer.model" "$here/texts/reference_ids.json" \
    "$here/texts/persuasion.txt" "$here/texts/calibration.txt"
fi

if wanted build && [[ $device == cpu ]]; then
  stage build
  cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DGLVQ_BUILD_TRAINER=ON >/dev/null
  cmake --build "$build" --target glvq-train glvq
fi

if wanted train; then
  stage train
  rm -rf "$work/checkpoint"
  if [[ $device == cuda ]]; then
    "$here/train_gpu.sh" "$work/checkpoint" # builds its own CUDA trainer
  else
    "$here/scripts/train_model.sh" cpu "$build/tools/trainer/glvq-train" "$work/checkpoint"
  fi
  cp "$work/checkpoint/model.safetensors" "$work/checkpoint/config.json" "$work/checkpoint/trainer_state.json" \
    "$here/model/"
fi

if wanted evaluate; then
  stage evaluate
  [[ -x $build/app/cli/glvq ]] || cmake --build "$build" --target glvq
  "$build/app/cli/glvq" eval "$here/model" --text "$here/texts/persuasion.txt" --ctx 512 --quiet
  du -sh --exclude=.work "$here"
fi
