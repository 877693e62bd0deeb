// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Tests.TestSupport;
using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Core.Tests.Vectors;

public sealed class VectorMathTests
{
    private static readonly int[] LengthValues = [.. Enumerable.Range(0, 301), 383, 385, 767, 1023, 1537, 4099];

    public static TheoryData<int> Lengths() => new(LengthValues);

    // Row scoring needs at least one dimension (a zero-length row has no row count), so those theories start at 1.
    public static TheoryData<int> PositiveLengths() => new(LengthValues.Where(n => n > 0));

    [Theory]
    [MemberData(nameof(Lengths))]
    public void SquaredEuclidean_AnyLength_MatchesScalarReference(int length)
    {
        var random = new Random(length + 17);
        float[] x = TestData.RandomVector(random, length);
        float[] y = TestData.RandomVector(random, length);
        double expected = 0;
        for (int i = 0; i < length; i++)
        {
            double d = (double)x[i] - y[i];
            expected += d * d;
        }

        float actual = VectorMath.SquaredEuclidean(x, y);
        Assert.Equal(expected, actual, (1e-5 * expected) + 1e-6);
    }

    [Theory]
    [MemberData(nameof(PositiveLengths))]
    public void ScoreRows_DotAndEuclidean_MatchScalarReference(int length)
    {
        var random = new Random(length + 99);
        const int Rows = 5;
        float[] query = TestData.RandomVector(random, length);
        float[] rows = TestData.RandomVector(random, length * Rows);
        var dot = new float[Rows];
        var l2 = new float[Rows];
        VectorMath.ScoreRows(query, rows, DistanceMetric.DotProduct, dot);
        VectorMath.ScoreRows(query, rows, DistanceMetric.Euclidean, l2);
        for (int r = 0; r < Rows; r++)
        {
            double expectedDot = 0, expectedL2 = 0, magnitude = 0;
            for (int i = 0; i < length; i++)
            {
                double a = query[i], b = rows[(r * length) + i];
                expectedDot += a * b;
                magnitude += Math.Abs(a * b);
                expectedL2 += (a - b) * (a - b);
            }

            Assert.Equal(expectedDot, dot[r], (1e-5 * magnitude) + 1e-6);
            Assert.Equal(-expectedL2, l2[r], (1e-5 * expectedL2) + 1e-6);
        }
    }

    [Theory]
    [MemberData(nameof(PositiveLengths))]
    public void ScoreRows_Manhattan_MatchesNegatedScalarL1(int length)
    {
        var random = new Random(length + 199);
        const int Rows = 5;
        float[] query = TestData.RandomVector(random, length);
        float[] rows = TestData.RandomVector(random, length * Rows);
        var l1 = new float[Rows];
        VectorMath.ScoreRows(query, rows, DistanceMetric.Manhattan, l1);
        for (int r = 0; r < Rows; r++)
        {
            double expected = 0;
            for (int i = 0; i < length; i++)
            {
                expected += Math.Abs((double)query[i] - rows[(r * length) + i]);
            }

            Assert.Equal(-expected, l1[r], (1e-5 * expected) + 1e-6);
            Assert.Equal(l1[r], ScoreMapping.ToPublicScore(DistanceMetric.Manhattan, l1[r]));
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void AllFinite_NonFiniteAtAnyPosition_ReturnsFalse(int length)
    {
        var random = new Random(length);
        float[] v = TestData.RandomVector(random, length);
        Assert.True(VectorMath.AllFinite(v));
        if (length == 0)
        {
            return;
        }

        // Every position, so both the SIMD body and the scalar tail are exercised.
        float[] specials = [float.NaN, float.PositiveInfinity, float.NegativeInfinity];
        for (int i = 0; i < length; i++)
        {
            float saved = v[i];
            v[i] = specials[i % specials.Length];
            Assert.False(VectorMath.AllFinite(v), $"non-finite at {i} of {length} was not detected");
            v[i] = saved;
        }
    }

    [Fact]
    public void TryNormalize_ZeroVector_ReturnsFalse()
    {
        Assert.False(VectorMath.TryNormalize(new float[8]));
    }

    [Fact]
    public void TryNormalize_NonZeroVector_HasUnitNorm()
    {
        float[] v = [3, 4, 0, 0, 0, 0, 0, 0, 12];
        Assert.True(VectorMath.TryNormalize(v));
        Assert.Equal(1.0, VectorMath.Norm(v), 1e-6);
        Assert.Equal(3f / 13f, v[0], 1e-6f);
    }

    [Fact]
    public void ScoreRows_RowsShorterThanScores_Throws()
    {
        Assert.Throws<ArgumentException>(() => VectorMath.ScoreRows(new float[4], new float[7], DistanceMetric.DotProduct, new float[2]));
    }
}
