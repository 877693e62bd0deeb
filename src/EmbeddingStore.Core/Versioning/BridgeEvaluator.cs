// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Numerics.Tensors;
using EmbeddingStore.Core.Search;
using EmbeddingStore.Core.Vectors;
using EmbeddingStore.Core.Versioning.Internal;

namespace EmbeddingStore.Core.Versioning;

/// <summary>
/// Measures a bridge on held-out pairs by the question a user cares about: does a search with mapped vectors return what
/// the target model itself would have returned?
/// </summary>
public static class BridgeEvaluator
{
    /// <summary>Deepest list compared (recall@100).</summary>
    public const int MaxK = 100;

    // Queries scored per pass over the candidates: 64 rows × n candidates × 3 score kinds stays a few MB at n = 5,000.
    private const int QueryBlock = 64;

    /// <summary>
    /// Evaluates <paramref name="bridge"/> on <paramref name="count"/> held-out pairs.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Every held-out item i is a query once. The <em>native</em> answer is the top-k of the true target vector of i among
    /// the held-out target vectors, i itself excluded (it would trivially rank first). The <em>bridged</em> answer is the
    /// top-k of the mapped source vector of i among the same target vectors, i excluded. Recall@k is
    /// |native ∩ bridged| / k averaged over items, for k = 1, 10 and 100 (each capped at count − 1). So recall 1.0 means
    /// a search with mapped vectors returns exactly the target model's own neighbours. The no-map figure uses the raw
    /// source vector as the query (only when the dimensions match).
    /// </para>
    /// <para>
    /// Scores are higher-is-closer: cosine (rows normalised first), dot product, or negated Euclidean distance. Ties rank
    /// the lower index first.
    /// </para>
    /// </remarks>
    /// <param name="bridge">The bridge to measure; it must not have been fitted on these pairs.</param>
    /// <param name="holdoutSources">count row-major source vectors.</param>
    /// <param name="holdoutTargets">count row-major target vectors of the same items.</param>
    /// <param name="count">Number of held-out pairs, at least 2.</param>
    /// <param name="metric">How the target model compares vectors.</param>
    /// <exception cref="ArgumentException">The spans are not <paramref name="count"/> rows of the bridge's dimensions.</exception>
    public static BridgeQualityReport Evaluate(
        VectorBridge bridge, ReadOnlySpan<float> holdoutSources, ReadOnlySpan<float> holdoutTargets, int count,
        DistanceMetric metric = DistanceMetric.CosineSimilarity)
    {
        ArgumentNullException.ThrowIfNull(bridge);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 2);
        if (metric is not (DistanceMetric.CosineSimilarity or DistanceMetric.DotProduct or DistanceMetric.Euclidean or DistanceMetric.Manhattan))
        {
            ScoreMapping.ThrowUnknownMetric(metric);
        }

        int ds = bridge.SourceDimension;
        int dt = bridge.TargetDimension;
        if (holdoutSources.Length != (long)count * ds)
        {
            throw new ArgumentException(
                $"{count} source rows of dimension {ds} need {(long)count * ds} values but {holdoutSources.Length} were given.", nameof(holdoutSources));
        }

        if (holdoutTargets.Length != (long)count * dt)
        {
            throw new ArgumentException(
                $"{count} target rows of dimension {dt} need {(long)count * dt} values but {holdoutTargets.Length} were given.", nameof(holdoutTargets));
        }

        var mapped = new float[count * dt];
        bridge.ApplyBatch(holdoutSources, count, mapped);
        float[] targets = holdoutTargets.ToArray();
        float[]? raw = ds == dt ? holdoutSources.ToArray() : null;
        double meanCosine = RidgeMath.MeanCosine(mapped, targets, count, dt);
        double? identityCosine = raw is null ? null : RidgeMath.MeanCosine(raw, targets, count, dt);

        if (metric == DistanceMetric.CosineSimilarity)
        {
            NormalizeRows(mapped, count, dt);
            NormalizeRows(targets, count, dt);
            if (raw is not null)
            {
                NormalizeRows(raw, count, dt);
            }
        }

        var pass = new EvaluationPass(targets, count, dt, metric);
        pass.Run(mapped, raw);
        return new BridgeQualityReport
        {
            Kind = bridge.Kind,
            FitPairs = bridge.FitPairs,
            HoldoutPairs = count,
            Metric = metric,
            RecallAt1 = pass.Recall1,
            RecallAt10 = pass.Recall10,
            RecallAt100 = pass.Recall100,
            NoMapRecallAt10 = raw is null ? null : pass.NoMapRecall10,
            MeanCosine = meanCosine,
            IdentityMeanCosine = identityCosine,
        };
    }

    private static void NormalizeRows(float[] rows, int count, int dimension)
    {
        for (int r = 0; r < count; r++)
        {
            Span<float> row = rows.AsSpan(r * dimension, dimension);
            float norm = TensorPrimitives.Norm(row);
            if (norm > 0 && float.IsFinite(norm))
            {
                TensorPrimitives.Multiply(row, 1f / norm, row);
            }
        }
    }

    /// <summary>The per-evaluation state: candidates, reusable selectors and the running sums.</summary>
    private sealed class EvaluationPass
    {
        private readonly float[] _targets;
        private readonly float[] _candidatesTransposed;
        private readonly float[] _candidateNorms;
        private readonly int _count;
        private readonly int _dimension;
        private readonly DistanceMetric _metric;
        private readonly int _k;
        private readonly int _k10;
        private readonly int[] _nativeRank;
        private readonly int[] _nativeStamp;
        private double _sum1;
        private double _sum10;
        private double _sumK;
        private double _sumNoMap;

        public EvaluationPass(float[] targets, int count, int dimension, DistanceMetric metric)
        {
            _targets = targets;
            _count = count;
            _dimension = dimension;
            _metric = metric;
            _k = Math.Min(MaxK, count - 1);
            _k10 = Math.Min(10, count - 1);
            _nativeRank = new int[count];
            _nativeStamp = new int[count];
            _candidatesTransposed = new float[dimension * count];
            for (int r = 0; r < count; r++)
            {
                for (int d = 0; d < dimension; d++)
                {
                    _candidatesTransposed[(d * count) + r] = targets[(r * dimension) + d];
                }
            }

            _candidateNorms = new float[count];
            for (int r = 0; r < count; r++)
            {
                ReadOnlySpan<float> row = targets.AsSpan(r * dimension, dimension);
                _candidateNorms[r] = TensorPrimitives.Dot(row, row);
            }
        }

        public double Recall1 => _sum1 / _count;

        public double Recall10 => _sum10 / (_count * (double)_k10);

        public double Recall100 => _sumK / (_count * (double)_k);

        public double NoMapRecall10 => _sumNoMap / (_count * (double)_k10);

        public void Run(float[] mapped, float[]? raw)
        {
            int block = Math.Min(QueryBlock, _count);
            var nativeScores = new float[block * _count];
            var bridgedScores = new float[block * _count];
            float[]? rawScores = raw is null ? null : new float[block * _count];
            var selector = new TopK<int, ByLowerId>(_k);
            var nativeIds = new int[_k];
            var bridgedIds = new int[_k];
            var rawIds = new int[_k];
            for (int q0 = 0; q0 < _count; q0 += block)
            {
                int rows = Math.Min(block, _count - q0);
                Score(_targets, q0, rows, nativeScores);
                Score(mapped, q0, rows, bridgedScores);
                if (raw is not null && rawScores is not null)
                {
                    Score(raw, q0, rows, rawScores);
                }

                for (int r = 0; r < rows; r++)
                {
                    int item = q0 + r;
                    ReadOnlySpan<float> native = nativeScores.AsSpan(r * _count, _count);
                    ReadOnlySpan<float> bridged = bridgedScores.AsSpan(r * _count, _count);
                    Select(selector, native, item, nativeIds);
                    Select(selector, bridged, item, bridgedIds);

                    // Stamp the native ranks of this item so each overlap is one pass over the bridged list.
                    int stamp = item + 1;
                    for (int i = 0; i < _k; i++)
                    {
                        _nativeStamp[nativeIds[i]] = stamp;
                        _nativeRank[nativeIds[i]] = i;
                    }

                    _sum1 += Overlap(bridgedIds, 1, stamp);
                    _sum10 += Overlap(bridgedIds, _k10, stamp);
                    _sumK += Overlap(bridgedIds, _k, stamp);
                    if (rawScores is not null)
                    {
                        Select(selector, rawScores.AsSpan(r * _count, _count), item, rawIds);
                        _sumNoMap += Overlap(rawIds, _k10, stamp);
                    }
                }
            }
        }

        // Scores rows q0..q0+rows of queries against every candidate, as higher-is-closer scores.
        private void Score(float[] queries, int q0, int rows, float[] scores)
        {
            ReadOnlySpan<float> block = queries.AsSpan(q0 * _dimension, rows * _dimension);
            if (_metric == DistanceMetric.Manhattan)
            {
                // No product form for L1: each query against the row-major candidates, with the scan's own kernel.
                for (int r = 0; r < rows; r++)
                {
                    VectorMath.ScoreRows(block.Slice(r * _dimension, _dimension), _targets, _metric, scores.AsSpan(r * _count, _count));
                }

                return;
            }

            FloatKernels.MultiplyAdd(block, rows, _dimension, _candidatesTransposed, _count, default, scores);
            if (_metric != DistanceMetric.Euclidean)
            {
                return;
            }

            for (int r = 0; r < rows; r++)
            {
                ReadOnlySpan<float> query = block.Slice(r * _dimension, _dimension);
                float queryNorm = TensorPrimitives.Dot(query, query);
                Span<float> row = scores.AsSpan(r * _count, _count);
                for (int j = 0; j < _count; j++)
                {
                    row[j] = -MathF.Sqrt(MathF.Max(0, queryNorm + _candidateNorms[j] - (2 * row[j])));
                }
            }
        }

        private void Select(TopK<int, ByLowerId> selector, ReadOnlySpan<float> scores, int exclude, int[] ids)
        {
            selector.Clear();
            for (int j = 0; j < scores.Length; j++)
            {
                if (j != exclude)
                {
                    selector.Offer(scores[j], j);
                }
            }

            selector.Drain(ids);
        }

        private int Overlap(int[] ids, int k, int stamp)
        {
            int hits = 0;
            for (int i = 0; i < k; i++)
            {
                int id = ids[i];
                if (_nativeStamp[id] == stamp && _nativeRank[id] < k)
                {
                    hits++;
                }
            }

            return hits;
        }
    }
}
