// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Persistence;
using Microsoft.Data.Sqlite;

namespace EmbeddingStore.Storage.Sqlite;

// Online backup and the counts a verification compares with memory. Both read through a connection of their own, so in
// WAL mode they see one committed snapshot while the write connection goes on committing: the backup is a consistent
// prefix of the writes and never blocks them.
public sealed partial class SqliteEmbeddingRepository
{
    /// <inheritdoc />
    public Task<long> BackupAsync(string destinationPath, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_disposed, this);
        return Task.FromResult(SqliteBackup.Copy(Path, destinationPath));
    }

    /// <inheritdoc />
    public Task<(string IntegrityCheck, int SchemaVersion)> CheckIntegrityAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using SqliteConnection reader = SqliteBackup.OpenReadOnly(Path);
        return Task.FromResult((SqliteBackup.IntegrityCheck(reader), SqliteSchema.ReadVersion(reader)));
    }

    /// <inheritdoc />
    public Task<StoredCounts> CountAsync(string collection, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using SqliteConnection reader = SqliteBackup.OpenReadOnly(Path);
        return Task.FromResult(SqliteBackup.Count(reader, collection));
    }
}
