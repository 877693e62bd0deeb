// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Core.Tests.Indexes.Exact;

public sealed class TopKCollectorTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 500)]
    [InlineData(10, 5)]
    [InlineData(10, 1000)]
    [InlineData(100, 1000)]
    [InlineData(1000, 1000)]
    public void Offer_RandomScoresWithTies_EqualsFullSort(int k, int n)
    {
        var random = new Random((k * 7919) + n);
        var candidates = new List<(ItemEntry Item, float Score)>();
        for (int i = 0; i < n; i++)
        {
            // Scores drawn from 20 values, so ties are everywhere.
            candidates.Add((new ItemEntry("id" + random.Next(100_000).ToString("D6", CultureInfo.InvariantCulture) + "-" + i.ToString(CultureInfo.InvariantCulture), null), random.Next(20) / 4f));
        }

        var top = new TopKCollector(k);
        foreach ((ItemEntry item, float score) in candidates)
        {
            if (top.Admits(score))
            {
                top.Offer(score, item);
            }
        }

        var expected = candidates
            .OrderBy(c => c, Comparer<(ItemEntry Item, float Score)>.Create((a, b) => ScoreMapping.CompareHits(a.Score, a.Item.Id, b.Score, b.Item.Id)))
            .Take(k)
            .Select(c => c.Item.Id)
            .ToArray();
        Assert.Equal(expected, top.ToSortedList().Select(c => c.Item.Id).ToArray());
    }

    [Theory]
    [InlineData(10, 1000, 2)]
    [InlineData(10, 1000, 7)]
    [InlineData(50, 300, 3)]
    public void MergeFrom_PartitionedWithTies_EqualsSingleCollector(int k, int n, int partitions)
    {
        var random = new Random((k * 31) + n + partitions);
        var whole = new TopKCollector(k);
        var parts = Enumerable.Range(0, partitions).Select(_ => new TopKCollector(k)).ToArray();
        for (int i = 0; i < n; i++)
        {
            var item = new ItemEntry("id" + random.Next(1_000).ToString("D4", CultureInfo.InvariantCulture) + "-" + i.ToString(CultureInfo.InvariantCulture), null);
            float score = random.Next(10) / 2f;
            whole.Offer(score, item);
            parts[i * partitions / n].Offer(score, item);
        }

        // Merge in reverse order: the result must not depend on it.
        var merged = new TopKCollector(k);
        foreach (TopKCollector part in parts.Reverse())
        {
            merged.MergeFrom(part);
        }

        Assert.Equal(whole.ToSortedList().Select(c => c.Item.Id), merged.ToSortedList().Select(c => c.Item.Id));
    }

    [Fact]
    public void Threshold_FullCollector_IsWorstKeptScore()
    {
        var top = new TopKCollector(2);
        Assert.Equal(float.NegativeInfinity, top.Threshold);
        top.Offer(3f, new ItemEntry("a", null));
        top.Offer(1f, new ItemEntry("b", null));
        top.Offer(2f, new ItemEntry("c", null));
        Assert.Equal(2f, top.Threshold);
    }
}
