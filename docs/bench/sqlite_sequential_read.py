#!/usr/bin/env python3
# Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.
"""The start-up floor for docs/bench/issue-13.md: one plain sequential read of every item and vector row of a server's
database file (the rows the server's start-up loads into memory), touching every byte of each BLOB and payload.

    python3 docs/bench/sqlite_sequential_read.py /path/to/store.db
"""
import sqlite3
import sys
import time

con = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
started = time.perf_counter()
rows = 0
total = 0
for item_id, payload, data in con.execute(
        "SELECT i.item_id, i.payload, v.data FROM items i JOIN vectors v ON v.item_rowid = i.id ORDER BY i.collection_id, i.item_id"):
    rows += 1
    total += len(data) + len(item_id) + (len(payload) if payload else 0)
seconds = time.perf_counter() - started
print("sequential read: %d rows, %.1f MiB in %.2f s (%.0f rows/s)" % (rows, total / 2**20, seconds, rows / seconds))
