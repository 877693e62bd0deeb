// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Filters;
using EmbeddingStore.Core.Indexes;
using EmbeddingStore.Core.Jobs;
using EmbeddingStore.Core.Tests.TestSupport;
using EmbeddingStore.Core.Vectors;
using static EmbeddingStore.Core.Tests.Filters.FilterReference;

namespace EmbeddingStore.Core.Tests.Filters;

// Payload indexes never change an answer: two engines hold the same seeded items (missing fields, nulls, arrays, nested
// keys, mixed kinds), one with indexes of seed-chosen types on every generated key, and every random filter tree must give
// identical counts, scrolls (pages and cursors), deletes and search hits (exact, int8, hnsw; single and batch) on both,
// equal to the reference evaluator, before and after a round of overwrites and deletes.
public sealed class PayloadIndexTests
{
    private const int Dimension = 16;
    private const int Items = 1_500;
    private const int K = 10;

    private static readonly string[] s_indexedKeys = ["a", "b", "tags", "meta.x", "meta.y", "meta.deep.z", "a.x"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(33)]
    [InlineData(34)]
    public async Task Filters_RandomTreesOnIndexedFields_AnswersEqualUnindexedAndReference(int seed)
    {
        var random = new Random(seed);
        List<(string Id, float[] Vector, object? Payload)> items = RandomItems(random, Items);
        using EmbeddingEngine plain = await CreateAsync(items);
        using EmbeddingEngine indexed = await CreateAsync(items);
        foreach (string key in s_indexedKeys)
        {
            string type = PayloadIndexNames.TypeNames[random.Next(PayloadIndexNames.TypeNames.Count)];
            Assert.True((await indexed.PutPayloadIndexAsync("docs", key, type, Ct)).IsSuccess);
        }

        await indexed.Jobs.RunUntilIdleAsync(Ct);
        Assert.All(indexed.ListPayloadIndexes("docs").Value!, i => Assert.Equal(PayloadIndexState.Ready, i.State));

        int narrowed = await CompareAsync(plain, indexed, items, random, filters: 60);

        // Overwrites (payload and vector) and deletes go through the indexes too.
        var changed = new List<ItemUpsert>();
        var deleted = new List<string>();
        for (int i = 0; i < 300; i++)
        {
            int at = random.Next(items.Count);
            if (random.Next(3) == 0)
            {
                deleted.Add(items[at].Id);
                items.RemoveAt(at);
                continue;
            }

            items[at] = (items[at].Id, TestData.RandomVector(random, Dimension), RandomPayload(random));
            changed.Add(new ItemUpsert(items[at].Id, ToJson(items[at].Payload), new Dictionary<string, float[]> { ["text@v1"] = items[at].Vector }));
        }

        foreach (EmbeddingEngine engine in new[] { plain, indexed })
        {
            foreach (ItemUpsert[] chunk in changed.AsEnumerable().Reverse().DistinctBy(u => u.Id).Chunk(100))
            {
                Assert.True((await engine.UpsertItemsAsync("docs", chunk, Ct)).IsSuccess);
            }

            Assert.True((await engine.DeleteItemsAsync("docs", deleted.Distinct().ToList(), Ct)).IsSuccess);
        }

        // Each id's last change is what both engines hold, and what `items` now says.
        narrowed += await CompareAsync(plain, indexed, items, random, filters: 40);

        // The test means something only if indexes answered a good share of the filters.
        Assert.True(narrowed >= 25, $"indexes narrowed only {narrowed} of 100 filters");

        // Delete-by-filter deletes the same items.
        PayloadFilter doom = RandomFilter(random);
        Assert.Equal((await plain.DeleteItemsAsync("docs", doom, Ct)).Value, (await indexed.DeleteItemsAsync("docs", doom, Ct)).Value);
        Assert.Equal(ScrollAll(plain, null), ScrollAll(indexed, null));
    }

    [Fact]
    public async Task IntegerIndex_FieldWithStringsFractionsArraysAndNulls_NeverDropsOrInventsMatches()
    {
        (string Id, string Payload)[] rows =
        [
            ("p1", """{"n": 1}"""), ("p2", """{"n": "1"}"""), ("p3", """{"n": 1.5}"""), ("p4", """{"n": [2, 2.5]}"""), ("p5", """{"n": null}"""),
            ("p6", """{}"""), ("p7", """{"n": 2.0}"""), ("p8", """{"n": [true, "2", 3]}"""), ("p9", """{"n": -0.0}"""), ("p10", """{"n": {"x": 1}}"""),
        ];
        using EmbeddingEngine engine = await EngineFactory.CreateWithCollectionAsync("text@v1", 4, DistanceMetric.DotProduct, cancellationToken: Ct);
        var random = new Random(5);
        Assert.True((await engine.UpsertItemsAsync("docs", [.. rows.Select(r => EngineFactory.Item(r.Id, "text@v1", TestData.RandomVector(random, 4), r.Payload))], Ct)).IsSuccess);
        Assert.True((await engine.PutPayloadIndexAsync("docs", "n", "integer", Ct)).IsSuccess);
        await engine.Jobs.RunUntilIdleAsync(Ct);

        (string Filter, string[] Expected)[] cases =
        [
            ("""{"key": "n", "range": {"gte": 1, "lte": 2}}""", ["p1", "p3", "p4", "p7"]),
            ("""{"key": "n", "match": 1.5}""", ["p3"]),
            ("""{"key": "n", "match": 2}""", ["p4", "p7"]),
            ("""{"key": "n", "any": [0, 3]}""", ["p8", "p9"]),
            ("""{"key": "n", "range": {"gt": 2}}""", ["p4", "p8"]),
            ("""{"key": "n", "match": "1"}""", ["p2"]),
        ];
        foreach ((string text, string[] expected) in cases)
        {
            var filter = new PayloadFilter([System.Text.Json.JsonSerializer.Deserialize<FilterCondition>(text, s_web)!]);
            Assert.Null(filter.Validate());
            Assert.Equal(expected, ScrollAll(engine, filter));
            Assert.Equal(expected.Length, engine.Count("docs", filter).Value);
        }

        PayloadIndexInfo info = engine.GetPayloadIndex("docs", "n").Value!;
        Assert.Equal(PayloadIndexType.Integer, info.Type);

        // p1, p4 (2 and the outlier 2.5), p7, p8 (3), p9 (0); p3 holds only a fraction and is kept as an outlier.
        Assert.Equal(6, info.IndexedItems);
        Assert.Equal(4, info.DistinctValues);
    }

    [Fact]
    public async Task PutPayloadIndex_BuildJob_BuildingUnusedThenReadyAndRebuiltAfterRestart()
    {
        var repository = new InMemoryRepository();
        var random = new Random(41);
        List<(string Id, float[] Vector, object? Payload)> items = RandomItems(random, 25_000);
        EmbeddingEngine engine = await CreateAsync(items, repository);
        var filter = new PayloadFilter([new FilterCondition { Key = "a", Match = Json("\"x\"") }]);
        long expected = items.Count(i => FilterReference.Matches(filter, i.Payload));

        Outcome<PayloadIndexInfo> put = (await engine.PutPayloadIndexAsync("docs", "a", "keyword", Ct)).Value!;
        Assert.True(put.Created);
        Assert.Equal(PayloadIndexState.Building, put.Value.State);
        JobRecord job = engine.Jobs.Get(put.Value.JobId!).Value!;
        Assert.Equal(JobKinds.PayloadIndex, job.Kind);

        // Building: not used by the planner, answers unchanged.
        Assert.True(engine.TryGetCollection("docs", out Collection? collection, out _));
        Assert.Null(Plan(filter, collection));
        Assert.Equal(expected, engine.Count("docs", filter).Value);

        // One chunk of 10,000 items, then the rest: the index is ready only after the last chunk.
        Assert.True(await engine.Jobs.RunOneChunkAsync(Ct));
        Assert.Equal(PayloadIndexState.Building, engine.GetPayloadIndex("docs", "a").Value!.State);
        Assert.Equal(PayloadIndexJobHandler.ChunkItems, engine.Jobs.Get(job.Id).Value!.Done);
        await engine.Jobs.RunUntilIdleAsync(Ct);
        Assert.Equal(JobState.Completed, engine.Jobs.Get(job.Id).Value!.State);
        Assert.Equal(items.Count, engine.Jobs.Get(job.Id).Value!.Done);
        Assert.Equal(PayloadIndexState.Ready, engine.GetPayloadIndex("docs", "a").Value!.State);
        Assert.True(Plan(filter, collection) is { Exact: true });
        Assert.Equal(expected, engine.Count("docs", filter).Value);

        // The same declaration again changes nothing; another type replaces the index with a new build.
        Outcome<PayloadIndexInfo> again = (await engine.PutPayloadIndexAsync("docs", "a", "keyword", Ct)).Value!;
        Assert.False(again.Created);
        Assert.Equal(put.Value.JobId, again.Value.JobId);
        engine.Dispose();

        using var reloaded = new EmbeddingEngine(repository);
        await reloaded.LoadAsync(Ct);
        Assert.Equal(PayloadIndexState.Ready, reloaded.GetPayloadIndex("docs", "a").Value!.State);
        Assert.True(reloaded.TryGetCollection("docs", out Collection? loaded, out _));
        Assert.True(Plan(filter, loaded) is { Exact: true });
        Assert.Equal(expected, reloaded.Count("docs", filter).Value);

        Outcome<PayloadIndexInfo> replaced = (await reloaded.PutPayloadIndexAsync("docs", "a", "integer", Ct)).Value!;
        Assert.False(replaced.Created);
        Assert.Equal(PayloadIndexState.Building, replaced.Value.State);
        Assert.NotEqual(put.Value.JobId, replaced.Value.JobId);
        await reloaded.Jobs.RunUntilIdleAsync(Ct);
        Assert.Equal(PayloadIndexType.Integer, reloaded.GetPayloadIndex("docs", "a").Value!.Type);
        Assert.Equal(expected, reloaded.Count("docs", filter).Value);

        Assert.True((await reloaded.DeletePayloadIndexAsync("docs", "a", Ct)).IsSuccess);
        Assert.Equal(StoreErrorCode.PayloadIndexNotFound, reloaded.GetPayloadIndex("docs", "a").Error!.Code);
        Assert.Equal(expected, reloaded.Count("docs", filter).Value);
    }

    [Fact]
    public async Task PutPayloadIndex_DeletedWhileBuilding_JobCompletesWithoutEffect()
    {
        var random = new Random(42);
        using EmbeddingEngine engine = await CreateAsync(RandomItems(random, 12_000));
        string jobId = (await engine.PutPayloadIndexAsync("docs", "b", "float", Ct)).Value!.Value.JobId!;
        Assert.True(await engine.Jobs.RunOneChunkAsync(Ct));
        Assert.True((await engine.DeletePayloadIndexAsync("docs", "b", Ct)).IsSuccess);
        await engine.Jobs.RunUntilIdleAsync(Ct);
        Assert.Equal(JobState.Completed, engine.Jobs.Get(jobId).Value!.State);
        Assert.Empty(engine.ListPayloadIndexes("docs").Value!);
    }

    [Theory]
    [InlineData("a", "fulltext", StoreErrorCode.InvalidArgument, "keyword, integer, float, bool, text")]
    [InlineData("a", "Keyword", StoreErrorCode.InvalidArgument, "keyword, integer, float, bool")]
    [InlineData("a", "", StoreErrorCode.InvalidArgument, "type must be one of")]
    [InlineData("a..b", "keyword", StoreErrorCode.InvalidArgument, "empty segment")]
    [InlineData("", "keyword", StoreErrorCode.InvalidArgument, "non-empty")]
    public async Task PutPayloadIndex_BadDeclaration_RefusedAndNothingStored(string field, string type, StoreErrorCode code, string message)
    {
        var repository = new InMemoryRepository();
        using EmbeddingEngine engine = await EngineFactory.CreateWithCollectionAsync("text@v1", 4, DistanceMetric.DotProduct, repository: repository, cancellationToken: Ct);
        int writes = repository.Writes;
        StoreError error = (await engine.PutPayloadIndexAsync("docs", field, type, Ct)).Error!;
        Assert.Equal(code, error.Code);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Equal(writes, repository.Writes);
        Assert.Empty(engine.ListPayloadIndexes("docs").Value!);
        Assert.Empty(engine.Jobs.List());
    }

    [Fact]
    public async Task PutPayloadIndex_MissingCollectionLimitAndStorageRefusal_ClearErrorsNothingChanged()
    {
        var repository = new InMemoryRepository();
        var limits = new EngineLimits { MaxPayloadIndexes = 2 };
        using var engine = new EmbeddingEngine(repository, limits);
        await engine.LoadAsync(Ct);
        Assert.True((await engine.RegisterModelVersionAsync("text", "v1", 4, DistanceMetric.DotProduct, false, Ct)).IsSuccess);
        Assert.True((await engine.PutCollectionAsync("docs", "text@v1", Ct)).IsSuccess);

        Assert.Equal(StoreErrorCode.CollectionNotFound, (await engine.PutPayloadIndexAsync("nope", "a", "keyword", Ct)).Error!.Code);
        Assert.Equal(StoreErrorCode.CollectionNotFound, engine.ListPayloadIndexes("nope").Error!.Code);
        Assert.Equal(StoreErrorCode.PayloadIndexNotFound, (await engine.DeletePayloadIndexAsync("docs", "a", Ct)).Error!.Code);

        Assert.True((await engine.PutPayloadIndexAsync("docs", "a", "keyword", Ct)).IsSuccess);
        Assert.True((await engine.PutPayloadIndexAsync("docs", "b", "bool", Ct)).IsSuccess);
        Assert.Equal(StoreErrorCode.LimitExceeded, (await engine.PutPayloadIndexAsync("docs", "c", "float", Ct)).Error!.Code);

        repository.RefuseWrites = true;
        Assert.Equal(StoreErrorCode.StorageUnavailable, (await engine.DeletePayloadIndexAsync("docs", "a", Ct)).Error!.Code);
        Assert.Equal(StoreErrorCode.StorageUnavailable, (await engine.PutPayloadIndexAsync("docs", "b", "integer", Ct)).Error!.Code);
        Assert.Equal(["a", "b"], engine.ListPayloadIndexes("docs").Value!.Select(i => i.Field));
        Assert.Equal(PayloadIndexType.Bool, engine.GetPayloadIndex("docs", "b").Value!.Type);
        Assert.Equal(2, engine.Jobs.List().Count);
    }

    private static readonly System.Text.Json.JsonSerializerOptions s_web = new(System.Text.Json.JsonSerializerDefaults.Web);

    private static FilterPlan? Plan(PayloadFilter filter, Collection collection)
    {
        Assert.Null(filter.Validate());
        using Collection.ReadScope scope = collection.EnterRead();
        return PayloadIndexPlanner.Plan(filter, collection);
    }

    // Compares every read path on random filters; returns how many filters an index narrowed.
    private static async Task<int> CompareAsync(
        EmbeddingEngine plain, EmbeddingEngine indexed, List<(string Id, float[] Vector, object? Payload)> items, Random random, int filters)
    {
        Assert.True(indexed.TryGetCollection("docs", out Collection? collection, out _));
        int narrowed = 0;
        for (int f = 0; f < filters; f++)
        {
            PayloadFilter filter = RandomFilter(random);
            narrowed += Plan(filter, collection) is null ? 0 : 1;
            string context = $"filter {f}";

            var expected = items.Where(i => FilterReference.Matches(filter, i.Payload)).Select(i => i.Id).Order(StringComparer.Ordinal).ToList();
            Assert.True(expected.Count == indexed.Count("docs", filter).Value, context);
            Assert.Equal(plain.Count("docs", filter).Value, indexed.Count("docs", filter).Value);
            int pageSize = 1 + random.Next(60);
            Assert.Equal(
                ScrollPages(plain, filter, pageSize).Select(p => string.Join(',', p.Item1) + " -> " + p.Item2),
                ScrollPages(indexed, filter, pageSize).Select(p => string.Join(',', p.Item1) + " -> " + p.Item2));
            Assert.Equal(expected, ScrollAll(indexed, filter));

            float[] query = TestData.RandomVector(random, Dimension);
            foreach (IndexKind kind in new[] { IndexKind.Exact, IndexKind.Int8, IndexKind.Hnsw })
            {
                var search = new SearchQuery(query, null, K, filter, Index: kind);
                Assert.Equal(Hits(await plain.SearchAsync("docs", search, Ct)), Hits(await indexed.SearchAsync("docs", search, Ct)));
            }

            var batch = new BatchSearchQuery([query, TestData.RandomVector(random, Dimension), TestData.RandomVector(random, Dimension)], null, K, filter);
            BatchSearchResult a = (await plain.SearchBatchAsync("docs", batch, Ct)).Value!;
            BatchSearchResult b = (await indexed.SearchBatchAsync("docs", batch, Ct)).Value!;
            Assert.Equal(a.Results.Select(r => Hits(r)), b.Results.Select(r => Hits(r)));
        }

        return narrowed;
    }

    private static List<(string, float)> Hits(StoreResult<SearchResult> result)
    {
        Assert.True(result.IsSuccess, result.Error?.Message);
        return Hits(result.Value!);
    }

    private static List<(string, float)> Hits(SearchResult result) => [.. result.Hits.Select(h => (h.Id, h.Score))];

    private static List<(List<string>, string?)> ScrollPages(EmbeddingEngine engine, PayloadFilter? filter, int pageSize)
    {
        var pages = new List<(List<string>, string?)>();
        string? cursor = null;
        do
        {
            ScrollPage page = engine.Scroll("docs", cursor, pageSize, withVectors: false, filter).Value!;
            pages.Add(([.. page.Items.Select(i => i.Id)], page.NextCursor));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        return pages;
    }

    private static List<string> ScrollAll(EmbeddingEngine engine, PayloadFilter? filter) =>
        [.. ScrollPages(engine, filter, 1_000).SelectMany(p => p.Item1)];

    private static List<(string Id, float[] Vector, object? Payload)> RandomItems(Random random, int count)
    {
        var items = new List<(string Id, float[] Vector, object? Payload)>(count);
        for (int i = 0; i < count; i++)
        {
            items.Add(("i" + i.ToString("D5", CultureInfo.InvariantCulture), TestData.RandomVector(random, Dimension), RandomPayload(random)));
        }

        return items;
    }

    private static async Task<EmbeddingEngine> CreateAsync(List<(string Id, float[] Vector, object? Payload)> items, InMemoryRepository? repository = null)
    {
        EmbeddingEngine engine = await EngineFactory.CreateWithCollectionAsync("text@v1", Dimension, DistanceMetric.DotProduct, repository: repository, cancellationToken: Ct);
        var upserts = items.Select(i => new ItemUpsert(i.Id, ToJson(i.Payload), new Dictionary<string, float[]> { ["text@v1"] = i.Vector })).ToList();
        foreach (ItemUpsert[] chunk in upserts.Chunk(1_000))
        {
            StoreResult<int> written = await engine.UpsertItemsAsync("docs", chunk, Ct);
            Assert.True(written.IsSuccess, written.Error?.Message);
        }

        return engine;
    }
}
