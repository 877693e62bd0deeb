#!/usr/bin/env python3
# Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.
"""pgvector side of issue 13's ingest target (docs/bench/issue-13.md, step 7): the same 100,000 x 384 vectors and small
payloads `esadmin bench --mode ingest --base FILE` upserts, loaded into PostgreSQL + pgvector by one psycopg2 client
two ways, each into a fresh table, timed from the first statement to the last commit:

  - COPY: one `COPY ... FROM STDIN` per 1,000 rows (text format, the vector as pgvector's '[x,y,...]' literal), each in
    its own transaction, so a commit per chunk as our bulk route makes;
  - INSERT: `execute_values` of 1,000 rows per statement and transaction.

    python3 docs/bench/pgvector_ingest.py /tmp/i13/ingest.fvecs [PORT]     # unix socket /tmp, port 5499, user postgres

The table is `id text PRIMARY KEY, payload jsonb, embedding vector(384)`: what our items and vectors tables hold. The
server keeps PostgreSQL's defaults (synchronous_commit on, fsync on, full_page_writes on), the durability our
synchronous=FULL commits give. pgvector itself is not part of this repository: build it from its own release and create
the extension first. Text formatting of the rows happens before the clock starts, as esadmin builds its items first.
"""
import io
import sys
import time

import numpy as np
import psycopg2
import psycopg2.extras


def fvecs(path):
    a = np.fromfile(path, dtype=np.int32)
    d = a[0]
    return a.reshape(-1, d + 1)[:, 1:].view(np.float32).copy()


def main():
    path = sys.argv[1]
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 5499
    x = fvecs(path)
    n, d = x.shape
    ids = ["%07d" % i for i in range(n)]
    payloads = ['{"n": %d, "tag": "t%d"}' % (i, i % 10) for i in range(n)]
    # Nine significant digits round-trip every float32 exactly, and keep the text (which pgvector parses) short.
    literals = ["[" + ",".join("%.9g" % v for v in row.tolist()) + "]" for row in x]
    lines = ["%s\t%s\t%s\n" % (ids[i], payloads[i], literals[i]) for i in range(n)]
    con = psycopg2.connect(host="/tmp", port=port, dbname="postgres", user="postgres")
    cur = con.cursor()
    cur.execute("CREATE EXTENSION IF NOT EXISTS vector")
    con.commit()
    for form in ("copy", "insert"):
        table = "ingest_" + form
        cur.execute("DROP TABLE IF EXISTS %s; CREATE TABLE %s (id text PRIMARY KEY, payload jsonb, embedding vector(%d))" % (table, table, d))
        con.commit()
        started = time.perf_counter()
        for first in range(0, n, 1000):
            if form == "copy":
                cur.copy_expert("COPY %s (id, payload, embedding) FROM STDIN" % table, io.StringIO("".join(lines[first:first + 1000])))
            else:
                psycopg2.extras.execute_values(
                    cur, "INSERT INTO %s (id, payload, embedding) VALUES %%s" % table,
                    [(ids[i], payloads[i], literals[i]) for i in range(first, min(n, first + 1000))], page_size=1000)
            con.commit()
        seconds = time.perf_counter() - started
        cur.execute("SELECT count(*) FROM %s" % table)
        assert cur.fetchone()[0] == n
        print("pgvector-%s %d rows x %d dims: %.0f rows/s (%.2f s)" % (form, n, d, n / seconds, seconds))
    con.close()


if __name__ == "__main__":
    main()
