// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Indexes.Hnsw;

// The build-time settings of one graph (the per-query ef is IndexOptions.Ef).
// M 16 / efConstruction 200 are hnswlib's usual settings and the comparison point: 16 links per upper layer and
// 32 at layer 0 cost 128 bytes per row beside 1,536 bytes of a 384-d vector (8 %), and efConstruction 200 is where the
// heuristic's neighbour lists stop improving noticeably on the shared corpora (hnswlib reaches recall@10 0.977 at ef 64
// with it). The seed fixes every row's level, so two single-threaded builds of the same rows are the same graph.
// BuildThreads 1 by default keeps that determinism; more threads link rows concurrently (a graph of the same quality, but
// which one depends on thread timing), capped at the machine's processors when the build runs.
// KeepPrunedConnections off by default: on fortunes MiniLM it raised recall@10 at ef 32 from 0.926 to 0.948 (pgvector's
// 0.952 at the same ef) but made the two-thread build 3.4x longer (2.26 -> 7.67 s, 2.44 -> 8.25 s): its lists stay
// full, so every later back link re-runs the heuristic over 2M + 1 rows, and a new row makes 2M layer-0 back links
// instead of M (docs/bench/issue-10.md). At equal recall the two measured about the same q/s, in process and over HTTP.
internal sealed record HnswParameters(
    int M = 16, int EfConstruction = 200, ulong Seed = 0x5EED_1234_ABCD_0042UL, int BuildThreads = 1, bool KeepPrunedConnections = false)
{
    public static HnswParameters Default { get; } = new();

    // Layer 0 keeps twice as many links (Malkov & Yashunin: M_max0 = 2 M), since every search ends there.
    public int MaxLinks0 => 2 * M;

    // The level multiplier 1 / ln M, which makes each layer about M times sparser than the one below.
    public double LevelMultiplier => 1.0 / Math.Log(M);
}
