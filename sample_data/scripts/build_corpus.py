# SPDX-License-Identifier: GPL-3.0-or-later
"""Splits the extracted texts into the training corpus, a validation split, the evaluation text and the
calibration text.
Evaluation: Austen's Persuasion, held out of everything (tokenizer, training, validation).
Validation: the last 2% of the paragraphs of every training source, held out of model training (the
trainer reports its loss at each save); the tokenizer is trained on the whole training side, tails included.
Calibration: PASSAGES random passages of LINES consecutive lines (paragraphs) of the training part, seeded;
they stay in the training corpus, as calibration data is drawn from the training distribution.
Writes OUT_DIR/tokenizer_text.txt (for spm_train), OUT_DIR/documents/NN_<source>.txt and
OUT_DIR/validation/NN_<source>.txt (one file per document, tokenized whole by tokenize_corpus.py).
Usage: build_corpus.py TEXT_DIR OUT_DIR OUT_EVAL.txt OUT_CALIB.txt [--seed S]"""
import argparse
import math
import pathlib
import random

TRAINING_SOURCES = ["austen/sensesensibility.txt", "austen/prideprejudice.txt", "austen/mansfieldpark.txt",
                    "austen/emma.txt", "austen/northangerabbey.txt", "web.txt", "tdavid.txt", "mhcc.txt",
                    "devil.txt"]
EVAL_SOURCE = "austen/persuasion.txt"
VALIDATION_FRACTION = 0.02
PASSAGES, LINES = 128, 12  # more text than the 128 calibration windows of 512 tokens glvq quantize draws


def write_lines(path, lines):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("text_dir", type=pathlib.Path)
    parser.add_argument("out_dir", type=pathlib.Path)
    parser.add_argument("eval", type=pathlib.Path)
    parser.add_argument("calib", type=pathlib.Path)
    parser.add_argument("--seed", type=int, default=1234)
    args = parser.parse_args()

    training_lines = []
    with open(args.out_dir / "tokenizer_text.txt", "w", encoding="utf-8") as tokenizer_text:
        for number, name in enumerate(TRAINING_SOURCES):
            lines = (args.text_dir / name).read_text(encoding="utf-8").splitlines()
            if len(lines) < 10:
                raise SystemExit(f"{args.text_dir / name}: only {len(lines)} lines of text")
            cut = len(lines) - math.ceil(VALIDATION_FRACTION * len(lines))
            stem = f"{number:02d}_{pathlib.Path(name).stem}.txt"
            write_lines(args.out_dir / "documents" / stem, lines[:cut])
            write_lines(args.out_dir / "validation" / stem, lines[cut:])
            tokenizer_text.write("\n".join(lines) + "\n")
            training_lines.extend(lines[:cut])
    args.eval.write_text((args.text_dir / EVAL_SOURCE).read_text(encoding="utf-8"), encoding="utf-8")

    rng = random.Random(args.seed)
    starts = sorted(rng.sample(range(len(training_lines) - LINES), PASSAGES))
    write_lines(args.calib, ["\n".join(training_lines[s:s + LINES]) for s in starts])
    for path in (args.out_dir / "tokenizer_text.txt", args.eval, args.calib):
        print(f"corpus: {path}: {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
