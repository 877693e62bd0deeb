// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace EmbeddingStore.Contracts;

/// <summary>
/// Reads and writes the TEXMEX <c>.fvecs</c>/<c>.ivecs</c> files of the ANN benchmarks (SIFT, GIST, the shared data), the
/// format FAISS, hnswlib and USearch read too, so the same files can be loaded into EmbeddingStore and compared with them.
/// The one reader of the repository: <c>esadmin bench</c>, the samples and the tests all use it.
/// </summary>
/// <remarks>
/// <para>Every row is a little-endian int32 dimension followed by that many little-endian float32 (<c>.fvecs</c>) or
/// int32 (<c>.ivecs</c>) values. Nothing else marks the end of a file, so its bytes are treated as untrusted: a file
/// that is empty, truncated, or whose rows declare different dimensions is refused with an
/// <see cref="InvalidDataException"/> naming the row, the dimensions or the sizes. A benchmark over half a file would
/// report figures that look right and are not.</para>
/// <para>Values are not checked: NaN and infinities are read as they are (the server refuses them on upsert).</para>
/// </remarks>
public static class VecsFile
{
    /// <summary>
    /// The largest dimension accepted in a row header (2^20). Real embeddings have at most a few thousand; a larger
    /// number is almost always a file of another format, and refusing it early avoids a huge allocation.
    /// </summary>
    public const int MaxDimension = 1 << 20;

    /// <summary>Reads a whole <c>.fvecs</c> file of float vectors.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The vectors, one row each.</returns>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file is empty, truncated, or mixes dimensions.</exception>
    public static VecsMatrix<float> ReadFvecs(string path) => ReadFile<float>(path);

    /// <summary>Reads a whole <c>.ivecs</c> file of int rows (typically ground-truth neighbour ids).</summary>
    /// <param name="path">The file.</param>
    /// <returns>The rows.</returns>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file is empty, truncated, or mixes dimensions.</exception>
    public static VecsMatrix<int> ReadIvecs(string path) => ReadFile<int>(path);

    /// <summary>Reads <c>.fvecs</c> rows from a stream up to its end.</summary>
    /// <param name="stream">Read from its position to its end; not disposed.</param>
    /// <param name="name">What the stream is, for error messages (a file name or URL).</param>
    /// <returns>The vectors.</returns>
    /// <exception cref="InvalidDataException">The bytes are empty, truncated, or mix dimensions.</exception>
    public static VecsMatrix<float> ReadFvecs(Stream stream, string name = "stream") => Read<float>(stream, name);

    /// <summary>Reads <c>.ivecs</c> rows from a stream up to its end.</summary>
    /// <param name="stream">Read from its position to its end; not disposed.</param>
    /// <param name="name">What the stream is, for error messages.</param>
    /// <returns>The rows.</returns>
    /// <exception cref="InvalidDataException">The bytes are empty, truncated, or mix dimensions.</exception>
    public static VecsMatrix<int> ReadIvecs(Stream stream, string name = "stream") => Read<int>(stream, name);

    /// <summary>Writes row-major float vectors as an <c>.fvecs</c> file, replacing any file of that name.</summary>
    /// <param name="path">The file.</param>
    /// <param name="data">A whole number of rows of <paramref name="dimension"/> values.</param>
    /// <param name="dimension">The values per row.</param>
    public static void WriteFvecs(string path, ReadOnlySpan<float> data, int dimension) => WriteFile(path, data, dimension);

    /// <summary>Writes row-major int rows (e.g. ground-truth ids) as an <c>.ivecs</c> file, replacing any file of that name.</summary>
    /// <param name="path">The file.</param>
    /// <param name="data">A whole number of rows of <paramref name="dimension"/> values.</param>
    /// <param name="dimension">The values per row.</param>
    public static void WriteIvecs(string path, ReadOnlySpan<int> data, int dimension) => WriteFile(path, data, dimension);

    /// <summary>Writes row-major float vectors in the <c>.fvecs</c> format to a stream.</summary>
    /// <param name="stream">Written at its position; not disposed.</param>
    /// <param name="data">A whole number of rows of <paramref name="dimension"/> values.</param>
    /// <param name="dimension">The values per row.</param>
    public static void WriteFvecs(Stream stream, ReadOnlySpan<float> data, int dimension) => Write(stream, data, dimension);

    /// <summary>Writes row-major int rows in the <c>.ivecs</c> format to a stream.</summary>
    /// <param name="stream">Written at its position; not disposed.</param>
    /// <param name="data">A whole number of rows of <paramref name="dimension"/> values.</param>
    /// <param name="dimension">The values per row.</param>
    public static void WriteIvecs(Stream stream, ReadOnlySpan<int> data, int dimension) => Write(stream, data, dimension);

    private static VecsMatrix<T> ReadFile<T>(string path)
        where T : unmanaged
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such file", path);
        }

        // Large sequential reads: a base file is often hundreds of megabytes.
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, FileOptions.SequentialScan);
        return Read<T>(stream, path);
    }

    private static VecsMatrix<T> Read<T>(Stream stream, string name)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(name);
        if (!stream.CanSeek)
        {
            // The row count comes from the length, so a stream without one is read into memory first.
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            copy.Position = 0;
            return Read<T>(copy, name);
        }

        long length = stream.Length - stream.Position;
        Span<byte> header = stackalloc byte[4];
        int got = stream.ReadAtLeast(header, 4, throwOnEndOfStream: false);
        if (got == 0)
        {
            throw new InvalidDataException($"{name}: empty, no rows");
        }

        if (got < 4)
        {
            throw new InvalidDataException($"{name}: {length} bytes is shorter than one row header (4 bytes); the file is truncated");
        }

        int dimension = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (dimension is <= 0 or > MaxDimension)
        {
            throw new InvalidDataException($"{name}: the first row declares dimension {dimension} (1 to {MaxDimension} expected); not a .fvecs/.ivecs file?");
        }

        long rowBytes = 4 + (4L * dimension);
        if (length % rowBytes != 0)
        {
            throw new InvalidDataException(
                $"{name}: {length} bytes is not a whole number of {dimension}-d rows ({rowBytes} bytes each); the file is truncated or mixes dimensions");
        }

        long count = length / rowBytes;
        if (count * dimension > Array.MaxLength)
        {
            throw new InvalidDataException($"{name}: {count} rows of {dimension} values are more than one array holds ({Array.MaxLength} values)");
        }

        var data = GC.AllocateUninitializedArray<T>((int)(count * dimension));
        try
        {
            ReadRows(stream, name, header, data, dimension);
        }
        catch (EndOfStreamException ex)
        {
            // Only a stream that reported a wrong length gets here: the length check above matched the rows.
            throw new InvalidDataException($"{name}: ended before the {count} rows its length promised; the file is truncated", ex);
        }

        return new VecsMatrix<T>(data, (int)count, dimension);
    }

    private static void ReadRows<T>(Stream stream, string name, Span<byte> header, T[] data, int dimension)
        where T : unmanaged
    {
        int count = data.Length / dimension;
        for (int r = 0; r < count; r++)
        {
            if (r > 0)
            {
                // A row of another width somewhere in the middle can still leave a total that divides evenly.
                stream.ReadExactly(header);
                int declared = BinaryPrimitives.ReadInt32LittleEndian(header);
                if (declared != dimension)
                {
                    throw new InvalidDataException($"{name}: row {r} declares dimension {declared}, row 0 declared {dimension}");
                }
            }

            // Row by row, so a file larger than 2 GiB never needs one byte span over the whole array.
            Span<T> row = data.AsSpan(r * dimension, dimension);
            stream.ReadExactly(MemoryMarshal.AsBytes(row));
            if (!BitConverter.IsLittleEndian)
            {
                Span<int> words = MemoryMarshal.Cast<T, int>(row);
                BinaryPrimitives.ReverseEndianness(words, words);
            }
        }
    }

    private static void WriteFile<T>(string path, ReadOnlySpan<T> data, int dimension)
        where T : unmanaged
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
        Write(stream, data, dimension);
    }

    private static void Write<T>(Stream stream, ReadOnlySpan<T> data, int dimension)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(dimension, MaxDimension);
        if (data.Length % dimension != 0)
        {
            throw new ArgumentException($"{data.Length} values are not a whole number of {dimension}-d rows.", nameof(data));
        }

        Span<byte> header = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(header, dimension);
        ReadOnlySpan<int> words = MemoryMarshal.Cast<T, int>(data);
        int[]? swapped = null;
        if (!BitConverter.IsLittleEndian)
        {
            swapped = new int[dimension];
        }

        for (int offset = 0; offset < words.Length; offset += dimension)
        {
            stream.Write(header);
            ReadOnlySpan<int> row = words.Slice(offset, dimension);
            if (swapped is not null)
            {
                BinaryPrimitives.ReverseEndianness(row, swapped);
                row = swapped;
            }

            stream.Write(MemoryMarshal.AsBytes(row));
        }
    }
}
