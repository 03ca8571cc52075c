# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes the SentencePiece reference ids of the committed texts as a small JSON for tests: per text the
count, the SHA-256 of the ids written as decimal numbers joined by "," (no spaces), and the first 64 ids.
Ids are those of the whole file with BOS first, as the perplexity protocol tokenizes.
Usage: reference_ids.py tokenizer.model OUT.json TEXT.txt..."""
import hashlib
import json
import pathlib
import sys

import sentencepiece as spm

BOS = 1
HEAD = 64


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    sp = spm.SentencePieceProcessor(model_file=sys.argv[1])
    texts = {}
    for path in map(pathlib.Path, sys.argv[3:]):
        ids = [BOS] + sp.encode(path.read_text(encoding="utf-8"))
        digest = hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()
        texts[path.name] = {"count": len(ids), "ids_sha256": digest, "first_ids": ids[:HEAD]}
    reference = {"tokenizer": "sentencepiece " + spm.__version__, "bos_first": True, "texts": texts}
    pathlib.Path(sys.argv[2]).write_text(json.dumps(reference, indent=1) + "\n", encoding="utf-8")
    print(f"reference ids: {sys.argv[2]}: " + ", ".join(f"{k} {v['count']}" for k, v in texts.items()))


if __name__ == "__main__":
    main()
