# SPDX-License-Identifier: GPL-3.0-or-later
"""A minimal reader for R's lazy-load databases (data/Rdata.rdx + Rdata.rdb), so that the Austen novels in
r-cran-janeaustenr can be read without R. It decodes R's XDR serialization format (versions 2 and 3) for
the object kinds a data package holds: character/integer/double/logical vectors, lists, pairlists,
symbols and attributes. Anything else is an error naming the type code."""
import bz2
import gzip
import lzma
import struct
import zlib

NILVALUE, REFSXP, GLOBALENV, EMPTYENV, BASEENV = 254, 255, 253, 242, 241
SYMSXP, LISTSXP, CHARSXP, LGLSXP, INTSXP, REALSXP, STRSXP, VECSXP = 1, 2, 9, 10, 13, 14, 16, 19
NA_INT = -(2 ** 31)


class RObject:
    """A decoded R value: `value` is a Python list (vectors) or str (symbols); `attrs` maps names to values."""

    def __init__(self, kind, value, attrs=None):
        self.kind, self.value, self.attrs = kind, value, attrs or {}


class _Unserializer:
    def __init__(self, data, source):
        self.data, self.pos, self.source, self.refs = data, 0, source, []

    def fail(self, what):
        raise ValueError(f"{self.source}: {what} at byte {self.pos}")

    def take(self, n):
        if self.pos + n > len(self.data):
            self.fail("truncated R serialization")
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def int(self):
        return struct.unpack(">i", self.take(4))[0]

    def header(self):
        if self.take(2) != b"X\n":
            self.fail("not an XDR R serialization (expected 'X\\n')")
        version = self.int()
        self.int(), self.int()  # writer's R version, minimal reader version
        if version == 3:
            self.take(self.int())  # native encoding name
        elif version != 2:
            self.fail(f"unsupported serialization version {version}")

    def item(self):
        flags = self.int()
        kind, has_attr, has_tag = flags & 0xFF, bool(flags & (1 << 9)), bool(flags & (1 << 10))
        if kind in (NILVALUE, GLOBALENV, EMPTYENV, BASEENV):
            return None
        if kind == REFSXP:
            index = flags >> 8 if flags >> 8 else self.int()
            return self.refs[index - 1]
        if kind == SYMSXP:
            symbol = RObject(SYMSXP, self.item())  # its CHARSXP name
            self.refs.append(symbol)
            return symbol
        if kind == LISTSXP:
            return self.pairlist(has_attr, has_tag)
        if kind == CHARSXP:
            length = self.int()
            return None if length == -1 else self.take(length).decode("utf-8", errors="replace")
        if kind in (LGLSXP, INTSXP):
            values = list(struct.unpack(f">{self.length()}i", self.take(4 * self.last_length)))
            return self.with_attrs(RObject(kind, [None if v == NA_INT else v for v in values]), has_attr)
        if kind == REALSXP:
            values = list(struct.unpack(f">{self.length()}d", self.take(8 * self.last_length)))
            return self.with_attrs(RObject(kind, values), has_attr)
        if kind in (STRSXP, VECSXP):
            return self.with_attrs(RObject(kind, [self.item() for _ in range(self.length())]), has_attr)
        self.fail(f"unsupported R object type {kind}")

    def length(self):
        self.last_length = self.int()
        if self.last_length == -1:  # long vector: two more ints
            self.last_length = (self.int() << 32) + self.int()
        return self.last_length

    def pairlist(self, has_attr, has_tag):
        attrs = self.attributes() if has_attr else {}
        tag = self.item().value if has_tag else None
        head, rest = self.item(), self.item()
        entries = [(tag, head)] + (rest.value if isinstance(rest, RObject) and rest.kind == LISTSXP else [])
        return RObject(LISTSXP, entries, attrs)

    def attributes(self):
        return {tag: value for tag, value in self.item().value}

    def with_attrs(self, obj, has_attr):
        if has_attr:
            obj.attrs = self.attributes()
        return obj


def unserialize(data, source):
    reader = _Unserializer(data, source)
    reader.header()
    return reader.item()


def _decompress_blob(blob, source):
    # R_compress1..3: 4-byte big-endian length, then (versions 2, 3) a type byte, then the payload.
    length = struct.unpack(">I", blob[:4])[0]
    kind = blob[4:5]
    if kind == b"Z":
        out = lzma.decompress(blob[5:])
    elif kind == b"2":
        out = bz2.decompress(blob[5:])
    elif kind == b"0":
        out = blob[5:]
    else:
        out = zlib.decompress(blob[4:])
    if len(out) != length:
        raise ValueError(f"{source}: blob decompressed to {len(out)} bytes, header says {length}")
    return out


def _named(obj):
    names = obj.attrs.get("names")
    return dict(zip(names.value, obj.value))


def read_lazyload_db(rdx_path):
    """Returns {variable name: RObject} for every variable of a lazy-load database (path of the .rdx)."""
    with gzip.open(rdx_path, "rb") as f:
        index = _named(unserialize(f.read(), str(rdx_path)))
    rdb_path = str(rdx_path)[:-4] + ".rdb"
    with open(rdb_path, "rb") as f:
        rdb = f.read()
    variables = {}
    for name, where in _named(index["variables"]).items():
        offset, size = (int(v) for v in where.value)
        blob = _decompress_blob(rdb[offset:offset + size], f"{rdb_path} ({name})")
        variables[name] = unserialize(blob, f"{rdb_path} ({name})")
    return variables
