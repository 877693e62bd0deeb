#!/usr/bin/python3
# Writes a seeded Gaussian-mixture .fvecs set (base and queries drawn from the same mixture), the clustered shape real
# embeddings have; pure i.i.d. Gaussian data is a worst case no graph index handles (issue 10).
# usage: generate_clustered.py OUT_DIR NAME COUNT QUERIES DIMENSION CENTRES SEED
import sys
import numpy as np


def write_fvecs(path, x):
    x = np.ascontiguousarray(x, dtype=np.float32)
    n, d = x.shape
    rows = np.empty((n, d + 1), dtype=np.float32)
    rows[:, 0] = np.frombuffer(np.int32(d).tobytes(), dtype=np.float32)[0]
    rows[:, 1:] = x
    rows.tofile(path)


def draw(rng, centres, n, spread):
    picks = rng.integers(0, centres.shape[0], size=n)
    return centres[picks] + spread * rng.standard_normal((n, centres.shape[1]), dtype=np.float32)


out, name = sys.argv[1], sys.argv[2]
count, queries, dim, k, seed = (int(a) for a in sys.argv[3:8])
rng = np.random.default_rng(seed)
centres = rng.standard_normal((k, dim), dtype=np.float32)
# Within-cluster spread comparable to the distance between centres, so clusters overlap as embedding topics do.
spread = np.float32(0.6)
write_fvecs(f"{out}/{name}.base.fvecs", draw(rng, centres, count, spread))
write_fvecs(f"{out}/{name}.query.fvecs", draw(rng, centres, queries, spread))
