// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Contracts;

/// <summary>
/// The extra members of a problem that ends a streamed bulk upsert, so a client knows exactly where to resume: chunks are
/// atomic, so the first <see cref="CommittedItems"/> items of the stream are stored and nothing after them is.
/// </summary>
public static class BulkUpsertProblemMembers
{
    /// <summary><c>committedItems</c>: items durable before the failure (a prefix of the stream, blank lines not counted).</summary>
    public const string CommittedItems = "committedItems";

    /// <summary><c>committedChunks</c>: chunks committed before the failure.</summary>
    public const string CommittedChunks = "committedChunks";

    /// <summary><c>line</c>: the 1-based line of the stream the problem is about (the failing item, or the chunk's first line).</summary>
    public const string Line = "line";
}
