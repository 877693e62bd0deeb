// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Buffers.Binary;
using System.Runtime.InteropServices;
using EmbeddingStore.Core.Collections;

namespace EmbeddingStore.Core.Indexes.Hnsw;

// The graph file: everything a build computed, so a restart loads links instead of recomputing them. Little-endian (the
// arrays are written as the machine holds them, so a file moves only between little-endian machines):
//   "ESHNSW" + format version (u16) | M, efConstruction (i32) | seed (u64) | dimension, row count (i32) |
//   segment fingerprint (u64) | entry point, top level, node count, capacity (i32) | levels (i32 × capacity) |
//   layer-0 blocks (i32 × capacity × (2M + 1)) | each upper-level row's blocks (i32 × level × (M + 1)), in row order |
//   payload length (i64) and checksum (u64) of everything before them.
// A file is trusted only when the checksum matches, every field is in range, every link points at a node present on
// its layer, and the segment's row count and fingerprint are the ones the graph was built from. Anything else (torn,
// truncated, flipped, another format, another segment) is refused and the caller rebuilds.
internal sealed partial class HnswGraph
{
    private const ushort FileVersion = 1;
    private static ReadOnlySpan<byte> FileMagic => "ESHNSW"u8;

    public void Save(Stream destination, VectorSegment segment)
    {
        var payload = new MemoryStream();
        using (var writer = new BinaryWriter(payload, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(FileMagic);
            writer.Write(FileVersion);
            writer.Write(_parameters.M);
            writer.Write(_parameters.EfConstruction);
            writer.Write(_parameters.Seed);
            writer.Write(segment.Dimension);
            writer.Write(segment.RowCount);
            writer.Write(Fingerprint(segment));
            writer.Write(EntryPoint);
            writer.Write(TopLevel);
            writer.Write(NodeCount);
            writer.Write(Capacity);
            writer.Write(MemoryMarshal.AsBytes(_levels.AsSpan()));
            writer.Write(MemoryMarshal.AsBytes(_links0.AsSpan()));
            for (int row = 0; row < Capacity; row++)
            {
                if (_levels[row] > 0)
                {
                    writer.Write(MemoryMarshal.AsBytes(_upper[row].AsSpan()));
                }
            }
        }

        byte[] bytes = payload.GetBuffer();
        int length = (int)payload.Length;
        Span<byte> trailer = stackalloc byte[16];
        BinaryPrimitives.WriteInt64LittleEndian(trailer, length);
        BinaryPrimitives.WriteUInt64LittleEndian(trailer[8..], Checksum(bytes.AsSpan(0, length)));
        destination.Write(bytes, 0, length);
        destination.Write(trailer);
    }

    // A graph read from `source` for `segment`, or null when the file is not one this code wrote for exactly these rows.
    public static HnswGraph? TryLoad(Stream source, VectorSegment segment, HnswParameters parameters)
    {
        byte[] file;
        using (var copy = new MemoryStream())
        {
            source.CopyTo(copy);
            file = copy.ToArray();
        }

        if (file.Length < 16 || BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan(file.Length - 16)) != file.Length - 16
            || BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(file.Length - 8)) != Checksum(file.AsSpan(0, file.Length - 16)))
        {
            return null;
        }

        try
        {
            using var reader = new BinaryReader(new MemoryStream(file, 0, file.Length - 16, writable: false));
            if (!reader.ReadBytes(FileMagic.Length).AsSpan().SequenceEqual(FileMagic) || reader.ReadUInt16() != FileVersion
                || reader.ReadInt32() != parameters.M || reader.ReadInt32() != parameters.EfConstruction || reader.ReadUInt64() != parameters.Seed
                || reader.ReadInt32() != segment.Dimension || reader.ReadInt32() != segment.RowCount || reader.ReadUInt64() != Fingerprint(segment))
            {
                return null;
            }

            var graph = new HnswGraph(parameters);
            int entry = reader.ReadInt32();
            int top = reader.ReadInt32();
            int nodes = reader.ReadInt32();
            int capacity = reader.ReadInt32();
            if (capacity < segment.RowCount || capacity > segment.RowCount + Math.Max(64, segment.RowCount) || top < -1 || top > MaxLevel)
            {
                return null;
            }

            graph.EnsureCapacity(capacity);
            if (graph.Capacity != capacity || !reader.TryFill(MemoryMarshal.AsBytes(graph._levels.AsSpan())) || !reader.TryFill(MemoryMarshal.AsBytes(graph._links0.AsSpan())))
            {
                return null;
            }

            int counted = 0;
            for (int row = 0; row < capacity; row++)
            {
                int level = graph._levels[row];
                if (level < -1 || level > MaxLevel || (level >= 0 && row >= segment.RowCount))
                {
                    return null;
                }

                if (level >= 0)
                {
                    counted++;
                }

                if (level > 0)
                {
                    graph._upper[row] = new int[level * graph._strideUpper];
                    graph._upperBytes += level * graph._strideUpper * (long)sizeof(int);
                    if (!reader.TryFill(MemoryMarshal.AsBytes(graph._upper[row].AsSpan())))
                    {
                        return null;
                    }
                }
            }

            if (reader.BaseStream.Position != reader.BaseStream.Length || counted != nodes
                || (nodes == 0 ? entry != -1 || top != -1 : entry < 0 || entry >= capacity || graph._levels[entry] != top))
            {
                return null;
            }

            // Every list within its bound, every link to another node present on that layer: a search can then never index
            // outside the arrays, whatever the file said.
            for (int row = 0; row < capacity; row++)
            {
                for (int layer = 0; layer <= graph._levels[row]; layer++)
                {
                    Span<int> block = graph.Block(row, layer);
                    int max = layer == 0 ? parameters.MaxLinks0 : parameters.M;
                    if (block[0] < 0 || block[0] > max)
                    {
                        return null;
                    }

                    foreach (int link in block.Slice(1, block[0]))
                    {
                        if (link < 0 || link >= capacity || link == row || graph._levels[link] < layer)
                        {
                            return null;
                        }
                    }
                }
            }

            graph.EntryPoint = entry;
            graph.TopLevel = top;
            graph.NodeCount = nodes;
            return graph;
        }
        catch (EndOfStreamException)
        {
            return null;
        }
    }

    // What the graph was built from: the segment's floats and which rows are live, hashed 8 bytes at a time. Any change
    // of a vector, a delete or an append changes it, so a file saved before a write is refused after it.
    internal static ulong Fingerprint(VectorSegment segment)
    {
        ulong hash = Checksum(MemoryMarshal.AsBytes(segment.Data));
        for (int row = 0; row < segment.RowCount; row++)
        {
            hash = Mix(hash, segment.ItemAt(row) is null ? 0x9E3779B97F4A7C15UL : (ulong)row + 1);
        }

        return hash;
    }

    // A 64-bit multiply-xorshift hash of the bytes (not cryptographic: it guards against torn and flipped files, not
    // against someone forging one).
    private static ulong Checksum(ReadOnlySpan<byte> bytes)
    {
        ulong hash = 0xCBF29CE484222325UL ^ (ulong)bytes.Length;
        ReadOnlySpan<ulong> words = MemoryMarshal.Cast<byte, ulong>(bytes);
        foreach (ulong word in words)
        {
            hash = Mix(hash, word);
        }

        foreach (byte b in bytes[(words.Length * sizeof(ulong))..])
        {
            hash = Mix(hash, b);
        }

        return hash;
    }

    private static ulong Mix(ulong hash, ulong value)
    {
        hash ^= value * 0x9E3779B97F4A7C15UL;
        hash = ((hash << 31) | (hash >> 33)) * 0xBF58476D1CE4E5B9UL;
        return hash ^ (hash >> 29);
    }
}

internal static class BinaryReaderExtensions
{
    // Reads exactly span.Length bytes; false when the stream ends first.
    public static bool TryFill(this BinaryReader reader, Span<byte> span)
    {
        int read = 0;
        while (read < span.Length)
        {
            int n = reader.Read(span[read..]);
            if (n == 0)
            {
                return false;
            }

            read += n;
        }

        return true;
    }
}
