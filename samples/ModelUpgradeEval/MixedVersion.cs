// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Versioning;

namespace EmbeddingStore.Tools.Eval;

/// <summary>
/// A background re-embed in progress: a seeded random share of the corpus has Arctic vectors, the rest only MiniLM.
/// Each query has both its MiniLM and its Arctic vector. Re-embedded items are searched with the Arctic query, the rest
/// with the MiniLM query, and the two top-10 lists are merged by several strategies, scored against the Arctic top-10.
/// </summary>
internal static class MixedVersion
{
    private const int K = Dataset.K;
    private static readonly double[] s_fractions = [0.10, 0.25, 0.50, 0.75, 0.90];

    public static void Run(Dataset data, Action<string> print)
    {
        int n = data.Count;
        int d = data.Dimension;
        float[] arcticScores = data.Scores(data.ArcticQueries, data.ArcticCorpus);
        float[] miniScores = data.Scores(data.MiniQueries, data.MiniCorpus);
        int[] permutation = Permutation(n, new Random(2024));

        print("### Mixed-version search during a re-embed (recall@10 vs the Arctic top-10, 500 queries)");
        print("");
        print("Re-embedded items (a seeded random permutation prefix) are searched with the Arctic query, the rest with the MiniLM " +
            "query; each side gives a top-10 and the two are merged. Calibrations map MiniLM scores onto the Arctic scale using only " +
            "scores of items that exist in both versions (no ground truth): *global isotonic* is one map fitted on the even-numbered " +
            "queries' (MiniLM, Arctic) score pairs on re-embedded items; *per-query* maps are fitted at query time from that query's " +
            "own scores on the re-embedded items (isotonic regression, quantile matching, or mean/std matching). *Bridged* scores " +
            "old items with the Arctic query against their MiniLM vectors mapped by a Ridge MiniLM→Arctic bridge fitted on the " +
            "re-embedded pairs.");
        print("");
        print("| re-embedded | old model only | new model only (re-embedded part) | raw-score merge | global isotonic | per-query isotonic | " +
            "per-query quantile | per-query mean/std | rank interleave | per-query expected-overlap | bridged old items, raw merge | bridged + per-query isotonic |");
        print("|---|---|---|---|---|---|---|---|---|---|---|---|");
        double oldOnly = Recall(data, q => Top(miniScores.AsSpan(q * n, n), null));
        foreach (double fraction in s_fractions)
        {
            int reembedded = (int)Math.Round(fraction * n);
            var isNew = new bool[n];
            var isOld = new bool[n];
            for (int i = 0; i < n; i++)
            {
                isNew[permutation[i]] = i < reembedded;
                isOld[permutation[i]] = i >= reembedded;
            }

            int[] newRows = [.. Enumerable.Range(0, n).Where(i => isNew[i])];
            int[] oldRows = [.. Enumerable.Range(0, n).Where(i => isOld[i])];
            ScoreCalibration global = FitGlobal(data, arcticScores, miniScores, newRows);

            // Bridge fitted on the items that exist in both versions, applied to the MiniLM-only items.
            float[] newMini = Gather(data.MiniCorpus, newRows, d);
            float[] newArctic = Gather(data.ArcticCorpus, newRows, d);
            VectorBridge bridge = BridgeFitter.Fit(BridgeKind.Ridge, newMini, d, newArctic, d, new BridgeFitOptions { NormalizeOutput = true });
            float[] bridgedCorpus = Program.ApplyAll(bridge, data.MiniCorpus, n);
            float[] bridgedScores = data.Scores(data.ArcticQueries, bridgedCorpus);

            double exceedance = 0, newOnly = 0, raw = 0, globalIso = 0, perIso = 0, perQuantile = 0, perMoments = 0, interleave = 0, bridgedRaw = 0, bridgedIso = 0;
            var xs = new float[newRows.Length];
            var ys = new float[newRows.Length];
            var bs = new float[newRows.Length];
            for (int q = 0; q < data.QueryCount; q++)
            {
                ReadOnlySpan<float> a = arcticScores.AsSpan(q * n, n);
                ReadOnlySpan<float> m = miniScores.AsSpan(q * n, n);
                ReadOnlySpan<float> b = bridgedScores.AsSpan(q * n, n);
                List<(float Score, int Id)> nativeNew = Top(a, isNew);
                List<(float Score, int Id)> nativeOld = Top(m, isOld);
                List<(float Score, int Id)> bridgedOld = Top(b, isOld);
                newOnly += data.Hits(q, nativeNew.Select(t => t.Id));
                raw += data.Hits(q, Merge(nativeNew, nativeOld, s => s));
                globalIso += data.Hits(q, Merge(nativeNew, nativeOld, global.Apply));

                for (int i = 0; i < newRows.Length; i++)
                {
                    xs[i] = m[newRows[i]];
                    ys[i] = a[newRows[i]];
                    bs[i] = b[newRows[i]];
                }

                ScoreCalibration isotonic = ScoreCalibration.Fit(xs, ys);
                perIso += data.Hits(q, Merge(nativeNew, nativeOld, isotonic.Apply));
                perQuantile += data.Hits(q, Merge(nativeNew, nativeOld, QuantileMap(xs, ys).Apply));
                (double meanX, double sdX) = Moments(xs);
                (double meanY, double sdY) = Moments(ys);
                perMoments += data.Hits(q, Merge(nativeNew, nativeOld, s => (float)(((s - meanX) / sdX * sdY) + meanY)));
                int fromNew = (int)Math.Round(K * fraction);
                interleave += data.Hits(q, nativeNew.Take(fromNew).Select(t => t.Id).Concat(nativeOld.Take(K - fromNew).Select(t => t.Id)));
                exceedance += data.Hits(q, ExpectedOverlapMerge(xs, ys, m, oldRows, nativeNew, nativeOld));
                bridgedRaw += data.Hits(q, Merge(nativeNew, bridgedOld, s => s));
                ScoreCalibration bridgedCalibration = ScoreCalibration.Fit(bs, ys);
                bridgedIso += data.Hits(q, Merge(nativeNew, bridgedOld, bridgedCalibration.Apply));
            }

            double total = K * (double)data.QueryCount;
            print($"| {fraction:P0} | {oldOnly:F4} | {newOnly / total:F4} | {raw / total:F4} | {globalIso / total:F4} | {perIso / total:F4} | " +
                $"{perQuantile / total:F4} | {perMoments / total:F4} | {interleave / total:F4} | {exceedance / total:F4} | {bridgedRaw / total:F4} | {bridgedIso / total:F4} |");
        }
    }

    // Expected-overlap merge. For a threshold t on the Arctic scale, the expected number of old items above it is
    // Σ_old P(arctic > t | MiniLM score), with P from an isotonic regression of 1[arctic > t] on the MiniLM score fitted on
    // the re-embedded items (which have both). New item j (0-based) is in the true top-10 when at most 9 − j old items beat
    // it (Poisson approximation); old item i is in it with P(arctic > t̂ | its MiniLM score), t̂ = the estimated 10th-best
    // Arctic score. The ten candidates with the highest probabilities are returned.
    private static IEnumerable<int> ExpectedOverlapMerge(
        float[] newMini, float[] newArctic, ReadOnlySpan<float> miniScores, int[] oldRows, List<(float Score, int Id)> nativeNew,
        List<(float Score, int Id)> nativeOld)
    {
        var indicator = new float[newArctic.Length];
        var oldMini = new float[oldRows.Length];
        for (int i = 0; i < oldRows.Length; i++)
        {
            oldMini[i] = miniScores[oldRows[i]];
        }

        ScoreCalibration ExceedanceAt(float threshold)
        {
            for (int i = 0; i < newArctic.Length; i++)
            {
                indicator[i] = newArctic[i] > threshold ? 1f : 0f;
            }

            return ScoreCalibration.Fit(newMini, indicator);
        }

        var candidates = new List<(double P, int First, int Rank, int Id)>();
        ScoreCalibration? last = null;
        for (int j = 0; j < nativeNew.Count; j++)
        {
            ScoreCalibration exceed = ExceedanceAt(nativeNew[j].Score);
            double lambda = 0;
            foreach (float x in oldMini)
            {
                lambda += exceed.Apply(x);
            }

            candidates.Add((PoissonCdf(K - 1 - j, lambda), 0, j, nativeNew[j].Id));
            if (j + lambda < K)
            {
                last = exceed;
            }
        }

        // t̂: the Arctic score of the last new item still expected inside the top-10 (or of the first, if none is).
        ScoreCalibration oldProbability = last ?? ExceedanceAt(nativeNew[0].Score);
        for (int i = 0; i < nativeOld.Count; i++)
        {
            candidates.Add((oldProbability.Apply(nativeOld[i].Score), 1, i, nativeOld[i].Id));
        }

        return candidates.OrderByDescending(c => c.P).ThenBy(c => c.First).ThenBy(c => c.Rank).Take(K).Select(c => c.Id);
    }

    private static double PoissonCdf(int k, double lambda)
    {
        if (k < 0)
        {
            return 0;
        }

        double term = Math.Exp(-lambda);
        double sum = term;
        for (int i = 1; i <= k; i++)
        {
            term *= lambda / i;
            sum += term;
        }

        return sum;
    }

    private static ScoreCalibration FitGlobal(Dataset data, float[] arcticScores, float[] miniScores, int[] newRows)
    {
        int n = data.Count;
        var random = new Random(7);
        var xs = new List<float>();
        var ys = new List<float>();
        for (int q = 0; q < data.QueryCount; q += 2)
        {
            // A random sample of re-embedded items per query, plus each query's 50 best re-embedded items by MiniLM score,
            // so the top of the scale (where merging is decided) has data.
            for (int s = 0; s < 200; s++)
            {
                int item = newRows[random.Next(newRows.Length)];
                xs.Add(miniScores[(q * n) + item]);
                ys.Add(arcticScores[(q * n) + item]);
            }

            foreach (int item in newRows.OrderByDescending(i => miniScores[(q * n) + i]).Take(50))
            {
                xs.Add(miniScores[(q * n) + item]);
                ys.Add(arcticScores[(q * n) + item]);
            }
        }

        return ScoreCalibration.Fit(xs.ToArray(), ys.ToArray());
    }

    // Monotone map that sends each quantile of x onto the same quantile of y.
    private static ScoreCalibration QuantileMap(float[] xs, float[] ys)
    {
        float[] sortedX = [.. xs];
        float[] sortedY = [.. ys];
        Array.Sort(sortedX);
        Array.Sort(sortedY);
        return ScoreCalibration.Fit(sortedX, sortedY);
    }

    private static (double Mean, double Sd) Moments(float[] values)
    {
        double mean = values.Average(v => (double)v);
        double variance = values.Average(v => (v - mean) * (v - mean));
        return (mean, Math.Sqrt(Math.Max(variance, 1e-12)));
    }

    private static IEnumerable<int> Merge(List<(float Score, int Id)> native, List<(float Score, int Id)> other, Func<float, float> calibrate) =>
        native.Select(t => (t.Score, t.Id, First: 0))
            .Concat(other.Select(t => (Score: calibrate(t.Score), t.Id, First: 1)))
            .OrderByDescending(t => t.Score).ThenBy(t => t.First).ThenBy(t => t.Id)
            .Take(K)
            .Select(t => t.Id);

    private static double Recall(Dataset data, Func<int, List<(float Score, int Id)>> search)
    {
        double hits = 0;
        for (int q = 0; q < data.QueryCount; q++)
        {
            hits += data.Hits(q, search(q).Select(t => t.Id));
        }

        return hits / (K * (double)data.QueryCount);
    }

    private static List<(float Score, int Id)> Top(ReadOnlySpan<float> scores, bool[]? allowed)
    {
        var top = new List<(float Score, int Id)>(K + 1);
        Dataset.TopInto(scores, allowed, top);
        return top;
    }

    private static float[] Gather(float[] data, int[] rows, int d)
    {
        var result = new float[rows.Length * d];
        for (int i = 0; i < rows.Length; i++)
        {
            Array.Copy(data, rows[i] * d, result, i * d, d);
        }

        return result;
    }

    private static int[] Permutation(int n, Random random)
    {
        int[] order = [.. Enumerable.Range(0, n)];
        for (int i = n - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }

        return order;
    }
}
