// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Filters;
using EmbeddingStore.Core.Tests.TestSupport;
using EmbeddingStore.Core.Vectors;
using static EmbeddingStore.Core.Tests.Filters.FilterReference;

namespace EmbeddingStore.Core.Tests.Filters;

// The filter language through the engine: exact filtered search, batch search, count, scroll and delete-by-filter, each
// against brute force over the reference evaluator.
public sealed class FilteredEngineTests
{
    private const int Dimension = 16;
    private const int Items = 1_500;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    public async Task Search_RandomFilters_EqualsBruteForceFilteredTruth(int seed)
    {
        var random = new Random(seed);
        (EmbeddingEngine engine, List<(string Id, float[] Vector, object? Payload)> items) = await CreateAsync(random);
        using (engine)
        {
            for (int q = 0; q < 40; q++)
            {
                PayloadFilter filter = RandomFilter(random);
                float[] query = TestData.RandomVector(random, Dimension);
                const int K = 10;
                var truth = items.Where(i => FilterReference.Matches(filter, i.Payload))
                    .Select(i => (i.Id, Score: Dot(query, i.Vector)))
                    .OrderByDescending(t => t.Score).ThenBy(t => t.Id, StringComparer.Ordinal).Take(K).ToList();

                IReadOnlyList<SearchHit> hits = (await engine.SearchAsync("docs", new SearchQuery(query, null, K, filter), Ct)).Value!.Hits;
                AssertSameRanking(truth, hits, $"seed {seed}, query {q}");

                SearchResult batch = (await engine.SearchBatchAsync("docs", new BatchSearchQuery([query], null, K, filter), Ct)).Value!.Results[0];
                Assert.Equal(hits.Select(h => h.Id), batch.Hits.Select(h => h.Id));
            }
        }
    }

    [Fact]
    public async Task CountAndScroll_RandomFilters_EqualReferenceMatches()
    {
        var random = new Random(23);
        (EmbeddingEngine engine, List<(string Id, float[] Vector, object? Payload)> items) = await CreateAsync(random);
        using (engine)
        {
            for (int f = 0; f < 30; f++)
            {
                PayloadFilter filter = RandomFilter(random);
                var expected = items.Where(i => FilterReference.Matches(filter, i.Payload)).Select(i => i.Id).Order(StringComparer.Ordinal).ToList();
                Assert.Equal(expected.Count, engine.Count("docs", filter).Value);

                var scrolled = new List<string>();
                string? cursor = null;
                do
                {
                    ScrollPage page = engine.Scroll("docs", cursor, 97, withVectors: false, filter).Value!;
                    Assert.True(page.Items.Count <= 97);
                    scrolled.AddRange(page.Items.Select(i => i.Id));
                    cursor = page.NextCursor;
                }
                while (cursor is not null);

                Assert.Equal(expected, scrolled);
            }
        }
    }

    [Fact]
    public async Task DeleteItems_ByFilter_DeletesExactlyTheMatchingItems()
    {
        var random = new Random(24);
        var repository = new InMemoryRepository();
        (EmbeddingEngine engine, List<(string Id, float[] Vector, object? Payload)> items) = await CreateAsync(random, repository);
        PayloadFilter filter = new([new FilterCondition { Key = "a", Any = [Json("\"x\""), Json("1")] }], mustNot: [new FilterCondition { Key = "b", IsNull = true }]);
        var doomed = items.Where(i => FilterReference.Matches(filter, i.Payload)).Select(i => i.Id).ToHashSet(StringComparer.Ordinal);
        Assert.InRange(doomed.Count, 50, Items - 50);
        using (engine)
        {
            Assert.Equal(doomed.Count, (await engine.DeleteItemsAsync("docs", filter, Ct)).Value);
            Assert.Equal(0, engine.Count("docs", filter).Value);
            Assert.Equal(0, (await engine.DeleteItemsAsync("docs", filter, Ct)).Value);
            AssertRemaining(engine, items, doomed);

            // A bad filter deletes nothing.
            var bad = new PayloadFilter([new FilterCondition { Key = "a", Range = new FilterRange { Gt = Json("\"1\"") } }]);
            Assert.Equal(StoreErrorCode.InvalidArgument, (await engine.DeleteItemsAsync("docs", bad, Ct)).Error!.Code);
            Assert.Equal(Items - doomed.Count, engine.GetCollection("docs").Value!.ItemCount);
        }

        using var reloaded = new EmbeddingEngine(repository);
        await reloaded.LoadAsync(Ct);
        AssertRemaining(reloaded, items, doomed);
    }

    private static void AssertRemaining(EmbeddingEngine engine, List<(string Id, float[] Vector, object? Payload)> items, HashSet<string> doomed)
    {
        var remaining = new List<string>();
        string? cursor = null;
        do
        {
            ScrollPage page = engine.Scroll("docs", cursor, 1_000, withVectors: false).Value!;
            remaining.AddRange(page.Items.Select(i => i.Id));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        Assert.Equal(items.Select(i => i.Id).Where(id => !doomed.Contains(id)).Order(StringComparer.Ordinal), remaining);
    }

    private static async Task<(EmbeddingEngine, List<(string Id, float[] Vector, object? Payload)>)> CreateAsync(Random random, InMemoryRepository? repository = null)
    {
        EmbeddingEngine engine = await EngineFactory.CreateWithCollectionAsync("text@v1", Dimension, DistanceMetric.DotProduct, repository: repository, cancellationToken: Ct);
        var items = new List<(string Id, float[] Vector, object? Payload)>();
        for (int i = 0; i < Items; i++)
        {
            items.Add(("i" + i.ToString("D4", CultureInfo.InvariantCulture), TestData.RandomVector(random, Dimension), RandomPayload(random)));
        }

        var upserts = items.Select(i => new ItemUpsert(i.Id, ToJson(i.Payload), new Dictionary<string, float[]> { ["text@v1"] = i.Vector })).ToList();
        foreach (ItemUpsert[] chunk in upserts.Chunk(500))
        {
            StoreResult<int> written = await engine.UpsertItemsAsync("docs", chunk, Ct);
            Assert.True(written.IsSuccess, written.Error?.Message);
        }

        return (engine, items);
    }

    private static float Dot(float[] a, float[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sum += (double)a[i] * b[i];
        }

        return (float)sum;
    }

    // Same length and scores rank by rank; ids equal wherever the truth's neighbouring scores are not within float noise.
    private static void AssertSameRanking(List<(string Id, float Score)> truth, IReadOnlyList<SearchHit> hits, string context)
    {
        Assert.True(truth.Count == hits.Count, $"{context}: {hits.Count} hits, truth has {truth.Count}");
        for (int r = 0; r < truth.Count; r++)
        {
            Assert.True(Math.Abs(truth[r].Score - hits[r].Score) < 1e-4, $"{context}, rank {r}: score {hits[r].Score}, truth {truth[r].Score}");
            bool nearTie = (r > 0 && Math.Abs(truth[r].Score - truth[r - 1].Score) < 1e-4)
                || (r + 1 < truth.Count && Math.Abs(truth[r].Score - truth[r + 1].Score) < 1e-4);
            Assert.True(nearTie || truth[r].Id == hits[r].Id, $"{context}, rank {r}: {hits[r].Id}, truth {truth[r].Id}");
        }
    }
}
