// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace EmbeddingStore.Admin.Bench;

// A matrix read from a .fvecs or .ivecs file: `Count` rows of `Dimension` values, row-major.
internal sealed record VecsMatrix<T>(T[] Data, int Count, int Dimension)
    where T : unmanaged
{
    public ReadOnlySpan<T> Row(int i) => Data.AsSpan(i * Dimension, Dimension);
}

// The TEXMEX formats used by ANN benchmarks (and FAISS, hnswlib, USearch): every row is a little-endian int32 dimension
// followed by that many little-endian float32 (.fvecs) or int32 (.ivecs) values. Nothing else marks the end of a
// file, so a truncated file or one with rows of varying width is detected from the lengths and refused: a benchmark on
// half a file would report a number that looks right and is not.
internal static class VecsFile
{
    public static VecsMatrix<float> ReadFvecs(string path) => Read<float>(path);

    public static VecsMatrix<int> ReadIvecs(string path) => Read<int>(path);

    public static void WriteFvecs(string path, ReadOnlySpan<float> data, int dimension) => Write(path, data, dimension);

    public static void WriteIvecs(string path, ReadOnlySpan<int> data, int dimension) => Write(path, data, dimension);

    private static VecsMatrix<T> Read<T>(string path)
        where T : unmanaged
    {
        if (!File.Exists(path))
        {
            throw new BenchInputException($"{path}: no such file");
        }

        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length < 4)
        {
            throw new BenchInputException($"{path}: empty or shorter than one row header ({bytes.Length} bytes)");
        }

        int dimension = BinaryPrimitives.ReadInt32LittleEndian(bytes);
        if (dimension <= 0 || dimension > 1_000_000)
        {
            throw new BenchInputException($"{path}: first row declares dimension {dimension}; not a .fvecs/.ivecs file?");
        }

        long rowBytes = 4 + (4L * dimension);
        if (bytes.Length % rowBytes != 0)
        {
            throw new BenchInputException(
                $"{path}: {bytes.Length} bytes is not a whole number of {dimension}-d rows ({rowBytes} bytes each); the file is truncated or mixes dimensions");
        }

        int count = (int)(bytes.Length / rowBytes);
        var data = GC.AllocateUninitializedArray<T>(count * dimension);
        Span<byte> target = MemoryMarshal.AsBytes(data.AsSpan());
        for (int r = 0; r < count; r++)
        {
            int offset = (int)(r * rowBytes);
            int declared = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset));
            if (declared != dimension)
            {
                throw new BenchInputException($"{path}: row {r} declares dimension {declared}, row 0 declared {dimension}");
            }

            bytes.AsSpan(offset + 4, 4 * dimension).CopyTo(target.Slice(r * 4 * dimension));
        }

        if (!BitConverter.IsLittleEndian)
        {
            throw new BenchInputException("esadmin bench reads little-endian files and needs a little-endian machine");
        }

        return new VecsMatrix<T>(data, count, dimension);
    }

    private static void Write<T>(string path, ReadOnlySpan<T> data, int dimension)
        where T : unmanaged
    {
        using FileStream stream = File.Create(path);
        Span<byte> header = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(header, dimension);
        ReadOnlySpan<byte> bytes = MemoryMarshal.AsBytes(data);
        for (int offset = 0; offset < bytes.Length; offset += 4 * dimension)
        {
            stream.Write(header);
            stream.Write(bytes.Slice(offset, 4 * dimension));
        }
    }
}
