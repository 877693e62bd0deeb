// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Indexes;
using EmbeddingStore.Core.Tests.Indexes.Exact;
using EmbeddingStore.Core.Tests.TestSupport;
using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Core.Tests.Indexes.Quantized;

public sealed class Int8SearchTests
{
    // Seeded uniform data, oversampling 4: recall@10 measured 1.000 for all three cases with these seeds. The floor
    // leaves room for a changed quantiser to lose a few of 400 neighbours; the data is fixed, so the test cannot fail
    // sometimes. Real embeddings are measured in docs/bench/issue-3.md.
    private const double RecallFloor = 0.98;

    [Theory]
    [InlineData(DistanceMetric.CosineSimilarity, 64)]
    [InlineData(DistanceMetric.DotProduct, 100)]
    [InlineData(DistanceMetric.Euclidean, 48)]
    public async Task Search_Int8SeededData_RecallAt10AboveFloor(DistanceMetric metric, int dimension)
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using EmbeddingEngine engine = await BatchAndParallelSearchTests.CreateAsync(metric, dimension, rows: 3_000, null, ct);
        var random = new Random(dimension * 3);
        int found = 0, wanted = 0;
        for (int q = 0; q < 40; q++)
        {
            float[] query = TestData.RandomVector(random, dimension);
            var exact = (await engine.SearchAsync("docs", new SearchQuery(query, null, 10), TestContext.Current.CancellationToken)).Value!.Hits;
            var int8 = (await engine.SearchAsync("docs", new SearchQuery(query, null, 10, Index: IndexKind.Int8), TestContext.Current.CancellationToken)).Value!.Hits;
            Assert.Equal(10, int8.Count);
            var truth = exact.Select(h => h.Id).ToHashSet();
            found += int8.Count(h => truth.Contains(h.Id));
            wanted += truth.Count;

            // Re-scored hits carry exactly the exact scan's scores.
            foreach (SearchHit hit in int8.Where(h => truth.Contains(h.Id)))
            {
                Assert.Equal(exact.Single(h => h.Id == hit.Id).Score, hit.Score);
            }
        }

        double recall = (double)found / wanted;
        Assert.True(recall >= RecallFloor, $"recall@10 {recall:F3} is below the floor {RecallFloor}");
    }

    [Fact]
    public async Task Search_Int8AfterUpsertAndDelete_SeesTheChanges()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using EmbeddingEngine engine = await BatchAndParallelSearchTests.CreateAsync(DistanceMetric.DotProduct, 32, rows: 500, null, ct);
        var random = new Random(77);
        float[] query = TestData.RandomVector(random, 32);

        // Train the codes, then write: a new far-out item (outside every trained range, so clamped) must be found.
        string before = (await engine.SearchAsync("docs", new SearchQuery(query, null, 1, Index: IndexKind.Int8), TestContext.Current.CancellationToken)).Value!.Hits[0].Id;
        float[] strong = [.. query.Select(x => x * 50f)];
        Assert.True((await engine.UpsertItemsAsync("docs", [EngineFactory.Item("strong", "m@v1", strong)], ct)).IsSuccess);
        Assert.Equal("strong", (await engine.SearchAsync("docs", new SearchQuery(query, null, 1, Index: IndexKind.Int8), TestContext.Current.CancellationToken)).Value!.Hits[0].Id);

        // Deleting it (a swap-remove of codes too) brings the previous answer back.
        Assert.True((await engine.DeleteItemsAsync("docs", ["strong"], ct)).IsSuccess);
        Assert.Equal(before, (await engine.SearchAsync("docs", new SearchQuery(query, null, 1, Index: IndexKind.Int8), TestContext.Current.CancellationToken)).Value!.Hits[0].Id);
    }

    [Fact]
    public async Task Search_Int8ManyClampedWrites_StillMatchesExactTopHit()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using EmbeddingEngine engine = await BatchAndParallelSearchTests.CreateAsync(DistanceMetric.Euclidean, 16, rows: 200, null, ct);
        var random = new Random(5);
        float[] query = TestData.RandomVector(random, 16);
        Assert.True((await engine.SearchAsync("docs", new SearchQuery(query, null, 5, Index: IndexKind.Int8), TestContext.Current.CancellationToken)).IsSuccess);

        // 100 items far outside the trained ranges: enough clamped rows to trigger a retrain on the next query.
        var batch = Enumerable.Range(0, 100)
            .Select(i => EngineFactory.Item("far-" + i.ToString(CultureInfo.InvariantCulture), "m@v1", [.. TestData.RandomVector(random, 16).Select(x => x * 20f)]))
            .ToList();
        Assert.True((await engine.UpsertItemsAsync("docs", batch, ct)).IsSuccess);
        float[] nearFar = [.. batch[42].Vectors["m@v1"].Select(x => x + 0.01f)];
        Assert.Equal("far-42", (await engine.SearchAsync("docs", new SearchQuery(nearFar, null, 1, Index: IndexKind.Int8), TestContext.Current.CancellationToken)).Value!.Hits[0].Id);
    }

    [Fact]
    public async Task Search_OversamplingZero_IsInvalid()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using EmbeddingEngine engine = await BatchAndParallelSearchTests.CreateAsync(DistanceMetric.DotProduct, 4, rows: 10, null, ct);
        var result = (await engine.SearchAsync("docs", new SearchQuery(new float[4], null, 1, Index: IndexKind.Int8, Options: new IndexOptions(Oversampling: 0)), TestContext.Current.CancellationToken));
        Assert.Equal(StoreErrorCode.InvalidArgument, result.Error?.Code);
    }

    [Theory]
    [InlineData(DistanceMetric.DotProduct, 24)]
    [InlineData(DistanceMetric.Euclidean, 40)]
    public async Task Search_Int8ParallelPartitions_EqualsSingleThreaded(DistanceMetric metric, int dimension)
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        var repository = new InMemoryRepository();
        using EmbeddingEngine serial = await BatchAndParallelSearchTests.CreateAsync(metric, dimension, rows: 3_000, new EngineLimits { SearchParallelism = 1 }, ct, repository);
        using EmbeddingEngine parallel = await EngineFactory.CreateAsync(repository, new EngineLimits { SearchParallelism = 3, ParallelScanMinBytes = 0 }, ct);
        var random = new Random(dimension + 1);
        for (int q = 0; q < 5; q++)
        {
            float[] query = TestData.RandomVector(random, dimension);
            var expected = (await serial.SearchAsync("docs", new SearchQuery(query, null, 15, Index: IndexKind.Int8), TestContext.Current.CancellationToken)).Value!;
            var actual = (await parallel.SearchAsync("docs", new SearchQuery(query, null, 15, Index: IndexKind.Int8), TestContext.Current.CancellationToken)).Value!;
            Assert.Equal(BatchAndParallelSearchTests.Describe(expected), BatchAndParallelSearchTests.Describe(actual));
        }
    }

    [Fact]
    public async Task SearchBatch_Int8_EqualsSingleInt8Searches()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using EmbeddingEngine engine = await BatchAndParallelSearchTests.CreateAsync(DistanceMetric.CosineSimilarity, 40, rows: 800, new EngineLimits { SearchParallelism = 2 }, ct);
        var random = new Random(40);
        var queries = Enumerable.Range(0, 6).Select(_ => TestData.RandomVector(random, 40)).ToList();
        var batch = (await engine.SearchBatchAsync("docs", new BatchSearchQuery(queries, null, 10, Index: IndexKind.Int8), TestContext.Current.CancellationToken)).Value!;
        for (int i = 0; i < queries.Count; i++)
        {
            SearchResult single = (await engine.SearchAsync("docs", new SearchQuery(queries[i], null, 10, Index: IndexKind.Int8), TestContext.Current.CancellationToken)).Value!;
            Assert.Equal(BatchAndParallelSearchTests.Describe(single), BatchAndParallelSearchTests.Describe(batch.Results[i]));
        }
    }
}
