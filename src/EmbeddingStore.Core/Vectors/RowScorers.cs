// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace EmbeddingStore.Core.Vectors;

// One accumulation step of a row kernel, at every vector width, so the single-query and the batched kernels share
// one loop per width and differ only in the step (a generic struct is specialised by the JIT: no call, no branch).
// Both inputs of a masked tail step are already zero in the masked lanes, which contributes 0 for every scorer.
internal interface IRowScorer
{
    static abstract Vector512<float> Accumulate(Vector512<float> query, Vector512<float> row, Vector512<float> acc);

    static abstract Vector256<float> Accumulate(Vector256<float> query, Vector256<float> row, Vector256<float> acc);

    static abstract Vector128<float> Accumulate(Vector128<float> query, Vector128<float> row, Vector128<float> acc);

    static abstract float Accumulate(float query, float row, float acc);

    // Turns the accumulated sum into the value written out (identity, or negation so that higher is closer).
    static abstract float Finish(float sum);

    // Finish for 16 sums at once (the packed batch kernel, whose registers hold one sum per row).
    static abstract Vector512<float> Finish(Vector512<float> sums);
}

// Σ q·r: cosine (on normalised vectors) and dot-product scans.
internal readonly struct DotScorer : IRowScorer
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Accumulate(Vector512<float> query, Vector512<float> row, Vector512<float> acc) =>
        Vector512.FusedMultiplyAdd(query, row, acc);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Accumulate(Vector256<float> query, Vector256<float> row, Vector256<float> acc) =>
        Vector256.FusedMultiplyAdd(query, row, acc);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Accumulate(Vector128<float> query, Vector128<float> row, Vector128<float> acc) =>
        Vector128.FusedMultiplyAdd(query, row, acc);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Accumulate(float query, float row, float acc) => acc + (query * row);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Finish(float sum) => sum;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Finish(Vector512<float> sums) => sums;
}

// Σ (q - r)²: what an L2 scan ranks by, without a square root per row.
internal readonly struct SquaredEuclideanScorer : IRowScorer
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Accumulate(Vector512<float> query, Vector512<float> row, Vector512<float> acc)
    {
        Vector512<float> d = query - row;
        return Vector512.FusedMultiplyAdd(d, d, acc);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Accumulate(Vector256<float> query, Vector256<float> row, Vector256<float> acc)
    {
        Vector256<float> d = query - row;
        return Vector256.FusedMultiplyAdd(d, d, acc);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Accumulate(Vector128<float> query, Vector128<float> row, Vector128<float> acc)
    {
        Vector128<float> d = query - row;
        return Vector128.FusedMultiplyAdd(d, d, acc);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Accumulate(float query, float row, float acc)
    {
        float d = query - row;
        return acc + (d * d);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Finish(float sum) => sum;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Finish(Vector512<float> sums) => sums;
}

// -Σ (q - r)²: the scan score of the Euclidean metric (higher is closer).
internal readonly struct NegatedSquaredEuclideanScorer : IRowScorer
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Accumulate(Vector512<float> query, Vector512<float> row, Vector512<float> acc) =>
        SquaredEuclideanScorer.Accumulate(query, row, acc);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Accumulate(Vector256<float> query, Vector256<float> row, Vector256<float> acc) =>
        SquaredEuclideanScorer.Accumulate(query, row, acc);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Accumulate(Vector128<float> query, Vector128<float> row, Vector128<float> acc) =>
        SquaredEuclideanScorer.Accumulate(query, row, acc);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Accumulate(float query, float row, float acc) => SquaredEuclideanScorer.Accumulate(query, row, acc);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Finish(float sum) => -sum;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Finish(Vector512<float> sums) => -sums;
}

// -Σ |q - r|: the scan score of the Manhattan metric (higher is closer). The public score is the same value.
internal readonly struct NegatedManhattanScorer : IRowScorer
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Accumulate(Vector512<float> query, Vector512<float> row, Vector512<float> acc) =>
        acc + Vector512.Abs(query - row);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Accumulate(Vector256<float> query, Vector256<float> row, Vector256<float> acc) =>
        acc + Vector256.Abs(query - row);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Accumulate(Vector128<float> query, Vector128<float> row, Vector128<float> acc) =>
        acc + Vector128.Abs(query - row);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Accumulate(float query, float row, float acc) => acc + MathF.Abs(query - row);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Finish(float sum) => -sum;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Finish(Vector512<float> sums) => -sums;
}
