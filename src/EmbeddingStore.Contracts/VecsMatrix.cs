// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Contracts;

/// <summary>
/// A matrix as the <c>.fvecs</c>/<c>.ivecs</c> files hold it: <see cref="Count"/> rows of <see cref="Dimension"/> values,
/// row-major in one array, so a benchmark or a loader hands whole rows to a search or an upsert without copying.
/// </summary>
/// <typeparam name="T"><see cref="float"/> for <c>.fvecs</c> (vectors), <see cref="int"/> for <c>.ivecs</c> (neighbour ids).</typeparam>
public sealed class VecsMatrix<T>
    where T : unmanaged
{
    /// <summary>Wraps row-major values; the array is used as it is, not copied.</summary>
    /// <param name="data">Exactly <paramref name="count"/> × <paramref name="dimension"/> values.</param>
    /// <param name="count">The number of rows (0 or more).</param>
    /// <param name="dimension">The values per row (at least 1).</param>
    /// <exception cref="ArgumentException">The array's length is not <paramref name="count"/> × <paramref name="dimension"/>.</exception>
    public VecsMatrix(T[] data, int count, int dimension)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        if (data.Length != (long)count * dimension)
        {
            throw new ArgumentException($"{count} rows of {dimension} values need {(long)count * dimension} values; the array holds {data.Length}.", nameof(data));
        }

        Data = data;
        Count = count;
        Dimension = dimension;
    }

    /// <summary>All values, row after row (row <c>i</c> starts at <c>i * Dimension</c>).</summary>
    public T[] Data { get; }

    /// <summary>The number of rows.</summary>
    public int Count { get; }

    /// <summary>The number of values in every row (the files allow no ragged rows).</summary>
    public int Dimension { get; }

    /// <summary>One row, without copying.</summary>
    /// <param name="index">0 to <see cref="Count"/> - 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">The index is outside the matrix.</exception>
    public ReadOnlySpan<T> Row(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return Data.AsSpan(index * Dimension, Dimension);
    }
}
