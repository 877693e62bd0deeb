// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Indexes;

/// <summary>
/// What happened to one saved index file when the engine loaded or saved it. The engine has no logger (Core knows no
/// host), so it keeps these for the host to log: an operator must be able to see that a damaged or stale file was
/// refused and rebuilt rather than trusted, and that a restart loaded its graphs instead of rebuilding them.
/// </summary>
/// <param name="Collection">The collection the index belongs to.</param>
/// <param name="Version">The segment's version, <c>model@version</c>.</param>
/// <param name="Index">The index kind.</param>
/// <param name="Outcome">What happened.</param>
/// <param name="Detail">One line for the log: counts matched, dropped and inserted on a load, bytes on a save, or why a file was refused.</param>
public sealed record IndexFileEvent(string Collection, string Version, IndexKind Index, IndexFileOutcome Outcome, string Detail);

/// <summary>The outcomes of <see cref="IndexFileEvent"/>.</summary>
public enum IndexFileOutcome
{
    /// <summary>The file passed every check and now serves; the index was not rebuilt.</summary>
    Loaded,

    /// <summary>The file was torn, corrupt, stale or for other settings: it was not trusted, and the index is rebuilt.</summary>
    Refused,

    /// <summary>The kind is kept for this collection but this segment had no file (a segment written since the save): it is built.</summary>
    Missing,

    /// <summary>The index was written to its file.</summary>
    Saved,

    /// <summary>Reading or writing the file failed on the file system (named in the detail); memory is unaffected.</summary>
    Failed,
}
