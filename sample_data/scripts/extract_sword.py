# SPDX-License-Identifier: GPL-3.0-or-later
"""Plain prose from a SWORD module compressed with ZIP in the zText or zCom4 layout (no libsword needed).
Layout, per testament (ot, nt), with a one-letter block-type prefix X (b = book blocks, c = chapter blocks):
  X?s: block index, 12 bytes per block: u32 offset, u32 compressed size, u32 uncompressed size (LE);
  X?v: entry index, per verse: u32 block, u32 offset in the inflated block, then the size as u16 (zText,
       zCom) or u32 (zText4, zCom4). The width is detected, not taken from the .conf: Debian's mhcc.conf
       says zCom4 while its index has 10-byte entries;
  X?z: the zlib-compressed blocks.
Entries are read in versification order; an entry a commentary shares across verses is written once. OSIS
markup is stripped: notes, titles and cross-references are dropped, the words of every other element kept.
Usage: extract_sword.py MODULE_DIR OUT.txt"""
import html
import pathlib
import re
import struct
import sys
import zlib

ENTRY_LAYOUTS = [("<IIH", 10), ("<III", 12)]
DROPPED = re.compile(r"<(note|title|reference|milestone)\b[^>]*?(/>|>.*?</\1>)", re.S)
BREAKS = re.compile(r"<(lb|p|/p|div|/div|l|/l|lg|/lg|br)\b[^>]*>", re.S)
TAG = re.compile(r"<[^>]*>", re.S)


def plain_text(markup):
    text = DROPPED.sub(" ", markup)
    text = BREAKS.sub("\n", text)
    text = html.unescape(TAG.sub("", text))
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def entry_layout(blocks, verses_raw, source):
    """The entry layout under which every entry lies inside an existing block."""
    for fmt, step in ENTRY_LAYOUTS:
        if len(verses_raw) % step:
            continue
        entries = [struct.unpack_from(fmt, verses_raw, i) for i in range(0, len(verses_raw), step)]
        if all(size == 0 or (b < len(blocks) and o + size <= blocks[b][2]) for b, o, size in entries):
            return entries
    raise ValueError(f"{source}: entries fit neither the 10- nor the 12-byte SWORD index layout")


def testament_entries(module, prefix, testament):
    files = {kind: module / f"{testament}.{prefix}z{kind}" for kind in "svz"}
    if not all(path.exists() for path in files.values()):
        return
    blocks_raw, verses_raw, data = (files[k].read_bytes() for k in "svz")
    blocks = [struct.unpack_from("<III", blocks_raw, i) for i in range(0, len(blocks_raw) - 11, 12)]
    inflated = {}
    seen = set()
    for block, offset, size in entry_layout(blocks, verses_raw, files["v"]):
        if size == 0 or (block, offset) in seen:
            continue
        seen.add((block, offset))
        if block not in inflated:
            start, compressed, expected = blocks[block]
            inflated[block] = zlib.decompress(data[start:start + compressed])
            if len(inflated[block]) != expected:
                raise ValueError(f"{files['z']}: block {block} inflated to {len(inflated[block])}, not {expected}")
        yield inflated[block][offset:offset + size].decode("utf-8", errors="replace")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    module, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    prefixes = sorted({p.suffix[1] for p in module.glob("*.??s")})
    if len(prefixes) != 1:
        sys.exit(f"{module}: expected one block-index file type (*.bzs or *.czs), found {prefixes}")
    paragraphs = []
    for testament in ("ot", "nt"):
        for entry in testament_entries(module, prefixes[0], testament):
            text = plain_text(entry)
            if text:
                paragraphs.append(text)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(paragraphs) + "\n", encoding="utf-8")
    print(f"sword: {module.name}: {len(paragraphs)} entries, {sum(map(len, paragraphs))} characters")


if __name__ == "__main__":
    main()
