# Loads the transform measurement: fortunes MiniLM/Arctic pairs (10k) and 100k seeded Gaussian 384-d MiniLM-only items.
import base64, json, random, struct, sys, urllib.request
base = sys.argv[1]
def call(method, path, body):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), headers={"content-type": "application/json"}, method=method)
    return urllib.request.urlopen(req).read()
def fvecs(path):
    data = open(path, "rb").read(); rows = []; i = 0
    while i < len(data):
        d = struct.unpack_from("<i", data, i)[0]; rows.append(data[i + 4:i + 4 + 4 * d]); i += 4 + 4 * d
    return rows
call("PUT", "/v1/models/minilm/versions/v1", {"dimension": 384, "metric": "cosine"})
call("PUT", "/v1/models/arctic/versions/v1", {"dimension": 384, "metric": "cosine"})
call("PUT", "/v1/collections/pairs", {"servingVersion": "minilm@v1"})
call("PUT", "/v1/collections/big", {"servingVersion": "minilm@v1"})
m = fvecs("/work/shared/data/fortunes/corpus.minilm.fvecs"); a = fvecs("/work/shared/data/fortunes/corpus.arctic.fvecs")
b64 = lambda raw: base64.b64encode(raw).decode()
for k in range(0, len(m), 500):
    call("POST", "/v1/collections/pairs/items", {"items": [{"id": f"f{i}", "vectors": {"minilm@v1": b64(m[i]), "arctic@v1": b64(a[i])}} for i in range(k, min(k + 500, len(m)))]})
rnd = random.Random(42)
for k in range(0, 100_000, 500):
    items = []
    for i in range(k, k + 500):
        v = [rnd.gauss(0, 1) for _ in range(384)]
        items.append({"id": f"b{i:06d}", "vectors": {"minilm@v1": b64(struct.pack("<384f", *v))}})
    call("POST", "/v1/collections/big/items", {"items": items})
print("loaded")
