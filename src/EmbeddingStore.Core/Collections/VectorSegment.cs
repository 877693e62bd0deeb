// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Diagnostics;
using EmbeddingStore.Core.Indexes;
using EmbeddingStore.Core.Vectors;
using EmbeddingStore.Core.Versioning;

namespace EmbeddingStore.Core.Collections;

// All vectors of one model version in one collection, row-major in one contiguous block of floats, so an exact scan is a
// single pass over memory. Rows are stable: a new vector is appended, an overwrite stays in its row, and a delete leaves
// a tombstone (a null item) that every search skips. Only Compact renumbers rows, all at once, and it tells every index
// how (old row -> new row), so indexes that remember rows (codes, graphs) never see a row move under them.
// Not thread-safe: the owning collection's lock guards it (many readers, one writer).
internal sealed class VectorSegment
{
    private const int InitialCapacity = 64;

    // Compaction is worth its copy once tombstones are both many and a large share of the rows.
    private const int MinTombstonesToCompact = 1_024;

    private readonly List<IVectorIndex> _indexes = [];

    // Row r starts at float r * Dimension of the block, which is cache-line aligned and outside the GC heap
    // (Vectors/NativeFloats: an outgrown block is freed at once and unused capacity is not resident). Growth frees the old
    // block, so no span over the rows may be held past the lock that guards this segment.
    private readonly NativeFloats _data = new();
    private ItemEntry?[] _items;

    public VectorSegment(ModelVersion version)
    {
        Version = version;
        _items = [];

        // Every segment can be scanned exactly; other kinds are added when a search first asks for them.
        _indexes.Add(new Indexes.Exact.ExactIndex());
    }

    public ModelVersion Version { get; }

    public int Dimension => Version.Dimension;

    // Rows in use, tombstones included: scans cover rows [0, RowCount).
    public int RowCount { get; private set; }

    // Rows holding a live vector: what collection info reports and merges weigh by.
    public int LiveCount { get; private set; }

    public int TombstoneCount => RowCount - LiveCount;

    // Rows the current block holds (RowCount plus growth slack, which is address space, not resident memory).
    public int Capacity => _items.Length;

    public ReadOnlySpan<float> Data => _data.Slice(0, RowCount * Dimension);

    public IReadOnlyList<IVectorIndex> Indexes => _indexes;

    public bool ShouldCompact => TombstoneCount >= MinTombstonesToCompact && TombstoneCount * 4L >= RowCount;

    public ReadOnlySpan<float> Row(int row) => RowSpan(row);

    // The row's item, or null for a tombstone.
    public ItemEntry? ItemAt(int row) => _items[row];

    // Adds or overwrites the item's vector; returns its row.
    public int Set(ItemEntry item, ReadOnlySpan<float> vector)
    {
        Debug.Assert(vector.Length == Dimension);
        int row = item.RowIn(this);
        if (row < 0)
        {
            EnsureCapacity(RowCount + 1);
            row = RowCount++;
            LiveCount++;
            _items[row] = item;
            item.SetRow(this, row);
        }

        vector.CopyTo(RowSpan(row));
        foreach (IVectorIndex index in _indexes)
        {
            index.OnUpsert(row, vector);
        }

        return row;
    }

    // Leaves a tombstone; the floats stay until compaction (searches skip the row by its null item).
    public void Remove(ItemEntry item)
    {
        int row = item.RowIn(this);
        if (row < 0)
        {
            return;
        }

        _items[row] = null;
        LiveCount--;
        item.RemoveRow(this);
        foreach (IVectorIndex index in _indexes)
        {
            index.OnDelete(row);
        }
    }

    // Drops the tombstones, keeping the live rows' relative order, and tells every index the mapping.
    public void Compact()
    {
        if (TombstoneCount == 0)
        {
            return;
        }

        var oldToNew = new int[RowCount];
        int next = 0;
        for (int row = 0; row < RowCount; row++)
        {
            ItemEntry? item = _items[row];
            if (item is null)
            {
                oldToNew[row] = -1;
                continue;
            }

            if (next != row)
            {
                RowSpan(row).CopyTo(RowSpan(next));
                _items[next] = item;
                item.SetRow(this, next);
            }

            oldToNew[row] = next++;
        }

        Array.Clear(_items, next, RowCount - next);
        RowCount = next;
        Debug.Assert(RowCount == LiveCount);
        foreach (IVectorIndex index in _indexes)
        {
            index.OnCompacted(oldToNew, next);
        }
    }

    public IVectorIndex? FindIndex(IndexKind kind)
    {
        foreach (IVectorIndex index in _indexes)
        {
            if (index.Kind == kind)
            {
                return index;
            }
        }

        return null;
    }

    // The index of this kind, created if absent; built by the caller (under the write lock) when it needs it.
    public IVectorIndex GetOrAddIndex(IVectorIndexFactory factory) => GetOrAddIndex(factory, IndexSettings.Default);

    public IVectorIndex GetOrAddIndex(IVectorIndexFactory factory, IndexSettings settings)
    {
        IVectorIndex? index = FindIndex(factory.Kind);
        if (index is null)
        {
            index = factory.Create(this, settings);
            _indexes.Add(index);
        }

        return index;
    }

    // Puts `index` in place of this segment's index of its kind (a graph loaded from its file at start-up).
    public void ReplaceIndex(IVectorIndex index)
    {
        _indexes.RemoveAll(existing => existing.Kind == index.Kind);
        _indexes.Add(index);
    }

    // Drops every index but the exact one (the collection's build settings changed): the next search or write of a kind
    // creates it again with the new settings and builds it.
    public void DropBuiltIndexes() => _indexes.RemoveAll(index => index.Kind != IndexKind.Exact);

    private Span<float> RowSpan(int row) => _data.Slice((long)row * Dimension, Dimension);

    private void EnsureCapacity(int rows)
    {
        if (rows <= _items.Length)
        {
            return;
        }

        // Grow geometrically: amortised O(1) appends, under the collection's write lock. Doubling costs no resident memory
        // beyond the rows written (a large block's pages are committed on first write, and the outgrown block is freed at
        // once), and on Linux a large block grows by remapping, not copying. Start-up avoids growth altogether (Reserve).
        // The block stays contiguous and 64-byte aligned, which the scans and the packed batch kernel rely on.
        long wanted = Math.Max(InitialCapacity, Math.Max(rows, _items.Length * 2L));
        Reallocate((int)Math.Min(wanted, CheckFits(rows)));
    }

    // The most rows one block can hold (every scan takes the rows as one span, whose length is an int); throws if `rows`
    // do not fit.
    private int CheckFits(int rows)
    {
        int maxRows = int.MaxValue / Dimension;
        if (rows > maxRows)
        {
            throw new InvalidOperationException($"Segment {Version.Id} cannot hold {rows} vectors of {Dimension} dimensions in one block.");
        }

        return maxRows;
    }

    // Start-up: room for exactly `rows` rows before they are loaded, so the segment is allocated once.
    public void Reserve(int rows)
    {
        if (rows > _items.Length)
        {
            CheckFits(rows);
            Reallocate(rows);
        }
    }

    // Start-up: the rows are all loaded, so the growth slack is only waste until the next write; give it back (for a
    // mapped block only address space, for a small one C-heap memory). The next append doubles it again.
    public void TrimExcess()
    {
        if (_items.Length - RowCount > Math.Max(InitialCapacity, RowCount / 64))
        {
            Reallocate(Math.Max(RowCount, 1));
        }
    }

    private void Reallocate(int capacity)
    {
        Debug.Assert(capacity >= RowCount);
        _data.Resize((long)capacity * Dimension, (long)RowCount * Dimension);
        Array.Resize(ref _items, capacity);
    }
}
