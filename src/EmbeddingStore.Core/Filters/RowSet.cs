// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Numerics;
using System.Runtime.CompilerServices;

namespace EmbeddingStore.Core.Filters;

// The rows of one segment a payload-index plan allows: a bitmap for the scans that test rows as they pass (graph
// search, the dense case of the exact scan) and the ascending list for the scans that visit only these rows.
internal sealed class RowSet
{
    private readonly ulong[] _bits;
    private int[]? _rows;

    public RowSet(ulong[] bits, int count)
    {
        _bits = bits;
        Count = count;
    }

    public int Count { get; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Contains(int row) => (uint)(row >> 6) < (uint)_bits.Length && (_bits[row >> 6] & (1UL << row)) != 0;

    // Ascending, so a gathered scan walks memory forwards.
    public int[] Rows => _rows ??= ToRows();

    private int[] ToRows()
    {
        var rows = new int[Count];
        int next = 0;
        for (int word = 0; word < _bits.Length; word++)
        {
            for (ulong bits = _bits[word]; bits != 0; bits &= bits - 1)
            {
                rows[next++] = (word << 6) + BitOperations.TrailingZeroCount(bits);
            }
        }

        return rows;
    }
}
