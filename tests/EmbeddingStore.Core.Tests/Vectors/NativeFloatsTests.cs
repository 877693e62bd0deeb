// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Core.Tests.Vectors;

public sealed class NativeFloatsTests
{
    [Fact]
    public void Resize_GrowingPastTheMapThresholdRemappingAndShrinking_KeepsThePrefixAligned()
    {
        var block = new NativeFloats();
        var random = new Random(41);
        float[] expected = new float[1_000_000];
        for (int i = 0; i < expected.Length; i++)
        {
            expected[i] = (float)random.NextDouble();
        }

        // 4 KB from the C heap, then 2 MB and 4 MB (mapped on Linux: a fresh mapping, then a remap), then back to 16 KB.
        long[] sizes = [1_000, 500_000, 1_000_000, 4_000];
        long written = 0;
        foreach (long size in sizes)
        {
            block.Resize(size, Math.Min(written, size));
            written = Math.Min(written, size);
            Assert.Equal(size, block.Capacity);
            Assert.Equal(0u, block.Address % NativeFloats.Alignment);
            Assert.Equal(OperatingSystem.IsLinux() && size * sizeof(float) >= 1 << 20, block.IsMapped);
            Assert.Equal(expected.AsSpan(0, (int)written).ToArray(), block.Slice(0, (int)written).ToArray());

            expected.AsSpan((int)written, (int)(size - written)).CopyTo(block.Slice(written, (int)(size - written)));
            written = size;
        }

        block.Resize(0, 0);
        Assert.Equal((0L, 0L), (block.Capacity, block.ReservedBytes));
    }

    [Fact]
    public void Slice_BeyondCapacity_ThrowsAndResizeRefusesToKeepMoreThanItHas()
    {
        var block = new NativeFloats();
        block.Resize(100, 0);

        Assert.Throws<ArgumentOutOfRangeException>(() => block.Slice(90, 11));
        Assert.Throws<ArgumentOutOfRangeException>(() => block.Slice(-1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => block.Resize(200, 101));
        Assert.Throws<ArgumentOutOfRangeException>(() => block.Resize(50, 60));
        Assert.Equal(100, block.Capacity);
    }
}
