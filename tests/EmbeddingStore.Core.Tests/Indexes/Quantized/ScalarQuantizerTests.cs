// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Indexes;
using EmbeddingStore.Core.Indexes.Quantized;
using EmbeddingStore.Core.Tests.TestSupport;
using EmbeddingStore.Core.Vectors;
using EmbeddingStore.Core.Versioning;

namespace EmbeddingStore.Core.Tests.Indexes.Quantized;

public sealed class ScalarQuantizerTests
{
    [Fact]
    public void Encode_ValuesInsideTrainedRange_NoneClampedAndEndsMapToEndCodes()
    {
        float[] data = [0f, -1f, 10f, 1f, 3f, 5f];
        ScalarQuantizer quantizer = ScalarQuantizer.Train(data, dimension: 3, count: 2);
        var codes = new byte[3];

        Assert.Equal(0, quantizer.Encode([0f, -1f, 5f], codes));
        Assert.Equal([0, 0, 0], codes);
        Assert.Equal(0, quantizer.Encode([1f, 3f, 10f], codes));
        Assert.Equal([255, 255, 255], codes);
    }

    [Fact]
    public void Encode_ValuesOutsideTrainedRange_ClampedAndCounted()
    {
        ScalarQuantizer quantizer = ScalarQuantizer.Train([0f, 0f, 1f, 1f], dimension: 2, count: 2);
        var codes = new byte[2];

        Assert.Equal(2, quantizer.Encode([-5f, 7f], codes));
        Assert.Equal([0, 255], codes);
    }

    [Theory]
    [InlineData(16)]
    [InlineData(384)]
    [InlineData(1001)]
    public void PrepareQuery_SeededData_ApproximatesDotProduct(int dimension)
    {
        // The reconstruction error is bounded by half a step per stored value and per query weight; on [-1, 1] data
        // that is well under 2 % of the dot product's magnitude.
        var random = new Random(dimension);
        const int Rows = 50;
        float[] data = TestData.RandomVector(random, Rows * dimension);
        ScalarQuantizer quantizer = ScalarQuantizer.Train(data, dimension, Rows);
        float[] query = TestData.RandomVector(random, dimension);
        var q = new sbyte[dimension];
        quantizer.PrepareQuery(query, q, out float scale, out float offset);

        var codes = new byte[dimension];
        var dot = new int[1];
        for (int r = 0; r < Rows; r++)
        {
            ReadOnlySpan<float> row = data.AsSpan(r * dimension, dimension);
            quantizer.Encode(row, codes);
            VectorMath.DotRowsInt8(q, codes, dot);
            double exact = 0, magnitude = 0;
            for (int i = 0; i < dimension; i++)
            {
                exact += (double)query[i] * row[i];
                magnitude += Math.Abs((double)query[i] * row[i]);
            }

            double approx = offset + ((double)scale * dot[0]);
            Assert.True(Math.Abs(approx - exact) <= 0.02 * magnitude, $"row {r}: approx {approx} vs exact {exact} (magnitude {magnitude})");
        }
    }

    [Fact]
    public void PrepareQuery_GatheredKernelLevels_CodesWithinItsLimitAndStillApproximate()
    {
        const int Dimension = 384;
        const int Rows = 50;
        var random = new Random(64);
        float[] data = TestData.RandomVector(random, Rows * Dimension);
        ScalarQuantizer quantizer = ScalarQuantizer.Train(data, Dimension, Rows);
        float[] query = TestData.RandomVector(random, Dimension);
        var q = new sbyte[Dimension];
        quantizer.PrepareQuery(query, q, out float scale, out float offset, VectorMath.GatheredCodeQueryLimit);
        Assert.All(q, code => Assert.InRange(code, -VectorMath.GatheredCodeQueryLimit, VectorMath.GatheredCodeQueryLimit));
        Assert.Contains(q, code => Math.Abs((int)code) == VectorMath.GatheredCodeQueryLimit);

        // Half the query levels double the query's rounding error: still within 3 % of the magnitude here.
        var codes = new byte[Dimension];
        var dot = new int[1];
        for (int r = 0; r < Rows; r++)
        {
            ReadOnlySpan<float> row = data.AsSpan(r * Dimension, Dimension);
            quantizer.Encode(row, codes);
            VectorMath.DotGatheredCodes(q, codes, [0], dot);
            double exact = 0, magnitude = 0;
            for (int i = 0; i < Dimension; i++)
            {
                exact += (double)query[i] * row[i];
                magnitude += Math.Abs((double)query[i] * row[i]);
            }

            double approx = offset + ((double)scale * dot[0]);
            Assert.True(Math.Abs(approx - exact) <= 0.03 * magnitude, $"row {r}: approx {approx} vs exact {exact} (magnitude {magnitude})");
        }
    }

    [Fact]
    public void NeedsRetraining_ManyClampedRowsOrDoubledSize_True()
    {
        var version = new ModelVersion(ModelVersionId.Create("m", "v1"), 2, DistanceMetric.DotProduct, false, DateTimeOffset.UnixEpoch);
        var segment = new VectorSegment(version);
        for (int i = 0; i < 100; i++)
        {
            segment.Set(new ItemEntry("a" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), null), [i % 2, 1f]);
        }

        // Through the index seam: never built, then built on the write side, then kept up to date by every Set.
        IVectorIndex index = segment.GetOrAddIndex(new Int8IndexFactory());
        Assert.True(index.NeedsBuild);
        index.Build(segment, CancellationToken.None);
        Assert.False(index.NeedsBuild);

        // Nine rows outside the trained range: more than max(8, count / 32) clamped rows since training.
        for (int i = 0; i < 9; i++)
        {
            segment.Set(new ItemEntry("far" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), null), [50f, -50f]);
        }

        Assert.True(index.NeedsBuild);
        index.Build(segment, CancellationToken.None);
        Assert.False(index.NeedsBuild);

        // Growth alone: twice the trained size and at least 1,024 new rows.
        for (int i = 0; i < 1_200; i++)
        {
            segment.Set(new ItemEntry("g" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), null), [0.5f, 0.5f]);
        }

        Assert.True(index.NeedsBuild);
    }
}
