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

    [Theory]
    [MemberData(nameof(Lengths))]
    public void DotGatheredCodes_ScatteredRowsAnyLength_EqualsScalarReferenceExactly(int length)
    {
        const int Rows = 40;
        if (length == 0)
        {
            // Rows of no codes have no address: refused rather than scored as zero.
            Assert.Throws<ArgumentException>(() => VectorMath.DotGatheredCodes([], new byte[Rows], [0], new int[1]));
            return;
        }

        var random = new Random(length + 6_000);
        int limit = VectorMath.GatheredCodeQueryLimit;
        var query = new sbyte[length];
        var codes = new byte[length * Rows];
        for (int i = 0; i < length; i++)
        {
            query[i] = (sbyte)random.Next(-limit, limit + 1);
        }

        random.NextBytes(codes);

        // The worst case of the 16-bit pair sums: a row of 255s against a query of ±limit, so a saturating lane would show.
        for (int i = 0; i < length; i++)
        {
            codes[(7 * length) + i] = 255;
        }

        if (length > 1)
        {
            query[0] = (sbyte)limit;
            query[1] = (sbyte)limit;
        }

        // Scattered, repeated and out of order, an odd count so the two-row passes leave one row over.
        int[] rows = [7, 3, 39, 0, 7, 21, 12, 38, 5];
        var dots = new int[rows.Length];
        VectorMath.DotGatheredCodes(query, codes, rows, dots);

        for (int r = 0; r < rows.Length; r++)
        {
            long expected = 0;
            for (int i = 0; i < length; i++)
            {
                expected += codes[(rows[r] * length) + i] * (long)query[i];
            }

            Assert.Equal(expected, dots[r]);
        }
    }

    [Fact]
    public void DotGatheredCodes_RowPastTheCodes_Throws()
    {
        Assert.Throws<ArgumentException>(() => VectorMath.DotGatheredCodes(new sbyte[4], new byte[8], [2], new int[1]));
    }

    [Fact]
    public void DotRowsInt8_RowsShorterThanScores_Throws()
    {
        Assert.Throws<ArgumentException>(() => VectorMath.DotRowsInt8(new sbyte[4], new byte[7], new int[2]));
    }
}
