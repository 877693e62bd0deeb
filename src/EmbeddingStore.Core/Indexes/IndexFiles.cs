// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Collections;

namespace EmbeddingStore.Core.Indexes;

// The index files kept beside the database, so a restart loads built indexes instead of rebuilding them. One directory
// (the server's default is `<database>.indexes/`), one sub-directory per collection, one file per segment and kind:
//   <directory>/<collection>/<model>@<version>.<kind>
// (collection, model and version names are already file-safe: letters, digits, '.', '_' and '-', the collection starting
// with a letter or digit). A file is written whole to `<name>.tmp` in the same directory, flushed to the disk, then
// renamed over the real name, so a crash or a kill during a save leaves the previous file (or none) under the real name,
// never a torn one; left-over temporary files are deleted at the next start. The file is a cache: SQLite stays the
// source of truth, and a file is trusted only after the kind's own checks against the segment (IVectorIndex.TryLoad).
internal sealed class IndexFiles(string directory)
{
    private const string TemporarySuffix = ".tmp";

    public string Directory { get; } = directory;

    public string PathFor(string collection, VectorSegment segment, IndexKind kind) =>
        Path.Combine(Directory, collection, $"{segment.Version.Id}.{kind.Name}");

    // The index's bytes, or null for a kind that keeps nothing worth saving. The caller holds the collection's read lock
    // (the index and segment must not change while they are written out); the disk write happens later, outside it.
    public static byte[]? Serialize(IVectorIndex index)
    {
        if (index.NeedsBuild)
        {
            return null;
        }

        var buffer = new MemoryStream();
        return index.TrySave(buffer) ? buffer.ToArray() : null;
    }

    // Temporary file, flush to the disk, atomic rename over the real name.
    public static void Write(string path, byte[] bytes)
    {
        string folder = Path.GetDirectoryName(path)!;
        System.IO.Directory.CreateDirectory(folder);
        string temporary = path + TemporarySuffix;
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }

    // Opens a saved file for reading, or null when there is none.
    public static FileStream? OpenRead(string path) =>
        File.Exists(path) ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16) : null;

    // Removes what an interrupted save left behind (a temporary file is never read).
    public void DeleteTemporaryFiles()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return;
        }

        foreach (string file in System.IO.Directory.EnumerateFiles(Directory, "*" + TemporarySuffix, SearchOption.AllDirectories))
        {
            File.Delete(file);
        }
    }

    // A deleted collection's files go with it, so a new collection of the same name never meets them.
    public void DeleteCollection(string collection)
    {
        string folder = Path.Combine(Directory, collection);
        if (System.IO.Directory.Exists(folder))
        {
            System.IO.Directory.Delete(folder, recursive: true);
        }
    }
}

// What the last load of a file found, for the load's log line and tests: whether it was trusted, how many of its nodes
// matched the segment's rows, how many were dropped (their items deleted or re-embedded since) and repaired around, and
// how many live rows were inserted because the file predates them.
internal readonly record struct IndexLoadReport(bool Trusted, int Matched, int Dropped, int Inserted);
