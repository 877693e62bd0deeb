#!/usr/bin/env python3
# Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.
"""Plain-SQLite ingest baseline for `esadmin bench --mode ingest` (docs/bench/issue-13.md).

Writes the seeded vectors as an .fvecs file (if it does not exist yet) so esadmin upserts exactly the same bytes
(`--base FILE`), then inserts them into a fresh SQLite file the way a careful program would: WAL, synchronous=FULL,
one prepared INSERT, 1,000 rows per transaction, each vector as its little-endian float32 BLOB with the same small
JSON payload esadmin sends. Prints rows per second.

    python3 docs/bench/sqlite_ingest_baseline.py --fvecs /tmp/ingest.fvecs --db /tmp/baseline.db
"""
import argparse
import math
import os
import random
import sqlite3
import struct
import time


def write_fvecs(path, count, dim, seed):
    rng = random.Random(seed)
    row = struct.Struct("<i%df" % dim)
    with open(path, "wb") as f:
        for _ in range(count):
            # Box-Muller as esadmin's seeded vectors use; any values would do, the file fixes the bytes.
            f.write(row.pack(dim, *[math.sqrt(-2 * math.log(1 - rng.random())) * math.cos(2 * math.pi * rng.random()) for _ in range(dim)]))


def read_fvecs(path, count):
    with open(path, "rb") as f:
        data = f.read()
    dim = struct.unpack_from("<i", data, 0)[0]
    stride = 4 + 4 * dim
    n = min(count, len(data) // stride)
    return dim, [data[i * stride + 4:(i + 1) * stride] for i in range(n)]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--fvecs", required=True)
    p.add_argument("--db", required=True)
    p.add_argument("--count", type=int, default=100_000)
    p.add_argument("--dim", type=int, default=384)
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--batch", type=int, default=1_000)
    a = p.parse_args()
    if not os.path.exists(a.fvecs):
        write_fvecs(a.fvecs, a.count, a.dim, a.seed)
    dim, blobs = read_fvecs(a.fvecs, a.count)
    rows = [("%07d" % i, '{"n": %d, "tag": "t%d"}' % (i, i % 10), blob) for i, blob in enumerate(blobs)]
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(a.db + suffix):
            os.remove(a.db + suffix)
    con = sqlite3.connect(a.db, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    con.execute("CREATE TABLE items (id TEXT PRIMARY KEY, payload TEXT, vector BLOB NOT NULL)")
    started = time.perf_counter()
    for first in range(0, len(rows), a.batch):
        con.execute("BEGIN")
        con.executemany("INSERT INTO items (id, payload, vector) VALUES (?, ?, ?)", rows[first:first + a.batch])
        con.execute("COMMIT")
    seconds = time.perf_counter() - started
    con.close()
    print("sqlite-baseline %d rows x %d dims: %.0f rows/s (%.2f s)" % (len(rows), dim, len(rows) / seconds, seconds))


if __name__ == "__main__":
    main()
