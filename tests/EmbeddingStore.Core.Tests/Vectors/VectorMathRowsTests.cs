// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Tests.TestSupport;
using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Core.Tests.Vectors;

// The fused row kernels against a double-precision scalar reference, and the batched kernel against the single-query
// kernel bit for bit. CI runs this namespace again with DOTNET_EnableHWIntrinsic=0, so the scalar paths are covered too.
public sealed class VectorMathRowsTests
{
    // Enough rows to cover the four-row groups and every remainder of them.
    private const int Rows = 7;

    public static TheoryData<int> Lengths() => VectorMathTests.Lengths();

    [Theory]
    [MemberData(nameof(Lengths))]
    public void DotRows_AnyLength_MatchesScalarReference(int length)
    {
        var random = new Random(length + 1_000);
        float[] query = TestData.RandomVector(random, length);
        float[] rows = TestData.RandomVector(random, length * Rows);
        var scores = new float[Rows];

        VectorMath.DotRows(query, rows, scores);

        for (int r = 0; r < Rows; r++)
        {
            double expected = 0, magnitude = 0;
            for (int i = 0; i < length; i++)
            {
                double p = (double)query[i] * rows[(r * length) + i];
                expected += p;
                magnitude += Math.Abs(p);
            }

            Assert.Equal(expected, scores[r], (1e-5 * magnitude) + 1e-6);
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void SquaredEuclideanRows_AnyLength_MatchesScalarReference(int length)
    {
        var random = new Random(length + 2_000);
        float[] query = TestData.RandomVector(random, length);
        float[] rows = TestData.RandomVector(random, length * Rows);
        var distances = new float[Rows];

        VectorMath.SquaredEuclideanRows(query, rows, distances);

        for (int r = 0; r < Rows; r++)
        {
            double expected = 0;
            for (int i = 0; i < length; i++)
            {
                double d = (double)query[i] - rows[(r * length) + i];
                expected += d * d;
            }

            Assert.Equal(expected, distances[r], (1e-5 * expected) + 1e-6);
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void DotRows_EachRow_EqualsSingleRowCallBitwise(int length)
    {
        // The four-row groups and the one-row remainder loop must sum in the same order.
        var random = new Random(length + 3_000);
        float[] query = TestData.RandomVector(random, length);
        float[] rows = TestData.RandomVector(random, length * Rows);
        var scores = new float[Rows];
        VectorMath.DotRows(query, rows, scores);

        var one = new float[1];
        for (int r = 0; r < Rows; r++)
        {
            VectorMath.DotRows(query, rows.AsSpan(r * length, length), one);
            Assert.Equal(BitConverter.SingleToInt32Bits(one[0]), BitConverter.SingleToInt32Bits(scores[r]));
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void ScoreRowsBatch_AnyLength_EqualsSingleQueryBitwise(int length)
    {
        if (length == 0)
        {
            return;
        }

        var random = new Random(length + 4_000);
        foreach (DistanceMetric metric in new[] { DistanceMetric.DotProduct, DistanceMetric.Euclidean, DistanceMetric.Manhattan })
        {
            // 9 queries: two full blocks of four and one left over; 5 rows: pairs and an odd last row. 17 × 70: two full
            // packed tiles of 8 queries and one of 1, two full 32-row tiles and a partial panel.
            foreach ((int queryCount, int rowCount) in new[] { (9, 5), (4, 2), (3, 1), (8, 0), (17, 70), (8, 32), (1, 16) })
            {
                float[] queries = TestData.RandomVector(random, length * queryCount);
                float[] rows = TestData.RandomVector(random, length * rowCount);
                var batched = new float[queryCount * rowCount];
                VectorMath.ScoreRowsBatch(queries, length, rows, rowCount, metric, batched);

                var single = new float[rowCount];
                for (int q = 0; q < queryCount; q++)
                {
                    VectorMath.ScoreRows(queries.AsSpan(q * length, length), rows, metric, single);
                    for (int r = 0; r < rowCount; r++)
                    {
                        Assert.True(
                            BitConverter.SingleToInt32Bits(single[r]) == BitConverter.SingleToInt32Bits(batched[(q * rowCount) + r]),
                            $"{metric}, query {q} of {queryCount}, row {r}: batched {batched[(q * rowCount) + r]:R} vs single {single[r]:R}");
                    }
                }
            }
        }
    }

    [Fact]
    public void ScoreRowsBatch_QueriesNotMultipleOfDimension_Throws()
    {
        Assert.Throws<ArgumentException>(() => VectorMath.ScoreRowsBatch(new float[7], 4, new float[8], 2, DistanceMetric.DotProduct, new float[2]));
    }

    [Fact]
    public void ScoreRowsBatch_ScoresTooShort_Throws()
    {
        Assert.Throws<ArgumentException>(() => VectorMath.ScoreRowsBatch(new float[8], 4, new float[8], 2, DistanceMetric.DotProduct, new float[3]));
    }

    [Fact]
    public void DotRows_RowsShorterThanScores_Throws()
    {
        Assert.Throws<ArgumentException>(() => VectorMath.DotRows(new float[4], new float[7], new float[2]));
    }
}
