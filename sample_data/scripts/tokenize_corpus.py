# SPDX-License-Identifier: GPL-3.0-or-later
"""Tokenizes documents with a SentencePiece model into one flat little-endian uint16 token file for the
trainer: each document is encoded whole (as the perplexity protocol encodes a text) with BOS first.
Usage: tokenize_corpus.py tokenizer.model OUT.u16 DOCUMENT.txt..."""
import array
import pathlib
import sys

import sentencepiece as spm

BOS = 1


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    sp = spm.SentencePieceProcessor(model_file=sys.argv[1])
    if sp.get_piece_size() > 65536:
        sys.exit(f"{sys.argv[1]}: {sp.get_piece_size()} pieces do not fit uint16 token ids")
    tokens = array.array("H")
    for path in map(pathlib.Path, sys.argv[3:]):
        ids = [BOS] + sp.encode(path.read_text(encoding="utf-8"))
        tokens.extend(ids)
        print(f"tokens: {path.name}: {len(ids)}")
    if sys.byteorder != "little":
        tokens.byteswap()
    out = pathlib.Path(sys.argv[2])
    out.write_bytes(tokens.tobytes())
    print(f"tokens: {out}: {len(tokens)} tokens")


if __name__ == "__main__":
    main()
