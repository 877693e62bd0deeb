// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Tests.TestSupport;
using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Core.Tests.Collections;

public sealed class AliasTests
{
    private const int Dimension = 8;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PutAlias_EveryCollectionOperation_ServedByTarget()
    {
        using EmbeddingEngine engine = await CreateTwoCollectionsAsync(new InMemoryRepository());
        Assert.True((await engine.PutAliasAsync("live", "docs", Ct)).Value!.Created);

        float[] query = TestData.RandomVector(new Random(5), Dimension);
        SearchResult search = (await engine.SearchAsync("live", new SearchQuery(query, "text@v1", 5), Ct)).Value!;
        Assert.All(search.Hits, h => Assert.StartsWith("d", h.Id, StringComparison.Ordinal));
        Assert.Equal(
            (await engine.SearchAsync("docs", new SearchQuery(query, "text@v1", 5), Ct)).Value!.Hits.Select(h => h.Id),
            search.Hits.Select(h => h.Id));
        Assert.Equal(20, engine.Count("live", null).Value);
        Assert.Equal("d0003", engine.GetItem("live", "d0003", false).Value!.Id);
        Assert.Equal(20, engine.Scroll("live", null, 100, false).Value!.Items.Count);
        Assert.Equal("docs", engine.GetCollection("live").Value!.Name);

        // Writes through the alias land in the target, by its own name.
        Assert.True((await engine.UpsertItemsAsync("live", [EngineFactory.Item("new", "text@v1", query)], Ct)).IsSuccess);
        Assert.Equal(21, engine.Count("docs", null).Value);
        Assert.True((await engine.DeleteItemsAsync("live", ["new"], Ct)).IsSuccess);
        Assert.Equal(20, engine.Count("docs", null).Value);
    }

    [Fact]
    public async Task PutAlias_Switch_NextRequestsServedByNewTarget()
    {
        using EmbeddingEngine engine = await CreateTwoCollectionsAsync(new InMemoryRepository());
        await engine.PutAliasAsync("live", "docs", Ct);

        Outcome<CollectionAlias> switched = (await engine.PutAliasAsync("live", "docs2", Ct)).Value!;
        Outcome<CollectionAlias> again = (await engine.PutAliasAsync("live", "docs2", Ct)).Value!;

        Assert.False(switched.Created);
        Assert.Equal("docs2", switched.Value.Collection);
        Assert.Equal(switched.Value, again.Value);
        Assert.All(engine.Scroll("live", null, 100, false).Value!.Items, i => Assert.StartsWith("e", i.Id, StringComparison.Ordinal));
        Assert.Equal([new CollectionAlias("live", "docs2", switched.Value.UpdatedAt)], engine.ListAliases());
    }

    [Fact]
    public async Task PutAlias_NameConflictsAndBadTargets_Refused()
    {
        using EmbeddingEngine engine = await CreateTwoCollectionsAsync(new InMemoryRepository());
        await engine.PutAliasAsync("live", "docs", Ct);

        Assert.Equal(StoreErrorCode.NameConflict, (await engine.PutAliasAsync("docs2", "docs", Ct)).Error!.Code);
        Assert.Equal(StoreErrorCode.NameConflict, (await engine.PutCollectionAsync("live", "text@v1", Ct)).Error!.Code);
        Assert.Equal(StoreErrorCode.CollectionNotFound, (await engine.PutAliasAsync("other", "missing", Ct)).Error!.Code);
        StoreError chained = (await engine.PutAliasAsync("other", "live", Ct)).Error!;
        Assert.Equal(StoreErrorCode.InvalidArgument, chained.Code);
        Assert.Contains("'live' is itself an alias", chained.Message, StringComparison.Ordinal);
        Assert.Equal(StoreErrorCode.InvalidArgument, (await engine.PutAliasAsync("../x", "docs", Ct)).Error!.Code);
        Assert.Equal(StoreErrorCode.AliasNotFound, engine.GetAlias("nope").Error!.Code);
        Assert.Equal(StoreErrorCode.AliasNotFound, (await engine.DeleteAliasAsync("nope", Ct)).Error!.Code);

        // A collection is deleted by its own name only; through the alias it is refused and nothing changes.
        Assert.Equal(StoreErrorCode.NameConflict, (await engine.DeleteCollectionAsync("live", Ct)).Error!.Code);
        Assert.Equal(20, engine.Count("docs", null).Value);
        Assert.Single(engine.ListAliases());
    }

    [Fact]
    public async Task DeleteCollection_WithAliases_DropsThemDurably()
    {
        var repository = new InMemoryRepository();
        using (EmbeddingEngine engine = await CreateTwoCollectionsAsync(repository))
        {
            await engine.PutAliasAsync("live", "docs", Ct);
            await engine.PutAliasAsync("next", "docs2", Ct);
            Assert.True((await engine.DeleteCollectionAsync("docs", Ct)).IsSuccess);
            Assert.Equal(["next"], engine.ListAliases().Select(a => a.Alias));
            Assert.Equal(StoreErrorCode.CollectionNotFound, engine.Count("live", null).Error!.Code);
        }

        using EmbeddingEngine reloaded = await EngineFactory.CreateAsync(repository, cancellationToken: Ct);
        Assert.Equal([("next", "docs2")], reloaded.ListAliases().Select(a => (a.Alias, a.Collection)));
        Assert.Equal(20, reloaded.Count("next", null).Value);
    }

    [Fact]
    public async Task PutAlias_StorageRefuses_AliasUnchanged()
    {
        var repository = new InMemoryRepository();
        using EmbeddingEngine engine = await CreateTwoCollectionsAsync(repository);
        await engine.PutAliasAsync("live", "docs", Ct);
        repository.RefuseWrites = true;

        Assert.Equal(StoreErrorCode.StorageUnavailable, (await engine.PutAliasAsync("live", "docs2", Ct)).Error!.Code);
        Assert.Equal("docs", engine.GetAlias("live").Value!.Collection);
    }

    [Fact]
    public async Task PutAlias_SwitchWhileCommitting_SearchesSeeOldUntilCommittedThenNew()
    {
        // Deterministic interleaving: searches run inside the switch's commit (the old target must answer, whole), and
        // after the switch returns (the new one must).
        var repository = new InMemoryRepository();
        using EmbeddingEngine engine = await CreateTwoCollectionsAsync(repository);
        await engine.PutAliasAsync("live", "docs", Ct);
        float[] query = TestData.RandomVector(new Random(6), Dimension);
        var duringCommit = new List<SearchResult>();
        repository.BeforeAliasSave = async () =>
        {
            for (int i = 0; i < 3; i++)
            {
                duringCommit.Add((await engine.SearchAsync("live", new SearchQuery(query, "text@v1", 10), Ct)).Value!);
            }
        };

        Assert.True((await engine.PutAliasAsync("live", "docs2", Ct)).IsSuccess);
        SearchResult after = (await engine.SearchAsync("live", new SearchQuery(query, "text@v1", 10), Ct)).Value!;

        Assert.Equal(3, duringCommit.Count);
        Assert.All(duringCommit, r => Assert.All(r.Hits, h => Assert.StartsWith("d", h.Id, StringComparison.Ordinal)));
        Assert.Equal(10, after.Hits.Count);
        Assert.All(after.Hits, h => Assert.StartsWith("e", h.Id, StringComparison.Ordinal));
    }

    [Fact]
    public async Task PutAlias_SwitchedUnderConcurrentSearches_EveryAnswerWhollyFromOneCollection()
    {
        using EmbeddingEngine engine = await CreateTwoCollectionsAsync(new InMemoryRepository());
        await engine.PutAliasAsync("live", "docs", Ct);
        float[] query = TestData.RandomVector(new Random(7), Dimension);
        string[] targets = ["docs", "docs2"];
        using var stop = new CancellationTokenSource();

        async Task<List<string>> SearchUntilStoppedAsync()
        {
            var answers = new List<string>();
            do
            {
                StoreResult<SearchResult> result = await engine.SearchAsync("live", new SearchQuery(query, "text@v1", 10), Ct);
                Assert.True(result.IsSuccess, result.Error?.Message);
                Assert.Equal(10, result.Value!.Hits.Count);
                var prefixes = result.Value.Hits.Select(h => h.Id[0]).Distinct().ToList();
                Assert.Single(prefixes);
                answers.Add(prefixes[0] == 'd' ? "docs" : "docs2");
                await Task.Yield();
            }
            while (!stop.IsCancellationRequested);

            return answers;
        }

        var searchers = Enumerable.Range(0, 3).Select(_ => Task.Run(SearchUntilStoppedAsync, Ct)).ToList();
        for (int i = 1; i <= 200; i++)
        {
            Assert.True((await engine.PutAliasAsync("live", targets[i % 2], Ct)).IsSuccess);
        }

        await stop.CancelAsync();
        List<string>[] answers = await Task.WhenAll(searchers);

        Assert.All(answers, a => Assert.NotEmpty(a));
        Assert.All(answers.SelectMany(a => a), a => Assert.Contains(a, targets));
        Assert.Equal("docs", engine.GetAlias("live").Value!.Collection);
    }

    private static async Task<EmbeddingEngine> CreateTwoCollectionsAsync(InMemoryRepository repository)
    {
        EmbeddingEngine engine = await EngineFactory.CreateWithCollectionAsync("text@v1", Dimension, DistanceMetric.CosineSimilarity, repository: repository, cancellationToken: Ct);
        Assert.True((await engine.PutCollectionAsync("docs2", "text@v1", Ct)).IsSuccess);
        var random = new Random(3);
        await engine.UpsertItemsAsync("docs", [.. Enumerable.Range(0, 20).Select(i => EngineFactory.Item("d" + i.ToString("D4", CultureInfo.InvariantCulture), "text@v1", TestData.RandomVector(random, Dimension)))], Ct);
        await engine.UpsertItemsAsync("docs2", [.. Enumerable.Range(0, 20).Select(i => EngineFactory.Item("e" + i.ToString("D4", CultureInfo.InvariantCulture), "text@v1", TestData.RandomVector(random, Dimension)))], Ct);
        return engine;
    }
}
