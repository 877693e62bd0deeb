// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Buffers.Binary;
using EmbeddingStore.Core.Versioning;

namespace EmbeddingStore.Core.Tests.Versioning;

public sealed class VectorBridgeTests
{
    public static TheoryData<BridgeKind> AllKinds() =>
    [
        BridgeKind.Identity, BridgeKind.Procrustes, BridgeKind.ScaledProcrustes, BridgeKind.Ridge, BridgeKind.LowRankAffine,
        BridgeKind.RandomFourierRidge,
    ];

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Deserialize_SerializedBridge_AppliesBitIdentically(BridgeKind kind)
    {
        (VectorBridge bridge, float[] x, int n) = SmallBridge(kind, 8, 8, normalize: kind == BridgeKind.Ridge);

        VectorBridge copy = VectorBridge.Deserialize(bridge.Serialize());

        Assert.Equal(bridge.GetType(), copy.GetType());
        Assert.Equal(bridge.Kind, copy.Kind);
        Assert.Equal(bridge.NormalizesOutput, copy.NormalizesOutput);
        Assert.Equal(bridge.FitPairs, copy.FitPairs);
        Assert.Equal(bridge.Serialize(), copy.Serialize());
        float[] expected = BridgeTestData.ApplyAll(bridge, x, n);
        float[] actual = BridgeTestData.ApplyAll(copy, x, n);
        Assert.Equal(BitsOf(expected), BitsOf(actual));
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Deserialize_EveryTruncation_ThrowsInvalidData(BridgeKind kind)
    {
        byte[] bytes = SmallBridge(kind, 3, 3, normalize: false).Bridge.Serialize();

        for (int length = 0; length < bytes.Length; length++)
        {
            Assert.Throws<InvalidDataException>(() => VectorBridge.Deserialize(bytes.AsSpan(0, length)));
        }
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Deserialize_EveryCorruptedByte_ThrowsInvalidData(BridgeKind kind)
    {
        byte[] bytes = SmallBridge(kind, 3, 3, normalize: false).Bridge.Serialize();

        for (int i = 0; i < bytes.Length; i++)
        {
            byte[] corrupt = (byte[])bytes.Clone();
            corrupt[i] ^= 0x5A;
            Assert.Throws<InvalidDataException>(() => VectorBridge.Deserialize(corrupt));
        }
    }

    [Fact]
    public void Deserialize_TrailingBytes_ThrowsInvalidData()
    {
        byte[] bytes = new IdentityBridge(4).Serialize();
        byte[] longer = [.. bytes, 0];

        Assert.Throws<InvalidDataException>(() => VectorBridge.Deserialize(longer));
    }

    [Fact]
    public void Deserialize_UnknownFormatVersion_ThrowsNamingTheVersion()
    {
        byte[] bytes = new IdentityBridge(4).Serialize();
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(4), 99);
        RewriteChecksum(bytes);

        var exception = Assert.Throws<InvalidDataException>(() => VectorBridge.Deserialize(bytes));

        Assert.Contains("99", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deserialize_HugeDimensionWithValidChecksum_ThrowsWithoutAllocating()
    {
        // A forged header claiming 60,000 × 60,000 floats must fail on the length check, not allocate 14 GB.
        byte[] bytes = SmallBridge(BridgeKind.Ridge, 3, 3, normalize: false).Bridge.Serialize();
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), 60_000);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(12), 60_000);
        RewriteChecksum(bytes);

        Assert.Throws<InvalidDataException>(() => VectorBridge.Deserialize(bytes));
    }

    [Fact]
    public void Apply_WrongLengths_ThrowsNamingBothLengths()
    {
        var bridge = new IdentityBridge(4);

        var exception = Assert.Throws<ArgumentException>(() => bridge.Apply(new float[3], new float[4]));

        Assert.Contains("4", exception.Message, StringComparison.Ordinal);
        Assert.Contains("3", exception.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => bridge.Apply(new float[4], new float[5]));
        Assert.Throws<ArgumentException>(() => bridge.ApplyBatch(new float[8], 3, new float[12]));
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void ApplyBatch_AnyKind_EqualsRowByRowApply(BridgeKind kind)
    {
        (VectorBridge bridge, float[] x, int n) = SmallBridge(kind, 8, 8, normalize: true);

        float[] batch = BridgeTestData.ApplyAll(bridge, x, n);
        var single = new float[batch.Length];
        for (int i = 0; i < n; i++)
        {
            bridge.Apply(x.AsSpan(i * 8, 8), single.AsSpan(i * 8, 8));
        }

        Assert.Equal(BitsOf(single), BitsOf(batch));
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Apply_AfterWarmUp_AllocatesNothing(BridgeKind kind)
    {
        (VectorBridge bridge, float[] x, _) = SmallBridge(kind, 8, 8, normalize: true);
        var destination = new float[8];
        bridge.Apply(x.AsSpan(0, 8), destination);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            bridge.Apply(x.AsSpan((i % 10) * 8, 8), destination);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Apply_ConcurrentCallers_GetTheSameResults()
    {
        (VectorBridge bridge, float[] x, int n) = SmallBridge(BridgeKind.RandomFourierRidge, 8, 8, normalize: true);
        float[] expected = BridgeTestData.ApplyAll(bridge, x, n);

        var results = new float[4][];
        Parallel.For(0, 4, t =>
        {
            var output = new float[n * 8];
            for (int repeat = 0; repeat < 50; repeat++)
            {
                for (int i = 0; i < n; i++)
                {
                    bridge.Apply(x.AsSpan(i * 8, 8), output.AsSpan(i * 8, 8));
                }
            }

            results[t] = output;
        });

        foreach (float[] result in results)
        {
            Assert.Equal(BitsOf(expected), BitsOf(result));
        }
    }

    [Theory]
    [InlineData(BridgeKind.Procrustes)]
    [InlineData(BridgeKind.ScaledProcrustes)]
    [InlineData(BridgeKind.Identity)]
    public void TryInvert_OrthogonalKinds_InverseUndoesTheMap(BridgeKind kind)
    {
        (VectorBridge bridge, float[] x, int n) = SmallBridge(kind, 8, 8, normalize: false);

        Assert.True(bridge.TryInvert(out VectorBridge? inverse));
        float[] roundTrip = BridgeTestData.ApplyAll(inverse, BridgeTestData.ApplyAll(bridge, x, n), n);

        Assert.True(BridgeTestData.MaxAbsDifference(roundTrip, x) <= 1e-4, $"max error {BridgeTestData.MaxAbsDifference(roundTrip, x)}");
    }

    [Theory]
    [InlineData(BridgeKind.Ridge)]
    [InlineData(BridgeKind.LowRankAffine)]
    [InlineData(BridgeKind.RandomFourierRidge)]
    public void TryInvert_RegressionKinds_ReturnsFalse(BridgeKind kind)
    {
        VectorBridge bridge = SmallBridge(kind, 8, 8, normalize: false).Bridge;

        Assert.False(bridge.TryInvert(out VectorBridge? inverse));
        Assert.Null(inverse);
    }

    [Fact]
    public void TryInvert_SemiOrthogonalProcrustes_ReturnsFalse()
    {
        var random = new Random(201);
        VectorBridge bridge = BridgeFitter.Fit(BridgeKind.Procrustes, BridgeTestData.Cloud(random, 50, 6), 6, BridgeTestData.Cloud(random, 50, 4), 4);

        Assert.False(bridge.TryInvert(out _));
    }

    internal static (VectorBridge Bridge, float[] X, int N) SmallBridge(BridgeKind kind, int ds, int dt, bool normalize)
    {
        const int N = 40;
        var random = new Random(300 + (int)kind);
        float[] x = BridgeTestData.Cloud(random, N, ds);
        float[] y = BridgeTestData.Cloud(random, N, dt);
        var options = new BridgeFitOptions { FourierFeatures = 6, NormalizeOutput = normalize };
        return (BridgeFitter.Fit(kind, x, ds, y, dt, options), x, N);
    }

    private static int[] BitsOf(float[] values) => [.. values.Select(BitConverter.SingleToInt32Bits)];

    private static void RewriteChecksum(byte[] bytes)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in bytes.AsSpan(0, bytes.Length - 4))
        {
            crc ^= b;
            for (int bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }
        }

        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4), ~crc);
    }
}
