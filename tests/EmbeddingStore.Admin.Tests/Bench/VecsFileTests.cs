// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

extern alias admin;

using admin::EmbeddingStore.Admin.Bench;

namespace EmbeddingStore.Admin.Tests.Bench;

public sealed class VecsFileTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 3)]
    [InlineData(100, 384)]
    public void ReadFvecs_FileWrittenByWriter_RoundTrips(int count, int dimension)
    {
        using var files = new TempFiles();
        float[] data = TempFiles.Seeded(count + dimension, count * dimension);
        VecsFile.WriteFvecs(files["a.fvecs"], data, dimension);

        VecsMatrix<float> read = VecsFile.ReadFvecs(files["a.fvecs"]);

        Assert.Equal(count, read.Count);
        Assert.Equal(dimension, read.Dimension);
        Assert.Equal(data, read.Data);
        Assert.Equal((count * (4 + (4L * dimension))), new FileInfo(files["a.fvecs"]).Length);
    }

    [Fact]
    public void ReadIvecs_FileWrittenByWriter_RoundTrips()
    {
        using var files = new TempFiles();
        int[] ids = [5, 1, 9, 0, 2, 7];
        VecsFile.WriteIvecs(files["gt.ivecs"], ids, 3);

        VecsMatrix<int> read = VecsFile.ReadIvecs(files["gt.ivecs"]);

        Assert.Equal(2, read.Count);
        Assert.Equal(ids, read.Data);
        Assert.Equal([0, 2, 7], read.Row(1).ToArray());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(17)]
    public void ReadFvecs_TruncatedFile_RefusedNamingTheSizes(int cutBytes)
    {
        using var files = new TempFiles();
        VecsFile.WriteFvecs(files["a.fvecs"], TempFiles.Seeded(1, 40), 8);
        byte[] bytes = File.ReadAllBytes(files["a.fvecs"]);
        File.WriteAllBytes(files["a.fvecs"], bytes[..^cutBytes]);

        var ex = Assert.Throws<BenchInputException>(() => VecsFile.ReadFvecs(files["a.fvecs"]));

        Assert.Contains("truncated", ex.Message, StringComparison.Ordinal);
        Assert.Contains((bytes.Length - cutBytes).ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void ReadFvecs_RowsOfDifferentDimensions_RefusedNamingTheRow()
    {
        using var files = new TempFiles();

        // Row 0 is 4-d; row 1 claims 2-d but is padded so the total length is still a multiple of 4-d rows.
        using (var writer = new BinaryWriter(File.Create(files["mixed.fvecs"])))
        {
            writer.Write(4);
            for (int i = 0; i < 4; i++)
            {
                writer.Write(1f);
            }

            writer.Write(2);
            for (int i = 0; i < 4; i++)
            {
                writer.Write(1f);
            }
        }

        var ex = Assert.Throws<BenchInputException>(() => VecsFile.ReadFvecs(files["mixed.fvecs"]));

        Assert.Contains("row 1 declares dimension 2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadFvecs_EmptyFile_Refused()
    {
        using var files = new TempFiles();
        File.WriteAllBytes(files["empty.fvecs"], []);
        Assert.Throws<BenchInputException>(() => VecsFile.ReadFvecs(files["empty.fvecs"]));
    }

    [Fact]
    public void ReadFvecs_MissingFile_Refused()
    {
        using var files = new TempFiles();
        var ex = Assert.Throws<BenchInputException>(() => VecsFile.ReadFvecs(files["nope.fvecs"]));
        Assert.Contains("no such file", ex.Message, StringComparison.Ordinal);
    }
}
