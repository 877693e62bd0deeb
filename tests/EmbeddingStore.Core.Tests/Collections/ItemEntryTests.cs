// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Vectors;
using EmbeddingStore.Core.Versioning;

namespace EmbeddingStore.Core.Tests.Collections;

// An item's (segment, row) pairs: the first is held in the entry itself and further ones in a list, so removing the
// first must move the next one in without losing or reordering any.
public sealed class ItemEntryTests
{
    [Fact]
    public void RemoveRow_FirstOfThree_NextMovesUpOthersKeptInOrder()
    {
        VectorSegment v1 = Segment("v1"), v2 = Segment("v2"), v3 = Segment("v3");
        var item = new ItemEntry("a", null);
        item.SetRow(v1, 10);
        item.SetRow(v2, 20);
        item.SetRow(v3, 30);

        item.RemoveRow(v1);

        Assert.Equal(2, item.RowCount);
        Assert.Equal([(v2, 20), (v3, 30)], item.Rows);
        Assert.Equal((-1, 20, 30), (item.RowIn(v1), item.RowIn(v2), item.RowIn(v3)));
    }

    [Fact]
    public void SetRow_ExistingSegments_OverwritesInPlace()
    {
        VectorSegment v1 = Segment("v1"), v2 = Segment("v2");
        var item = new ItemEntry("a", null);
        item.SetRow(v1, 1);
        item.SetRow(v2, 2);

        item.SetRow(v1, 7);
        item.SetRow(v2, 8);

        Assert.Equal([(v1, 7), (v2, 8)], item.Rows);
    }

    [Fact]
    public void RemoveRow_EveryRow_NoneLeftAndNewRowsStartAgain()
    {
        VectorSegment v1 = Segment("v1"), v2 = Segment("v2");
        var item = new ItemEntry("a", null);
        item.SetRow(v1, 1);
        item.SetRow(v2, 2);

        item.RemoveRow(v2);
        item.RemoveRow(v1);
        Assert.Equal(0, item.RowCount);
        Assert.Empty(item.Rows);
        Assert.Equal(-1, item.RowIn(v1));

        item.SetRow(v2, 5);
        Assert.Equal([(v2, 5)], item.Rows);
    }

    private static VectorSegment Segment(string version) =>
        new(new ModelVersion(ModelVersionId.Create("m", version), 2, DistanceMetric.DotProduct, false, DateTimeOffset.UnixEpoch));
}
