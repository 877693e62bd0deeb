// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Contracts;

/// <summary>
/// The answer of a streamed bulk upsert (<c>POST /v1/collections/{name}/items/bulk</c>, one item per NDJSON line) that
/// read its whole body: every chunk was committed. A stream that fails part-way is answered with a problem instead, whose
/// <see cref="BulkUpsertProblemMembers"/> say what was committed before the failing chunk.
/// </summary>
/// <param name="Upserted">Items written, all of them durable.</param>
/// <param name="Chunks">Chunks committed; each was one atomic transaction of at most <c>chunkSize</c> items.</param>
/// <param name="Lines">Lines read, blank lines included, so a client can check the server saw its whole stream.</param>
public sealed record BulkUpsertItemsResponse(long Upserted, int Chunks, long Lines);
