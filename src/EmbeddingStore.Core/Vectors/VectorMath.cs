// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EmbeddingStore.Core.Vectors;

/// <summary>
/// Vector kernels used on the write path (validation, normalisation) and on the scan path (one query
/// against a block of contiguous rows). Library calls come first; only fused kernels are hand-written.
/// </summary>
public static partial class VectorMath
{
    /// <summary>
    /// True when no element is NaN or infinite. Checked on every stored vector and every query, because a single
    /// NaN makes every comparison false and silently corrupts top-k ordering.
    /// </summary>
    public static bool AllFinite(ReadOnlySpan<float> values)
    {
        ref float start = ref MemoryMarshal.GetReference(values);
        int length = values.Length;
        int i = 0;
        if (Vector256.IsHardwareAccelerated && length >= Vector256<float>.Count)
        {
            // x - x is 0 for finite x and NaN for NaN or ±infinity; NaN never equals itself.
            do
            {
                Vector256<float> v = Vector256.LoadUnsafe(ref start, (nuint)i);
                Vector256<float> d = v - v;
                if (!Vector256.EqualsAll(d, Vector256<float>.Zero))
                {
                    return false;
                }

                i += Vector256<float>.Count;
            }
            while (i <= length - Vector256<float>.Count);
        }

        // Scalar remainder (or the whole input when shorter than one vector).
        for (; i < length; i++)
        {
            if (!float.IsFinite(Unsafe.Add(ref start, i)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Norms at or below this are treated as zero: dividing by them would overflow or amplify rounding noise into a
    /// direction the vector does not have.
    /// </summary>
    public const float MinNormalizableNorm = 1e-30f;

    /// <summary>The Euclidean norm, computed by the runtime's vectorised implementation.</summary>
    public static float Norm(ReadOnlySpan<float> values) => TensorPrimitives.Norm(values);

    /// <summary>
    /// Scales <paramref name="values"/> to unit length in place. Cosine collections call this once on insert so the
    /// scan is a plain dot product; returns false for a zero (or denormal-tiny) vector, which has no direction.
    /// </summary>
    public static bool TryNormalize(Span<float> values)
    {
        float norm = TensorPrimitives.Norm(values);
        if (!(norm > MinNormalizableNorm) || !float.IsFinite(norm))
        {
            return false;
        }

        TensorPrimitives.Divide(values, norm, values);
        return true;
    }

    /// <summary>The dot product; the scan kernel for cosine (on normalised vectors) and dot-product metrics.</summary>
    public static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        if (x.Length != y.Length)
        {
            ThrowLengthMismatch(x.Length, y.Length);
        }

        return TensorPrimitives.Dot(x, y);
    }

    /// <summary>
    /// Scores one query against <paramref name="scores"/>.Length consecutive rows of <paramref name="rows"/>,
    /// writing raw scores where higher is closer: the dot product, or the negated squared Euclidean distance.
    /// </summary>
    /// <remarks>
    /// The squared distance is used during the scan (monotone in the distance, no square root per row);
    /// <see cref="ScoreMapping.ToPublicScore"/> converts only the final hits. The fused kernels of
    /// <see cref="DotRows"/> and <see cref="SquaredEuclideanRows"/> do the work, in one summation order per row that
    /// <see cref="ScoreRowsBatch"/> repeats exactly.
    /// </remarks>
    public static void ScoreRows(ReadOnlySpan<float> query, ReadOnlySpan<float> rows, DistanceMetric metric, Span<float> scores)
    {
        if (query.Length == 0)
        {
            ThrowLengthMismatch(0, 1);
        }

        ValidateRows(query.Length, rows.Length, scores.Length);
        ScoreRowsCore(query, rows, metric, scores);
    }

    private static void ScoreRowsCore(ReadOnlySpan<float> query, ReadOnlySpan<float> rows, DistanceMetric metric, Span<float> scores)
    {
        switch (metric)
        {
            case DistanceMetric.CosineSimilarity:
            case DistanceMetric.DotProduct:
                ScoreRowsCore<DotScorer>(query, rows, scores);
                break;
            case DistanceMetric.Euclidean:
                ScoreRowsCore<NegatedSquaredEuclideanScorer>(query, rows, scores);
                break;
            case DistanceMetric.Manhattan:
                ScoreRowsCore<NegatedManhattanScorer>(query, rows, scores);
                break;
            default:
                ScoreMapping.ThrowUnknownMetric(metric);
                break;
        }
    }

    /// <summary>The squared Euclidean distance: what an L2 scan ranks by.</summary>
    public static float SquaredEuclidean(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        if (x.Length != y.Length)
        {
            ThrowLengthMismatch(x.Length, y.Length);
        }

        if (x.Length == 0)
        {
            return 0f;
        }

        // One row of the fused L2 row kernel: the same code, and the same summation order, as the scan uses.
        Span<float> distance = stackalloc float[1];
        ScoreRowsCore<SquaredEuclideanScorer>(x, y, distance);
        return distance[0];
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowLengthMismatch(int a, int b) =>
        throw new ArgumentException($"Vector lengths differ: {a} and {b}.");
}
