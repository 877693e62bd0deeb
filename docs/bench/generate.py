#!/usr/bin/python3
# Writes seeded Gaussian .fvecs files for the issue-3 benchmarks (base and queries).
# usage: generate.py OUT_DIR NAME COUNT QUERIES DIMENSION SEED
import sys
import numpy as np


def write_fvecs(path, x):
    x = np.ascontiguousarray(x, dtype=np.float32)
    n, d = x.shape
    rows = np.empty((n, d + 1), dtype=np.float32)
    rows[:, 0] = np.frombuffer(np.int32(d).tobytes(), dtype=np.float32)[0]
    rows[:, 1:] = x
    rows.tofile(path)


out, name, count, queries, dim, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
rng = np.random.default_rng(seed)
write_fvecs(f"{out}/{name}.base.fvecs", rng.standard_normal((count, dim), dtype=np.float32))
write_fvecs(f"{out}/{name}.query.fvecs", rng.standard_normal((queries, dim), dtype=np.float32))
