#!/usr/bin/env bash
# Runs every measurement of docs/bench/issue-3.md in one go and prints one JSON line per run.
# usage: docs/bench/run-issue-3.sh [WORK_DIR]   (default /tmp/bench; needs ~1 GB of disk and /usr/bin/python3 with faiss)
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
work="${1:-/tmp/bench}"
fortunes="$repo/../shared/data/fortunes"
mkdir -p "$work"
cd "$work"

dotnet build -c Release "$repo/src/EmbeddingStore.Admin" -v q -nologo >/dev/null
# Every timed figure is the fastest of 3 repetitions, for us and for FAISS alike (the machine is shared).
es() { dotnet "$repo/src/EmbeddingStore.Admin/bin/Release/net10.0/esadmin.dll" bench --json --repeat 3 "$@"; }
# FAISS with OpenBLAS on one thread (the pthread OpenBLAS ignores omp_set_num_threads).
faiss() { OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 /usr/bin/python3 "$repo/docs/bench/faiss_flat.py" --repeat 3 "$@"; }

# Seeded Gaussian data (numpy default_rng), written once.
[ -f g100k384.base.fvecs ] || /usr/bin/python3 "$repo/docs/bench/generate.py" . g100k384 100000 1000 384 3
[ -f g1m128.base.fvecs ] || /usr/bin/python3 "$repo/docs/bench/generate.py" . g1m128 1000000 1000 128 4
echo "{\"machine\": \"$(nproc) cpus, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)\", \"loadAverage\": \"$(cut -d' ' -f1-3 /proc/loadavg)\", \"utc\": \"$(date -u +%FT%TZ)\"}"

# FAISS IndexFlatIP: batched 1,000 queries and single queries; its exact top-100 is the ground truth for our runs.
faiss g100k384.base.fvecs g100k384.query.fvecs --single 50 --write-gt g100k384.gt.ivecs
faiss g1m128.base.fvecs g1m128.query.fvecs --single 20 --write-gt g1m128.gt.ivecs

# Single-query exact search, one thread, against the measured bandwidth floor.
es --base g100k384.base.fvecs --query g100k384.query.fvecs --gt g100k384.gt.ivecs --queries 300
es --base g1m128.base.fvecs --query g1m128.query.fvecs --gt g1m128.gt.ivecs --queries 150

# Batched exact search, 1,000 queries, one thread (compare with FAISS's batchQps above).
es --base g100k384.base.fvecs --query g100k384.query.fvecs --gt g100k384.gt.ivecs --mode batch
es --base g1m128.base.fvecs --query g1m128.query.fvecs --gt g1m128.gt.ivecs --mode batch

# What two cores give: the parallel single-query scan, and the batch split across two threads.
es --base g100k384.base.fvecs --query g100k384.query.fvecs --gt g100k384.gt.ivecs --queries 300 --threads 2
es --base g100k384.base.fvecs --query g100k384.query.fvecs --gt g100k384.gt.ivecs --mode batch --threads 2

# Int8 against float exact, single query, one thread: the shared corpora (real embeddings) and the Gaussian sets.
for model in minilm arctic; do
  for index in exact int8; do
    es --base "$fortunes/corpus.$model.fvecs" --query "$fortunes/queries.$model.fvecs" --gt "$fortunes/gt.$model.ivecs" --index "$index"
  done
done
es --base g100k384.base.fvecs --query g100k384.query.fvecs --gt g100k384.gt.ivecs --queries 300 --index int8
es --base g1m128.base.fvecs --query g1m128.query.fvecs --gt g1m128.gt.ivecs --queries 150 --index int8
echo "{\"loadAverageAtEnd\": \"$(cut -d' ' -f1-3 /proc/loadavg)\", \"utc\": \"$(date -u +%FT%TZ)\"}"
