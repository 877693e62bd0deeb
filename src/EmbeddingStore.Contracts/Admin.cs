// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text.Json.Serialization;

namespace EmbeddingStore.Contracts;

/// <summary>
/// An online backup into the server's configured backup directory (<c>Backup:Directory</c>): a consistent copy while
/// writes go on. The path is relative to that directory and may not leave it; an existing file is never overwritten.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record BackupRequest
{
    /// <summary>The backup's file name (or relative path) inside the backup directory, e.g. <c>nightly-2026-12-02.db</c>.</summary>
    public required string Path { get; init; }
}

/// <summary>A finished backup.</summary>
/// <param name="Path">The path relative to the backup directory, as requested.</param>
/// <param name="Bytes">The copy's size.</param>
/// <param name="TookMs">How long the copy took.</param>
public sealed record BackupResponse(string Path, long Bytes, double TookMs);

/// <summary>The running store verified: the file's integrity check and, per collection, the file against memory.</summary>
/// <param name="Ok">Whether no problem was found.</param>
/// <param name="IntegrityCheck">SQLite's <c>PRAGMA integrity_check</c>: <c>ok</c>, or what it found.</param>
/// <param name="SchemaVersion">The database schema version.</param>
/// <param name="Collections">Each collection's comparison, by name.</param>
/// <param name="Problems">Every discrepancy in one sentence each.</param>
public sealed record VerifyResponse(bool Ok, string IntegrityCheck, int SchemaVersion, IReadOnlyList<CollectionVerifyResponse> Collections, IReadOnlyList<string> Problems);

/// <summary>One collection's stored counts against those served from memory.</summary>
/// <param name="Collection">The collection.</param>
/// <param name="StoredItems">Items in the file.</param>
/// <param name="MemoryItems">Items in memory.</param>
/// <param name="StoredVectors">Vectors in the file per version.</param>
/// <param name="MemoryVectors">Vectors in memory per version.</param>
/// <param name="DerivedVectors">Stored vectors derived through a link.</param>
/// <param name="DerivedWithoutLink">Derived vectors whose link does not exist (a lineage fault).</param>
public sealed record CollectionVerifyResponse(
    string Collection,
    long StoredItems,
    long MemoryItems,
    IReadOnlyDictionary<string, long> StoredVectors,
    IReadOnlyDictionary<string, long> MemoryVectors,
    long DerivedVectors,
    long DerivedWithoutLink);
