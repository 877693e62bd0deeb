// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Indexes;
using EmbeddingStore.Core.Tests.TestSupport;
using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Core.Tests.Indexes.Hnsw;

// A graph search walked on int8 codes through the engine: the first such search builds the codes beside the graph, the
// plan says which walk ran, and the scores are the exact scan's.
public sealed class HnswQuantizedEngineTests
{
    private const string Version = "text@v1";
    private const int Dimension = 32;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SearchAsync_HnswQuantized_BuildsCodesAndReportsHnswInt8WithExactScores()
    {
        using EmbeddingEngine engine = await FilledAsync(2_000, seed: 3);
        float[] query = TestData.RandomVector(new Random(4), Dimension);

        StoreResult<SearchResult> floats = await engine.SearchAsync("docs", new SearchQuery(query, Version, 10, Index: IndexKind.Hnsw), Ct);
        Assert.Equal(SearchPlan.Hnsw, floats.Value!.Plan);
        Assert.DoesNotContain(await IndexKindsAsync(engine), kind => kind == IndexKind.Int8);

        StoreResult<SearchResult> codes = await engine.SearchAsync(
            "docs", new SearchQuery(query, Version, 10, Index: IndexKind.Hnsw, Options: new IndexOptions(Quantized: true)), Ct);
        Assert.True(codes.IsSuccess, codes.Error?.Message);
        Assert.Equal(SearchPlan.HnswInt8, codes.Value!.Plan);
        Assert.Equal(IndexKind.Hnsw, codes.Value.Index);
        Assert.Contains(await IndexKindsAsync(engine), kind => kind == IndexKind.Int8);

        // The scores of the rows found are the exact scan's scores of the same items (the best thousand of two thousand
        // hold every row a graph search finds for the top ten).
        StoreResult<SearchResult> exact = await engine.SearchAsync("docs", new SearchQuery(query, Version, 1_000, Index: IndexKind.Exact), Ct);
        var exactScores = exact.Value!.Hits.ToDictionary(h => h.Id, h => h.Score, StringComparer.Ordinal);
        Assert.Equal(10, codes.Value.Hits.Count);
        Assert.All(codes.Value.Hits, h => Assert.Equal(exactScores[h.Id], h.Score));
    }

    [Fact]
    public async Task SearchBatchAsync_HnswQuantized_EveryQueryOnCodes()
    {
        using EmbeddingEngine engine = await FilledAsync(1_500, seed: 5);
        var random = new Random(6);
        float[][] queries = [.. Enumerable.Range(0, 8).Select(_ => TestData.RandomVector(random, Dimension))];

        StoreResult<BatchSearchResult> batch = await engine.SearchBatchAsync(
            "docs", new BatchSearchQuery(queries, Version, 5, Index: IndexKind.Hnsw, Options: new IndexOptions(Quantized: true)), Ct);
        Assert.True(batch.IsSuccess, batch.Error?.Message);
        Assert.Equal(8, batch.Value!.Results.Count);
        Assert.All(batch.Value.Results, r => Assert.Equal(SearchPlan.HnswInt8, r.Plan));
        Assert.All(batch.Value.Results, r => Assert.Equal(5, r.Hits.Count));
    }

    [Fact]
    public async Task SearchAsync_ExactQuantized_OptionIgnoredAndNoCodesBuilt()
    {
        using EmbeddingEngine engine = await FilledAsync(500, seed: 7);
        float[] query = TestData.RandomVector(new Random(8), Dimension);
        StoreResult<SearchResult> result = await engine.SearchAsync(
            "docs", new SearchQuery(query, Version, 5, Index: IndexKind.Exact, Options: new IndexOptions(Quantized: true)), Ct);
        Assert.Equal(SearchPlan.Exact, result.Value!.Plan);
        Assert.DoesNotContain(await IndexKindsAsync(engine), kind => kind == IndexKind.Int8);
    }

    private static async Task<EmbeddingEngine> FilledAsync(int count, int seed)
    {
        EmbeddingEngine engine = await EngineFactory.CreateWithCollectionAsync(Version, Dimension, DistanceMetric.CosineSimilarity, cancellationToken: Ct);
        var random = new Random(seed);
        for (int first = 0; first < count; first += 500)
        {
            ItemUpsert[] items = [.. Enumerable.Range(first, Math.Min(500, count - first)).Select(i => EngineFactory.Item($"i{i}", Version, TestData.RandomVector(random, Dimension)))];
            Assert.True((await engine.UpsertItemsAsync("docs", items, Ct)).IsSuccess);
        }

        return engine;
    }

    private static Task<IndexKind[]> IndexKindsAsync(EmbeddingEngine engine) =>
        Task.FromResult(engine.GetCollection("docs").Value!.Indexes!.Select(i => i.Index).ToArray());
}
