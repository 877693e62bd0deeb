// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Tools.Eval;

/// <summary>
/// A monotone map from one score scale onto another (for example bridged similarity onto the target model's native
/// similarity, or the old model's scores onto the new model's), so that result lists scored by different models or maps
/// can be merged by score. Fitted by isotonic regression (pool-adjacent-violators), stored as knots, applied piecewise
/// linearly between knots and clamped beyond the first and last.
/// </summary>
/// <remarks>
/// <para>
/// It lived in Core and every link stored one, fitted on its held-out pairs. The engine's merge no longer uses a global
/// map (it learns the scale per query, see MixedVersionMerger), so the type moved here, where the evaluation that
/// compares such maps still needs it.
/// </para>
/// <para>
/// Monotone because calibration must never reorder a single list: it only decides how two lists interleave. Isotonic
/// rather than affine because similarity scales of different models are typically bent (compressed near the top).
/// </para>
/// <para>
/// NaN maps to NaN. Knots are float; an input exactly on a knot returns that knot's output.
/// </para>
/// </remarks>
internal sealed class ScoreCalibration
{
    /// <summary>
    /// Default knot budget: enough to follow a bent score curve closely, small enough that the serialised calibration is
    /// about a kilobyte and Apply's binary search is seven steps.
    /// </summary>
    public const int DefaultMaxKnots = 128;

    /// <summary>The largest knot count accepted, so a caller's mistake cannot request a large allocation.</summary>
    public const int MaxKnots = 65_536;

    private readonly float[] _inputs;
    private readonly float[] _outputs;

    private ScoreCalibration(float[] inputs, float[] outputs)
    {
        _inputs = inputs;
        _outputs = outputs;
    }

    /// <summary>The calibration that changes nothing, for links whose scores are already on the target scale (identity links).</summary>
    public static ScoreCalibration Identity { get; } = new([], []);

    /// <summary>Number of knots; 0 means the identity map.</summary>
    public int KnotCount => _inputs.Length;

    /// <summary>Knot positions on the input scale, strictly increasing; exposed for reports and plots.</summary>
    public ReadOnlySpan<float> KnotInputs => _inputs;

    /// <summary>Knot values on the output scale, non-decreasing.</summary>
    public ReadOnlySpan<float> KnotOutputs => _outputs;

    /// <summary>Maps one score; allocation-free so it can run per hit while merging result lists.</summary>
    public float Apply(float score)
    {
        float[] xs = _inputs;
        if (xs.Length == 0 || float.IsNaN(score))
        {
            return score;
        }

        if (score <= xs[0])
        {
            return _outputs[0];
        }

        if (score >= xs[^1])
        {
            return _outputs[^1];
        }

        // Largest knot at or below the score, then linear interpolation to the next one.
        int index = Array.BinarySearch(xs, score);
        if (index >= 0)
        {
            return _outputs[index];
        }

        int upper = ~index;
        int lower = upper - 1;
        float t = (score - xs[lower]) / (xs[upper] - xs[lower]);
        return _outputs[lower] + (t * (_outputs[upper] - _outputs[lower]));
    }

    /// <summary>Maps a span of scores (same length as <paramref name="destination"/>; may be the same memory).</summary>
    public void Apply(ReadOnlySpan<float> scores, Span<float> destination)
    {
        if (scores.Length != destination.Length)
        {
            throw new ArgumentException($"Expected a destination of length {scores.Length} but got {destination.Length}.", nameof(destination));
        }

        for (int i = 0; i < scores.Length; i++)
        {
            destination[i] = Apply(scores[i]);
        }
    }

    /// <summary>
    /// Fits the isotonic (non-decreasing) least-squares map from <paramref name="scores"/> to <paramref name="targets"/>
    /// by pool-adjacent-violators, then compresses it to at most <paramref name="maxKnots"/> knots by pooling adjacent
    /// blocks of equal weight. Pairs with a non-finite value are ignored.
    /// </summary>
    /// <exception cref="ArgumentException">The spans differ in length or hold no finite pair.</exception>
    public static ScoreCalibration Fit(ReadOnlySpan<float> scores, ReadOnlySpan<float> targets, int maxKnots = DefaultMaxKnots)
    {
        if (scores.Length != targets.Length)
        {
            throw new ArgumentException($"Got {scores.Length} scores but {targets.Length} targets; they must pair up.", nameof(targets));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(maxKnots, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxKnots, MaxKnots);

        var xs = new List<float>(scores.Length);
        var ys = new List<float>(scores.Length);
        for (int i = 0; i < scores.Length; i++)
        {
            if (float.IsFinite(scores[i]) && float.IsFinite(targets[i]))
            {
                xs.Add(scores[i]);
                ys.Add(targets[i]);
            }
        }

        if (xs.Count == 0)
        {
            throw new ArgumentException("Calibration needs at least one pair of finite scores.", nameof(scores));
        }

        // Order by score, ties by position, so the fit does not depend on the sort's tie handling.
        int[] sorted = new int[xs.Count];
        for (int i = 0; i < sorted.Length; i++)
        {
            sorted[i] = i;
        }

        Array.Sort(sorted, (a, b) =>
        {
            int byScore = xs[a].CompareTo(xs[b]);
            return byScore != 0 ? byScore : a.CompareTo(b);
        });

        // Pool-adjacent-violators over blocks (weight, Σx, Σy); equal inputs start in one block so they map to one value.
        var weight = new List<double>();
        var sumX = new List<double>();
        var sumY = new List<double>();
        for (int i = 0; i < sorted.Length; i++)
        {
            double x = xs[sorted[i]];
            double y = ys[sorted[i]];
            if (i > 0 && xs[sorted[i - 1]] == xs[sorted[i]])
            {
                weight[^1] += 1;
                sumX[^1] += x;
                sumY[^1] += y;
            }
            else
            {
                weight.Add(1);
                sumX.Add(x);
                sumY.Add(y);
            }

            // Merge backwards while the last block's mean is below its predecessor's.
            while (weight.Count > 1 && sumY[^1] / weight[^1] < sumY[^2] / weight[^2])
            {
                weight[^2] += weight[^1];
                sumX[^2] += sumX[^1];
                sumY[^2] += sumY[^1];
                weight.RemoveAt(weight.Count - 1);
                sumX.RemoveAt(sumX.Count - 1);
                sumY.RemoveAt(sumY.Count - 1);
            }
        }

        return FromBlocks(weight, sumX, sumY, maxKnots);
    }

    /// <summary>
    /// Builds a calibration from explicit knots, for callers that computed a monotone map elsewhere (or an affine one,
    /// as two knots).
    /// </summary>
    /// <exception cref="ArgumentException">Inputs are not strictly increasing, outputs not non-decreasing, or values are not finite.</exception>
    public static ScoreCalibration FromKnots(ReadOnlySpan<float> inputs, ReadOnlySpan<float> outputs)
    {
        if (inputs.Length != outputs.Length)
        {
            throw new ArgumentException($"Got {inputs.Length} knot inputs but {outputs.Length} knot outputs.", nameof(outputs));
        }

        ArgumentOutOfRangeException.ThrowIfGreaterThan(inputs.Length, MaxKnots, nameof(inputs));
        string? problem = CheckKnots(inputs, outputs);
        if (problem is not null)
        {
            throw new ArgumentException(problem, nameof(inputs));
        }

        return new ScoreCalibration(inputs.ToArray(), outputs.ToArray());
    }

    private static ScoreCalibration FromBlocks(List<double> weight, List<double> sumX, List<double> sumY, int maxKnots)
    {
        // Pool adjacent blocks into groups of about equal weight when there are too many; pooled means stay monotone.
        double total = 0;
        foreach (double w in weight)
        {
            total += w;
        }

        double target = weight.Count > maxKnots ? total / maxKnots : 0;
        var xs = new List<float>();
        var ys = new List<float>();
        double groupW = 0, groupX = 0, groupY = 0;
        for (int b = 0; b < weight.Count; b++)
        {
            groupW += weight[b];
            groupX += sumX[b];
            groupY += sumY[b];
            if (groupW >= target || b == weight.Count - 1)
            {
                AddKnot(xs, ys, (float)(groupX / groupW), (float)(groupY / groupW));
                groupW = groupX = groupY = 0;
            }
        }

        return new ScoreCalibration([.. xs], [.. ys]);
    }

    // Float rounding can make two block means equal or (for outputs) decrease by an ulp; keep the knots strictly
    // increasing in x and non-decreasing in y.
    private static void AddKnot(List<float> xs, List<float> ys, float x, float y)
    {
        if (xs.Count > 0)
        {
            if (y < ys[^1])
            {
                y = ys[^1];
            }

            if (x <= xs[^1])
            {
                ys[^1] = Math.Max(ys[^1], y);
                return;
            }
        }

        xs.Add(x);
        ys.Add(y);
    }

    private static string? CheckKnots(ReadOnlySpan<float> inputs, ReadOnlySpan<float> outputs)
    {
        for (int i = 0; i < inputs.Length; i++)
        {
            if (!float.IsFinite(inputs[i]) || !float.IsFinite(outputs[i]))
            {
                return $"Knot {i} is not finite.";
            }

            if (i > 0 && !(inputs[i] > inputs[i - 1]))
            {
                return $"Knot inputs must increase strictly, but knot {i} ({inputs[i]}) follows {inputs[i - 1]}.";
            }

            if (i > 0 && outputs[i] < outputs[i - 1])
            {
                return $"Knot outputs must not decrease, but knot {i} ({outputs[i]}) follows {outputs[i - 1]}.";
            }
        }

        return null;
    }
}
