// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Collections;

/// <summary>
/// Bounds on what one request may ask of the engine. They exist so one client cannot exhaust memory or hold the
/// single writer for long; defaults suit a single machine and are all configurable.
/// </summary>
public sealed record EngineLimits
{
    /// <summary>Items per upsert batch; a batch is one transaction, so this bounds how long the writer is held.</summary>
    public int MaxBatchItems { get; init; } = 1_000;

    /// <summary>The largest <c>k</c> a search may ask for; top-k selection is O(n log k) with k slots allocated per search.</summary>
    public int MaxK { get; init; } = 1_000;

    /// <summary>Item id length in UTF-16 code units; ids are primary keys in memory and on disk.</summary>
    public int MaxIdLength { get; init; } = 256;

    /// <summary>Vector dimension a model version may declare; OpenAI's largest models use 3,072, so 16,384 leaves room.</summary>
    public int MaxDimension { get; init; } = 16_384;

    /// <summary>UTF-8 size of one item's JSON payload.</summary>
    public int MaxPayloadBytes { get; init; } = 64 * 1024;

    /// <summary>Items returned by one scroll page.</summary>
    public int MaxScrollLimit { get; init; } = 1_000;

    /// <summary>Ids in one delete request.</summary>
    public int MaxDeleteIds { get; init; } = 10_000;

    /// <summary>
    /// Queries in one batch search; a batch holds the collection's read lock for its whole scan, so this bounds how long
    /// writers can be kept waiting (1,000 queries over 100,000 × 384 floats take about a second on one core).
    /// </summary>
    public int MaxBatchQueries { get; init; } = 1_000;

    /// <summary>
    /// Threads one search may use to scan a large segment. Defaults to the processor count (at most 8): past the
    /// memory bandwidth more threads only add scheduling cost. 1 turns parallel scans off.
    /// </summary>
    public int SearchParallelism { get; init; } = Math.Clamp(Environment.ProcessorCount, 1, 8);

    /// <summary>
    /// Vector bytes (rows × dimension × 4) below which a scan stays on the calling thread: 4 MiB scan in about a quarter
    /// of a millisecond, where handing partitions to the thread pool would cost a noticeable share.
    /// </summary>
    public long ParallelScanMinBytes { get; init; } = 4L * 1024 * 1024;

    /// <summary>
    /// Int8 candidates re-scored per wanted hit when a query does not say: 4 × k keeps recall@10 above 0.99 on the
    /// shared 384-d corpora (docs/bench/issue-3.md) while re-scoring stays a rounding error next to the code scan.
    /// </summary>
    public int DefaultOversampling { get; init; } = 4;

    /// <summary>The largest oversampling a query may ask for; k × this candidates are kept and re-scored.</summary>
    public int MaxOversampling { get; init; } = 64;

    /// <summary>
    /// The graph candidate list when a query does not say: hnswlib reaches recall@10 0.977 at ef 64 with M 16 on the shared
    /// MiniLM corpus (issue 10), the point the HNSW kind is compared at. A query asking for more than ef hits keeps k.
    /// </summary>
    public int DefaultEf { get; init; } = 64;

    /// <summary>
    /// What the HNSW planner charges a filtered graph walk, in gathered row scores per unit of ef (its visits are scattered
    /// cache misses, and the two-hop expansion reads link lists); a filtered search whose exact scan would score no more
    /// rows (a payload index listing few matches, or a small segment) scans exactly, at recall 1. Measured on fortunes
    /// MiniLM and a 100k clustered set (docs/bench/issue-10-filtered.md). 0 walks the graph whenever enough rows match to
    /// fill the results, whatever the estimate, which only a benchmark comparing the plans wants.
    /// </summary>
    public int FilteredGraphCostRowsPerEf { get; init; } = 160;

    /// <summary>
    /// The largest ef a query may ask for. Off-manifold queries (the Arctic set) need about 1,000 for recall 0.95, so the
    /// limit leaves room above that while keeping one query's visited rows bounded.
    /// </summary>
    public int MaxEf { get; init; } = 4_096;

    /// <summary>
    /// The largest graph degree a collection may ask for, pgvector's limit: at 100 the bottom layer's 200 links (800 bytes
    /// a vector) already outweigh a 128-d vector, so more would make the graph, not the data, the memory cost.
    /// </summary>
    public int MaxHnswM { get; init; } = 100;

    /// <summary>The largest efConstruction a collection may ask for: pgvector's limit of 1,000, past which builds only slow down.</summary>
    public int MaxEfConstruction { get; init; } = 1_000;

    /// <summary>The most threads a collection may ask an index build to use; the build caps it again at the processor count.</summary>
    public int MaxIndexBuildThreads { get; init; } = 64;

    /// <summary>
    /// The most payload indexes one collection may declare: every write updates each of them under the collection's
    /// write lock, so their number bounds what an upsert costs.
    /// </summary>
    public int MaxPayloadIndexes { get; init; } = 32;
}
