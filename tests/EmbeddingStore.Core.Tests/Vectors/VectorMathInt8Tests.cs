// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Core.Tests.Vectors;

public sealed class VectorMathInt8Tests
{
    public static TheoryData<int> Lengths() => VectorMathTests.Lengths();

    [Theory]
    [MemberData(nameof(Lengths))]
    public void DotRowsInt8_AnyLength_EqualsScalarReferenceExactly(int length)
    {
        var random = new Random(length + 5_000);
        const int Rows = 6;
        var query = new sbyte[length];
        var rows = new byte[length * Rows];
        for (int i = 0; i < length; i++)
        {
            // The extremes (-127, 127; 0, 255) included, so any overflow in a lane would show.
            query[i] = (sbyte)random.Next(-127, 128);
        }

        random.NextBytes(rows);
        if (length > 0)
        {
            query[0] = -127;
            rows[0] = 255;
        }

        var scores = new int[Rows];
        VectorMath.DotRowsInt8(query, rows, scores);

        for (int r = 0; r < Rows; r++)
        {
            long expected = 0;
            for (int i = 0; i < length; i++)
            {
                expected += rows[(r * length) + i] * (long)query[i];
            }

            Assert.Equal(expected, scores[r]);
        }
    }

    [Fact]
    public void DotRowsInt8_RowsShorterThanScores_Throws()
    {
        Assert.Throws<ArgumentException>(() => VectorMath.DotRowsInt8(new sbyte[4], new byte[7], new int[2]));
    }
}
