// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Numerics.Tensors;
using EmbeddingStore.Contracts;

namespace EmbeddingStore.Tools.Eval;

/// <summary>The shared fortunes data: both models' corpus and query vectors and the Arctic ground truth.</summary>
internal sealed class Dataset
{
    private Dataset(
        float[] arcticCorpus, float[] miniCorpus, float[] arcticQueries, float[] miniQueries, int[] truth, int truthWidth, int count, int queryCount,
        int dimension)
    {
        ArcticCorpus = arcticCorpus;
        MiniCorpus = miniCorpus;
        ArcticQueries = arcticQueries;
        MiniQueries = miniQueries;
        Truth = truth;
        TruthWidth = truthWidth;
        Count = count;
        QueryCount = queryCount;
        Dimension = dimension;
    }

    public float[] ArcticCorpus { get; }

    public float[] MiniCorpus { get; }

    public float[] ArcticQueries { get; }

    public float[] MiniQueries { get; }

    public int[] Truth { get; }

    public int TruthWidth { get; }

    public int Count { get; }

    public int QueryCount { get; }

    public int Dimension { get; }

    public static Dataset Load(string root)
    {
        VecsMatrix<float> arcticCorpus = VecsFile.ReadFvecs(Path.Combine(root, "corpus.arctic.fvecs"));
        VecsMatrix<float> miniCorpus = VecsFile.ReadFvecs(Path.Combine(root, "corpus.minilm.fvecs"));
        VecsMatrix<float> arcticQueries = VecsFile.ReadFvecs(Path.Combine(root, "queries.arctic.fvecs"));
        VecsMatrix<float> miniQueries = VecsFile.ReadFvecs(Path.Combine(root, "queries.minilm.fvecs"));
        VecsMatrix<int> truth = VecsFile.ReadIvecs(Path.Combine(root, "gt.arctic.ivecs"));
        return new Dataset(
            arcticCorpus.Data, miniCorpus.Data, arcticQueries.Data, miniQueries.Data, truth.Data, truth.Dimension, arcticCorpus.Count, arcticQueries.Count,
            arcticCorpus.Dimension);
    }

    /// <summary>Scores every query against every corpus row by dot product (all vectors here are unit length).</summary>
    public float[] Scores(float[] queries, float[] corpus)
    {
        int d = Dimension;
        int n = corpus.Length / d;
        var scores = new float[QueryCount * n];
        for (int q = 0; q < QueryCount; q++)
        {
            ReadOnlySpan<float> query = queries.AsSpan(q * d, d);
            for (int i = 0; i < n; i++)
            {
                scores[(q * n) + i] = TensorPrimitives.Dot(query, corpus.AsSpan(i * d, d));
            }
        }

        return scores;
    }

    /// <summary>Mean recall@10 of a plain search (queries × corpus) against the Arctic top-10.</summary>
    public double RecallAgainstArctic(float[] queries, float[] corpus)
    {
        float[] scores = Scores(queries, corpus);
        int n = corpus.Length / Dimension;
        double hits = 0;
        var top = new List<(float Score, int Id)>(11);
        for (int q = 0; q < QueryCount; q++)
        {
            top.Clear();
            TopInto(scores.AsSpan(q * n, n), null, top);
            hits += Hits(q, top.Select(t => t.Id));
        }

        return hits / (K * (double)QueryCount);
    }

    public const int K = 10;

    /// <summary>How many of the ids are in query q's Arctic top-10.</summary>
    public int Hits(int q, IEnumerable<int> ids)
    {
        ReadOnlySpan<int> truth = Truth.AsSpan(q * TruthWidth, K);
        int hits = 0;
        foreach (int id in ids)
        {
            if (truth.Contains(id))
            {
                hits++;
            }
        }

        return hits;
    }

    /// <summary>Top-10 (score desc, id asc) of the rows allowed by the mask (null = all).</summary>
    public static void TopInto(ReadOnlySpan<float> scores, bool[]? allowed, List<(float Score, int Id)> top)
    {
        top.Clear();
        for (int i = 0; i < scores.Length; i++)
        {
            if (allowed is not null && !allowed[i])
            {
                continue;
            }

            float s = scores[i];
            if (top.Count == K && !(s > top[^1].Score))
            {
                continue;
            }

            int at = top.Count;
            while (at > 0 && (top[at - 1].Score < s))
            {
                at--;
            }

            top.Insert(at, (s, i));
            if (top.Count > K)
            {
                top.RemoveAt(K);
            }
        }
    }
}
