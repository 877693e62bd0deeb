// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Persistence;

/// <summary>
/// Thrown by a repository when the durable store refuses a write it cannot complete (disk full, read-only file).
/// It is distinct from a bug: the engine answers with a clean refusal and keeps serving reads.
/// </summary>
public sealed class StorageUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StorageUnavailableException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public StorageUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception wrapping the store's own error.</summary>
    public StorageUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
