// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Text.Json;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Filters;
using EmbeddingStore.Core.Indexes;
using EmbeddingStore.Core.Tests.TestSupport;
using EmbeddingStore.Core.Vectors;
using EmbeddingStore.Core.Versioning;

namespace EmbeddingStore.Core.Tests.Collections;

public sealed class EmbeddingEngineTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RegisterModelVersion_IdenticalTwice_IsIdempotent()
    {
        using EmbeddingEngine engine = await EngineFactory.CreateAsync(cancellationToken: Ct);
        StoreResult<Outcome<ModelVersion>> first = await engine.RegisterModelVersionAsync("text", "v1", 4, DistanceMetric.CosineSimilarity, true, Ct);
        StoreResult<Outcome<ModelVersion>> second = await engine.RegisterModelVersionAsync("text", "v1", 4, DistanceMetric.CosineSimilarity, true, Ct);
        Assert.True(first.Value!.Created);
        Assert.False(second.Value!.Created);
        Assert.Equal(first.Value.Value, second.Value.Value);
    }

    [Fact]
    public async Task RegisterModelVersion_ChangedAfterVectorsUseIt_IsVersionConflict()
    {
        using EmbeddingEngine engine = await EngineFactory.CreateWithCollectionAsync("text@v1", 4, DistanceMetric.DotProduct, cancellationToken: Ct);

        // Unused: settings may still change.
        Assert.True((await engine.RegisterModelVersionAsync("text", "v1", 3, DistanceMetric.DotProduct, false, Ct)).IsSuccess);
        Assert.True((await engine.UpsertItemsAsync("docs", [EngineFactory.Item("a", "text@v1", [1, 2, 3])], Ct)).IsSuccess);

        StoreResult<Outcome<ModelVersion>> conflict = await engine.RegisterModelVersionAsync("text", "v1", 4, DistanceMetric.DotProduct, false, Ct);
        Assert.Equal(StoreErrorCode.VersionConflict, conflict.Error!.Code);
        Assert.Equal(3, engine.GetModelVersion("text", "v1").Value!.Dimension);
    }

    [Theory]
    [InlineData("", "v1")]
    [InlineData("te xt", "v1")]
    [InlineData("text", "v@1")]
    [InlineData("text", "../v1")]
    public async Task RegisterModelVersion_BadName_IsInvalidArgument(string model, string version)
    {
        using EmbeddingEngine engine = await EngineFactory.CreateAsync(cancellationToken: Ct);
        StoreResult<Outcome<ModelVersion>> result = await engine.RegisterModelVersionAsync(model, version, 4, DistanceMetric.DotProduct, false, Ct);
        Assert.Equal(StoreErrorCode.InvalidArgument, result.Error!.Code);
        Assert.Empty(engine.ListModelVersions());
    }

    [Fact]
    public async Task CountVectors_TwoVersionsAndADelete_LiveVectorsOfEveryVersionAsInfoCountsThem()
    {
        using EmbeddingEngine engine = await EngineFactory.CreateWithCollectionAsync("text@v1", 3, DistanceMetric.DotProduct, cancellationToken: Ct);
        Assert.True((await engine.RegisterModelVersionAsync("text", "v2", 2, DistanceMetric.DotProduct, false, Ct)).IsSuccess);
        ItemUpsert[] items =
        [
            new("a", null, new Dictionary<string, float[]> { ["text@v1"] = [1, 2, 3], ["text@v2"] = [1, 0] }),
            new("b", null, new Dictionary<string, float[]> { ["text@v1"] = [0, 1, 0] }),
            new("c", null, new Dictionary<string, float[]> { ["text@v1"] = [0, 0, 1], ["text@v2"] = [0, 1] }),
        ];
        Assert.True((await engine.UpsertItemsAsync("docs", items, Ct)).IsSuccess);
        Assert.Equal(5, engine.CountVectors("docs").Value);

        Assert.True((await engine.DeleteItemsAsync("docs", ["c"], Ct)).IsSuccess);
        Assert.Equal(3, engine.CountVectors("docs").Value);
        Assert.Equal(engine.GetCollection("docs").Value!.VectorCounts.Values.Sum(), engine.CountVectors("docs").Value);
        Assert.Equal(StoreErrorCode.CollectionNotFound, engine.CountVectors("nope").Error!.Code);
    }

    [Fact]
    public async Task UpsertItems_BadItemLaterInBatch_MessageNamesItsFieldAndNothingStored()
    {
        // Field names are formatted only when a refusal is written (FieldName): each message still names the item's
        // index, the field and, for vectors, the id, as it did when every name was formatted up front.
        using EmbeddingEngine engine = await EngineFactory.CreateWithCollectionAsync("text@v1", 3, DistanceMetric.DotProduct, cancellationToken: Ct);
        ItemUpsert good = EngineFactory.Item("a", "text@v1", [1, 2, 3]);
        (ItemUpsert Bad, string Message)[] cases =
        [
            (EngineFactory.Item("b\u0001", "text@v1", [1, 2, 3]), "items[1].id contains the control character U+0001 at position 1."),
            (EngineFactory.Item("\u202Eb", "text@v1", [1, 2, 3]), "items[1].id contains the invisible or reordering character U+202E (Format) at position 0."),
            (EngineFactory.Item("b", "text@v1", [1, 2, 3], """{"a": {"b": [1, -1e999]}}"""), "items[1].payload.a.b[1] is a number beyond the range of a double; JavaScript and Python clients would read it as infinity."),
            (EngineFactory.Item("b", "text@v1", [1, 2]), "items[1] (id 'b'): the vector for text@v1 has 2 dimensions; text@v1 expects 3."),
            (EngineFactory.Item("b", "text@v9", [1, 2, 3]), "items[1] (id 'b'): Model version text@v9 is not registered."),
        ];
        foreach ((ItemUpsert bad, string message) in cases)
        {
            StoreResult<int> result = await engine.UpsertItemsAsync("docs", [good, bad], Ct);
            Assert.Equal(message, result.Error!.Message);
        }

        Assert.Equal(0, engine.GetCollection("docs").Value!.ItemCount);
        StoreResult<int> delete = await engine.DeleteItemsAsync("docs", ["a", ""], Ct);
        Assert.Equal("ids[1] must be a non-empty string.", delete.Error!.Message);
    }

    [Fact]
    public async Task Search_SameDimensionOtherModel_IsIncompatibleVersionsNamingBoth()
    {
        using EmbeddingEngine engine = await EngineFactory.CreateWithCollectionAsync("text@v1", 3, DistanceMetric.CosineSimilarity, cancellationToken: Ct);
        Assert.True((await engine.RegisterModelVersionAsync("text", "v2", 3, DistanceMetric.CosineSimilarity, false, Ct)).IsSuccess);
        Assert.True((await engine.UpsertItemsAsync("docs", [EngineFactory.Item("a", "text@v1", [1, 0, 0])], Ct)).IsSuccess);

        StoreResult<SearchResult> result = (await engine.SearchAsync("docs", new SearchQuery([1, 0, 0], "text@v2", 5), TestContext.Current.CancellationToken));
        Assert.Equal(StoreErrorCode.IncompatibleVersions, result.Error!.Code);
        Assert.Equal(["text@v2", "text@v1"], result.Error.Versions);
        Assert.Contains("text@v1", result.Error.Message, StringComparison.Ordinal);
        Assert.Contains("text@v2", result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_CollectionDefaultIndexInt8_UsedUnlessQueryNamesOne()
    {
        using EmbeddingEngine engine = await EngineFactory.CreateWithCollectionAsync("text@v1", 16, DistanceMetric.DotProduct, cancellationToken: Ct);
        var random = new Random(21);
        await engine.UpsertItemsAsync("docs", [.. Enumerable.Range(0, 200).Select(i => EngineFactory.Item("i" + i.ToString(CultureInfo.InvariantCulture), "text@v1", TestData.RandomVector(random, 16)))], Ct);
        float[] query = TestData.RandomVector(random, 16);
        Assert.Equal(IndexKind.Exact, (await engine.SearchAsync("docs", new SearchQuery(query, null, 10), TestContext.Current.CancellationToken)).Value!.Index);

        // Opting the collection in changes the default and keeps the serving version.
        Assert.Equal(IndexKind.Int8, (await engine.PutCollectionAsync("docs", "text@v1", IndexKind.Int8, Ct)).Value!.Value.DefaultIndex);
        SearchResult byDefault = (await engine.SearchAsync("docs", new SearchQuery(query, null, 10), TestContext.Current.CancellationToken)).Value!;
        Assert.Equal(IndexKind.Int8, byDefault.Index);
        Assert.Equal(IndexKind.Exact, (await engine.SearchAsync("docs", new SearchQuery(query, null, 10, Index: IndexKind.Exact), TestContext.Current.CancellationToken)).Value!.Index);

        // int8 re-scores its candidates exactly: the hits it returns carry exact scores.
        var exact = (await engine.SearchAsync("docs", new SearchQuery(query, null, 200, Index: IndexKind.Exact), TestContext.Current.CancellationToken)).Value!.Hits.ToDictionary(h => h.Id, h => h.Score);
        Assert.All(byDefault.Hits, h => Assert.Equal(exact[h.Id], h.Score));

        // A PUT that names no index keeps the setting.
        Assert.Equal(IndexKind.Int8, (await engine.PutCollectionAsync("docs", "text@v1", Ct)).Value!.Value.DefaultIndex);
    }

    [Fact]
    public async Task Search_EmptyCollection_ReturnsEmpty()
    {
        using EmbeddingEngine engine = await EngineFactory.CreateWithCollectionAsync("text@v1", 3, DistanceMetric.CosineSimilarity, cancellationToken: Ct);
        StoreResult<SearchResult> result = (await engine.SearchAsync("docs", new SearchQuery([1, 0, 0], null, 5), TestContext.Current.CancellationToken));
        Assert.True(result.IsSuccess);
        Assert.Empty(result.Value!.Hits);
    }

    [Fact]
    public async Task UpsertItems_OneBadItemAtTheEnd_WritesNothing()
    {
        var repository = new InMemoryRepository();
        using EmbeddingEngine engine = await EngineFactory.CreateWithCollectionAsync("text@v1", 3, DistanceMetric.DotProduct, repository: repository, cancellationToken: Ct);
        int writesBefore = repository.Writes;
        var batch = Enumerable.Range(0, 50).Select(i => EngineFactory.Item("i" + i.ToString(CultureInfo.InvariantCulture), "text@v1", [i, 1, 2])).ToList();
        batch.Add(EngineFactory.Item("bad", "text@v1", [1, float.NaN, 2]));

        StoreResult<int> result = await engine.UpsertItemsAsync("docs", batch, Ct);
        Assert.Equal(StoreErrorCode.InvalidVector, result.Error!.Code);
        Assert.Contains("items[50]", result.Error.Message, StringComparison.Ordinal);
        Assert.Equal(0, engine.GetCollection("docs").Value!.ItemCount);
        Assert.Equal(writesBefore, repository.Writes);
    }

    [Fact]
    public async Task UpsertItems_StorageRefuses_MemoryUnchanged()
    {
        var repository = new InMemoryRepository();
        using EmbeddingEngine engine = await EngineFactory.CreateWithCollectionAsync("text@v1", 3, DistanceMetric.DotProduct, repository: repository, cancellationToken: Ct);
        Assert.True((await engine.UpsertItemsAsync("docs", [EngineFactory.Item("a", "text@v1", [1, 2, 3])], Ct)).IsSuccess);
        repository.RefuseWrites = true;

        StoreResult<int> result = await engine.UpsertItemsAsync("docs", [EngineFactory.Item("a", "text@v1", [9, 9, 9]), EngineFactory.Item("b", "text@v1", [1, 1, 1])], Ct);
        Assert.Equal(StoreErrorCode.StorageUnavailable, result.Error!.Code);
        Assert.Equal(1, engine.GetCollection("docs").Value!.ItemCount);
        Assert.Equal([1f, 2f, 3f], engine.GetItem("docs", "a", withVectors: true).Value!.Vectors!["text@v1"]);

        // Reads keep working.
        Assert.Single((await engine.SearchAsync("docs", new SearchQuery([1, 0, 0], null, 5), TestContext.Current.CancellationToken)).Value!.Hits);
    }

    [Theory]
    [InlineData("dimension")]
    [InlineData("infinity")]
    [InlineData("zero-cosine")]
    [InlineData("not-normalized")]
    [InlineData("unknown-version")]
    [InlineData("bad-version-syntax")]
    [InlineData("duplicate-id")]
    [InlineData("empty-id")]
    [InlineData("long-id")]
    [InlineData("control-id")]
    [InlineData("surrogate-id")]
    [InlineData("array-payload")]
    public async Task UpsertItems_BadInput_RefusedWithCodeAndNothingWritten(string kind)
    {
        using EmbeddingEngine engine = await EngineFactory.CreateWithCollectionAsync("text@v1", 3, DistanceMetric.CosineSimilarity, normalized: false, cancellationToken: Ct);
        Assert.True((await engine.RegisterModelVersionAsync("unit", "v1", 3, DistanceMetric.DotProduct, true, Ct)).IsSuccess);
        ItemUpsert good = EngineFactory.Item("good", "text@v1", [1, 2, 3]);
        (ItemUpsert bad, StoreErrorCode expected) = kind switch
        {
            "dimension" => (EngineFactory.Item("x", "text@v1", [1, 2]), StoreErrorCode.DimensionMismatch),
            "infinity" => (EngineFactory.Item("x", "text@v1", [1, float.PositiveInfinity, 2]), StoreErrorCode.InvalidVector),
            "zero-cosine" => (EngineFactory.Item("x", "text@v1", [0, 0, 0]), StoreErrorCode.InvalidVector),
            "not-normalized" => (EngineFactory.Item("x", "unit@v1", [1, 1, 0]), StoreErrorCode.InvalidVector),
            "unknown-version" => (EngineFactory.Item("x", "text@v9", [1, 2, 3]), StoreErrorCode.ModelVersionNotFound),
            "bad-version-syntax" => (EngineFactory.Item("x", "text-v1", [1, 2, 3]), StoreErrorCode.InvalidArgument),
            "duplicate-id" => (EngineFactory.Item("good", "text@v1", [3, 2, 1]), StoreErrorCode.DuplicateId),
            "empty-id" => (EngineFactory.Item(string.Empty, "text@v1", [1, 2, 3]), StoreErrorCode.InvalidArgument),
            "long-id" => (EngineFactory.Item(new string('x', 257), "text@v1", [1, 2, 3]), StoreErrorCode.LimitExceeded),
            "control-id" => (EngineFactory.Item("a\u0000b", "text@v1", [1, 2, 3]), StoreErrorCode.InvalidArgument),
            "surrogate-id" => (EngineFactory.Item("a\ud800b", "text@v1", [1, 2, 3]), StoreErrorCode.InvalidArgument),
            "array-payload" => (EngineFactory.Item("x", "text@v1", [1, 2, 3], "[1,2]"), StoreErrorCode.InvalidArgument),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        StoreResult<int> result = await engine.UpsertItemsAsync("docs", [good, bad], Ct);
        Assert.Equal(expected, result.Error!.Code);
        Assert.Equal(0, engine.GetCollection("docs").Value!.ItemCount);
    }

    [Fact]
    public async Task UpsertItems_OverBatchLimit_IsLimitExceeded()
    {
        using var engine = new EmbeddingEngine(new InMemoryRepository(), new EngineLimits { MaxBatchItems = 3 });
        await engine.LoadAsync(Ct);
        await engine.RegisterModelVersionAsync("text", "v1", 2, DistanceMetric.DotProduct, false, Ct);
        await engine.PutCollectionAsync("docs", "text@v1", Ct);
        var batch = Enumerable.Range(0, 4).Select(i => EngineFactory.Item("i" + i.ToString(CultureInfo.InvariantCulture), "text@v1", [1, 2])).ToList();
        Assert.Equal(StoreErrorCode.LimitExceeded, (await engine.UpsertItemsAsync("docs", batch, Ct)).Error!.Code);
        Assert.Equal(StoreErrorCode.InvalidArgument, (await engine.UpsertItemsAsync("docs", [], Ct)).Error!.Code);
    }

    [Fact]
    public async Task UpsertItems_ReplaceWithOtherVersion_DropsOldVector()
    {
        using EmbeddingEngine engine = await EngineFactory.CreateWithCollectionAsync("text@v1", 2, DistanceMetric.DotProduct, cancellationToken: Ct);
        await engine.RegisterModelVersionAsync("text", "v2", 2, DistanceMetric.DotProduct, false, Ct);
        Assert.True((await engine.UpsertItemsAsync("docs", [EngineFactory.Item("a", "text@v1", [1, 2])], Ct)).IsSuccess);
        Assert.True((await engine.UpsertItemsAsync("docs", [EngineFactory.Item("a", "text@v2", [3, 4], """{"k":1}""")], Ct)).IsSuccess);

        CollectionInfo info = engine.GetCollection("docs").Value!;
        Assert.Equal(1, info.ItemCount);
        Assert.Equal(new Dictionary<string, long> { ["text@v2"] = 1 }, info.VectorCounts);
        ItemView item = engine.GetItem("docs", "a", withVectors: true).Value!;
        Assert.Equal(["text@v2"], item.Vectors!.Keys);
        Assert.Equal(1, item.Payload!.Value.GetProperty("k").GetInt32());
    }

    [Fact]
    public async Task Search_WithFilter_StaysExactAmongMatchingItems()
    {
        using EmbeddingEngine engine = await EngineFactory.CreateWithCollectionAsync("text@v1", 8, DistanceMetric.CosineSimilarity, cancellationToken: Ct);
        var random = new Random(5);
        var items = new List<ItemUpsert>();
        for (int i = 0; i < 300; i++)
        {
            string lang = i % 10 == 0 ? "de" : "en";
            string tags = i % 3 == 0 ? """["a","b"]""" : """["c"]""";
            items.Add(EngineFactory.Item("i" + i.ToString("D3", CultureInfo.InvariantCulture), "text@v1", TestData.RandomVector(random, 8), $$"""{"lang":"{{lang}}","n":{{i % 7}},"tags":{{tags}}}"""));
        }

        Assert.True((await engine.UpsertItemsAsync("docs", items, Ct)).IsSuccess);
        float[] query = TestData.RandomVector(random, 8);
        PayloadFilter de = Filter(("lang", "\"de\""));
        IReadOnlyList<SearchHit> filtered = (await engine.SearchAsync("docs", new SearchQuery(query, null, 10, de), TestContext.Current.CancellationToken)).Value!.Hits;
        IReadOnlyList<SearchHit> all = (await engine.SearchAsync("docs", new SearchQuery(query, null, 300), TestContext.Current.CancellationToken)).Value!.Hits;
        string[] expected = all.Where(h => h.Payload!.Value.GetProperty("lang").GetString() == "de").Take(10).Select(h => h.Id).ToArray();
        Assert.Equal(expected, filtered.Select(h => h.Id).ToArray());

        // Numbers and array membership.
        Assert.All((await engine.SearchAsync("docs", new SearchQuery(query, null, 50, Filter(("n", "3"))), TestContext.Current.CancellationToken)).Value!.Hits, h => Assert.Equal(3, h.Payload!.Value.GetProperty("n").GetInt32()));
        Assert.Equal(100, engine.Count("docs", Filter(("tags", "\"a\""))).Value);
        Assert.Equal(0, engine.Count("docs", Filter(("missing", "true"))).Value);
        Assert.Equal(StoreErrorCode.InvalidArgument, engine.Count("docs", Filter(("lang", "{\"x\":1}"))).Error!.Code);
    }

    [Fact]
    public async Task Scroll_WithConcurrentInsertsBetweenPages_VisitsEveryOriginalItemOnce()
    {
        using EmbeddingEngine engine = await EngineFactory.CreateWithCollectionAsync("text@v1", 2, DistanceMetric.DotProduct, cancellationToken: Ct);
        var ids = Enumerable.Range(0, 95).Select(i => "id" + i.ToString("D3", CultureInfo.InvariantCulture)).ToList();
        Assert.True((await engine.UpsertItemsAsync("docs", [.. ids.Select(id => EngineFactory.Item(id, "text@v1", [1, 2]))], Ct)).IsSuccess);

        var seen = new List<string>();
        string? cursor = null;
        int page = 0;
        do
        {
            ScrollPage result = engine.Scroll("docs", cursor, 10, withVectors: false).Value!;
            seen.AddRange(result.Items.Select(i => i.Id));
            cursor = result.NextCursor;

            // Writes between pages: an insert before the cursor and a delete of something already seen.
            await engine.UpsertItemsAsync("docs", [EngineFactory.Item("aaa" + page.ToString(CultureInfo.InvariantCulture), "text@v1", [1, 2])], Ct);
            page++;
        }
        while (cursor is not null);

        Assert.Equal(ids, seen.Where(id => id.StartsWith("id", StringComparison.Ordinal)).ToList());
        Assert.Equal(StoreErrorCode.InvalidArgument, engine.Scroll("docs", "!!not-a-cursor!!", 10, false).Error!.Code);
        Assert.Equal(StoreErrorCode.InvalidArgument, engine.Scroll("docs", null, 0, false).Error!.Code);
    }

    [Fact]
    public async Task Load_AfterWrites_RebuildsSameState()
    {
        var repository = new InMemoryRepository();
        var random = new Random(3);
        float[] query = TestData.RandomVector(random, 5);
        (string, float)[] before;
        using (EmbeddingEngine engine = await EngineFactory.CreateWithCollectionAsync("text@v1", 5, DistanceMetric.CosineSimilarity, repository: repository, cancellationToken: Ct))
        {
            var items = Enumerable.Range(0, 40).Select(i => EngineFactory.Item("i" + i.ToString(CultureInfo.InvariantCulture), "text@v1", TestData.RandomVector(random, 5), """{"n":1}""")).ToList();
            await engine.UpsertItemsAsync("docs", items, Ct);
            await engine.DeleteItemsAsync("docs", ["i3", "i7", "nope"], Ct);
            before = [.. (await engine.SearchAsync("docs", new SearchQuery(query, null, 100), TestContext.Current.CancellationToken)).Value!.Hits.Select(h => (h.Id, h.Score))];
        }

        using var reloaded = new EmbeddingEngine(repository);
        await reloaded.LoadAsync(Ct);
        (string, float)[] after = [.. (await reloaded.SearchAsync("docs", new SearchQuery(query, null, 100), TestContext.Current.CancellationToken)).Value!.Hits.Select(h => (h.Id, h.Score))];
        Assert.Equal(38, after.Length);
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task Search_DuringConcurrentBatches_SeesWholeBatchesOnly()
    {
        using EmbeddingEngine engine = await EngineFactory.CreateWithCollectionAsync("text@v1", 4, DistanceMetric.DotProduct, cancellationToken: Ct);
        const int BatchSize = 25;
        const int Batches = 40;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        Task writer = Task.Run(
            async () =>
            {
                for (int b = 0; b < Batches; b++)
                {
                    var batch = Enumerable.Range(0, BatchSize).Select(i => EngineFactory.Item($"b{b:D2}-{i:D2}", "text@v1", [1, 1, 1, 1])).ToList();
                    Assert.True((await engine.UpsertItemsAsync("docs", batch, cts.Token)).IsSuccess);
                }
            },
            Ct);

        int observations = 0;
        while (!writer.IsCompleted || observations == 0)
        {
            StoreResult<SearchResult> result = (await engine.SearchAsync("docs", new SearchQuery([1, 0, 0, 0], null, 1000), TestContext.Current.CancellationToken));
            int count = result.IsSuccess ? result.Value!.Hits.Count : 0;
            Assert.Equal(0, count % BatchSize);
            observations++;
        }

        await writer;
        Assert.Equal(BatchSize * Batches, engine.GetCollection("docs").Value!.ItemCount);
    }

    private static PayloadFilter Filter(params (string Key, string Json)[] conditions) =>
        new([.. conditions.Select(c => FilterCondition.Equal(c.Key, JsonDocument.Parse(c.Json).RootElement.Clone()))]);
}
