// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Persistence;
using static EmbeddingStore.Core.Collections.VectorValidation;

namespace EmbeddingStore.Core;

// Backup and verification: the engine adds what only it knows (memory) to what only the store knows (the file), and holds
// each collection's writer gate while comparing the two, so a commit in flight never shows up as a discrepancy.
public sealed partial class EmbeddingEngine
{
    /// <summary>
    /// Copies the store into a new file while searches and writes go on; the copy holds one consistent prefix of the
    /// committed writes. Refused when the store cannot back itself up, or when the destination exists (a backup never
    /// overwrites anything).
    /// </summary>
    public async Task<StoreResult<long>> BackupAsync(string destinationPath, CancellationToken cancellationToken)
    {
        if (_repository is not IStorageMaintenance maintenance)
        {
            return Invalid("This store cannot make backups.");
        }

        if (string.IsNullOrWhiteSpace(destinationPath))
        {
            return Invalid("A backup needs a destination path.");
        }

        long bytes = 0;
        try
        {
            if (await TryStorageAsync(async () => bytes = await maintenance.BackupAsync(destinationPath, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false) is { } failure)
            {
                return failure;
            }
        }
        catch (IOException ex)
        {
            // The store refuses an existing destination (and reports an unwritable one) this way; the message is its own.
            return Invalid(ex.Message);
        }

        return bytes;
    }

    /// <summary>
    /// Verifies the running store: the file's integrity check, then per collection the stored items and vectors per
    /// version against memory, and lineage (every derived vector's link exists). Each collection is compared under its
    /// writer gate, so in-flight commits are not reported as faults.
    /// </summary>
    public async Task<StoreResult<VerifyReport>> VerifyAsync(CancellationToken cancellationToken)
    {
        if (_repository is not IStorageMaintenance maintenance)
        {
            return Invalid("This store cannot be verified.");
        }

        (string integrity, int schemaVersion) = await maintenance.CheckIntegrityAsync(cancellationToken).ConfigureAwait(false);
        var problems = new List<string>();
        if (!string.Equals(integrity, "ok", StringComparison.Ordinal))
        {
            problems.Add($"The integrity check failed: {integrity}");
        }

        var collections = new List<CollectionVerification>();
        foreach (Collection collection in _collections.Values.OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            using (await collection.EnterWriterAsync(cancellationToken).ConfigureAwait(false))
            {
                if (collection.IsDeleted)
                {
                    continue;
                }

                StoredCounts stored = await maintenance.CountAsync(collection.Name, cancellationToken).ConfigureAwait(false);
                CollectionInfo memory;
                using (collection.EnterRead())
                {
                    memory = collection.ToInfo();
                }

                collections.Add(new CollectionVerification(
                    collection.Name, stored.Items, memory.ItemCount, stored.Vectors, memory.VectorCounts, stored.DerivedVectors, stored.DerivedWithoutLink));
                if (stored.Items != memory.ItemCount)
                {
                    problems.Add($"Collection '{collection.Name}': {stored.Items} items stored, {memory.ItemCount} in memory.");
                }

                foreach (string version in stored.Vectors.Keys.Union(memory.VectorCounts.Keys).Order(StringComparer.Ordinal))
                {
                    long onDisk = stored.Vectors.GetValueOrDefault(version);
                    long inMemory = memory.VectorCounts.GetValueOrDefault(version);
                    if (onDisk != inMemory)
                    {
                        problems.Add($"Collection '{collection.Name}', {version}: {onDisk} vectors stored, {inMemory} in memory.");
                    }
                }

                if (stored.DerivedWithoutLink > 0)
                {
                    problems.Add($"Collection '{collection.Name}': {stored.DerivedWithoutLink} derived vectors name a link that does not exist.");
                }

                if (stored.BadLengths > 0)
                {
                    problems.Add($"Collection '{collection.Name}': {stored.BadLengths} stored vectors do not match their version's dimension.");
                }
            }
        }

        return new VerifyReport(integrity, schemaVersion, collections, problems);
    }
}
