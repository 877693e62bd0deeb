// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;

namespace EmbeddingStore.Client;

/// <summary>
/// A streamed bulk upsert stopped at a failing chunk. Chunks are atomic and committed in stream order, so exactly the first
/// <see cref="CommittedItems"/> items are stored and none after them: resume with the items that follow. The server's
/// problem is <see cref="Exception.InnerException"/>.
/// </summary>
public sealed class StreamUpsertException : EmbeddingStoreException
{
    /// <summary>Creates the exception for a failed stream.</summary>
    /// <param name="committedItems">Items committed before the failing chunk.</param>
    /// <param name="committedChunks">Chunks committed before it.</param>
    /// <param name="line">The 1-based line of the stream the problem is about, when the server said.</param>
    /// <param name="innerException">The server's problem.</param>
    public StreamUpsertException(long committedItems, int committedChunks, long? line, EmbeddingStoreException innerException)
        : base(Describe(committedItems, committedChunks, line, innerException), innerException)
    {
        ArgumentNullException.ThrowIfNull(innerException);
        CommittedItems = committedItems;
        CommittedChunks = committedChunks;
        Line = line;
    }

    /// <summary>Creates an exception with no server answer behind it.</summary>
    public StreamUpsertException()
    {
    }

    /// <summary>Creates an exception with a message only.</summary>
    /// <param name="message">What went wrong.</param>
    public StreamUpsertException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception wrapping another.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public StreamUpsertException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Items durably committed: the first this many items of the stream.</summary>
    public long CommittedItems { get; }

    /// <summary>Chunks committed.</summary>
    public int CommittedChunks { get; }

    /// <summary>The 1-based line (item number, counting blank lines) the failure is about, when known.</summary>
    public long? Line { get; }

    private static string Describe(long items, int chunks, long? line, Exception inner) =>
        string.Create(CultureInfo.InvariantCulture, $"Streamed upsert stopped{(line is { } l ? $" at line {l}" : string.Empty)}: {inner?.Message} ")
        + string.Create(CultureInfo.InvariantCulture, $"{items} item(s) in {chunks} chunk(s) were committed before it.");
}
