#!/usr/bin/python3
# FAISS IndexFlatIP on the same .fvecs files as `esadmin bench`, one thread: batched and single-query queries per
# second, and optionally the exact top-100 written as .ivecs ground truth (inner product, as --metric dot).
# usage: faiss_flat.py BASE.fvecs QUERY.fvecs [--k 10] [--single N] [--write-gt GT.ivecs] [--gt GT.ivecs]
import argparse
import json
import time
import faiss
import numpy as np


def read_vecs(path, dtype):
    raw = np.fromfile(path, dtype=np.int32)
    d = int(raw[0])
    if raw.size % (d + 1) != 0:
        raise SystemExit(f"{path}: truncated or mixed dimensions")
    rows = raw.reshape(-1, d + 1)
    if not (rows[:, 0] == d).all():
        raise SystemExit(f"{path}: mixed dimensions")
    return np.ascontiguousarray(rows[:, 1:]).view(dtype)


p = argparse.ArgumentParser()
p.add_argument("base")
p.add_argument("query")
p.add_argument("--k", type=int, default=10)
p.add_argument("--single", type=int, default=100, help="queries timed one at a time")
p.add_argument("--write-gt")
p.add_argument("--gt")
p.add_argument("--repeat", type=int, default=1, help="timed passes; the fastest is reported")
a = p.parse_args()

faiss.omp_set_num_threads(1)
xb = read_vecs(a.base, np.float32)
xq = read_vecs(a.query, np.float32)
index = faiss.IndexFlatIP(xb.shape[1])
index.add(xb)

index.search(xq[:8], a.k)  # warm-up
batch_qps = single_qps = 0.0
n = min(a.single, len(xq))
for _ in range(a.repeat):
    t = time.perf_counter()
    _, ids = index.search(xq, a.k)
    batch_qps = max(batch_qps, len(xq) / (time.perf_counter() - t))

    t = time.perf_counter()
    for i in range(n):
        index.search(xq[i:i + 1], a.k)
    single_qps = max(single_qps, n / (time.perf_counter() - t))

result = {"faiss": faiss.__version__, "base": xb.shape[0], "dimension": xb.shape[1], "queries": len(xq), "k": a.k,
          "batchQps": round(batch_qps, 1), "singleQps": round(single_qps, 1), "singleQueries": n, "repeat": a.repeat}
if a.gt:
    gt = read_vecs(a.gt, np.int32)[:, :a.k]
    result["recall"] = float(np.mean([len(set(ids[i]) & set(gt[i])) / a.k for i in range(len(xq))]))
if a.write_gt:
    _, gt = index.search(xq, 100)
    rows = np.empty((gt.shape[0], 101), dtype=np.int32)
    rows[:, 0] = 100
    rows[:, 1:] = gt
    rows.tofile(a.write_gt)
print(json.dumps(result))
