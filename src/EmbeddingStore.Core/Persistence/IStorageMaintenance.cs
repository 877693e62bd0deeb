// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Persistence;

/// <summary>
/// What an operator needs from the durable store beyond reads and writes: an online backup and the facts a verification
/// compares with memory. A separate interface, because not every store can back itself up (the in-memory test store
/// cannot), and the engine refuses clearly when its store cannot.
/// </summary>
public interface IStorageMaintenance
{
    /// <summary>
    /// Copies the whole store into a new file while writes go on: the copy is one consistent state (a prefix of the
    /// committed writes), never a mix. The destination must not exist; nothing is left behind on failure.
    /// </summary>
    /// <returns>The size of the copy in bytes.</returns>
    Task<long> BackupAsync(string destinationPath, CancellationToken cancellationToken);

    /// <summary>The store's own consistency check (<c>ok</c>, or what is wrong), and its schema version.</summary>
    Task<(string IntegrityCheck, int SchemaVersion)> CheckIntegrityAsync(CancellationToken cancellationToken);

    /// <summary>One collection's stored counts and lineage faults, for comparison with memory.</summary>
    Task<StoredCounts> CountAsync(string collection, CancellationToken cancellationToken);
}
