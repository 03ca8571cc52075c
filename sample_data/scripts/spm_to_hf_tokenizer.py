# SPDX-License-Identifier: GPL-3.0-or-later
"""Converts a SentencePiece BPE model trained in Llama-2 style (identity normalisation, dummy prefix, byte
fallback) into a Hugging Face tokenizer.json (+ tokenizer_config.json) with the layout transformers writes
for Llama-2: Prepend/Replace "▁" normaliser, BPE with byte_fallback, BOS added by TemplateProcessing.
Merges are derived as transformers' SentencePieceExtractor does: every split of a piece into two pieces
of the vocabulary, ranked by the merged piece's id (spm BPE scores fall with the id).
Usage: spm_to_hf_tokenizer.py tokenizer.model OUT_DIR"""
import json
import pathlib
import sys

import sentencepiece as spm

SPECIALS = {0: "<unk>", 1: "<s>", 2: "</s>"}


def load(model_path):
    sp = spm.SentencePieceProcessor(model_file=str(model_path))
    for index, piece in SPECIALS.items():
        if sp.id_to_piece(index) != piece:
            sys.exit(f"{model_path}: id {index} is {sp.id_to_piece(index)!r}, expected {piece!r} (unk=0 bos=1 eos=2)")
    if not sp.is_byte(3) or sp.id_to_piece(3) != "<0x00>":
        sys.exit(f"{model_path}: no byte-fallback pieces after the special tokens (train with --byte_fallback)")
    return sp


def merges_of(vocab):
    merges = []
    for piece, rank in vocab.items():
        local = [(piece[:i], piece[i:], rank) for i in range(1, len(piece))
                 if piece[:i] in vocab and piece[i:] in vocab]
        merges.extend(sorted(local, key=lambda m: (vocab[m[0]], vocab[m[1]])))
    merges.sort(key=lambda m: m[2])  # stable: ties keep the (left id, right id) order
    return [[left, right] for left, right, _ in merges]


def added_token(index, content):
    return {"id": index, "content": content, "single_word": False, "lstrip": False, "rstrip": False,
            "normalized": False, "special": True}


def tokenizer_json(sp):
    vocab = {sp.id_to_piece(i): i for i in range(sp.get_piece_size())}
    bos = {"SpecialToken": {"id": "<s>", "type_id": 0}}
    return {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [added_token(i, p) for i, p in SPECIALS.items()],
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Prepend", "prepend": "\u2581"},
            {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"}]},
        "pre_tokenizer": None,
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [bos, {"Sequence": {"id": "A", "type_id": 0}}],
            "pair": [bos, {"Sequence": {"id": "A", "type_id": 0}}, bos, {"Sequence": {"id": "B", "type_id": 0}}],
            "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}},
        "decoder": {"type": "Sequence", "decoders": [
            {"type": "Replace", "pattern": {"String": "\u2581"}, "content": " "},
            {"type": "ByteFallback"}, {"type": "Fuse"},
            {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
        "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": True, "byte_fallback": True, "ignore_merges": False,
                  "vocab": vocab, "merges": merges_of(vocab)},
    }


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sp = load(sys.argv[1])
    out = pathlib.Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    tok = tokenizer_json(sp)
    (out / "tokenizer.json").write_text(json.dumps(tok, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    config = {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "add_bos_token": True,
              "add_eos_token": False, "legacy": True, "tokenizer_class": "LlamaTokenizerFast",
              "model_max_length": 2048, "clean_up_tokenization_spaces": False}
    (out / "tokenizer_config.json").write_text(json.dumps(config, indent=1) + "\n", encoding="utf-8")
    print(f"tokenizer.json: {len(tok['model']['vocab'])} tokens, {len(tok['model']['merges'])} merges")


if __name__ == "__main__":
    main()
