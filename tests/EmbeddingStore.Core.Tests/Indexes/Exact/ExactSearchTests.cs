// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Tests.TestSupport;
using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Core.Tests.Indexes.Exact;

public sealed class ExactSearchTests
{
    public static TheoryData<DistanceMetric, int> MetricsAndDimensions()
    {
        var data = new TheoryData<DistanceMetric, int>();
        foreach (DistanceMetric metric in Enum.GetValues<DistanceMetric>())
        {
            for (int d = 1; d <= 260; d++)
            {
                data.Add(metric, d);
            }

            foreach (int d in new[] { 383, 769, 1537 })
            {
                data.Add(metric, d);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(MetricsAndDimensions))]
    public async Task Search_SeededRandomData_MatchesScalarReference(DistanceMetric metric, int dimension)
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        var random = new Random((dimension * 31) + (int)metric);
        const int Count = 60;
        const int K = 10;
        using EmbeddingEngine engine = await EngineFactory.CreateWithCollectionAsync("m@v1", dimension, metric, cancellationToken: ct);

        var stored = new Dictionary<string, float[]>();
        var batch = new List<ItemUpsert>();
        for (int i = 0; i < Count; i++)
        {
            string id = "item-" + i.ToString("D3", CultureInfo.InvariantCulture);
            float[] v = TestData.RandomVector(random, dimension);
            if (i == 0)
            {
                // A long vector, so that under the dot product too the query's neighbour and its duplicate rank first.
                v = [.. v.Select(x => x * 10)];
            }

            stored[id] = v;
            batch.Add(EngineFactory.Item(id, "m@v1", v));
        }

        // Exact duplicates of a few vectors under other ids: their scores tie exactly and must order by id.
        for (int i = 0; i < 5; i++)
        {
            string id = "dup-" + i.ToString(CultureInfo.InvariantCulture);
            stored[id] = stored["item-00" + i.ToString(CultureInfo.InvariantCulture)];
            batch.Add(EngineFactory.Item(id, "m@v1", stored[id]));
        }

        Assert.True((await engine.UpsertItemsAsync("docs", batch, ct)).IsSuccess);

        // Query near item-000 so that the duplicate pair (dup-0, item-000) ranks first and ties.
        float[] query = stored["item-000"].Select(x => x + ((float)random.NextDouble() * 0.01f)).ToArray();
        StoreResult<SearchResult> result = (await engine.SearchAsync("docs", new SearchQuery(query, null, K), TestContext.Current.CancellationToken));
        Assert.True(result.IsSuccess, result.Error?.Message);
        IReadOnlyList<SearchHit> hits = result.Value!.Hits;
        Assert.Equal(K, hits.Count);

        Dictionary<string, (double Score, double Tolerance)> reference = stored.ToDictionary(kv => kv.Key, kv => ReferenceScore(metric, query, kv.Value));

        // Each hit's score is the reference score of that item.
        foreach (SearchHit hit in hits)
        {
            (double expected, double tolerance) = reference[hit.Id];
            Assert.True(Math.Abs(hit.Score - expected) <= tolerance, $"{hit.Id}: score {hit.Score} vs reference {expected}");
        }

        // Order: non-increasing score, equal scores by ordinal id.
        for (int i = 1; i < hits.Count; i++)
        {
            Assert.True(
                hits[i - 1].Score > hits[i].Score || (hits[i - 1].Score == hits[i].Score && string.CompareOrdinal(hits[i - 1].Id, hits[i].Id) < 0),
                $"hits {i - 1} and {i} are out of order");
        }

        // Completeness: nothing clearly better than the last hit was left out.
        float last = hits[^1].Score;
        var returned = hits.Select(h => h.Id).ToHashSet();
        foreach ((string id, (double score, double tolerance)) in reference)
        {
            if (score > last + (2 * tolerance))
            {
                Assert.Contains(id, returned);
            }
        }

        // The exact duplicate of the query's neighbour ties with it, and the tie resolves by id.
        int dup = hits.ToList().FindIndex(h => h.Id == "dup-0");
        int original = hits.ToList().FindIndex(h => h.Id == "item-000");
        Assert.True(dup >= 0 && original >= 0);
        Assert.Equal(hits[dup].Score, hits[original].Score);
        Assert.True(dup < original, "equal scores must order by ordinal id ('dup-0' < 'item-000')");
    }

    [Fact]
    public async Task Search_InsertionOrderShuffled_ReturnsIdenticalResults()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        var random = new Random(7);
        var items = new List<ItemUpsert>();
        float[][] distinct = Enumerable.Range(0, 20).Select(_ => TestData.RandomVector(random, 16)).ToArray();
        for (int i = 0; i < 200; i++)
        {
            // Many exact ties: 200 items over 20 distinct vectors.
            items.Add(EngineFactory.Item("id" + i.ToString(CultureInfo.InvariantCulture), "m@v1", distinct[i % 20]));
        }

        using EmbeddingEngine a = await EngineFactory.CreateWithCollectionAsync("m@v1", 16, DistanceMetric.DotProduct, cancellationToken: ct);
        using EmbeddingEngine b = await EngineFactory.CreateWithCollectionAsync("m@v1", 16, DistanceMetric.DotProduct, cancellationToken: ct);
        Assert.True((await a.UpsertItemsAsync("docs", items, ct)).IsSuccess);
        List<ItemUpsert> shuffled = [.. items.OrderBy(_ => random.Next())];
        foreach (ItemUpsert[] chunk in shuffled.Chunk(37))
        {
            Assert.True((await b.UpsertItemsAsync("docs", chunk, ct)).IsSuccess);
        }

        float[] query = TestData.RandomVector(random, 16);
        string[] fromA = (await a.SearchAsync("docs", new SearchQuery(query, null, 50), TestContext.Current.CancellationToken)).Value!.Hits.Select(h => h.Id).ToArray();
        string[] fromB = (await b.SearchAsync("docs", new SearchQuery(query, null, 50), TestContext.Current.CancellationToken)).Value!.Hits.Select(h => h.Id).ToArray();
        Assert.Equal(fromA, fromB);
    }

    [Fact]
    public async Task Search_AfterDeletesAndReplacements_MatchesFreshEngine()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        var random = new Random(11);
        using EmbeddingEngine engine = await EngineFactory.CreateWithCollectionAsync("m@v1", 24, DistanceMetric.Euclidean, cancellationToken: ct);
        var live = new Dictionary<string, float[]>();
        for (int round = 0; round < 10; round++)
        {
            var batch = new List<ItemUpsert>();
            for (int i = 0; i < 30; i++)
            {
                string id = "k" + random.Next(60).ToString(CultureInfo.InvariantCulture);
                if (batch.Any(b => b.Id == id))
                {
                    continue;
                }

                float[] v = TestData.RandomVector(random, 24);
                live[id] = v;
                batch.Add(EngineFactory.Item(id, "m@v1", v));
            }

            Assert.True((await engine.UpsertItemsAsync("docs", batch, ct)).IsSuccess);
            string[] doomed = live.Keys.Where(_ => random.Next(4) == 0).ToArray();
            if (doomed.Length > 0)
            {
                Assert.Equal(doomed.Length, (await engine.DeleteItemsAsync("docs", doomed, ct)).Value);
                foreach (string id in doomed)
                {
                    live.Remove(id);
                }
            }
        }

        using EmbeddingEngine fresh = await EngineFactory.CreateWithCollectionAsync("m@v1", 24, DistanceMetric.Euclidean, cancellationToken: ct);
        Assert.True((await fresh.UpsertItemsAsync("docs", [.. live.Select(kv => EngineFactory.Item(kv.Key, "m@v1", kv.Value))], ct)).IsSuccess);

        float[] query = TestData.RandomVector(random, 24);
        var expected = (await fresh.SearchAsync("docs", new SearchQuery(query, null, 1000), TestContext.Current.CancellationToken)).Value!.Hits.Select(h => (h.Id, h.Score)).ToArray();
        var actual = (await engine.SearchAsync("docs", new SearchQuery(query, null, 1000), TestContext.Current.CancellationToken)).Value!.Hits.Select(h => (h.Id, h.Score)).ToArray();
        Assert.Equal(live.Count, actual.Length);
        Assert.Equal(expected, actual);
    }

    private static (double Score, double Tolerance) ReferenceScore(DistanceMetric metric, float[] q, float[] x)
    {
        double dot = 0, qq = 0, xx = 0, l2 = 0, l1 = 0, magnitude = 0;
        for (int i = 0; i < q.Length; i++)
        {
            dot += (double)q[i] * x[i];
            magnitude += Math.Abs((double)q[i] * x[i]);
            qq += (double)q[i] * q[i];
            xx += (double)x[i] * x[i];
            l2 += ((double)q[i] - x[i]) * ((double)q[i] - x[i]);
            l1 += Math.Abs((double)q[i] - x[i]);
        }

        return metric switch
        {
            DistanceMetric.CosineSimilarity => (dot / Math.Sqrt(qq * xx), (1e-5 * magnitude / Math.Sqrt(qq * xx)) + 1e-6),
            DistanceMetric.DotProduct => (dot, (1e-5 * magnitude) + 1e-6),
            DistanceMetric.Euclidean => (-Math.Sqrt(l2), (1e-5 * Math.Sqrt(l2)) + 1e-6),
            DistanceMetric.Manhattan => (-l1, (1e-5 * l1) + 1e-6),
            _ => throw new ArgumentOutOfRangeException(nameof(metric)),
        };
    }
}
