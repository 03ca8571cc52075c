#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Independent reader of GLVQ Studio exports (docs/FORMAT.md, version 1), written from the format document
alone, using only h5py and numpy (Debian: python3-h5py python3-numpy).

    glvq_h5_reader.py MODEL.h5                 # summary of every tensor it decodes
    glvq_h5_reader.py MODEL.h5 --dump DIR      # DIR/<tensor name>.npy, fp32, every tensor
    glvq_h5_reader.py MODEL.h5 --compare DIR   # compare with DIR/<tensor name>.f32 (raw little-endian fp32)

Every method of the format decodes: glvq, rtn/gptq, and the E8 baselines (E8P at 2 bits, the shifted E8 box at
1..4 bits), whose codebooks are rebuilt here from their definitions in docs/FORMAT.md.
"""
import os
import sys

import h5py
import numpy as np


def unpack_group(words, rows, columns, bits):
    """Codes u[rows, columns] of one group: LSB-first in little-endian uint32 words, rows padded to 32 bits."""
    row_words = (columns * bits + 31) // 32
    w = np.asarray(words, dtype='<u4').reshape(rows, row_words)
    bitstream = np.unpackbits(w.view(np.uint8), axis=1, bitorder='little')[:, : columns * bits]
    fields = bitstream.reshape(rows, columns, bits).astype(np.uint32)
    return (fields << np.arange(bits, dtype=np.uint32)).sum(axis=2).astype(np.uint32)


def half(values):
    return np.asarray(values, dtype='<u2').view(np.float16).astype(np.float32)


def stream_offsets(rows, columns, bits):
    sizes = [rows * ((int(c) * int(b) + 31) // 32) for c, b in zip(columns, bits)]
    return np.concatenate([[0], np.cumsum(sizes)]).astype(np.uint64)


def decode_glvq(g):
    rows, cols, d = int(g.attrs['rows']), int(g.attrs['cols']), int(g.attrs['dim'])
    gens = half(g['generators'][...]).reshape(-1, d, d)
    mu, scale = half(g['mu'][...]), half(g['scale'][...])
    bits, first, columns = g['bits'][...], g['first_column'][...], g['columns'][...]
    offsets, words = g['word_offsets'][...], g['codes'][...]
    assert (offsets == stream_offsets(rows, columns, bits)).all(), 'word_offsets disagree with the group widths'
    row_scale = half(g['row_scales'][...]) if int(g.attrs['row_scale']) else np.ones(rows, np.float32)
    out = np.zeros((rows, cols), np.float32)
    for k in range(len(bits)):
        b, n, c0 = int(bits[k]), int(columns[k]), int(first[k])
        u = unpack_group(words[offsets[k]: offsets[k + 1]], rows, n, b)
        z = (u.astype(np.float32) - np.float32((2 ** b - 1) / 2)).reshape(rows, n // d, d)
        G = gens[k]
        v = np.zeros((rows, n // d, d), np.float32)
        for j in range(d):  # fp32, summed in increasing j as the format prescribes
            v = (v + G[:, j][None, None, :] * z[:, :, j:j + 1]).astype(np.float32)
        m = mu[k]
        if m != 0:
            v = np.copysign(np.expm1(np.abs(v) * np.log1p(m)) / m, v).astype(np.float32)
        factor = (row_scale * scale[k]).astype(np.float32)
        out[:, c0:c0 + n] = (factor[:, None] * v.reshape(rows, n)).astype(np.float32)
    return out


def decode_scalar(g):
    rows, cols, gs = int(g.attrs['rows']), int(g.attrs['cols']), int(g.attrs['group_size'])
    bits, scales, zeros = g['bits'][...], g['scales'][...].astype(np.float32), g['zeros'][...]
    columns = [min(gs, cols - k * gs) for k in range(len(bits))]
    offsets, words = g['word_offsets'][...], g['codes'][...]
    assert (offsets == stream_offsets(rows, columns, bits)).all(), 'word_offsets disagree with the group widths'
    out = np.zeros((rows, cols), np.float32)
    for k in range(len(bits)):
        u = unpack_group(words[offsets[k]: offsets[k + 1]], rows, columns[k], int(bits[k]))
        q = u.astype(np.float32) - zeros[:, k:k + 1].astype(np.float32)
        out[:, k * gs: k * gs + columns[k]] = (q * scales[:, k:k + 1]).astype(np.float32)
    return out


# E8P (QuIP#): 256 absolute-value patterns in units of 1/2: the 227 patterns of D8 + 1/2 with |a|^2 <= 10 in
# lexicographic order (coordinate 0 most significant, entries 1/2 < 3/2 < 5/2), then 29 patterns of |a|^2 = 12:
# entries 3/2 except 1/2 at these three coordinates.
_NORM12_HALF_POSITIONS = [
    (1, 2, 3), (0, 2, 3), (0, 1, 3), (0, 1, 2), (3, 6, 7), (3, 5, 7), (3, 4, 7), (3, 5, 6), (3, 4, 6), (3, 4, 5),
    (2, 6, 7), (2, 5, 7), (2, 4, 7), (2, 5, 6), (2, 4, 6), (2, 4, 5), (1, 6, 7), (1, 5, 7), (1, 4, 7), (1, 5, 6),
    (1, 4, 6), (0, 4, 5), (0, 6, 7), (0, 5, 7), (0, 4, 7), (0, 5, 6), (0, 4, 6), (0, 1, 4), (2, 3, 7)]


def e8p_patterns():
    patterns = []
    for n in range(3 ** 8):
        digits = [(n // 3 ** (7 - i)) % 3 for i in range(8)]  # coordinate 0 most significant
        halves = [2 * d + 1 for d in digits]
        if sum(h * h for h in halves) <= 40:
            patterns.append(halves)
    for positions in _NORM12_HALF_POSITIONS:
        patterns.append([1 if i in positions else 3 for i in range(8)])
    assert len(patterns) == 256, 'E8P table must have 256 patterns'
    return np.array(patterns, np.int64)


def decode_e8p(codes):
    """16-bit codes: bits 0-7 pattern, bits 8-14 signs of coordinates 0-6, bit 15 shift (+1/4 or -1/4)."""
    halves = e8p_patterns()[codes & 0xFF]
    signs = (codes[:, None] >> (8 + np.arange(7))) & 1
    parity = ((halves.sum(axis=1) // 2) + signs.sum(axis=1)) & 1  # the sign of coordinate 7: sum s*a even
    signs = np.concatenate([signs, parity[:, None]], axis=1)
    shift = np.where((codes >> 15) & 1, -0.25, 0.25)
    return np.where(signs == 1, -halves / 2.0, halves / 2.0) + shift[:, None]


def decode_e8_box(codes, bits):
    """8b-bit codes: bit 0 coset, b bits per level u_0..u_6, the b-1 high bits of u_7 (low bit: parity)."""
    half, mask = 1 << (bits - 1), (1 << bits) - 1
    offset = 0.25 + 0.5 * (codes & 1)
    levels = (codes[:, None] >> (1 + bits * np.arange(7))) & mask
    level7 = (((codes >> (1 + 7 * bits)) << 1) & mask) | (levels.sum(axis=1) & 1)
    levels = np.concatenate([levels, level7[:, None]], axis=1)
    return levels - half + offset[:, None]


def decode_e8(g):
    rows, cols, gs = int(g.attrs['rows']), int(g.attrs['cols']), int(g.attrs['group_size'])
    codebook = g.attrs['codebook']
    codebook = codebook.decode() if isinstance(codebook, bytes) else codebook
    bits, scales = g['bits'][...], half(g['scales'][...])
    offsets, raw = g['byte_offsets'][...], g['codes'][...]
    out = np.zeros((rows, cols), np.float32)
    for k in range(len(bits)):
        b, n = int(bits[k]), min(gs, cols - k * gs)
        assert n % 8 == 0, 'E8 groups hold whole 8-column sub-vectors'
        chunk = raw[offsets[k]: offsets[k + 1]].astype(np.int64)
        assert chunk.size == rows * (n // 8) * b, 'byte_offsets disagree with the group widths'
        codes = np.zeros(rows * (n // 8), np.int64)
        for byte in range(b):  # b bytes per code, little-endian
            codes |= chunk[byte::b] << (8 * byte)
        points = decode_e8p(codes) if (codebook == 'auto' and b == 2) else decode_e8_box(codes, b)
        # fp32 as the C++ decoder: float(point) * scale
        values = points.astype(np.float32) * np.float32(scales[k])
        out[:, k * gs: k * gs + n] = values.reshape(rows, n)
    return out


def decode_tensor(ds):
    dtype = ds.attrs['dtype']
    dtype = dtype.decode() if isinstance(dtype, bytes) else dtype
    raw = ds[...]
    if dtype == 'F32':
        return raw.astype(np.float32)
    if dtype == 'F16':
        return raw.astype('<u2').view(np.float16).astype(np.float32)
    if dtype == 'BF16':
        return (raw.astype(np.uint32) << 16).view(np.float32)
    raise ValueError('unknown dtype ' + dtype)


def read_all(path):
    with h5py.File(path, 'r') as f:
        if f.attrs['format'] != 'glvq-studio' or int(f.attrs['format_version']) != 1:
            raise SystemExit(f'{path}: not a glvq-studio version 1 export')
        for name, g in f['layers'].items():
            method = g.attrs['method']
            if method == 'glvq':
                yield name + '.weight', method, decode_glvq(g)
            elif method in ('rtn', 'gptq'):
                yield name + '.weight', method, decode_scalar(g)
            elif method in ('e8', 'e8-box'):
                yield name + '.weight', method, decode_e8(g)
            else:
                raise SystemExit(f'{path}: layer {name}: unknown method {method!r}')
        for name, ds in f['tensors'].items():
            yield name, 'full-precision', decode_tensor(ds)


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    mode = argv[2] if len(argv) > 3 else None
    target = argv[3] if len(argv) > 3 else None
    worst, count = 0.0, 0
    for name, kind, values in read_all(argv[1]):
        count += 1
        if mode == '--dump':
            os.makedirs(target, exist_ok=True)
            np.save(os.path.join(target, name + '.npy'), values)
        elif mode == '--compare':
            ref = np.fromfile(os.path.join(target, name + '.f32'), dtype='<f4').reshape(values.shape)
            diff = float(np.max(np.abs(ref - values))) if values.size else 0.0
            worst = max(worst, diff)
            if diff > 1e-6:
                print(f'{name}: max abs diff {diff:.3g} > 1e-6', file=sys.stderr)
        else:
            print(f'{name:48s} {kind:15s} {tuple(values.shape)}')
    if mode == '--compare':
        print(f'compared {count} tensors, max abs diff {worst:.3g}')
        return 0 if worst <= 1e-6 else 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
