# SPDX-License-Identifier: GPL-3.0-or-later
"""Plain prose from dict-devil (Ambrose Bierce, The Devil's Dictionary) in dictd format: the .index lists
"headword <TAB> base64 offset <TAB> base64 length" into the dictzip (gzip-readable) .dict.dz. Entries are
written in index order, each a paragraph with its hard-wrapped lines joined; dictd's own 00-database-*
entries are skipped.
Usage: extract_devil.py DICTD_DIR OUT.txt"""
import gzip
import pathlib
import sys

B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def b64_number(text, source):
    value = 0
    for ch in text:
        if ch not in B64:
            raise ValueError(f"{source}: bad base64 number {text!r}")
        value = value * 64 + B64.index(ch)
    return value


def entry_paragraphs(raw):
    current = []
    for line in raw.split("\n") + [""]:
        line = line.strip()
        if line:
            current.append(line)
        elif current:
            yield " ".join(" ".join(current).split())
            current = []


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    base, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    index_path = base / "devil.index"
    with gzip.open(base / "devil.dict.dz", "rb") as f:
        data = f.read()
    paragraphs = []
    for number, line in enumerate(index_path.read_text(encoding="utf-8").splitlines(), 1):
        fields = line.split("\t")
        if len(fields) != 3:
            sys.exit(f"{index_path}: line {number}: expected 3 tab-separated fields")
        if fields[0].startswith("00database"):
            continue
        start, length = (b64_number(v, f"{index_path}:{number}") for v in fields[1:])
        paragraphs.extend(entry_paragraphs(data[start:start + length].decode("utf-8", errors="replace")))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(paragraphs) + "\n", encoding="utf-8")
    print(f"devil: {len(paragraphs)} paragraphs, {sum(map(len, paragraphs))} characters")


if __name__ == "__main__":
    main()
