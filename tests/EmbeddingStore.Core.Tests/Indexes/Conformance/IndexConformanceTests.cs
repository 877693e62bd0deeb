// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Indexes;
using EmbeddingStore.Core.Tests.TestSupport;
using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Core.Tests.Indexes.Conformance;

// What every index kind must do behind the index seam, measured against the exact scan on seeded data. Each kind adds a
// fixture (its kind, its registry, its recall floor) and inherits every test; a kind that fails one is not done.
public abstract class IndexConformanceTests
{
    private const int Dimension = 24;
    private const string Version = "text@v1";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // The kind under test.
    private protected abstract IndexKind Kind { get; }

    // The lowest recall@10 against exact this kind must reach on the seeded clustered data (1.0 for exact kinds).
    private protected abstract double RecallFloor { get; }

    // The registry that knows the kind (the default one, unless the kind exists only in a test).
    private protected virtual IndexRegistry Registry => IndexRegistry.Default;

    // The collection's index build settings (null: every default).
    private protected virtual IndexSettings? Settings => null;

    // The per-query options every search of the kind under test sends (null: every default).
    private protected virtual IndexOptions? Options => null;

    [Fact]
    public async Task Search_SeededClusteredData_RecallAgainstExactAtLeastFloor()
    {
        using EmbeddingEngine engine = await CreateAsync();
        var random = new Random(1234);
        float[][] vectors = Clustered(random, 3_000, clusters: 30);
        await UpsertAsync(engine, vectors, 0);

        double recall = 0;
        const int Queries = 60;
        for (int q = 0; q < Queries; q++)
        {
            float[] query = Jitter(random, vectors[random.Next(vectors.Length)], 0.3f);
            HashSet<string> exact = [.. (await SearchAsync(engine, query, 10, IndexKind.Exact)).Select(h => h.Id)];
            IReadOnlyList<SearchHit> hits = await SearchAsync(engine, query, 10, Kind);
            recall += hits.Count(h => exact.Contains(h.Id)) / 10.0;
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{Kind} recall@10 {recall / Queries:F4}");
        Assert.True(recall / Queries >= RecallFloor, $"{Kind} recall@10 {recall / Queries:F3} is below its floor {RecallFloor:F3}.");
    }

    [Fact]
    public async Task Search_AfterDeletes_NeverReturnsDeletedItems()
    {
        using EmbeddingEngine engine = await CreateAsync();
        var random = new Random(77);
        float[][] vectors = Clustered(random, 1_500, clusters: 10);
        await UpsertAsync(engine, vectors, 0);
        await SearchAsync(engine, vectors[0], 10, Kind);

        // Delete every other item, including the exact matches of the queries below.
        var deleted = Enumerable.Range(0, vectors.Length).Where(i => i % 2 == 0).Select(Id).ToList();
        foreach (string[] chunk in deleted.Chunk(1_000))
        {
            Assert.True((await engine.DeleteItemsAsync("docs", chunk, Ct)).IsSuccess);
        }

        var gone = new HashSet<string>(deleted, StringComparer.Ordinal);
        for (int q = 0; q < 40; q += 2)
        {
            IReadOnlyList<SearchHit> hits = await SearchAsync(engine, vectors[q], 50, Kind);
            Assert.Equal(50, hits.Count);
            Assert.DoesNotContain(hits, h => gone.Contains(h.Id));
        }
    }

    [Fact]
    public async Task Upsert_NewItem_VisibleToTheNextSearch()
    {
        using EmbeddingEngine engine = await CreateAsync();
        var random = new Random(5);
        await UpsertAsync(engine, Clustered(random, 800, clusters: 8), 0);
        await SearchAsync(engine, TestData.RandomVector(random, Dimension), 5, Kind);

        float[] fresh = TestData.RandomVector(random, Dimension);
        Assert.True((await engine.UpsertItemsAsync("docs", [EngineFactory.Item("fresh", Version, fresh)], Ct)).IsSuccess);
        Assert.Equal("fresh", (await SearchAsync(engine, fresh, 1, Kind))[0].Id);

        // An overwrite moves the item with its vector (its row stays, the index follows).
        float[] moved = TestData.RandomVector(random, Dimension);
        Assert.True((await engine.UpsertItemsAsync("docs", [EngineFactory.Item("fresh", Version, moved)], Ct)).IsSuccess);
        Assert.Equal("fresh", (await SearchAsync(engine, moved, 1, Kind))[0].Id);
    }

    [Fact]
    public async Task Compact_AfterManyDeletes_AnswersEqualAFreshIndexOfTheSurvivors()
    {
        var random = new Random(31);
        float[][] vectors = Clustered(random, 4_000, clusters: 20);
        var survivors = Enumerable.Range(0, vectors.Length).Where(i => i % 3 == 0).ToList();

        using EmbeddingEngine churned = await CreateAsync();
        await UpsertAsync(churned, vectors, 0);
        await SearchAsync(churned, vectors[0], 10, Kind);
        var doomed = Enumerable.Range(0, vectors.Length).Where(i => i % 3 != 0).Select(Id).ToList();
        foreach (string[] chunk in doomed.Chunk(1_000))
        {
            Assert.True((await churned.DeleteItemsAsync("docs", chunk, Ct)).IsSuccess);
        }

        Assert.True((await churned.CompactAsync("docs", Ct)).IsSuccess);

        using EmbeddingEngine fresh = await CreateAsync();
        foreach (int[] chunk in survivors.Chunk(1_000))
        {
            Assert.True((await fresh.UpsertItemsAsync("docs", [.. chunk.Select(i => EngineFactory.Item(Id(i), Version, vectors[i]))], Ct)).IsSuccess);
        }

        for (int q = 0; q < 20; q++)
        {
            float[] query = Jitter(random, vectors[random.Next(vectors.Length)], 0.2f);
            var expected = (await SearchAsync(fresh, query, 10, IndexKind.Exact)).Select(h => (h.Id, h.Score)).ToList();
            var churnedExact = (await SearchAsync(churned, query, 10, IndexKind.Exact)).Select(h => (h.Id, h.Score)).ToList();
            Assert.Equal(expected, churnedExact);
            HashSet<string> truth = [.. expected.Select(e => e.Id)];
            double recall = (await SearchAsync(churned, query, 10, Kind)).Count(h => truth.Contains(h.Id)) / 10.0;
            Assert.True(recall >= Math.Min(RecallFloor, 0.7), $"{Kind} recall {recall} after compaction.");
        }
    }

    [Fact]
    public async Task ConcurrentUpsertsDeletesAndSearches_NoExceptionAndNothingLost()
    {
        using EmbeddingEngine engine = await CreateAsync();
        var seedRandom = new Random(99);
        float[][] vectors = Clustered(seedRandom, 2_400, clusters: 12);
        await UpsertAsync(engine, vectors[..400], 0);

        // Writers add items 400..2399 in batches; a deleter removes every item whose index is a multiple of 7 once it
        // exists; searchers search all along. Each task has its own seeded random, so the work is the same every run.
        Task writer = Task.Run(async () =>
        {
            for (int first = 400; first < vectors.Length; first += 100)
            {
                Assert.True((await engine.UpsertItemsAsync("docs", [.. Enumerable.Range(first, 100).Select(i => EngineFactory.Item(Id(i), Version, vectors[i]))], Ct)).IsSuccess);
            }
        }, Ct);
        Task deleter = Task.Run(async () =>
        {
            for (int i = 0; i < 400; i += 7)
            {
                Assert.True((await engine.DeleteItemsAsync("docs", [Id(i)], Ct)).IsSuccess);
            }
        }, Ct);
        Task[] searchers = [.. Enumerable.Range(0, 3).Select(s => Task.Run(async () =>
        {
            var random = new Random(1_000 + s);
            for (int n = 0; n < 60; n++)
            {
                IReadOnlyList<SearchHit> hits = await SearchAsync(engine, vectors[random.Next(vectors.Length)], 10, Kind);
                Assert.Equal(hits.Count, hits.Select(h => h.Id).Distinct(StringComparer.Ordinal).Count());
            }
        }, Ct))];
        await Task.WhenAll([writer, deleter, .. searchers]);

        // Every deleted item is gone, every other one is there and found by its own vector.
        var expected = Enumerable.Range(0, vectors.Length).Where(i => !(i < 400 && i % 7 == 0)).ToList();
        Assert.Equal(expected.Count, engine.Count("docs", null).Value);
        int found = 0;
        foreach (int i in expected.Where(i => i % 10 == 1))
        {
            IReadOnlyList<SearchHit> hits = await SearchAsync(engine, vectors[i], 1, Kind);
            found += hits[0].Id == Id(i) ? 1 : 0;
        }

        int checkedItems = expected.Count(i => i % 10 == 1);
        Assert.True(found >= checkedItems * Math.Min(RecallFloor, 0.95), $"{Kind} found {found} of {checkedItems} items by their own vectors.");
        Assert.Equal(Kind, (await engine.SearchAsync("docs", new SearchQuery(vectors[1], Version, 1, Index: Kind), Ct)).Value!.Index);
    }

    private protected static string Id(int i) => "i" + i.ToString("D5", CultureInfo.InvariantCulture);

    private async Task<EmbeddingEngine> CreateAsync()
    {
        var engine = new EmbeddingEngine(new InMemoryRepository(), null, null, Registry);
        await engine.LoadAsync(Ct);
        Assert.True((await engine.RegisterModelVersionAsync("text", "v1", Dimension, DistanceMetric.CosineSimilarity, false, Ct)).IsSuccess);
        Assert.True((await engine.PutCollectionAsync("docs", Version, null, Settings, Ct)).IsSuccess);
        return engine;
    }

    private static async Task UpsertAsync(EmbeddingEngine engine, float[][] vectors, int offset)
    {
        for (int first = 0; first < vectors.Length; first += 1_000)
        {
            int n = Math.Min(1_000, vectors.Length - first);
            Assert.True((await engine.UpsertItemsAsync("docs", [.. Enumerable.Range(first, n).Select(i => EngineFactory.Item(Id(offset + i), Version, vectors[i]))], Ct)).IsSuccess);
        }
    }

    private async Task<IReadOnlyList<SearchHit>> SearchAsync(EmbeddingEngine engine, float[] query, int k, IndexKind kind)
    {
        IndexOptions? options = kind == Kind ? Options : null;
        StoreResult<SearchResult> result = await engine.SearchAsync("docs", new SearchQuery(query, Version, k, WithPayload: false, Index: kind, Options: options), Ct);
        Assert.True(result.IsSuccess, result.Error?.Message);
        return result.Value!.Hits;
    }

    // A Gaussian mixture: real embeddings cluster, and i.i.d. noise is a worst case no approximate index is built for.
    private static float[][] Clustered(Random random, int count, int clusters)
    {
        float[][] centres = [.. Enumerable.Range(0, clusters).Select(_ => TestData.RandomVector(random, Dimension))];
        return [.. Enumerable.Range(0, count).Select(i => Jitter(random, centres[i % clusters], 0.35f))];
    }

    private static float[] Jitter(Random random, float[] centre, float spread) =>
        [.. centre.Select(x => x + (spread * (float)((random.NextDouble() * 2) - 1)))];
}

public sealed class ExactIndexConformanceTests : IndexConformanceTests
{
    private protected override IndexKind Kind => IndexKind.Exact;

    private protected override double RecallFloor => 1.0;
}

public sealed class Int8IndexConformanceTests : IndexConformanceTests
{
    private protected override IndexKind Kind => IndexKind.Int8;

    // Measured 1.000 on this data at the default oversampling of 4; the floor leaves room for other seeds.
    private protected override double RecallFloor => 0.95;
}

public sealed class HnswIndexConformanceTests : IndexConformanceTests
{
    private protected override IndexKind Kind => IndexKind.Hnsw;

    // Measured 1.000 on this data (M 16, efConstruction 200, the default ef 64); the graph is seeded, so the figure is the
    // same every run, and the floor leaves room for float differences between SIMD widths and for a change of defaults.
    private protected override double RecallFloor => 0.98;
}

public sealed class HnswParallelBuildIndexConformanceTests : IndexConformanceTests
{
    private protected override IndexKind Kind => IndexKind.Hnsw;

    // Two build threads (the data sets here pass the 1,024 rows per thread a parallel build needs): the graph then depends
    // on thread timing. Measured 1.000 here, like the single-threaded fixture; the floor sits lower so no interleaving
    // can reach it.
    private protected override IndexSettings? Settings => new(BuildThreads: 2);

    private protected override double RecallFloor => 0.95;
}

public sealed class HnswKeptPrunedIndexConformanceTests : IndexConformanceTests
{
    private protected override IndexKind Kind => IndexKind.Hnsw;

    // Link lists filled with the rows the heuristic refused (pgvector's policy): the same contract, a denser graph.
    // Seeded and single-threaded, so the recall repeats; the floor is the default graph's.
    private protected override IndexSettings? Settings => new(KeepPrunedConnections: true);

    private protected override double RecallFloor => 0.98;
}

public sealed class HnswQuantizedIndexConformanceTests : IndexConformanceTests
{
    private protected override IndexKind Kind => IndexKind.Hnsw;

    // Every graph search walks the int8 codes (the engine builds them for the first such search, and every write keeps
    // them) and re-scores its ef rows with floats: the same contract as the float walk, and the same floor.
    private protected override IndexOptions? Options => new(Quantized: true);

    private protected override double RecallFloor => 0.98;
}
