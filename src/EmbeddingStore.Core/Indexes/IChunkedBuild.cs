// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Indexes;

/// <summary>
/// An index whose build can run as a background job, a bounded chunk of rows at a time, while searches use the exact
/// scan: graphs, whose full build takes seconds to minutes and must never block searches. Kinds that build in a single
/// fast pass (int8 codes) do not implement it and build inline.
/// </summary>
/// <remarks>
/// <see cref="BeginBuild"/> runs under the collection's write lock; <see cref="BuildChunk"/> under its read lock (searches
/// go on beside it, writes wait), one chunk at a time. Writes made during the build reach it through the usual
/// <see cref="IVectorIndex.OnUpsert"/> and <see cref="IVectorIndex.OnCompacted"/> calls.
/// </remarks>
internal interface IChunkedBuild
{
    /// <summary>Whether a build has begun and not yet published its result.</summary>
    bool IsBuilding { get; }

    /// <summary>Drops what the index served (searches scan exactly from now on) and starts a build from row 0.</summary>
    void BeginBuild();

    /// <summary>Builds the next <paramref name="rows"/> rows; the index serves again once <c>Finished</c>.</summary>
    (int Done, int Total, bool Finished) BuildChunk(int rows, CancellationToken cancellationToken);
}

/// <summary>
/// An index that can drop its deleted rows' entries, repairing what pointed through them, before the segment compacts:
/// graphs, whose neighbours of a deleted node would otherwise lose the paths through it. Done by the compact job under the
/// collection's writer gate but not its write lock, so searches go on with the previous structure (tombstones skipped)
/// until the repaired one is published; the compaction that follows then only renumbers.
/// </summary>
internal interface ITombstoneRepair
{
    /// <summary>Removes every tombstoned row of the segment from the index, repairing around it; returns how many were removed.</summary>
    int RepairTombstones();
}
