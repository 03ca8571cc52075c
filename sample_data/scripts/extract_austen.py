# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes Austen's six novels from r-cran-janeaustenr's R data as plain text, one paragraph per line.
The R vectors hold the Project Gutenberg lines (hard-wrapped, blank lines between paragraphs); joining each
paragraph's lines with single spaces gives the layout of ../shared/fixtures/eval_austen.txt.
Usage: extract_austen.py JANEAUSTENR_DIR OUT_DIR   (writes OUT_DIR/<novel>.txt)"""
import pathlib
import sys

from rdata_reader import STRSXP, read_lazyload_db

NOVELS = ["sensesensibility", "prideprejudice", "mansfieldpark", "emma", "northangerabbey", "persuasion"]


def paragraphs(lines):
    current = []
    for line in lines + [""]:
        line = (line or "").strip()
        if line:
            current.append(line)
        elif current:
            yield " ".join(" ".join(current).split())  # Gutenberg puts two spaces after a full stop
            current = []


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    rdx = pathlib.Path(sys.argv[1]) / "data" / "Rdata.rdx"
    out = pathlib.Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    variables = read_lazyload_db(rdx)
    for novel in NOVELS:
        obj = variables.get(novel)
        if obj is None or obj.kind != STRSXP:
            sys.exit(f"{rdx}: no character vector '{novel}'")
        text = "\n".join(paragraphs(obj.value)) + "\n"
        (out / f"{novel}.txt").write_text(text, encoding="utf-8")
        print(f"austen: {novel}: {len(text)} characters")


if __name__ == "__main__":
    main()
