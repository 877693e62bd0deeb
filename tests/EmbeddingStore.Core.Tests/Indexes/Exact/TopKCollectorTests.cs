// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Indexes.Exact;
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
}
