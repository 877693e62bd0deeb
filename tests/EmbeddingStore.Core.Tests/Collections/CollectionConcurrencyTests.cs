// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Indexes;
using EmbeddingStore.Core.Tests.TestSupport;
using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Core.Tests.Collections;

public sealed class CollectionConcurrencyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task UpsertItems_TwoCollections_SecondCompletesWhileFirstCommitIsHeld()
    {
        var repository = new InMemoryRepository();
        using EmbeddingEngine engine = await EngineFactory.CreateAsync(repository, cancellationToken: Ct);
        Assert.True((await engine.RegisterModelVersionAsync("text", "v1", 3, DistanceMetric.DotProduct, false, Ct)).IsSuccess);
        Assert.True((await engine.PutCollectionAsync("a", "text@v1", Ct)).IsSuccess);
        Assert.True((await engine.PutCollectionAsync("b", "text@v1", Ct)).IsSuccess);

        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        repository.BeforeUpsert = collection =>
        {
            if (collection != "a")
            {
                return Task.CompletedTask;
            }

            entered.TrySetResult();
            return release.Task;
        };

        // Collection a's write is inside its commit and stays there; under one engine-wide writer lock the write to b
        // would wait behind it for ever, and the bounded wait below would fail the test.
        Task<StoreResult<int>> first = engine.UpsertItemsAsync("a", [EngineFactory.Item("x", "text@v1", [1, 0, 0])], Ct);
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        StoreResult<int> second = await engine.UpsertItemsAsync("b", [EngineFactory.Item("y", "text@v1", [0, 1, 0])], Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.True(second.IsSuccess);
        Assert.False(first.IsCompleted);
        Assert.Equal("y", (await engine.SearchAsync("b", new SearchQuery([0, 1, 0], null, 1), Ct)).Value!.Hits[0].Id);
        Assert.Equal(0, engine.Count("a", null).Value);

        release.SetResult();
        Assert.True((await first).IsSuccess);
        Assert.Equal(1, engine.Count("a", null).Value);
    }

    [Fact]
    public async Task SearchAsync_CancelledTokenOverLargeSegment_IsCancelledNotAnswered()
    {
        using EmbeddingEngine engine = await EngineFactory.CreateWithCollectionAsync("text@v1", 64, DistanceMetric.DotProduct, cancellationToken: Ct);
        var random = new Random(3);
        for (int first = 0; first < 50_000; first += 1_000)
        {
            Assert.True((await engine.UpsertItemsAsync("docs", [.. Enumerable.Range(first, 1_000).Select(i => EngineFactory.Item(i.ToString(CultureInfo.InvariantCulture), "text@v1", TestData.RandomVector(random, 64)))], Ct)).IsSuccess);
        }

        // Nothing before the scan looks at the token (for int8, the first search's build does), so what stops the
        // search is the scan loop's own check, once per block of rows.
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        foreach (IndexKind kind in new[] { IndexKind.Exact, IndexKind.Int8 })
        {
            var query = new SearchQuery(TestData.RandomVector(random, 64), null, 10, Index: kind);
            Task<StoreResult<SearchResult>> search = engine.SearchAsync("docs", query, cancelled.Token);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => search);
            Assert.True(search.IsCanceled);

            // The same search with a live token answers.
            Assert.Equal(10, (await engine.SearchAsync("docs", query, Ct)).Value!.Hits.Count);
        }
    }
}
