#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Where the bytes of a GLVQ Studio export go (docs/FORMAT.md), dataset kind by kind, as stored on disk and as
bits per quantized weight: codes, each kind of side information (row scales, generators, mu, group scales,
bit maps, offsets, ...), the tensors kept in full precision, and everything else (attributes, config and
tokenizer files, HDF5 metadata). Uses only h5py and numpy (Debian: python3-h5py python3-numpy).

    export_breakdown.py MODEL.h5 [--json]
"""
import json
import os
import sys
from collections import defaultdict

import h5py


def breakdown(path):
    by_kind, quantized = defaultdict(int), 0
    with h5py.File(path, 'r') as f:
        for name, g in f['layers'].items():
            quantized += int(g.attrs['rows']) * int(g.attrs['cols'])
            for kind, ds in g.items():
                by_kind['codes' if kind == 'codes' else 'side: ' + kind] += ds.id.get_storage_size()
        full = sum(ds.id.get_storage_size() for ds in f['tensors'].values())
    total = os.path.getsize(path)
    side = sum(v for k, v in by_kind.items() if k.startswith('side: '))
    rows = [(k, v) for k, v in sorted(by_kind.items(), key=lambda kv: (not kv[0] == 'codes', -kv[1]))]
    rows += [('side information, all kinds', side), ('full-precision tensors', full),
             ('other (attributes, files, HDF5 metadata)', total - by_kind['codes'] - side - full), ('whole file', total)]
    return quantized, [(k, v, 8.0 * v / quantized) for k, v in rows]


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    quantized, rows = breakdown(argv[1])
    if '--json' in argv:
        print(json.dumps({'quantized_weights': quantized, 'parts': [{'part': k, 'bytes': v, 'bits_per_quantized_weight': b}
                                                                     for k, v, b in rows]}, indent=2))
        return 0
    print(f'{argv[1]}: {quantized} quantized weights')
    print(f'| part | bytes | bits per quantized weight |\n|---|---|---|')
    for k, v, b in rows:
        print(f'| {k} | {v} | {b:.4f} |')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
