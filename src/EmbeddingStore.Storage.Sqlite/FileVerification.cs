// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Persistence;

namespace EmbeddingStore.Storage.Sqlite;

/// <summary>What <see cref="SqliteBackup.Verify"/> found in a database file, with no server (and so no memory) to compare.</summary>
/// <param name="Path">The file verified.</param>
/// <param name="IntegrityCheck">SQLite's integrity check: <c>ok</c>, or what it found.</param>
/// <param name="SchemaVersion">The file's schema version.</param>
/// <param name="Collections">Each collection's stored counts, by name.</param>
/// <param name="Problems">Every fault in one sentence each; empty when the file is sound.</param>
public sealed record FileVerification(
    string Path, string IntegrityCheck, int SchemaVersion, IReadOnlyDictionary<string, StoredCounts> Collections, IReadOnlyList<string> Problems)
{
    /// <summary>Whether nothing is wrong.</summary>
    public bool IsOk => Problems.Count == 0;
}
