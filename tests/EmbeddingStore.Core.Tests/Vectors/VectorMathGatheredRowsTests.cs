// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Tests.TestSupport;
using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Core.Tests.Vectors;

// The gathered kernel a graph search scores neighbours with, against the contiguous kernel bit for bit: a graph must rank
// a row exactly as the exact scan it falls back to does. CI runs this namespace again with SIMD off, so the scalar path
// is covered too.
public sealed class VectorMathGatheredRowsTests
{
    // Around every vector width and its tails, and the corpora's 384.
    public static TheoryData<int> Lengths() => [1, 3, 4, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 48, 64, 100, 383, 384, 385, 1537];

    [Theory]
    [MemberData(nameof(Lengths))]
    public void ScoreGatheredRows_ScatteredRows_BitwiseEqualToScoreRows(int length)
    {
        var random = new Random(length + 7_000);
        const int Stored = 40;
        float[] query = TestData.RandomVector(random, length);
        float[] data = TestData.RandomVector(random, length * Stored);
        foreach (DistanceMetric metric in new[] { DistanceMetric.DotProduct, DistanceMetric.CosineSimilarity, DistanceMetric.Euclidean, DistanceMetric.Manhattan })
        {
            // Every count from empty to past two four-row groups, rows in any order and repeated.
            for (int count = 0; count <= 9; count++)
            {
                int[] rows = [.. Enumerable.Range(0, count).Select(_ => random.Next(Stored))];
                var gathered = new float[count];
                VectorMath.ScoreGatheredRows(query, data, rows, metric, gathered);
                for (int i = 0; i < count; i++)
                {
                    var one = new float[1];
                    VectorMath.ScoreRows(query, data.AsSpan(rows[i] * length, length), metric, one);
                    Assert.Equal(BitConverter.SingleToInt32Bits(one[0]), BitConverter.SingleToInt32Bits(gathered[i]));
                    Assert.Equal(BitConverter.SingleToInt32Bits(one[0]), BitConverter.SingleToInt32Bits(VectorMath.ScoreRow(query, data.AsSpan(rows[i] * length, length), metric)));
                }
            }
        }
    }

    [Fact]
    public void ScoreGatheredRows_RowPastTheData_Throws()
    {
        float[] query = [1, 2, 3];
        float[] data = new float[9];
        Assert.Throws<ArgumentException>(() => VectorMath.ScoreGatheredRows(query, data, [0, 3], DistanceMetric.DotProduct, new float[2]));
        Assert.Throws<ArgumentException>(() => VectorMath.ScoreGatheredRows(query, data, [-1], DistanceMetric.DotProduct, new float[1]));
        Assert.Throws<ArgumentException>(() => VectorMath.ScoreGatheredRows(query, data, [0, 1], DistanceMetric.DotProduct, new float[1]));
        Assert.Throws<ArgumentException>(() => VectorMath.ScoreGatheredRows([], data, [0], DistanceMetric.DotProduct, new float[1]));
    }
}
