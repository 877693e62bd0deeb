// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Buffers.Binary;
using System.Runtime.InteropServices;
using EmbeddingStore.Core.Collections;

namespace EmbeddingStore.Core.Indexes.Hnsw;

// The graph file: everything a build computed, so a restart loads links instead of recomputing them. Little-endian (the
// arrays are written as the machine holds them, so a file moves only between little-endian machines):
//   "ESHNSW" + format version (u16) | M, efConstruction (i32) | flags (i32; bit 0: kept pruned connections; from
//   version 3: a version 2 file has no flags field and is read as flags 0) | seed (u64) | dimension, saved row count (i32) |
//   entry point, top level, node count, capacity (i32) | levels (i32 × capacity) |
//   layer-0 blocks (i32 × capacity × (2M + 1)) | each upper-level row's blocks (i32 × level × (M + 1)), in row order |
//   the row table: per saved row, its item id (i32 UTF-8 length, -1 for a tombstone, then the bytes) and the checksum
//   of its floats (u64) | payload length (i64) and checksum (u64) of everything before them.
// Rows are bound to the segment by item id and vector checksum, not by row number: a restart loads items in storage
// order, so the same vectors usually sit in other rows than when the file was written. A file is trusted only when the
// checksum matches, every field is in range, every link points at a node present on its layer, and the settings and
// dimension are the ones this index builds with; its nodes are then matched to the segment's rows. Nodes whose item is
// gone or whose vector changed since the save are removed and their neighbours' links repaired (Remap); when fewer
// than half of the file's nodes match, or they cover less than half of the live rows, the file is stale and refused.
// Anything else (torn, truncated, flipped, another format, other settings) is refused and the caller rebuilds.
internal sealed partial class HnswGraph
{
    private const ushort FileVersion = 3;

    // Version 2 differs only by the missing flags field, so its graphs (all built without kept pruned connections) load
    // instead of being rebuilt after an upgrade.
    private const ushort FirstVersionRead = 2;
    private const int KeptPrunedFlag = 1;

    // The header's flags field for a graph built with `parameters`.
    private static int FlagsOf(HnswParameters parameters) => parameters.KeepPrunedConnections ? KeptPrunedFlag : 0;
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
            writer.Write(FlagsOf(_parameters));
            writer.Write(_parameters.Seed);
            writer.Write(segment.Dimension);
            writer.Write(segment.RowCount);
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

            for (int row = 0; row < segment.RowCount; row++)
            {
                if (segment.ItemAt(row) is { } item)
                {
                    byte[] id = System.Text.Encoding.UTF8.GetBytes(item.Id);
                    writer.Write(id.Length);
                    writer.Write(id);
                }
                else
                {
                    writer.Write(-1);
                }

                writer.Write(RowChecksum(segment, row));
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

    // A graph read from `source` and matched to `segment`'s rows, or null when the file is not one this code wrote with
    // these settings, or is stale (see above). The graph returned holds only rows of `segment` whose item and vector
    // are the ones saved; live rows it lacks (written since the save) are for the caller to insert.
    public static HnswGraph? TryLoad(Stream source, VectorSegment segment, HnswParameters parameters, HnswScratch scratch, out GraphLoadReport report)
    {
        report = default;
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
            ushort version;
            if (!reader.ReadBytes(FileMagic.Length).AsSpan().SequenceEqual(FileMagic) || (version = reader.ReadUInt16()) is not (FirstVersionRead or FileVersion)
                || reader.ReadInt32() != parameters.M || reader.ReadInt32() != parameters.EfConstruction
                || (version >= FileVersion ? reader.ReadInt32() : 0) != FlagsOf(parameters)
                || reader.ReadUInt64() != parameters.Seed || reader.ReadInt32() != segment.Dimension)
            {
                return null;
            }

            int savedRows = reader.ReadInt32();
            var graph = new HnswGraph(parameters);
            int entry = reader.ReadInt32();
            int top = reader.ReadInt32();
            int nodes = reader.ReadInt32();
            int capacity = reader.ReadInt32();
            if (savedRows < 0 || capacity < savedRows || capacity > savedRows + Math.Max(64, savedRows) || top < -1 || top > MaxLevel)
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
                if (level < -1 || level > MaxLevel || (level >= 0 && row >= savedRows))
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

            if (counted != nodes || (nodes == 0 ? entry != -1 || top != -1 : entry < 0 || entry >= capacity || graph._levels[entry] != top))
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

            // The row table: each saved row to the segment's row now holding the same item with the same floats, or -1.
            var rowsById = new Dictionary<string, int>(segment.LiveCount, StringComparer.Ordinal);
            for (int row = 0; row < segment.RowCount; row++)
            {
                if (segment.ItemAt(row) is { } item)
                {
                    rowsById[item.Id] = row;
                }
            }

            var oldToNew = new int[capacity];
            oldToNew.AsSpan().Fill(-1);
            bool identity = savedRows == segment.RowCount;
            int matched = 0;
            for (int row = 0; row < savedRows; row++)
            {
                int idLength = reader.ReadInt32();
                if (idLength < -1 || idLength > reader.BaseStream.Length - reader.BaseStream.Position)
                {
                    return null;
                }

                string? id = idLength < 0 ? null : System.Text.Encoding.UTF8.GetString(reader.ReadBytes(idLength));
                ulong checksum = reader.ReadUInt64();
                int now = id is null
                    ? (row < segment.RowCount && segment.ItemAt(row) is null ? row : -1)
                    : rowsById.GetValueOrDefault(id, -1);
                if (now >= 0 && RowChecksum(segment, now) != checksum)
                {
                    now = -1;
                }

                identity &= now == row;
                if (graph._levels[row] >= 0)
                {
                    oldToNew[row] = now;
                    matched += now >= 0 ? 1 : 0;
                }
            }

            if (reader.BaseStream.Position != reader.BaseStream.Length)
            {
                return null;
            }

            int dropped = nodes - matched;
            report = new GraphLoadReport(matched, dropped);
            if (matched * 2L < nodes || matched * 2L < segment.LiveCount)
            {
                return null;
            }

            // The centre is not in the file: it is the segment's own, chosen again (the rows it was chosen from are these).
            float[]? centre = ChooseCentre(segment);
            if (identity)
            {
                graph.SetCentre(centre, segment);
                return graph;
            }

            graph._centre = centre;
            return graph.Remap(oldToNew, segment, scratch);
        }
        catch (EndOfStreamException)
        {
            return null;
        }
    }

    // The checksum of one row's floats: what binds a saved node to the vector it was linked for.
    private static ulong RowChecksum(VectorSegment segment, int row) => Checksum(MemoryMarshal.AsBytes(segment.Row(row)));

    // A 64-bit multiply-xorshift hash of the bytes (not cryptographic: it guards against torn and flipped files, not
    // against someone forging one). Internal for the tests that write files of an earlier format.
    internal static ulong Checksum(ReadOnlySpan<byte> bytes)
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

// What a load found: file nodes matched to the segment's rows, and nodes dropped (their item deleted or re-embedded since
// the save, or a tombstone when the file was written) whose neighbours' links were repaired.
internal readonly record struct GraphLoadReport(int Matched, int Dropped);

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
