// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Storage.Sqlite;

/// <summary>
/// The database file cannot be opened as an EmbeddingStore database (corrupt, not SQLite, from a newer schema, or not
/// accessible). Start-up stops with this message and leaves the file as it was.
/// </summary>
public sealed class SqliteStoreOpenException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SqliteStoreOpenException()
    {
    }

    /// <summary>Creates the exception with a message naming the file and the reason.</summary>
    public SqliteStoreOpenException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception wrapping SQLite's own error.</summary>
    public SqliteStoreOpenException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
