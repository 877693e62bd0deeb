// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;

namespace EmbeddingStore.Contracts.Tests;

// The one .fvecs/.ivecs reader: round trips, and every way untrusted bytes can be wrong refused with a message that says
// how. The fuzz test mutates valid files at seeded random places and checks the reader against a slow, independent one.
public sealed class VecsFileTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "es-contracts-tests", Guid.NewGuid().ToString("N"));

    public VecsFileTests() => Directory.CreateDirectory(_directory);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 3)]
    [InlineData(100, 384)]
    public void ReadFvecs_FileWrittenByWriter_RoundTrips(int count, int dimension)
    {
        float[] data = Seeded(count + dimension, count * dimension);
        string path = File("a.fvecs");
        VecsFile.WriteFvecs(path, data, dimension);

        VecsMatrix<float> read = VecsFile.ReadFvecs(path);

        Assert.Equal(count, read.Count);
        Assert.Equal(dimension, read.Dimension);
        Assert.Equal(data, read.Data);
        Assert.Equal(data.AsSpan((count - 1) * dimension, dimension).ToArray(), read.Row(count - 1).ToArray());
        Assert.Equal(count * (4 + (4L * dimension)), new FileInfo(path).Length);
    }

    [Fact]
    public void ReadIvecs_FileWrittenByWriter_RoundTrips()
    {
        int[] ids = [5, 1, 9, 0, 2, 7];
        string path = File("gt.ivecs");
        VecsFile.WriteIvecs(path, ids, 3);

        VecsMatrix<int> read = VecsFile.ReadIvecs(path);

        Assert.Equal(2, read.Count);
        Assert.Equal(ids, read.Data);
        Assert.Equal([0, 2, 7], read.Row(1).ToArray());
    }

    [Fact]
    public void ReadFvecs_StreamWithoutLength_ReadsTheSameRows()
    {
        float[] data = Seeded(3, 5 * 4);
        using var buffer = new MemoryStream();
        VecsFile.WriteFvecs(buffer, data, 4);

        VecsMatrix<float> read = VecsFile.ReadFvecs(new ForwardOnlyStream(buffer.ToArray()), "piped");

        Assert.Equal(5, read.Count);
        Assert.Equal(data, read.Data);
    }

    [Fact]
    public void ReadFvecs_KnownBytes_AreLittleEndian()
    {
        // One 2-d row: dimension 2, then 1.0f and -2.0f, all little-endian.
        byte[] bytes = [2, 0, 0, 0, 0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0];

        VecsMatrix<float> read = VecsFile.ReadFvecs(new MemoryStream(bytes));

        Assert.Equal([1f, -2f], read.Data);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(17)]
    public void ReadFvecs_TruncatedFile_RefusedNamingTheSizes(int cutBytes)
    {
        string path = File("a.fvecs");
        VecsFile.WriteFvecs(path, Seeded(1, 40), 8);
        byte[] bytes = System.IO.File.ReadAllBytes(path);
        System.IO.File.WriteAllBytes(path, bytes[..^cutBytes]);

        InvalidDataException ex = Assert.Throws<InvalidDataException>(() => VecsFile.ReadFvecs(path));

        Assert.StartsWith(path + ": ", ex.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", ex.Message, StringComparison.Ordinal);
        Assert.Contains((bytes.Length - cutBytes).ToString(CultureInfo.InvariantCulture), ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void ReadFvecs_ShorterThanOneHeader_RefusedAsTruncated()
    {
        InvalidDataException ex = Assert.Throws<InvalidDataException>(() => VecsFile.ReadFvecs(new MemoryStream([8, 0]), "tiny"));
        Assert.Equal("tiny: 2 bytes is shorter than one row header (4 bytes); the file is truncated", ex.Message);
    }

    [Fact]
    public void ReadFvecs_RowsOfDifferentDimensions_RefusedNamingTheRow()
    {
        // Row 0 is 4-d; row 1 claims 2-d but is padded so the total length is still a multiple of 4-d rows.
        using var bytes = new MemoryStream();
        using (var writer = new BinaryWriter(bytes, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(4);
            writer.Write(new byte[16]);
            writer.Write(2);
            writer.Write(new byte[16]);
        }

        bytes.Position = 0;
        InvalidDataException ex = Assert.Throws<InvalidDataException>(() => VecsFile.ReadFvecs(bytes, "mixed.fvecs"));

        Assert.Equal("mixed.fvecs: row 1 declares dimension 2, row 0 declared 4", ex.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    [InlineData(VecsFile.MaxDimension + 1)]
    public void ReadIvecs_ImplausibleFirstDimension_Refused(int dimension)
    {
        byte[] bytes = [.. BitConverter.GetBytes(dimension), .. new byte[8]];

        InvalidDataException ex = Assert.Throws<InvalidDataException>(() => VecsFile.ReadIvecs(new MemoryStream(bytes), "odd.ivecs"));

        Assert.Contains($"declares dimension {dimension}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadFvecs_EmptyFile_RefusedAsEmpty()
    {
        string path = File("empty.fvecs");
        System.IO.File.WriteAllBytes(path, []);

        InvalidDataException ex = Assert.Throws<InvalidDataException>(() => VecsFile.ReadFvecs(path));

        Assert.Equal($"{path}: empty, no rows", ex.Message);
    }

    [Fact]
    public void ReadFvecs_MissingFile_RefusedNamingIt()
    {
        string path = File("nope.fvecs");
        FileNotFoundException ex = Assert.Throws<FileNotFoundException>(() => VecsFile.ReadFvecs(path));
        Assert.Equal($"{path}: no such file", ex.Message);
    }

    [Fact]
    public void WriteFvecs_PartialRow_Refused()
    {
        using var stream = new MemoryStream();
        Assert.Throws<ArgumentException>(() => VecsFile.WriteFvecs(stream, new float[7], 3));
        Assert.Equal(0, stream.Length);
    }

    [Fact]
    public void ReadIvecs_SeededMutations_AgreeWithAnIndependentReader()
    {
        var random = new Random(20261201);
        var original = new MemoryStream();
        VecsFile.WriteIvecs(original, Enumerable.Range(0, 6 * 5).ToArray(), 5);
        byte[] valid = original.ToArray();
        int accepted = 0, refused = 0;
        for (int round = 0; round < 2000; round++)
        {
            byte[] bytes = Mutate(valid, random);
            int[]? expected = SlowRead(bytes, out int expectedDimension);
            try
            {
                VecsMatrix<int> read = VecsFile.ReadIvecs(new MemoryStream(bytes), "fuzz");
                Assert.True(expected is not null, $"round {round}: accepted {bytes.Length} bytes the slow reader refuses");
                Assert.Equal(expected, read.Data);
                Assert.Equal(expectedDimension, read.Dimension);
                accepted++;
            }
            catch (InvalidDataException ex)
            {
                Assert.True(expected is null, $"round {round}: refused bytes the slow reader accepts: {ex.Message}");
                Assert.StartsWith("fuzz: ", ex.Message, StringComparison.Ordinal);
                refused++;
            }
        }

        // Both outcomes must actually occur, or the test proves nothing.
        Assert.True(accepted > 100 && refused > 100, $"{accepted} accepted, {refused} refused");
    }

    private static byte[] Mutate(byte[] valid, Random random)
    {
        List<byte> bytes = [.. valid];
        switch (random.Next(5))
        {
            case 0:
                // Cut anywhere, including to nothing.
                int keep = random.Next(bytes.Count + 1);
                bytes.RemoveRange(keep, bytes.Count - keep);
                break;
            case 1:
                // Overwrite a row header (every 24 bytes) with a small or wild dimension.
                bytes[24 * random.Next(6)] = (byte)random.Next(0, 12);
                break;
            case 2:
                // Flip a random byte (values and headers alike).
                bytes[random.Next(bytes.Count)] ^= (byte)(1 << random.Next(8));
                break;
            case 3:
                // Append a few stray bytes.
                bytes.AddRange(Enumerable.Range(0, random.Next(1, 30)).Select(_ => (byte)random.Next(256)));
                break;
            default:
                // Leave it valid.
                break;
        }

        return [.. bytes];
    }

    // Row by row with BinaryReader, no length arithmetic: null when the bytes are not a well-formed file.
    private static int[]? SlowRead(byte[] bytes, out int dimension)
    {
        dimension = 0;
        using var reader = new BinaryReader(new MemoryStream(bytes));
        var values = new List<int>();
        while (reader.BaseStream.Position < bytes.Length)
        {
            if (bytes.Length - reader.BaseStream.Position < 4)
            {
                return null;
            }

            int d = reader.ReadInt32();
            if (d <= 0 || d > VecsFile.MaxDimension || (dimension != 0 && d != dimension) || bytes.Length - reader.BaseStream.Position < 4L * d)
            {
                return null;
            }

            dimension = d;
            for (int i = 0; i < d; i++)
            {
                values.Add(reader.ReadInt32());
            }
        }

        return dimension == 0 ? null : [.. values];
    }

    private static float[] Seeded(int seed, int count)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1))];
    }

    private string File(string name) => Path.Combine(_directory, name);

    // A pipe-like stream: no length, no seeking.
    private sealed class ForwardOnlyStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }
    }
}
