#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""What gzip would save on the packed codes of an export (docs/FORMAT.md §6): rewrites every layer's
codes dataset into a scratch file with gzip 4, shuffle + gzip 4 and gzip 9 and prints the stored bytes.

    measure_code_gzip.py MODEL.h5 [SCRATCH.h5]
"""
import sys, h5py, numpy as np
path = sys.argv[1]
raw = {'none': 0, 'gzip4': 0, 'shuffle+gzip4': 0, 'gzip9': 0}
with h5py.File(path, 'r') as f, h5py.File(sys.argv[2] if len(sys.argv) > 2 else '/tmp/glvq_gzip_probe.h5', 'w') as out:
    for name, g in f['layers'].items():
        codes = g['codes'][...]
        raw['none'] += codes.nbytes
        for key, kw in [('gzip4', dict(compression='gzip', compression_opts=4)),
                        ('shuffle+gzip4', dict(compression='gzip', compression_opts=4, shuffle=True)),
                        ('gzip9', dict(compression='gzip', compression_opts=9))]:
            ds = out.create_dataset(name + key, data=codes, chunks=(min(len(codes), 262144),), **kw)
            raw[key] += ds.id.get_storage_size()
for k, v in raw.items():
    print(f'{k:14s} {v:10d} bytes  {v / raw["none"]:.4f}')
