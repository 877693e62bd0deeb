// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Collections;

namespace EmbeddingStore.Core.Filters;

// Okapi BM25 (Robertson & Zaragoza, "The Probabilistic Relevance Framework: BM25 and Beyond", 2009) over one text index:
//   score(d, q) = sum over distinct query terms t of  idf(t) * tf(t, d) * (k1 + 1) / (tf(t, d) + k1 * (1 - b + b * |d| / avgdl))
//   idf(t)      = ln(1 + (N - n(t) + 0.5) / (n(t) + 0.5))
// with k1 = 1.2 and b = 0.75. N is the number of items holding at least one token in the field and avgdl their mean
// token count, taken over the whole collection even when a filter restricts the candidates, so a filter never changes
// an item's score, only who competes. The "1 +" inside the logarithm keeps idf positive for terms in most items, so an
// item holding more query terms never ranks lower for it. Repeated query terms count once.
internal static class Bm25
{
    public const double K1 = 1.2;

    public const double B = 0.75;

    // The best `k` items holding at least one of the tokens that `accept` admits, best first; equal scores by id.
    // Under the collection's read lock.
    public static List<KeywordHit> Rank(PayloadFieldIndex index, string[] tokens, Func<ItemEntry, bool> accept, int k)
    {
        var hits = new List<KeywordHit>();
        long documents = index.IndexedItems;
        if (documents == 0)
        {
            return hits;
        }

        double averageLength = (double)index.TotalLength / documents;
        var scores = new Dictionary<ItemEntry, double>(ReferenceEqualityComparer.Instance);
        foreach (string token in tokens.Distinct(StringComparer.Ordinal))
        {
            IReadOnlyDictionary<ItemEntry, int> posting = index.Posting(token);
            if (posting.Count == 0)
            {
                continue;
            }

            double idf = Math.Log(1 + ((documents - posting.Count + 0.5) / (posting.Count + 0.5)));
            foreach ((ItemEntry item, int frequency) in posting)
            {
                if (!scores.TryGetValue(item, out double score))
                {
                    if (!accept(item))
                    {
                        continue;
                    }

                    score = 0;
                }

                double norm = K1 * (1 - B + (B * index.LengthOf(item) / averageLength));
                scores[item] = score + (idf * frequency * (K1 + 1) / (frequency + norm));
            }
        }

        foreach ((ItemEntry item, double score) in scores)
        {
            hits.Add(new KeywordHit(item, score));
        }

        hits.Sort(static (a, b) => b.Score != a.Score ? b.Score.CompareTo(a.Score) : string.CompareOrdinal(a.Item.Id, b.Item.Id));
        if (hits.Count > k)
        {
            hits.RemoveRange(k, hits.Count - k);
        }

        return hits;
    }
}

// One keyword match: the item and its BM25 score.
internal readonly record struct KeywordHit(ItemEntry Item, double Score);
