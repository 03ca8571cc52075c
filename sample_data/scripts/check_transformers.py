# SPDX-License-Identifier: GPL-3.0-or-later
"""Cross-checks the sample model with Hugging Face libraries (where they are installed, e.g. the GPU machine):
`tokenizers` must give the ids recorded in texts/reference_ids.json, and transformers' LlamaForCausalLM must
load the checkpoint and give the perplexity that `glvq eval` reports (fp32, the fixtures' protocol).
Usage: check_transformers.py [SAMPLE_DATA_DIR] [--ctx 512]"""
import argparse
import hashlib
import json
import math
import pathlib

import torch
from tokenizers import Tokenizer
from transformers import AutoModelForCausalLM


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sample_dir", type=pathlib.Path, nargs="?", default=pathlib.Path(__file__).parents[1])
    parser.add_argument("--ctx", type=int, default=512)
    args = parser.parse_args()
    model_dir, texts = args.sample_dir / "model", args.sample_dir / "texts"

    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    reference = json.loads((texts / "reference_ids.json").read_text())
    for name, expected in reference["texts"].items():
        ids = tokenizer.encode((texts / name).read_text(encoding="utf-8")).ids
        digest = hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()
        ok = len(ids) == expected["count"] and digest == expected["ids_sha256"]
        print(f"tokenizers {name}: {len(ids)} ids, {'identical to' if ok else 'DIFFERENT from'} spm")

    torch.backends.cuda.matmul.allow_tf32 = False
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32).to(device).eval()
    ids = tokenizer.encode((texts / "persuasion.txt").read_text(encoding="utf-8")).ids
    windows = torch.tensor(ids[: len(ids) // args.ctx * args.ctx]).view(-1, args.ctx)
    total, scored = 0.0, 0
    with torch.no_grad():
        for batch in windows.split(16):
            batch = batch.to(device)
            logits = model(batch).logits[:, :-1].float()
            nll = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.size(-1)), batch[:, 1:].reshape(-1),
                                                    reduction="sum")
            total, scored = total + nll.double().item(), scored + batch[:, 1:].numel()
    print(f"transformers: persuasion.txt ctx {args.ctx}, {windows.size(0)} windows, {scored} scored tokens, "
          f"PPL {math.exp(total / scored):.4f} ({device})")


if __name__ == "__main__":
    main()
