#!/usr/bin/env python3
# Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.
"""Issue 11's side-by-side filtered search (docs/bench/issue-11-payload-index.md): EmbeddingStore over HTTP and
PostgreSQL + pgvector through psycopg2, one client each, on ../shared/data/fortunes MiniLM with a `cat` field selecting
10 % and 1 % of the items (a seeded shuffle), the 500 shared queries, exact filtered top-10 truth from numpy.

    python3 docs/bench/pgvector_filtered.py http://127.0.0.1:5262 setup   # fills both (pgvector: unix socket /tmp, port 5499)
    python3 docs/bench/pgvector_filtered.py http://127.0.0.1:5262         # ours (arrays, base64; two clients) against pgvector
    python3 docs/bench/pgvector_filtered.py http://127.0.0.1:5262 hnsw    # the same with "index": "hnsw"
    python3 docs/bench/pgvector_filtered.py http://127.0.0.1:5262 ann     # unfiltered: our HNSW against pgvector's (issue 10)

`setup` also fills a second collection, fortunes-kept, whose graph keeps pruned connections (pgvector's neighbour policy),
and waits until both collections' graphs are built; `ann` measures both, and the default graph walked on int8 codes
(`"quantized": true`, issue 10's int8 traversal) beside them.

Each run warms both servers first and then alternates them pass by pass, so a change in the machine's load reaches both.

pgvector itself is not part of this repository: build it from its own release and create the extension first.
"""
import json, statistics, sys, time, urllib.request, numpy as np, psycopg2

import os
D = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "data", "fortunes") + "/"
def fvecs(p):
    a = np.fromfile(p, dtype=np.int32); d = a[0]; return a.reshape(-1, d + 1)[:, 1:].view(np.float32).copy()
X = fvecs(D + "corpus.minilm.fvecs"); Q = fvecs(D + "queries.minilm.fvecs")
n = len(X)
order = np.random.RandomState(11).permutation(n)
cat = np.array(["none"] * n, dtype=object); cat[order[: n // 10]] = "ten"; cat[order[: n // 100]] = "one"
filters = {"10%": ["one", "ten"], "1%": ["one"], "all": None}
truth = {}
S = Q @ X.T
for name, vals in filters.items():
    mask = np.ones(n, dtype=bool) if vals is None else np.isin(cat, vals)
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
    es("PUT", "/v1/collections/fortunes-kept", {"servingVersion": "minilm@v1", "indexSettings": {"keepPrunedConnections": True}})
    for i in range(0, n, 1000):
        es("POST", "/v1/collections/fortunes-kept/items", {"items": [{"id": str(j), "vectors": {"minilm@v1": X[j].tolist()}} for j in range(i, min(n, i + 1000))]})
    # The first hnsw search starts each graph's build job; wait until both serve.
    for c in ("fortunes", "fortunes-kept"):
        es("POST", f"/v1/collections/{c}/search", {"vector": X[0].tolist(), "k": 10, "index": "hnsw"})
    def graphs_ready():
        return all([i["state"] for i in es("GET", f"/v1/collections/{c}")["indexes"] if i["index"] == "hnsw"] == ["ready"]
                   for c in ("fortunes", "fortunes-kept"))
    t = time.perf_counter()
    while not graphs_ready():
        if time.perf_counter() - t > 600:
            sys.exit("our graphs were not ready after 600 s: see GET /v1/jobs")
        time.sleep(0.5)
    print(f"our graphs ready {time.perf_counter() - t:.1f} s after their builds were started (both; a lower bound on the build)")
    time.sleep(2)

def es_bodies(name, b64, index=None):
    import base64
    vals = filters[name]
    cond = {"key": "cat", "match": vals[0]} if len(vals) == 1 else {"key": "cat", "any": vals}
    return [json.dumps({"vector": base64.b64encode(q.astype('<f4').tobytes()).decode() if b64 else q.tolist(), "k": 10, "withPayload": False, "filter": {"must": [cond]}, **({"index": index} if index else {})}).encode() for q in Q]

class StdlibClient:
    """Python's http.client on one keep-alive connection, as psycopg2 holds one: the client most scripts would use."""
    def __init__(self, collection="fortunes"):
        import http.client, urllib.parse
        u = urllib.parse.urlparse(ES)
        self.conn = http.client.HTTPConnection(u.hostname, u.port)
        self.path = f"/v1/collections/{collection}/search"
    def search(self, body):
        self.conn.request("POST", self.path, body=body, headers={"content-type": "application/json"})
        return json.loads(self.conn.getresponse().read())

class CurlClient:
    """libcurl (pycurl, Debian's python3-pycurl) on one reused connection: a client written in C, as psycopg2's libpq is,
    so that the two servers are compared with clients of like cost. http.client spends more per request than our
    server does (it parses every response header with the email package and sends headers and body in two writes)."""
    def __init__(self, collection="fortunes"):
        import io, pycurl
        self.pycurl, self.buf = pycurl, io.BytesIO()
        self.curl = pycurl.Curl()
        self.curl.setopt(pycurl.URL, ES + f"/v1/collections/{collection}/search")
        self.curl.setopt(pycurl.HTTPHEADER, ["Content-Type: application/json", "Expect:"])
        self.curl.setopt(pycurl.TCP_NODELAY, 1)
        self.curl.setopt(pycurl.WRITEDATA, self.buf)
    def search(self, body):
        self.buf.seek(0); self.buf.truncate()
        self.curl.setopt(self.pycurl.POSTFIELDS, body)
        self.curl.perform()
        return json.loads(self.buf.getvalue())

def es_pass(client, bodies, plans=None):
    res = []; t = time.perf_counter()
    for b in bodies:
        doc = client.search(b); res.append([int(h["id"]) for h in doc["hits"]])
        if plans is not None:
            plans[doc.get("plan")] = plans.get(doc.get("plan"), 0) + 1
    return len(bodies) / (time.perf_counter() - t), res

def setup_pg(con):
    cur = con.cursor()
    cur.execute("DROP TABLE IF EXISTS fortunes; CREATE TABLE fortunes (id int PRIMARY KEY, cat text, embedding vector(384));")
    for i in range(0, n, 1000):
        cur.executemany("INSERT INTO fortunes VALUES (%s, %s, %s)", [(j, cat[j], "[" + ",".join(map(repr, X[j].tolist())) + "]") for j in range(i, min(n, i + 1000))])
    cur.execute("CREATE INDEX ON fortunes (cat); ANALYZE fortunes;")
    con.commit()

def pg_queries(con, name):
    """Both of PostgreSQL's ways to send the query: a fresh statement (planned each time) and a prepared one (its plan
    cached after five executions); the better of the two is pgvector's figure."""
    vals = filters[name]
    cur = con.cursor()
    qs = ["[" + ",".join(map(repr, q.tolist())) + "]" for q in Q]
    sql = "SELECT id FROM fortunes WHERE cat = ANY(%s) ORDER BY embedding <#> %s::vector LIMIT 10"
    cur.execute("DEALLOCATE ALL")
    cur.execute("PREPARE filtered(text[], vector) AS SELECT id FROM fortunes WHERE cat = ANY($1) ORDER BY embedding <#> $2 LIMIT 10")
    def plain():
        res = []; t = time.perf_counter()
        for q in qs:
            cur.execute(sql, (vals, q)); res.append([r[0] for r in cur.fetchall()])
        return len(qs) / (time.perf_counter() - t), res
    def prepared():
        res = []; t = time.perf_counter()
        for q in qs:
            cur.execute("EXECUTE filtered(%s, %s)", (vals, q)); res.append([r[0] for r in cur.fetchall()])
        return len(qs) / (time.perf_counter() - t), res
    cur.execute("EXPLAIN " + sql, (vals, qs[0]))
    plan = " / ".join(r[0].strip().split("  (cost")[0][:60] for r in cur.fetchall() if "Sort Key" not in r[0])
    return plain, prepared, plan

def compare(con, name, rounds, warm_seconds, index=None):
    """Warms both servers (the .NET tiered JIT needs some 20,000 requests to reach its final code; PostgreSQL its
    caches), then runs `rounds` rounds, each one pass of every variant in turn, and reports each variant's median."""
    variants = {}
    if index is None:
        variants["ours, JSON arrays, http.client"] = (StdlibClient(), es_bodies(name, False))
    variants[f"ours, base64, http.client{', ' + index if index else ''}"] = (StdlibClient(), es_bodies(name, True, index))
    variants[f"ours, base64, libcurl{', ' + index if index else ''}"] = (CurlClient(), es_bodies(name, True, index))
    cur = con.cursor()
    cur.execute("DROP INDEX IF EXISTS fortunes_embedding_hnsw")  # the `ann` run's graph; with it the planner may walk it and lose rows
    con.commit()
    plain, prepared, plan = pg_queries(con, name)
    end = time.time() + warm_seconds
    while time.time() < end:
        for client, bodies in variants.values():
            es_pass(client, bodies)
        plain(); prepared()
    rates = {k: [] for k in list(variants) + ["pgvector, plain", "pgvector, prepared"]}
    recalls = {}; plans = {}
    for r in range(rounds):
        for k, (client, bodies) in variants.items():
            q, res = es_pass(client, bodies, plans); rates[k].append(q); recalls[k] = recall(res, name)
        for k, f in (("pgvector, plain", plain), ("pgvector, prepared", prepared)):
            q, res = f(); rates[k].append(q); recalls[k] = recall(res, name)
    med = {k: statistics.median(v) for k, v in rates.items()}
    pg_best = max(med["pgvector, plain"], med["pgvector, prepared"])
    print(f"{name} ({rounds} rounds after {warm_seconds} s warm-up; pgvector plan: {plan}; our plans {plans})")
    for k, v in med.items():
        print(f"  {k:34} {v:8,.0f} q/s (passes {min(rates[k]):,.0f}-{max(rates[k]):,.0f})  recall {recalls[k]:.3f}  vs pgvector's best {v / pg_best:.2f}x")

def compare_ann(con, efs, rounds, warm_seconds):
    """Unfiltered top 10 through each side's HNSW (M 16, efConstruction 200 on both), swept over ef: pgvector's graph is
    built here once (one parallel maintenance worker, timed); ours is the collection's graph, built by its job. Same
    warm-up and alternating rounds as compare()."""
    import base64
    cur = con.cursor()
    cur.execute("SELECT 1 FROM pg_indexes WHERE tablename = 'fortunes' AND indexname = 'fortunes_embedding_hnsw'")
    if not cur.fetchall():
        cur.execute("SET max_parallel_maintenance_workers = 1")
        t = time.perf_counter()
        cur.execute("CREATE INDEX fortunes_embedding_hnsw ON fortunes USING hnsw (embedding vector_ip_ops) WITH (m = 16, ef_construction = 200)")
        con.commit()
        print(f"pgvector HNSW build: {time.perf_counter() - t:.2f} s")
    qs = ["[" + ",".join(map(repr, q.tolist())) + "]" for q in Q]
    sql = "SELECT id FROM fortunes ORDER BY embedding <#> %s::vector LIMIT 10"
    cur.execute("EXPLAIN " + sql, (qs[0],))
    plan = " / ".join(r[0].strip().split("  (cost")[0][:60] for r in cur.fetchall() if "Order By" not in r[0])
    def pg(ef):
        cur.execute(f"SET hnsw.ef_search = {int(ef)}")
        res = []; t = time.perf_counter()
        for q in qs:
            cur.execute(sql, (q,)); res.append([r[0] for r in cur.fetchall()])
        return len(qs) / (time.perf_counter() - t), res
    vectors = [base64.b64encode(q.astype('<f4').tobytes()).decode() for q in Q]
    def make(quantized):
        return {ef: [json.dumps({"vector": v, "k": 10, "withPayload": False, "index": "hnsw", "ef": ef, **({"quantized": True} if quantized else {})}).encode()
                     for v in vectors] for ef in efs}
    plain, coded = make(False), make(True)
    clients = {"libcurl": CurlClient(), "http.client": StdlibClient(), "kept, libcurl": CurlClient("fortunes-kept"), "int8, libcurl": CurlClient()}
    def bodies_for(name):
        return coded if name.startswith("int8") else plain
    end = time.time() + warm_seconds
    while time.time() < end:
        for ef in efs:
            for name, c in clients.items():
                es_pass(c, bodies_for(name)[ef])
            pg(ef)
    rates, recalls, plans = {}, {}, {}
    for r in range(rounds):
        for ef in efs:
            for name, c in clients.items():
                q, res = es_pass(c, bodies_for(name)[ef], plans); rates.setdefault((name, ef), []).append(q); recalls[(name, ef)] = recall(res, "all")
            q, res = pg(ef); rates.setdefault(("pgvector", ef), []).append(q); recalls[("pgvector", ef)] = recall(res, "all")
    med = {k: statistics.median(v) for k, v in rates.items()}
    print(f"unfiltered top 10 ({rounds} rounds after {warm_seconds} s warm-up; pgvector plan: {plan}; our plans {plans})")
    print("   ef | pgvector recall  q/s | ours recall | libcurl q/s | http.client q/s | kept pruned: recall | libcurl q/s | int8 walk: recall | libcurl q/s")
    for ef in efs:
        print(f"  {ef:3} |  {recalls[('pgvector', ef)]:.3f} {med[('pgvector', ef)]:7,.0f} |    {recalls[('libcurl', ef)]:.3f}    | {med[('libcurl', ef)]:9,.0f}   | {med[('http.client', ef)]:9,.0f}"
              f"       |        {recalls[('kept, libcurl', ef)]:.3f}        | {med[('kept, libcurl', ef)]:9,.0f}"
              f"   |       {recalls[('int8, libcurl', ef)]:.3f}       | {med[('int8, libcurl', ef)]:9,.0f}")
    # At equal recall: for each pgvector point, our fastest ef that reaches at least its recall.
    for ef in efs:
        want = recalls[("pgvector", ef)]
        ours = [e for e in efs if recalls[("libcurl", e)] >= want]
        kept = [e for e in efs if recalls[("kept, libcurl", e)] >= want]
        line = f"  pgvector ef {ef} (recall {want:.3f}, {med[('pgvector', ef)]:,.0f} q/s):"
        if ours:
            best = max(ours, key=lambda e: med[("libcurl", e)])
            line += (f" ours ef {best} recall {recalls[('libcurl', best)]:.3f} "
                     f"libcurl {med[('libcurl', best)] / med[('pgvector', ef)]:.2f}x, http.client {med[('http.client', best)] / med[('pgvector', ef)]:.2f}x;")
        if kept:
            best = max(kept, key=lambda e: med[("kept, libcurl", e)])
            line += f" kept pruned ef {best} recall {recalls[('kept, libcurl', best)]:.3f} libcurl {med[('kept, libcurl', best)] / med[('pgvector', ef)]:.2f}x;"
        coded_efs = [e for e in efs if recalls[("int8, libcurl", e)] >= want]
        if coded_efs:
            best = max(coded_efs, key=lambda e: med[("int8, libcurl", e)])
            line += f" int8 walk ef {best} recall {recalls[('int8, libcurl', best)]:.3f} libcurl {med[('int8, libcurl', best)] / med[('pgvector', ef)]:.2f}x"
        print(line)

if __name__ == "__main__":
    con = psycopg2.connect(host="/tmp", port=5499, user="postgres")
    if "setup" in sys.argv:
        setup_es(); setup_pg(con); print("set up"); sys.exit()
    if "ann" in sys.argv:
        compare_ann(con, [16, 24, 32, 36, 40, 48, 64, 96], rounds=5, warm_seconds=20); sys.exit()
    index = "hnsw" if "hnsw" in sys.argv else None
    for name in ["10%", "1%"]:
        compare(con, name, rounds=9, warm_seconds=20, index=index)
