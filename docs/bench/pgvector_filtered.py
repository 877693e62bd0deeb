#!/usr/bin/env python3
# Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.
"""Issue 11's side-by-side filtered search (docs/bench/issue-11-payload-index.md): EmbeddingStore over HTTP and
PostgreSQL + pgvector through psycopg2, one client each, on ../shared/data/fortunes MiniLM with a `cat` field selecting
10 % and 1 % of the items (a seeded shuffle), the 500 shared queries, exact filtered top-10 truth from numpy.

    python3 docs/bench/pgvector_filtered.py http://127.0.0.1:5262 setup   # fills both (pgvector: unix socket /tmp, port 5499)
    python3 docs/bench/pgvector_filtered.py http://127.0.0.1:5262         # JSON-array and base64 vectors against pgvector
    python3 docs/bench/pgvector_filtered.py http://127.0.0.1:5262 hnsw    # ours with "index": "hnsw"

pgvector itself is not part of this repository: build it from its own release and create the extension first.
"""
import json, sys, time, urllib.request, numpy as np, psycopg2

import os
D = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "data", "fortunes") + "/"
def fvecs(p):
    a = np.fromfile(p, dtype=np.int32); d = a[0]; return a.reshape(-1, d + 1)[:, 1:].view(np.float32).copy()
X = fvecs(D + "corpus.minilm.fvecs"); Q = fvecs(D + "queries.minilm.fvecs")
n = len(X)
order = np.random.RandomState(11).permutation(n)
cat = np.array(["none"] * n, dtype=object); cat[order[: n // 10]] = "ten"; cat[order[: n // 100]] = "one"
filters = {"10%": ["one", "ten"], "1%": ["one"]}
truth = {}
S = Q @ X.T
for name, vals in filters.items():
    mask = np.isin(cat, vals)
    s = np.where(mask[None, :], S, -np.inf)
    truth[name] = [set(np.argsort(-row)[:10]) for row in s]

def recall(results, name):
    return sum(len(set(r) & t) for r, t in zip(results, truth[name])) / (10 * len(Q))

ES = sys.argv[1]
def es(method, path, body=None):
    req = urllib.request.Request(ES + path, method=method, data=None if body is None else json.dumps(body).encode(), headers={"content-type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read() or b"null")

def setup_es():
    es("PUT", "/v1/models/minilm/versions/v1", {"dimension": 384, "metric": "dot"})
    es("PUT", "/v1/collections/fortunes", {"servingVersion": "minilm@v1"})
    for i in range(0, n, 1000):
        es("POST", "/v1/collections/fortunes/items", {"items": [{"id": str(j), "payload": {"cat": cat[j]}, "vectors": {"minilm@v1": X[j].tolist()}} for j in range(i, min(n, i + 1000))]})
    es("PUT", "/v1/collections/fortunes/indexes/cat", {"type": "keyword"})
    time.sleep(2)

def run_es(name, passes, b64=False, index=None):
    import base64
    vals = filters[name]
    cond = {"key": "cat", "match": vals[0]} if len(vals) == 1 else {"key": "cat", "any": vals}
    bodies = [json.dumps({"vector": base64.b64encode(q.astype('<f4').tobytes()).decode() if b64 else q.tolist(), "k": 10, "withPayload": False, "filter": {"must": [cond]}, **({"index": index} if index else {})}).encode() for q in Q]
    import http.client, urllib.parse
    u = urllib.parse.urlparse(ES)
    conn = http.client.HTTPConnection(u.hostname, u.port)  # one keep-alive connection, as psycopg2 holds one
    best = None
    plans = {}
    for p in range(passes):
        res = []; t = time.perf_counter()
        for b in bodies:
            conn.request("POST", "/v1/collections/fortunes/search", body=b, headers={"content-type": "application/json"})
            r = conn.getresponse()
            doc = json.loads(r.read()); res.append([int(h["id"]) for h in doc["hits"]]); plans[doc.get("plan")] = plans.get(doc.get("plan"), 0) + 1
        el = time.perf_counter() - t
        best = el if best is None else min(best, el)
    run_es.plans = plans
    return len(Q) / best, recall(res, name)

def setup_pg(con):
    cur = con.cursor()
    cur.execute("DROP TABLE IF EXISTS fortunes; CREATE TABLE fortunes (id int PRIMARY KEY, cat text, embedding vector(384));")
    for i in range(0, n, 1000):
        cur.executemany("INSERT INTO fortunes VALUES (%s, %s, %s)", [(j, cat[j], "[" + ",".join(map(repr, X[j].tolist())) + "]") for j in range(i, min(n, i + 1000))])
    cur.execute("CREATE INDEX ON fortunes (cat); ANALYZE fortunes;")
    con.commit()

def run_pg(con, name, passes):
    vals = filters[name]
    cur = con.cursor()
    qs = ["[" + ",".join(map(repr, q.tolist())) + "]" for q in Q]
    sql = "SELECT id FROM fortunes WHERE cat = ANY(%s) ORDER BY embedding <#> %s::vector LIMIT 10"
    best = None
    for p in range(passes):
        res = []; t = time.perf_counter()
        for q in qs:
            cur.execute(sql, (vals, q)); res.append([r[0] for r in cur.fetchall()])
        el = time.perf_counter() - t
        best = el if best is None else min(best, el)
    cur.execute("EXPLAIN " + sql, (vals, qs[0])); plan = " / ".join(r[0].strip().split("  (cost")[0][:60] for r in cur.fetchall())
    return len(Q) / best, recall(res, name), plan

if __name__ == "__main__":
    con = psycopg2.connect(host="/tmp", port=5499, user="postgres")
    if "setup" in sys.argv:
        setup_es(); setup_pg(con); print("set up"); sys.exit()
    if "hnsw" in sys.argv:
        run_es("10%", 1, True, "hnsw"); time.sleep(15)
        for name in ["10%", "1%"]:
            q, r = run_es(name, 3, True, "hnsw"); print(f"{name} hnsw base64: {q:,.0f} q/s recall {r:.3f} plans {run_es.plans}")
        sys.exit()
    for name in ["10%", "1%"]:
        es_qps, es_rec = run_es(name, 3)
        es64_qps, es64_rec = run_es(name, 3, b64=True)
        pg_qps, pg_rec, plan = run_pg(con, name, 3)
        print(f"{name}: EmbeddingStore array {es_qps:,.0f} q/s recall {es_rec:.3f}, base64 {es64_qps:,.0f} q/s recall {es64_rec:.3f} | pgvector {pg_qps:,.0f} q/s recall {pg_rec:.3f} | ratios {es_qps / pg_qps:.2f}x / {es64_qps / pg_qps:.2f}x")
