// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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
    internal static int PackedRowsLength(int dimension, int rowCount) => checked(PackedPanels(rowCount) * PanelRows * PackedDimension(dimension));

    // Panels a packed block of rowCount rows holds: whole register tiles, so the last tile's second panel may be padding.
    private static int PackedPanels(int rowCount) => (rowCount + TileRows - 1) / TileRows * PanelsPerTile;

    /// <summary>Panel masks per query that <see cref="ScorePackedTile"/> writes for <paramref name="rowCount"/> rows.</summary>
    internal static int PanelMaskStride(int rowCount) => (rowCount + PanelRows - 1) / PanelRows;

    /// <summary>Floats <see cref="PackQueries"/> writes for <paramref name="queryCount"/> queries.</summary>
    internal static int PackedQueriesLength(int dimension, int queryCount) =>
        checked((queryCount + PackedQueryTile - 1) / PackedQueryTile * PackedQueryTile * PackedDimension(dimension));

    /// <summary>
    /// Packs row-major rows into panels: row r's virtual element v = 16k + j lands at
    /// <c>packed[((r / 16) * packedDimension + j * steps + k) * 16 + r % 16]</c> (steps = packedDimension / 16), so one
    /// lane's elements are adjacent for the kernel's sequential pass over that lane; padding rows are zero.
    /// </summary>
    internal static void PackRows(ReadOnlySpan<float> rows, int dimension, int rowCount, Span<float> packed)
    {
        if (!Avx512F.IsSupported || dimension < PanelRows)
        {
            Pack(rows, dimension, rowCount, PanelRows, PackedPanels(rowCount), packed);
            return;
        }

        // Whole panels by 16 × 16 transposes; the last, partial panel and the padding by the scalar loop.
        int wholePanels = rowCount / PanelRows;
        int panelFloats = PackedDimension(dimension) * PanelRows;
        if (rows.Length < (long)rowCount * dimension || packed.Length < PackedRowsLength(dimension, rowCount))
        {
            ThrowLengthMismatch(packed.Length, PackedRowsLength(dimension, rowCount));
        }

        for (int p = 0; p < wholePanels; p++)
        {
            TransposePanel(rows.Slice(p * PanelRows * dimension, PanelRows * dimension), dimension, packed.Slice(p * panelFloats, panelFloats));
        }

        // The rest: a partial panel (zero-padded), and a zero panel where the last tile would otherwise be half full.
        int done = wholePanels * PanelRows;
        int restPanels = PackedPanels(rowCount) - wholePanels;
        Pack(rows[(done * dimension)..], dimension, rowCount - done, PanelRows, restPanels, packed[(wholePanels * panelFloats)..]);
    }

    // One panel of 16 rows: for each 16-float chunk k (the full vectors, then the masked tail vector the single kernel
    // loads at d - 16), the 16 rows' chunks are transposed so that register j holds element 16k + j of all 16 rows, and
    // stored where Position puts lane j, step k.
    private static void TransposePanel(ReadOnlySpan<float> rows, int dimension, Span<float> panel)
    {
        int steps = PackedDimension(dimension) / PanelRows;
        int full = dimension - (dimension % PanelRows);
        int last = dimension - PanelRows;
        Vector512<float> mask = Vector512.GreaterThanOrEqual(Vector512<int>.Indices, Vector512.Create(full - last)).AsSingle();
        ref float source = ref MemoryMarshal.GetReference(rows);
        ref float target = ref MemoryMarshal.GetReference(panel);
        for (int k = 0; k < steps; k++)
        {
            bool tail = k * PanelRows >= full;
            int offset = tail ? last : k * PanelRows;
            Vector512<float> keep = tail ? mask : Vector512<float>.AllBitsSet;
            ref float chunk = ref Unsafe.Add(ref source, offset);
            Vector512<float> r0 = Vector512.LoadUnsafe(ref chunk) & keep;
            Vector512<float> r1 = Vector512.LoadUnsafe(ref chunk, (nuint)dimension) & keep;
            Vector512<float> r2 = Vector512.LoadUnsafe(ref chunk, (nuint)(2 * dimension)) & keep;
            Vector512<float> r3 = Vector512.LoadUnsafe(ref chunk, (nuint)(3 * dimension)) & keep;
            Vector512<float> r4 = Vector512.LoadUnsafe(ref chunk, (nuint)(4 * dimension)) & keep;
            Vector512<float> r5 = Vector512.LoadUnsafe(ref chunk, (nuint)(5 * dimension)) & keep;
            Vector512<float> r6 = Vector512.LoadUnsafe(ref chunk, (nuint)(6 * dimension)) & keep;
            Vector512<float> r7 = Vector512.LoadUnsafe(ref chunk, (nuint)(7 * dimension)) & keep;
            Vector512<float> r8 = Vector512.LoadUnsafe(ref chunk, (nuint)(8 * dimension)) & keep;
            Vector512<float> r9 = Vector512.LoadUnsafe(ref chunk, (nuint)(9 * dimension)) & keep;
            Vector512<float> r10 = Vector512.LoadUnsafe(ref chunk, (nuint)(10 * dimension)) & keep;
            Vector512<float> r11 = Vector512.LoadUnsafe(ref chunk, (nuint)(11 * dimension)) & keep;
            Vector512<float> r12 = Vector512.LoadUnsafe(ref chunk, (nuint)(12 * dimension)) & keep;
            Vector512<float> r13 = Vector512.LoadUnsafe(ref chunk, (nuint)(13 * dimension)) & keep;
            Vector512<float> r14 = Vector512.LoadUnsafe(ref chunk, (nuint)(14 * dimension)) & keep;
            Vector512<float> r15 = Vector512.LoadUnsafe(ref chunk, (nuint)(15 * dimension)) & keep;

            // Within each 128-bit lane L: pairs of rows, then quads (u[4a + b] holds rows 4a..4a+3 of element 4L + b).
            Vector512<double> t0 = Avx512F.UnpackLow(r0, r1).AsDouble(), t1 = Avx512F.UnpackHigh(r0, r1).AsDouble();
            Vector512<double> t2 = Avx512F.UnpackLow(r2, r3).AsDouble(), t3 = Avx512F.UnpackHigh(r2, r3).AsDouble();
            Vector512<double> t4 = Avx512F.UnpackLow(r4, r5).AsDouble(), t5 = Avx512F.UnpackHigh(r4, r5).AsDouble();
            Vector512<double> t6 = Avx512F.UnpackLow(r6, r7).AsDouble(), t7 = Avx512F.UnpackHigh(r6, r7).AsDouble();
            Vector512<double> t8 = Avx512F.UnpackLow(r8, r9).AsDouble(), t9 = Avx512F.UnpackHigh(r8, r9).AsDouble();
            Vector512<double> t10 = Avx512F.UnpackLow(r10, r11).AsDouble(), t11 = Avx512F.UnpackHigh(r10, r11).AsDouble();
            Vector512<double> t12 = Avx512F.UnpackLow(r12, r13).AsDouble(), t13 = Avx512F.UnpackHigh(r12, r13).AsDouble();
            Vector512<double> t14 = Avx512F.UnpackLow(r14, r15).AsDouble(), t15 = Avx512F.UnpackHigh(r14, r15).AsDouble();
            Vector512<float> u0 = Avx512F.UnpackLow(t0, t2).AsSingle(), u1 = Avx512F.UnpackHigh(t0, t2).AsSingle();
            Vector512<float> u2 = Avx512F.UnpackLow(t1, t3).AsSingle(), u3 = Avx512F.UnpackHigh(t1, t3).AsSingle();
            Vector512<float> u4 = Avx512F.UnpackLow(t4, t6).AsSingle(), u5 = Avx512F.UnpackHigh(t4, t6).AsSingle();
            Vector512<float> u6 = Avx512F.UnpackLow(t5, t7).AsSingle(), u7 = Avx512F.UnpackHigh(t5, t7).AsSingle();
            Vector512<float> u8 = Avx512F.UnpackLow(t8, t10).AsSingle(), u9 = Avx512F.UnpackHigh(t8, t10).AsSingle();
            Vector512<float> u10 = Avx512F.UnpackLow(t9, t11).AsSingle(), u11 = Avx512F.UnpackHigh(t9, t11).AsSingle();
            Vector512<float> u12 = Avx512F.UnpackLow(t12, t14).AsSingle(), u13 = Avx512F.UnpackHigh(t12, t14).AsSingle();
            Vector512<float> u14 = Avx512F.UnpackLow(t13, t15).AsSingle(), u15 = Avx512F.UnpackHigh(t13, t15).AsSingle();

            ref float step = ref Unsafe.Add(ref target, k * PanelRows);
            TransposeLanes(u0, u4, u8, u12, ref step, 0, steps);
            TransposeLanes(u1, u5, u9, u13, ref step, 1, steps);
            TransposeLanes(u2, u6, u10, u14, ref step, 2, steps);
            TransposeLanes(u3, u7, u11, u15, ref step, 3, steps);
        }
    }

    // The last two stages for element offset b: quads from the four row groups gathered across 128-bit lanes, giving
    // elements b, 4 + b, 8 + b and 12 + b of all 16 rows, each stored at its lane's place.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TransposeLanes(
        Vector512<float> rows0to3, Vector512<float> rows4to7, Vector512<float> rows8to11, Vector512<float> rows12to15, ref float step, int b, int steps)
    {
        Vector512<float> v0 = Avx512F.Shuffle4x128(rows0to3, rows4to7, 0x88);
        Vector512<float> v1 = Avx512F.Shuffle4x128(rows0to3, rows4to7, 0xDD);
        Vector512<float> w0 = Avx512F.Shuffle4x128(rows8to11, rows12to15, 0x88);
        Vector512<float> w1 = Avx512F.Shuffle4x128(rows8to11, rows12to15, 0xDD);
        int laneStride = steps * PanelRows;
        Avx512F.Shuffle4x128(v0, w0, 0x88).StoreUnsafe(ref step, (nuint)(b * laneStride));
        Avx512F.Shuffle4x128(v1, w1, 0x88).StoreUnsafe(ref step, (nuint)((4 + b) * laneStride));
        Avx512F.Shuffle4x128(v0, w0, 0xDD).StoreUnsafe(ref step, (nuint)((8 + b) * laneStride));
        Avx512F.Shuffle4x128(v1, w1, 0xDD).StoreUnsafe(ref step, (nuint)((12 + b) * laneStride));
    }

    /// <summary>
    /// Packs row-major queries into tiles, in the order of <see cref="PackRows"/> with 8 queries in place of 16 rows:
    /// a tile's 8 values of one element are adjacent, and one lane's elements follow each other.
    /// </summary>
    internal static void PackQueries(ReadOnlySpan<float> queries, int dimension, int queryCount, Span<float> packed) =>
        Pack(queries, dimension, queryCount, PackedQueryTile, (queryCount + PackedQueryTile - 1) / PackedQueryTile, packed);

    // Packs `count` vectors into `groups` groups of `width` (zero-filling the members past count), scalar.
    private static void Pack(ReadOnlySpan<float> source, int dimension, int count, int width, int groups, Span<float> packed)
    {
        int packedDimension = PackedDimension(dimension);
        int steps = packedDimension / PanelRows;
        int full = dimension - (dimension % PanelRows);
        int last = dimension - PanelRows;
        int firstTailLane = full - last;
        bool hasTail = full < dimension;
        if (source.Length < (long)count * dimension)
        {
            ThrowLengthMismatch(source.Length, count * dimension);
        }

        Span<float> target = packed[..(groups * packedDimension * width)];
        ref float sourceRef = ref MemoryMarshal.GetReference(source);
        ref float targetRef = ref MemoryMarshal.GetReference(target);
        for (int g = 0; g < groups; g++)
        {
            int members = Math.Clamp(count - (g * width), 0, width);
            if (members < width)
            {
                target.Slice(g * packedDimension * width, packedDimension * width).Clear();
            }

            for (int m = 0; m < members; m++)
            {
                ref float vector = ref Unsafe.Add(ref sourceRef, (nint)((g * width) + m) * dimension);
                ref float member = ref Unsafe.Add(ref targetRef, ((nint)g * packedDimension * width) + m);
                for (int j = 0; j < PanelRows; j++)
                {
                    // Lane j's elements j, j + 16, ... and then its tail element (last + j, or 0 where the single kernel
                    // masks it), one after another: in the order PackRows documents.
                    ref float laneTarget = ref Unsafe.Add(ref member, (nint)j * steps * width);
                    int k = 0;
                    for (int i = j; i < full; i += PanelRows, k++)
                    {
                        Unsafe.Add(ref laneTarget, (nint)k * width) = Unsafe.Add(ref vector, i);
                    }

                    if (hasTail)
                    {
                        Unsafe.Add(ref laneTarget, (nint)k * width) = j >= firstTailLane ? Unsafe.Add(ref vector, last + j) : 0f;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Scores one packed tile of 8 queries against every packed row: <c>scores[q * scoreStride + r]</c> for
    /// q &lt; <paramref name="queryCount"/> and r &lt; <paramref name="rowCount"/>, bitwise equal to
    /// <see cref="ScoreRows"/>. Scores of padding queries and rows are not written.
    /// </summary>
    /// <returns>
    /// Bit q set when query q may have a score at or above <c>thresholds[q]</c> (its collector's entry bar), so the
    /// caller offers only those queries' scores and never re-reads the others: the top-k test fused into the kernel.
    /// With empty <paramref name="thresholds"/> every query's bit is set.
    /// </returns>
    /// <remarks>
    /// With thresholds the kernel also writes, for query q and the 16-row panel p of the rows, the bits of the rows
    /// scoring at or above <c>thresholds[q]</c> at <c>panelMasks[q * ceil(rowCount / 16) + p]</c> (the compare it makes
    /// anyway), so the caller's offer visits only those rows instead of every score of a reached query. Without
    /// thresholds <paramref name="panelMasks"/> is not used.
    /// </remarks>
    internal static int ScorePackedTile(
        ReadOnlySpan<float> packedQueryTile, int dimension, int queryCount, ReadOnlySpan<float> packedRows, int rowCount,
        DistanceMetric metric, Span<float> scores, int scoreStride, ReadOnlySpan<float> thresholds, Span<ushort> panelMasks)
    {
        switch (metric)
        {
            case DistanceMetric.CosineSimilarity:
            case DistanceMetric.DotProduct:
                return ScorePackedTile<DotScorer>(packedQueryTile, dimension, queryCount, packedRows, rowCount, scores, scoreStride, thresholds, panelMasks);
            case DistanceMetric.Euclidean:
                return ScorePackedTile<NegatedSquaredEuclideanScorer>(packedQueryTile, dimension, queryCount, packedRows, rowCount, scores, scoreStride, thresholds, panelMasks);
            case DistanceMetric.Manhattan:
                return ScorePackedTile<NegatedManhattanScorer>(packedQueryTile, dimension, queryCount, packedRows, rowCount, scores, scoreStride, thresholds, panelMasks);
            default:
                ScoreMapping.ThrowUnknownMetric(metric);
                return 0;
        }
    }

    [SkipLocalsInit]
    private static int ScorePackedTile<TScorer>(
        ReadOnlySpan<float> packedQueryTile, int dimension, int queryCount, ReadOnlySpan<float> packedRows, int rowCount,
        Span<float> scores, int scoreStride, ReadOnlySpan<float> thresholds, Span<ushort> panelMasks)
        where TScorer : struct, IRowScorer
    {
        int maskStride = PanelMaskStride(rowCount);
        bool masked = !thresholds.IsEmpty;
        if (masked && panelMasks.Length < queryCount * maskStride)
        {
            ThrowLengthMismatch(panelMasks.Length, queryCount * maskStride);
        }

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
        int reached = thresholds.IsEmpty ? (1 << queryCount) - 1 : 0;

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

                    if (masked)
                    {
                        // Padding rows are masked off: their scores are never offered.
                        uint above = (uint)Vector512.GreaterThanOrEqual(sums, Vector512.Create(thresholds[query])).ExtractMostSignificantBits()
                            & (uint)((1 << valid) - 1);
                        panelMasks[(query * maskStride) + (row / PanelRows)] = (ushort)above;
                        if (above != 0)
                        {
                            reached |= 1 << query;
                        }
                    }

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

        return reached;
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
