// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Collections;

/// <summary>
/// The outcome of verifying a running store: the file's own integrity check, and per collection what the file holds
/// against what memory serves. After a crash, a restore or a suspicious incident, "ok" means searches answer from exactly
/// what is on disk.
/// </summary>
/// <param name="IntegrityCheck">The store's integrity check: <c>ok</c>, or what it found.</param>
/// <param name="SchemaVersion">The store's schema version.</param>
/// <param name="Collections">Each collection's comparison, ordered by name.</param>
/// <param name="Problems">Every discrepancy in one sentence each; empty when all is well.</param>
public sealed record VerifyReport(string IntegrityCheck, int SchemaVersion, IReadOnlyList<CollectionVerification> Collections, IReadOnlyList<string> Problems)
{
    /// <summary>Whether nothing is wrong.</summary>
    public bool IsOk => Problems.Count == 0;
}

/// <summary>One collection's stored counts against the counts served from memory.</summary>
/// <param name="Collection">The collection.</param>
/// <param name="StoredItems">Items in the file.</param>
/// <param name="MemoryItems">Items in memory.</param>
/// <param name="StoredVectors">Vectors in the file per version.</param>
/// <param name="MemoryVectors">Live vectors in memory per version.</param>
/// <param name="DerivedVectors">Stored vectors derived through a link.</param>
/// <param name="DerivedWithoutLink">Derived vectors whose link does not exist.</param>
public sealed record CollectionVerification(
    string Collection,
    long StoredItems,
    long MemoryItems,
    IReadOnlyDictionary<string, long> StoredVectors,
    IReadOnlyDictionary<string, long> MemoryVectors,
    long DerivedVectors,
    long DerivedWithoutLink);
