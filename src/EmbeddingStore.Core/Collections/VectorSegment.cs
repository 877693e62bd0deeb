// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Diagnostics;
using EmbeddingStore.Core.Indexes.Quantized;
using EmbeddingStore.Core.Versioning;

namespace EmbeddingStore.Core.Collections;

// All vectors of one model version in one collection, row-major in one contiguous float array, so an exact scan
// is a single pass over memory. Deletes move the last row into the hole (swap-remove) to keep the array dense.
// Not thread-safe: the owning collection's lock guards it (many readers, one writer).
internal sealed class VectorSegment
{
    private const int InitialCapacity = 64;

    private readonly Lock _int8Lock = new();
    private float[] _data;
    private ItemEntry[] _items;

    // Int8 codes, built by the first int8 query and then maintained by Set and Remove (see Int8Segment for the policy).
    private Int8Segment? _int8;

    public VectorSegment(ModelVersion version)
    {
        Version = version;
        _data = [];
        _items = [];
    }

    public ModelVersion Version { get; }

    public int Dimension => Version.Dimension;

    public int Count { get; private set; }

    public ReadOnlySpan<float> Data => _data.AsSpan(0, Count * Dimension);

    public ReadOnlySpan<float> Row(int row) => _data.AsSpan(row * Dimension, Dimension);

    public ItemEntry ItemAt(int row) => _items[row];

    // Adds or overwrites the item's vector; returns its row.
    public int Set(ItemEntry item, ReadOnlySpan<float> vector)
    {
        Debug.Assert(vector.Length == Dimension);
        int row = item.RowIn(this);
        if (row < 0)
        {
            EnsureCapacity(Count + 1);
            row = Count++;
            _items[row] = item;
            item.SetRow(this, row);
        }

        vector.CopyTo(_data.AsSpan(row * Dimension, Dimension));
        _int8?.Set(row, vector);
        return row;
    }

    public void Remove(ItemEntry item)
    {
        int row = item.RowIn(this);
        if (row < 0)
        {
            return;
        }

        int last = Count - 1;
        if (row != last)
        {
            // Swap-remove: the last row fills the hole and its item learns its new row.
            ItemEntry moved = _items[last];
            _data.AsSpan(last * Dimension, Dimension).CopyTo(_data.AsSpan(row * Dimension, Dimension));
            _items[row] = moved;
            moved.SetRow(this, row);
        }

        _int8?.RemoveSwap(row);
        _items[last] = null!;
        Count = last;
        item.Rows.RemoveAll(r => ReferenceEquals(r.Segment, this));
    }

    // The int8 codes, trained now if absent or due for retraining. Called by searches under the read lock: writers are
    // excluded, so the floats are stable; the lock only stops two concurrent searches from training twice. A retrain
    // publishes a new object, so a search still scanning the previous codes is unaffected.
    public Int8Segment GetOrBuildInt8()
    {
        Int8Segment? current = Volatile.Read(ref _int8);
        if (current is not null && !current.NeedsRetraining(Count))
        {
            return current;
        }

        lock (_int8Lock)
        {
            current = _int8;
            if (current is null || current.NeedsRetraining(Count))
            {
                current = Int8Segment.Build(this);
                Volatile.Write(ref _int8, current);
            }

            return current;
        }
    }

    private void EnsureCapacity(int rows)
    {
        if (rows <= _items.Length)
        {
            return;
        }

        // Grow geometrically: amortised O(1) appends; the copy happens under the collection's write lock.
        int capacity = Math.Max(InitialCapacity, Math.Max(rows, _items.Length * 2));
        long floats = (long)capacity * Dimension;
        if (floats > Array.MaxLength)
        {
            throw new InvalidOperationException($"Segment {Version.Id} cannot hold {rows} vectors of {Dimension} dimensions in one array.");
        }

        float[] data = GC.AllocateUninitializedArray<float>((int)floats);
        _data.AsSpan(0, Count * Dimension).CopyTo(data);
        _data = data;
        Array.Resize(ref _items, capacity);
    }
}
