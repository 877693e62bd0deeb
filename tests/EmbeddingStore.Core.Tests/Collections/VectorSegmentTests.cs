// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Indexes;
using EmbeddingStore.Core.Vectors;
using EmbeddingStore.Core.Tests.TestSupport;
using EmbeddingStore.Core.Versioning;

namespace EmbeddingStore.Core.Tests.Collections;

public sealed class VectorSegmentTests
{
    [Fact]
    public void Remove_MiddleRow_LeavesTombstoneAndNoRowMoves()
    {
        VectorSegment segment = NewSegment(out RecordingIndex index);
        ItemEntry a = new("a", null), b = new("b", null), c = new("c", null);
        segment.Set(a, [1, 0]);
        segment.Set(b, [0, 1]);
        segment.Set(c, [1, 1]);

        segment.Remove(b);

        Assert.Equal((3, 2), (segment.RowCount, segment.LiveCount));
        Assert.Same(a, segment.ItemAt(0));
        Assert.Null(segment.ItemAt(1));
        Assert.Same(c, segment.ItemAt(2));
        Assert.Equal((0, 2), (a.RowIn(segment), c.RowIn(segment)));
        Assert.Equal(-1, b.RowIn(segment));
        Assert.Equal([1f, 1f], segment.Row(2).ToArray());
        Assert.Equal(["upsert 0", "upsert 1", "upsert 2", "delete 1"], index.Calls);
    }

    [Fact]
    public unsafe void Set_AcrossGrowthsAndCompaction_DataStaysCacheLineAlignedAndIntact()
    {
        // 384 floats a row is 24 cache lines, so an aligned base makes every row line-aligned.
        var segment = new VectorSegment(new ModelVersion(ModelVersionId.Create("m", "v1"), 384, DistanceMetric.DotProduct, false, DateTimeOffset.UnixEpoch));
        var random = new Random(17);
        var items = new List<(ItemEntry Item, float[] Vector)>();
        for (int i = 0; i < 300; i++)
        {
            float[] vector = TestData.RandomVector(random, 384);
            var item = new ItemEntry($"i{i}", null);
            segment.Set(item, vector);
            items.Add((item, vector));
            Assert.Equal(0, (long)Unsafe.AsPointer(ref MemoryMarshal.GetReference(segment.Data)) % 64);
        }

        for (int i = 0; i < items.Count; i += 3)
        {
            segment.Remove(items[i].Item);
        }

        segment.Compact();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);

        Assert.Equal(0, (long)Unsafe.AsPointer(ref MemoryMarshal.GetReference(segment.Data)) % 64);
        foreach ((ItemEntry item, float[] vector) in items.Where((_, i) => i % 3 != 0))
        {
            Assert.Equal(vector, segment.Row(item.RowIn(segment)).ToArray());
        }
    }

    [Fact]
    public unsafe void ReserveSetAndTrimExcess_ManyRows_CapacityAsPlannedAndRowsIntact()
    {
        var segment = new VectorSegment(new ModelVersion(ModelVersionId.Create("m", "v1"), 16, DistanceMetric.DotProduct, false, DateTimeOffset.UnixEpoch));
        var random = new Random(29);
        var vectors = new List<float[]>();
        for (int i = 0; i < 5_000; i++)
        {
            float[] vector = TestData.RandomVector(random, 16);
            segment.Set(new ItemEntry($"i{i}", null), vector);
            vectors.Add(vector);
            Assert.InRange(segment.Capacity, segment.RowCount, Math.Max(64, segment.RowCount * 2));
        }

        segment.TrimExcess();

        Assert.Equal(segment.RowCount, segment.Capacity);
        Assert.Equal(0, (long)Unsafe.AsPointer(ref MemoryMarshal.GetReference(segment.Data)) % 64);
        for (int row = 0; row < vectors.Count; row++)
        {
            Assert.Equal(vectors[row], segment.Row(row).ToArray());
        }

        segment.Set(new ItemEntry("next", null), vectors[0]);
        Assert.Equal((5_001, 10_000), (segment.RowCount, segment.Capacity));

        var reserved = new VectorSegment(new ModelVersion(ModelVersionId.Create("m", "v1"), 16, DistanceMetric.DotProduct, false, DateTimeOffset.UnixEpoch));
        reserved.Reserve(3_000);
        for (int i = 0; i < 3_000; i++)
        {
            reserved.Set(new ItemEntry($"r{i}", null), vectors[i]);
        }

        Assert.Equal((3_000, 3_000), (reserved.RowCount, reserved.Capacity));
        Assert.Equal(0, (long)Unsafe.AsPointer(ref MemoryMarshal.GetReference(reserved.Data)) % 64);
        Assert.Equal(vectors[2_999], reserved.Row(2_999).ToArray());
    }

    [Fact]
    public void Set_ExistingItem_OverwritesItsOwnRow()
    {
        VectorSegment segment = NewSegment(out RecordingIndex index);
        ItemEntry a = new("a", null), b = new("b", null);
        segment.Set(a, [1, 0]);
        segment.Set(b, [0, 1]);

        Assert.Equal(0, segment.Set(a, [0.5f, 0.5f]));
        Assert.Equal((2, 2), (segment.RowCount, segment.LiveCount));
        Assert.Equal([0.5f, 0.5f], segment.Row(0).ToArray());
        Assert.Equal("upsert 0", index.Calls[^1]);
    }

    [Fact]
    public void Compact_WithTombstones_RemapsInOrderAndTellsTheIndexes()
    {
        VectorSegment segment = NewSegment(out RecordingIndex index);
        ItemEntry[] items = [.. Enumerable.Range(0, 5).Select(i => new ItemEntry("i" + i, null))];
        for (int i = 0; i < items.Length; i++)
        {
            segment.Set(items[i], [i, 1]);
        }

        segment.Remove(items[0]);
        segment.Remove(items[3]);
        segment.Compact();

        Assert.Equal((3, 3), (segment.RowCount, segment.LiveCount));
        Assert.Equal([items[1], items[2], items[4]], Enumerable.Range(0, 3).Select(r => segment.ItemAt(r)));
        Assert.Equal([0, 1, 2], new[] { items[1], items[2], items[4] }.Select(item => item.RowIn(segment)));
        Assert.Equal([4f, 1f], segment.Row(2).ToArray());
        Assert.Equal("compact -1,0,1,-1,2 -> 3", index.Calls[^1]);
    }

    private static VectorSegment NewSegment(out RecordingIndex index)
    {
        var segment = new VectorSegment(new ModelVersion(ModelVersionId.Create("m", "v1"), 2, DistanceMetric.DotProduct, false, DateTimeOffset.UnixEpoch));
        var factory = new RecordingFactory();
        index = (RecordingIndex)segment.GetOrAddIndex(factory);
        return segment;
    }

    private sealed class RecordingFactory : IVectorIndexFactory
    {
        public IndexKind Kind { get; } = new("test-recording");

        public IVectorIndex Create(VectorSegment segment) => new RecordingIndex(Kind);

        public StoreError? Validate(IndexOptions options, EngineLimits limits) => null;
    }

    // Records what the segment tells its indexes, in order.
    private sealed class RecordingIndex(IndexKind kind) : IVectorIndex
    {
        public List<string> Calls { get; } = [];

        public IndexKind Kind => kind;

        public bool NeedsBuild => false;

        public long MemoryBytes => 0;

        public void Search(IndexSearch search, ReadOnlySpan<float> query, TopKCollector top) => throw new NotSupportedException();

        public void SearchBatch(IndexSearch search, float[] queries, TopKCollector[] tops) => throw new NotSupportedException();

        public void OnUpsert(int row, ReadOnlySpan<float> vector) => Calls.Add($"upsert {row}");

        public void OnDelete(int row) => Calls.Add($"delete {row}");

        public void OnCompacted(ReadOnlySpan<int> oldToNew, int newRowCount) => Calls.Add($"compact {string.Join(',', oldToNew.ToArray())} -> {newRowCount}");

        public void Build(VectorSegment segment, CancellationToken cancellationToken)
        {
        }

        public bool TrySave(Stream destination) => false;

        public bool TryLoad(Stream source, VectorSegment segment) => false;
    }
}
