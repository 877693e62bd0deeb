// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Numerics.Tensors;
using EmbeddingStore.Contracts;

namespace EmbeddingStore.Samples.ModelUpgrade;

/// <summary>
/// Scores answers against the exact top-10 of the v2 queries over the fully re-embedded v2 corpus: what the collection
/// will answer once every item is re-embedded. Vectors are unit length, so the dot product is the cosine.
/// </summary>
internal sealed class RecallScorer
{
    private const int K = 10;
    private readonly HashSet<string>[] _truth;

    public RecallScorer(float[][] corpus, float[][] queries)
    {
        _truth = new HashSet<string>[queries.Length];
        var scores = new float[corpus.Length];
        for (int q = 0; q < queries.Length; q++)
        {
            for (int i = 0; i < corpus.Length; i++)
            {
                scores[i] = TensorPrimitives.Dot(queries[q], corpus[i]);
            }

            // Best first, equal scores to the lower id, as the server orders them.
            _truth[q] = [.. Enumerable.Range(0, corpus.Length).OrderByDescending(i => scores[i]).ThenBy(i => i).Take(K)
                .Select(i => i.ToString(CultureInfo.InvariantCulture))];
        }
    }

    /// <summary>Mean recall@10 of one answer per query, in query order.</summary>
    public double Score(IReadOnlyList<IReadOnlyList<SearchHitResponse>> answers)
    {
        if (answers.Count != _truth.Length)
        {
            throw new ArgumentException($"{answers.Count} answers for {_truth.Length} queries.", nameof(answers));
        }

        double sum = 0;
        for (int q = 0; q < answers.Count; q++)
        {
            sum += answers[q].Take(K).Count(h => _truth[q].Contains(h.Id)) / (double)K;
        }

        return sum / answers.Count;
    }
}
