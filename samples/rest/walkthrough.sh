#!/usr/bin/env bash
# The README walk-through as a script: register a model version, create a collection, upsert, search, read back.
# Start the server first (dotnet run --project src/EmbeddingStore.Server). BASE overrides the address.
set -euo pipefail
BASE="${BASE:-http://127.0.0.1:5080}"
json=(-H 'content-type: application/json')

curl -sS -X PUT "$BASE/v1/models/text/versions/v1" "${json[@]}" \
  -d '{"dimension": 3, "metric": "cosine", "normalized": false}'; echo
curl -sS -X PUT "$BASE/v1/collections/docs" "${json[@]}" \
  -d '{"servingVersion": "text@v1"}'; echo
curl -sS -X POST "$BASE/v1/collections/docs/items" "${json[@]}" -d '{"items": [
  {"id": "a1", "payload": {"lang": "en", "title": "cats"},  "vectors": {"text@v1": [0.9, 0.1, 0.0]}},
  {"id": "a2", "payload": {"lang": "de", "title": "Katzen"}, "vectors": {"text@v1": [0.8, 0.2, 0.1]}},
  {"id": "a3", "payload": {"lang": "en", "title": "cars"},  "vectors": {"text@v1": [0.0, 0.3, 0.9]}}]}'; echo
curl -sS -X POST "$BASE/v1/collections/docs/search" "${json[@]}" \
  -d '{"vector": [1.0, 0.1, 0.0], "version": "text@v1", "k": 2, "filter": {"must": [{"key": "lang", "match": "en"}]}}'; echo
curl -sS "$BASE/v1/collections/docs/items/a1?withVectors=true"; echo
curl -sS "$BASE/v1/collections/docs"; echo
# A query from another model version is refused, never silently compared:
curl -sS -X PUT "$BASE/v1/models/text/versions/v2" "${json[@]}" -d '{"dimension": 3, "metric": "cosine"}'; echo
curl -sS -X POST "$BASE/v1/collections/docs/search" "${json[@]}" -d '{"vector": [1.0, 0.1, 0.0], "version": "text@v2"}'; echo
