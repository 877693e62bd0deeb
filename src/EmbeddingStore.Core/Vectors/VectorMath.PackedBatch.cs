// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EmbeddingStore.Core.Vectors;

// The GEMM-shaped batch kernel for 512-bit machines. The row-major kernels (DotRows, Block256) reduce every
// (query, row) pair with a horizontal sum, which costs about as many shuffles as the pair has FMAs at d = 384 and caps
// them near a quarter of FMA peak. Here the rows are packed into panels of 16 (one register holds one element of 16
// rows), so a register accumulates 16 rows at once and no horizontal sum is needed: each query element is broadcast
// and fed to one FMA per panel.
//
// Bitwise equality with the single-query kernel is kept by packing the elements in the single kernel's own order. The
// single kernel gives lane j of its accumulator the elements j, j+16, ... (full vectors), then, when the dimension is
// not a multiple of 16, one masked last vector loaded at `last = d - 16`: lane j gets element last + j or, in a masked
// lane, 0·0. The packed layout has a "virtual" dimension of 16 × (full vectors + 1 tail vector) in which virtual
// element 16k + j is exactly what lane j adds in step k (zero for masked lanes, in queries and rows alike), so lane j's
// chain is the same FMAs in the same order. The 16 lane sums are then combined in ReduceLanes' tree, which the single
// kernel applies to its accumulator's lanes.
public static partial class VectorMath
{
    /// <summary>Rows per panel: one 512-bit register holds one element of this many rows.</summary>
    internal const int PanelRows = 16;

    /// <summary>Queries per register tile of the packed kernel (8 queries × 2 panels = 16 accumulators).</summary>
    internal const int PackedQueryTile = 8;

    // Panels per register tile; packed row blocks are padded to a whole number of tiles.
    private const int PanelsPerTile = 2;

    private const int TileRows = PanelRows * PanelsPerTile;

    /// <summary>Whether <see cref="ScorePackedTile"/> serves this dimension on this machine.</summary>
    internal static bool PackedKernelAvailable(int dimension) =>
        Vector512.IsHardwareAccelerated && dimension >= Vector512<float>.Count;

    /// <summary>Elements per packed row or query: full 16-float vectors, plus one for a masked tail.</summary>
    internal static int PackedDimension(int dimension) => (dimension + PanelRows - 1) / PanelRows * PanelRows;

    /// <summary>Floats <see cref="PackRows"/> writes for <paramref name="rowCount"/> rows.</summary>
    internal static int PackedRowsLength(int dimension, int rowCount) =>
        checked((rowCount + TileRows - 1) / TileRows * TileRows * PackedDimension(dimension));

    /// <summary>Floats <see cref="PackQueries"/> writes for <paramref name="queryCount"/> queries.</summary>
    internal static int PackedQueriesLength(int dimension, int queryCount) =>
        checked((queryCount + PackedQueryTile - 1) / PackedQueryTile * PackedQueryTile * PackedDimension(dimension));

    /// <summary>
    /// Packs row-major rows into panels: row r's virtual element v lands at
    /// <c>packed[((r / 16) * packedDimension + v) * 16 + r % 16]</c>; padding rows are zero.
    /// </summary>
    internal static void PackRows(ReadOnlySpan<float> rows, int dimension, int rowCount, Span<float> packed) =>
        Pack(rows, dimension, rowCount, PanelRows, TileRows, packed);

    /// <summary>
    /// Packs row-major queries into tiles: query q's virtual element v lands at
    /// <c>packed[((q / 8) * packedDimension + v) * 8 + q % 8]</c>, so a tile's 8 values of one element are adjacent.
    /// </summary>
    internal static void PackQueries(ReadOnlySpan<float> queries, int dimension, int queryCount, Span<float> packed) =>
        Pack(queries, dimension, queryCount, PackedQueryTile, PackedQueryTile, packed);

    private static void Pack(ReadOnlySpan<float> source, int dimension, int count, int width, int roundTo, Span<float> packed)
    {
        int packedDimension = PackedDimension(dimension);
        int groups = (count + roundTo - 1) / roundTo * roundTo / width;
        int full = dimension - (dimension % PanelRows);
        int last = dimension - PanelRows;
        int firstTailLane = full - last;
        int steps = packedDimension / PanelRows;
        Span<float> target = packed[..(groups * packedDimension * width)];
        for (int g = 0; g < groups; g++)
        {
            Span<float> group = target.Slice(g * packedDimension * width, packedDimension * width);
            int members = Math.Clamp(count - (g * width), 0, width);
            if (members < width)
            {
                group.Clear();
            }

            for (int m = 0; m < members; m++)
            {
                ReadOnlySpan<float> vector = source.Slice(((g * width) + m) * dimension, dimension);
                for (int i = 0; i < full; i++)
                {
                    group[(Position(i, steps) * width) + m] = vector[i];
                }

                if (full < dimension)
                {
                    // The tail vector: lane j holds element last + j, or 0 where the single kernel masks it.
                    for (int j = 0; j < PanelRows; j++)
                    {
                        group[(Position(full + j, steps) * width) + m] = j >= firstTailLane ? vector[last + j] : 0f;
                    }
                }
            }
        }
    }

    // Where virtual element v = 16k + j is stored within a packed group: lane j's elements are contiguous (k = 0, 1, ...),
    // so each pass of the kernel over one lane reads its rows and queries sequentially.
    private static int Position(int virtualElement, int steps) => ((virtualElement % PanelRows) * steps) + (virtualElement / PanelRows);

    /// <summary>
    /// Scores one packed tile of 8 queries against every packed row: <c>scores[q * scoreStride + r]</c> for
    /// q &lt; <paramref name="queryCount"/> and r &lt; <paramref name="rowCount"/>, bitwise equal to
    /// <see cref="ScoreRows"/>. Scores of padding queries and rows are not written.
    /// </summary>
    internal static void ScorePackedTile(
        ReadOnlySpan<float> packedQueryTile, int dimension, int queryCount, ReadOnlySpan<float> packedRows, int rowCount,
        DistanceMetric metric, Span<float> scores, int scoreStride)
    {
        switch (metric)
        {
            case DistanceMetric.CosineSimilarity:
            case DistanceMetric.DotProduct:
                ScorePackedTile<DotScorer>(packedQueryTile, dimension, queryCount, packedRows, rowCount, scores, scoreStride);
                break;
            case DistanceMetric.Euclidean:
                ScorePackedTile<NegatedSquaredEuclideanScorer>(packedQueryTile, dimension, queryCount, packedRows, rowCount, scores, scoreStride);
                break;
            default:
                ScoreMapping.ThrowUnknownMetric(metric);
                break;
        }
    }

    [SkipLocalsInit]
    private static void ScorePackedTile<TScorer>(
        ReadOnlySpan<float> packedQueryTile, int dimension, int queryCount, ReadOnlySpan<float> packedRows, int rowCount,
        Span<float> scores, int scoreStride)
        where TScorer : struct, IRowScorer
    {
        int packedDimension = PackedDimension(dimension);
        int steps = packedDimension / PanelRows;
        int panelFloats = packedDimension * PanelRows;
        if (packedQueryTile.Length < packedDimension * PackedQueryTile || packedRows.Length < PackedRowsLength(dimension, rowCount))
        {
            ThrowLengthMismatch(packedRows.Length, PackedRowsLength(dimension, rowCount));
        }

        // Lane sums of one register tile: partial[lane * 16 + slot], slot = query * 2 + panel.
        Span<Vector512<float>> partial = stackalloc Vector512<float>[PanelRows * PackedQueryTile * PanelsPerTile];
        ref Vector512<float> partialRef = ref MemoryMarshal.GetReference(partial);
        ref float queryRef = ref MemoryMarshal.GetReference(packedQueryTile);
        ref float rowsRef = ref MemoryMarshal.GetReference(packedRows);
        int tiles = (rowCount + TileRows - 1) / TileRows;

        for (int t = 0; t < tiles; t++)
        {
            ref float panel0 = ref Unsafe.Add(ref rowsRef, (nint)t * PanelsPerTile * panelFloats);
            for (int lane = 0; lane < PanelRows; lane++)
            {
                Vector512<float> a0 = Vector512<float>.Zero, b0 = Vector512<float>.Zero;
                Vector512<float> a1 = Vector512<float>.Zero, b1 = Vector512<float>.Zero;
                Vector512<float> a2 = Vector512<float>.Zero, b2 = Vector512<float>.Zero;
                Vector512<float> a3 = Vector512<float>.Zero, b3 = Vector512<float>.Zero;
                Vector512<float> a4 = Vector512<float>.Zero, b4 = Vector512<float>.Zero;
                Vector512<float> a5 = Vector512<float>.Zero, b5 = Vector512<float>.Zero;
                Vector512<float> a6 = Vector512<float>.Zero, b6 = Vector512<float>.Zero;
                Vector512<float> a7 = Vector512<float>.Zero, b7 = Vector512<float>.Zero;

                // Virtual elements lane, lane + 16, ...: the chain of the single kernel's accumulator lane.
                ref float x = ref Unsafe.Add(ref panel0, lane * steps * PanelRows);
                ref float q = ref Unsafe.Add(ref queryRef, lane * steps * PackedQueryTile);
                for (int k = 0; k < steps; k++)
                {
                    Vector512<float> r0 = Vector512.LoadUnsafe(ref x);
                    Vector512<float> r1 = Vector512.LoadUnsafe(ref x, (nuint)panelFloats);
                    Vector512<float> v = Vector512.Create(q);
                    a0 = TScorer.Accumulate(v, r0, a0);
                    b0 = TScorer.Accumulate(v, r1, b0);
                    v = Vector512.Create(Unsafe.Add(ref q, 1));
                    a1 = TScorer.Accumulate(v, r0, a1);
                    b1 = TScorer.Accumulate(v, r1, b1);
                    v = Vector512.Create(Unsafe.Add(ref q, 2));
                    a2 = TScorer.Accumulate(v, r0, a2);
                    b2 = TScorer.Accumulate(v, r1, b2);
                    v = Vector512.Create(Unsafe.Add(ref q, 3));
                    a3 = TScorer.Accumulate(v, r0, a3);
                    b3 = TScorer.Accumulate(v, r1, b3);
                    v = Vector512.Create(Unsafe.Add(ref q, 4));
                    a4 = TScorer.Accumulate(v, r0, a4);
                    b4 = TScorer.Accumulate(v, r1, b4);
                    v = Vector512.Create(Unsafe.Add(ref q, 5));
                    a5 = TScorer.Accumulate(v, r0, a5);
                    b5 = TScorer.Accumulate(v, r1, b5);
                    v = Vector512.Create(Unsafe.Add(ref q, 6));
                    a6 = TScorer.Accumulate(v, r0, a6);
                    b6 = TScorer.Accumulate(v, r1, b6);
                    v = Vector512.Create(Unsafe.Add(ref q, 7));
                    a7 = TScorer.Accumulate(v, r0, a7);
                    b7 = TScorer.Accumulate(v, r1, b7);
                    x = ref Unsafe.Add(ref x, PanelRows);
                    q = ref Unsafe.Add(ref q, PackedQueryTile);
                }

                ref Vector512<float> slot = ref Unsafe.Add(ref partialRef, lane * PackedQueryTile * PanelsPerTile);
                slot = a0;
                Unsafe.Add(ref slot, 1) = b0;
                Unsafe.Add(ref slot, 2) = a1;
                Unsafe.Add(ref slot, 3) = b1;
                Unsafe.Add(ref slot, 4) = a2;
                Unsafe.Add(ref slot, 5) = b2;
                Unsafe.Add(ref slot, 6) = a3;
                Unsafe.Add(ref slot, 7) = b3;
                Unsafe.Add(ref slot, 8) = a4;
                Unsafe.Add(ref slot, 9) = b4;
                Unsafe.Add(ref slot, 10) = a5;
                Unsafe.Add(ref slot, 11) = b5;
                Unsafe.Add(ref slot, 12) = a6;
                Unsafe.Add(ref slot, 13) = b6;
                Unsafe.Add(ref slot, 14) = a7;
                Unsafe.Add(ref slot, 15) = b7;
            }

            int tileRow = t * TileRows;
            for (int query = 0; query < queryCount; query++)
            {
                for (int p = 0; p < PanelsPerTile; p++)
                {
                    int row = tileRow + (p * PanelRows);
                    int valid = Math.Min(PanelRows, rowCount - row);
                    if (valid <= 0)
                    {
                        break;
                    }

                    Vector512<float> sums = TScorer.Finish(ReduceLanes(ref Unsafe.Add(ref partialRef, (query * PanelsPerTile) + p), PackedQueryTile * PanelsPerTile));
                    Span<float> target = scores.Slice((query * scoreStride) + row, valid);
                    if (valid == PanelRows)
                    {
                        sums.StoreUnsafe(ref MemoryMarshal.GetReference(target));
                    }
                    else
                    {
                        for (int r = 0; r < valid; r++)
                        {
                            target[r] = sums.GetElement(r);
                        }
                    }
                }
            }
        }
    }

    // Combines 16 lane-sum registers (lane j at first[j * stride]) in the tree ReduceLanes(Vector512) applies to one
    // register's lanes: lane j + lane j+8, then + j+4, then + j+2, then + j+1.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> ReduceLanes(ref Vector512<float> first, int stride)
    {
        Vector512<float> s0 = first + Unsafe.Add(ref first, 8 * stride);
        Vector512<float> s1 = Unsafe.Add(ref first, 1 * stride) + Unsafe.Add(ref first, 9 * stride);
        Vector512<float> s2 = Unsafe.Add(ref first, 2 * stride) + Unsafe.Add(ref first, 10 * stride);
        Vector512<float> s3 = Unsafe.Add(ref first, 3 * stride) + Unsafe.Add(ref first, 11 * stride);
        Vector512<float> s4 = Unsafe.Add(ref first, 4 * stride) + Unsafe.Add(ref first, 12 * stride);
        Vector512<float> s5 = Unsafe.Add(ref first, 5 * stride) + Unsafe.Add(ref first, 13 * stride);
        Vector512<float> s6 = Unsafe.Add(ref first, 6 * stride) + Unsafe.Add(ref first, 14 * stride);
        Vector512<float> s7 = Unsafe.Add(ref first, 7 * stride) + Unsafe.Add(ref first, 15 * stride);
        s0 += s4;
        s1 += s5;
        s2 += s6;
        s3 += s7;
        s0 += s2;
        s1 += s3;
        return s0 + s1;
    }

    // The single kernel's horizontal sum, in a fixed tree so that the packed kernel can reproduce it register-wise
    // (the runtime's Vector512.Sum leaves the order to the JIT): fold 512 → 256 → 128 bits, then lanes 0+2 and 1+3,
    // then the two remaining lanes.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float ReduceLanes(Vector512<float> v)
    {
        Vector256<float> h = v.GetLower() + v.GetUpper();
        Vector128<float> x = h.GetLower() + h.GetUpper();
        x += Vector128.Shuffle(x, Vector128.Create(2, 3, 0, 1));
        return x.ToScalar() + x.GetElement(1);
    }
}
