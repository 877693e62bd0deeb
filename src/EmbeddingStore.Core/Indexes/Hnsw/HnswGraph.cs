// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Diagnostics;
using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Core.Indexes.Hnsw;

// The graph of one segment (Malkov & Yashunin, "Efficient and robust approximate nearest neighbor search using
// Hierarchical Navigable Small World graphs", 2016/2018). Nodes are the segment's stable rows; a row absent from the graph
// has level -1. Layer 0 links live in one flat array (a count then MaxLinks0 slots per row), so the layer every search
// ends in is one contiguous allocation; upper layers, held by about 1 row in M, get a small array each.
// The vectors are the segment's own floats: the graph stores only links. Mutated only on the write side.
internal sealed partial class HnswGraph
{
    private const int MaxLevel = 16;

    private readonly HnswParameters _parameters;
    private readonly int _stride0;
    private readonly int _strideUpper;
    private int[] _levels = [];
    private int[] _links0 = [];
    private int[]?[] _upper = [];
    private long _upperBytes;

    // While a parallel build links rows: one lock per stripe of rows, guarding their link lists, and one for the entry
    // point. Null otherwise (the write side is then single-threaded and searches never run beside it).
    private object[]? _stripes;
    private readonly object _entryLock = new();

    public HnswGraph(HnswParameters parameters)
    {
        _parameters = parameters;
        _stride0 = parameters.MaxLinks0 + 1;
        _strideUpper = parameters.M + 1;
    }

    public HnswParameters Parameters => _parameters;

    // The row every search starts from (the highest-level node), or -1 while the graph is empty.
    public int EntryPoint { get; private set; } = -1;

    public int TopLevel { get; private set; } = -1;

    public int NodeCount { get; private set; }

    // Rows the arrays can address (the visited set of a search must cover them).
    public int Capacity => _levels.Length;

    public long MemoryBytes => (_levels.Length * (long)sizeof(int)) + (_links0.Length * (long)sizeof(int)) + (_upper.Length * (long)IntPtr.Size) + _upperBytes
        + ((_offsets.Length + _inverseNorms.Length) * (long)sizeof(float));

    public bool Contains(int row) => row < _levels.Length && _levels[row] >= 0;

    // A row's level from the seed and the row alone (SplitMix64 to a uniform in (0, 1], then -ln(u) / ln M), so the level
    // does not depend on insertion order and a rebuild draws the same levels.
    public int LevelOf(int row)
    {
        ulong z = _parameters.Seed + ((ulong)(uint)row * 0x9E3779B97F4A7C15UL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        double uniform = ((z >> 11) + 1) * (1.0 / (1UL << 53));
        return Math.Min(MaxLevel, (int)(-Math.Log(uniform) * _parameters.LevelMultiplier));
    }

    public void EnsureCapacity(int rows)
    {
        if (rows <= _levels.Length)
        {
            return;
        }

        int capacity = Math.Max(rows, Math.Max(64, _levels.Length * 2));
        int old = _levels.Length;
        Array.Resize(ref _levels, capacity);
        _levels.AsSpan(old).Fill(-1);
        Array.Resize(ref _links0, checked(capacity * _stride0));
        Array.Resize(ref _upper, capacity);
        GrowCentre(capacity);
    }

    // The links of `row` at `layer`: slot 0 is the count, then the neighbours.
    private Span<int> Block(int row, int layer) =>
        layer == 0 ? _links0.AsSpan(row * _stride0, _stride0) : _upper[row].AsSpan((layer - 1) * _strideUpper, _strideUpper);

    // How many links `row` holds at `layer`: what the tests of the neighbour-selection policies compare.
    internal int LinkCount(int row, int layer) => Block(row, layer)[0];

    private ReadOnlySpan<int> Neighbours(int row, int layer)
    {
        Span<int> block = Block(row, layer);
        return block.Slice(1, block[0]);
    }

    // Copies the links of `row` at `layer` into `buffer` (MaxLinks0 long) and returns their count; under the row's stripe
    // lock while a parallel build runs, so a list being re-pruned by another thread is never read half-written.
    private int CopyNeighbours(int row, int layer, Span<int> buffer)
    {
        if (_stripes is { } stripes)
        {
            lock (stripes[row & (stripes.Length - 1)])
            {
                ReadOnlySpan<int> locked = Neighbours(row, layer);
                locked.CopyTo(buffer);
                return locked.Length;
            }
        }

        ReadOnlySpan<int> neighbours = Neighbours(row, layer);
        neighbours.CopyTo(buffer);
        return neighbours.Length;
    }

    // The raw score (higher is closer) through the segment's row kernel: a dot product for cosine (the segment holds
    // normalised vectors) and dot, the negated squared distance for L2, exactly what the exact scan computes.
    private static float Score(ReadOnlySpan<float> query, ReadOnlySpan<float> row, DistanceMetric metric) => VectorMath.ScoreRow(query, row, metric);

    [Conditional("DEBUG")]
    private void AssertLinks(int row)
    {
        for (int layer = 0; layer <= _levels[row]; layer++)
        {
            foreach (int n in Neighbours(row, layer))
            {
                Debug.Assert(n != row && _levels[n] >= layer, "a link points to a row present on its layer");
            }
        }
    }
}
