// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Vectors;

public static partial class VectorMath
{
    /// <summary>
    /// Squared Euclidean distances of one query to <paramref name="distances"/>.Length consecutive rows of
    /// <paramref name="rows"/> (row-major, <paramref name="query"/>.Length floats each): the fused L2 scan kernel.
    /// </summary>
    /// <remarks>
    /// Same loop and summation order as <see cref="DotRows"/>; no square root per row, because ranking by the squared
    /// distance is the same ranking. Differences are computed in float, so very close rows lose relative precision.
    /// </remarks>
    public static void SquaredEuclideanRows(ReadOnlySpan<float> query, ReadOnlySpan<float> rows, Span<float> distances)
    {
        ValidateRows(query.Length, rows.Length, distances.Length);
        ScoreRowsCore<SquaredEuclideanScorer>(query, rows, distances);
    }
}
