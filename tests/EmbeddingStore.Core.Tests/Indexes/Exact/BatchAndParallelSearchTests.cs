// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Tests.TestSupport;
using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Core.Tests.Indexes.Exact;

// Batched and parallel exact search return exactly what a single-threaded single search returns, ties included.
public sealed class BatchAndParallelSearchTests
{
    public static TheoryData<DistanceMetric, int> MetricsAndDimensions()
    {
        var data = new TheoryData<DistanceMetric, int>();
        foreach (DistanceMetric metric in Enum.GetValues<DistanceMetric>())
        {
            foreach (int d in new[] { 1, 3, 4, 7, 8, 16, 17, 33, 128, 385 })
            {
                data.Add(metric, d);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(MetricsAndDimensions))]
    public async Task SearchBatch_SeededData_EqualsSingleSearches(DistanceMetric metric, int dimension)
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using EmbeddingEngine engine = await CreateAsync(metric, dimension, rows: 700, new EngineLimits { SearchParallelism = 2 }, ct);
        var random = new Random(dimension + 5);

        // 21 queries on two threads (12 and 9): full and partial tiles of the packed kernel, blocks of four and a
        // left-over query of the row-major one; 700 rows end in a partial row block and a partial panel.
        var queries = Enumerable.Range(0, 21).Select(_ => TestData.RandomVector(random, dimension)).ToList();
        StoreResult<BatchSearchResult> batch = (await engine.SearchBatchAsync("docs", new BatchSearchQuery(queries, null, 12), TestContext.Current.CancellationToken));
        Assert.True(batch.IsSuccess, batch.Error?.Message);
        Assert.Equal(queries.Count, batch.Value!.Results.Count);

        for (int i = 0; i < queries.Count; i++)
        {
            StoreResult<SearchResult> single = (await engine.SearchAsync("docs", new SearchQuery(queries[i], null, 12), TestContext.Current.CancellationToken));
            Assert.True(single.IsSuccess, single.Error?.Message);
            Assert.Equal(Describe(single.Value!), Describe(batch.Value.Results[i]));
        }
    }

    [Theory]
    [InlineData(DistanceMetric.DotProduct, 16)]
    [InlineData(DistanceMetric.Euclidean, 33)]
    [InlineData(DistanceMetric.CosineSimilarity, 384)]
    [InlineData(DistanceMetric.Manhattan, 20)]
    public async Task Search_ParallelPartitions_EqualsSingleThreaded(DistanceMetric metric, int dimension)
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        var repository = new InMemoryRepository();
        using EmbeddingEngine serial = await CreateAsync(metric, dimension, rows: 3_000, new EngineLimits { SearchParallelism = 1 }, ct, repository);

        // The same data, scanned in 3 partitions even though it is small.
        using EmbeddingEngine parallel = await EngineFactory.CreateAsync(repository, new EngineLimits { SearchParallelism = 3, ParallelScanMinBytes = 0 }, ct);

        var random = new Random(dimension);
        for (int q = 0; q < 5; q++)
        {
            float[] query = TestData.RandomVector(random, dimension);
            string expected = Describe((await serial.SearchAsync("docs", new SearchQuery(query, null, 25), TestContext.Current.CancellationToken)).Value!);
            Assert.Equal(expected, Describe((await parallel.SearchAsync("docs", new SearchQuery(query, null, 25), TestContext.Current.CancellationToken)).Value!));
        }
    }

    [Theory]
    [InlineData("exact")]
    [InlineData("int8")]
    public async Task SearchBatch_MidMigrationWithLink_EqualsSingleSearchesBridgedAndMerged(string index)
    {
        // Half the items re-embedded in v2, the rest only in v1, and a link between the versions: a v2 batch must bridge
        // into v1 and merge both versions exactly as each single search does.
        using EmbeddingEngine engine = await EngineFactory.CreateWithCollectionAsync("text@v1", 12, DistanceMetric.CosineSimilarity, cancellationToken: TestContext.Current.CancellationToken);
        CancellationToken ct = TestContext.Current.CancellationToken;
        Assert.True((await engine.RegisterModelVersionAsync("text", "v2", 12, DistanceMetric.CosineSimilarity, false, ct)).IsSuccess);
        var random = new Random(42);
        var items = new List<ItemUpsert>();
        for (int i = 0; i < 600; i++)
        {
            // The versions are declared identical, so a re-embedded item's v2 vector is its v1 vector: the two rankings agree,
            // and v1-only items compete fairly in the merge.
            float[] vector = TestData.RandomVector(random, 12);
            var vectors = new Dictionary<string, float[]> { ["text@v1"] = vector };
            if (i % 2 == 0)
            {
                vectors["text@v2"] = vector;
            }

            items.Add(new ItemUpsert(i.ToString(CultureInfo.InvariantCulture), null, vectors));
        }

        Assert.True((await engine.UpsertItemsAsync("docs", items, ct)).IsSuccess);
        Assert.True((await engine.DeclareIdentityLinkAsync("text@v2", "text@v1", ct)).IsSuccess);
        float[][] queries = [.. Enumerable.Range(0, 9).Select(_ => TestData.RandomVector(random, 12))];
        var kind = new Core.Indexes.IndexKind(index);

        BatchSearchResult batch = (await engine.SearchBatchAsync("docs", new BatchSearchQuery(queries, "text@v2", 7, Index: kind), ct)).Value!;
        for (int q = 0; q < queries.Length; q++)
        {
            SearchResult single = (await engine.SearchAsync("docs", new SearchQuery(queries[q], "text@v2", 7, Index: kind), ct)).Value!;
            Assert.Equal(single.Hits.Select(h => (h.Id, h.Score, h.Version, h.Via)), batch.Results[q].Hits.Select(h => (h.Id, h.Score, h.Version, h.Via)));
        }

        Assert.Contains(batch.Results.SelectMany(r => r.Hits), h => h.Via is not null && h.Version == "text@v1");
    }

    [Fact]
    public async Task SearchBatch_TooManyQueries_IsLimitExceeded()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using EmbeddingEngine engine = await CreateAsync(DistanceMetric.DotProduct, 4, rows: 10, new EngineLimits { MaxBatchQueries = 3 }, ct);
        StoreResult<BatchSearchResult> result = (await engine.SearchBatchAsync("docs", new BatchSearchQuery([new float[4], new float[4], new float[4], new float[4]], null, 1), TestContext.Current.CancellationToken));
        Assert.Equal(StoreErrorCode.LimitExceeded, result.Error?.Code);
    }

    [Fact]
    public async Task SearchBatch_OneQueryWrongDimension_NamesItsIndex()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using EmbeddingEngine engine = await CreateAsync(DistanceMetric.DotProduct, 4, rows: 10, null, ct);
        StoreResult<BatchSearchResult> result = (await engine.SearchBatchAsync("docs", new BatchSearchQuery([new float[4], new float[3]], null, 1), TestContext.Current.CancellationToken));
        Assert.Equal(StoreErrorCode.DimensionMismatch, result.Error?.Code);
        Assert.Contains("vectors[1]", result.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SearchBatch_EmptyBatch_IsInvalid()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using EmbeddingEngine engine = await CreateAsync(DistanceMetric.DotProduct, 4, rows: 10, null, ct);
        Assert.Equal(StoreErrorCode.InvalidArgument, (await engine.SearchBatchAsync("docs", new BatchSearchQuery([], null, 1), TestContext.Current.CancellationToken)).Error?.Code);
    }

    internal static string Describe(SearchResult result) =>
        string.Join(" ", result.Hits.Select(h => h.Id + ":" + BitConverter.SingleToInt32Bits(h.Score).ToString("X8", CultureInfo.InvariantCulture)));

    // A collection of seeded vectors; every 50th row duplicates the previous one under another id, so scores tie.
    internal static async Task<EmbeddingEngine> CreateAsync(
        DistanceMetric metric, int dimension, int rows, EngineLimits? limits, CancellationToken ct, InMemoryRepository? repository = null)
    {
        repository ??= new InMemoryRepository();
        using (EmbeddingEngine loader = await EngineFactory.CreateWithCollectionAsync("m@v1", dimension, metric, repository: repository, cancellationToken: ct))
        {
            var random = new Random((dimension * 17) + (int)metric);
            float[] previous = TestData.RandomVector(random, dimension);
            var batch = new List<ItemUpsert>();
            for (int i = 0; i < rows; i++)
            {
                float[] v = i % 50 == 49 ? previous : TestData.RandomVector(random, dimension);
                batch.Add(EngineFactory.Item("item-" + i.ToString("D5", CultureInfo.InvariantCulture), "m@v1", v));
                previous = v;
                if (batch.Count == 1_000)
                {
                    Assert.True((await loader.UpsertItemsAsync("docs", batch, ct)).IsSuccess);
                    batch.Clear();
                }
            }

            if (batch.Count > 0)
            {
                Assert.True((await loader.UpsertItemsAsync("docs", batch, ct)).IsSuccess);
            }
        }

        return await EngineFactory.CreateAsync(repository, limits, ct);
    }
}
