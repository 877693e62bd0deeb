// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using EmbeddingStore.Contracts;

namespace EmbeddingStore.Client;

public sealed partial class EmbeddingStoreClient
{
    /// <summary>
    /// Streams any number of items to the server in one request (NDJSON, one item per line, chunked transfer), which commits
    /// them in atomic chunks as they arrive. Cheaper than <see cref="BulkUpsertAsync"/> for large loads: one request, no
    /// per-batch round trip, and neither side holds more than a chunk.
    /// </summary>
    /// <param name="collection">The collection.</param>
    /// <param name="items">Enumerated once, as the request body is written; only the current item is held.</param>
    /// <param name="chunkSize">Items per atomic commit (1 to the server's batch limit); the server's default (1,000) when null.</param>
    /// <param name="cancellationToken">Stops the stream; chunks already committed stay.</param>
    /// <returns>Items and chunks committed: all of them.</returns>
    /// <exception cref="StreamUpsertException">
    /// A chunk failed; says how many items (a prefix of <paramref name="items"/>) were committed before it, so the caller
    /// resumes after them. Never retried: a stream cannot be replayed.
    /// </exception>
    public async Task<BulkUpsertItemsResponse> StreamUpsertAsync(
        string collection, IAsyncEnumerable<ItemRequest> items, int? chunkSize = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(collection);
        ArgumentNullException.ThrowIfNull(items);
        if (chunkSize is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(chunkSize), chunkSize, "chunkSize must be at least 1.");
        }

        string path = ApiOperations.BulkUpsertItems.Path(Required(collection))
            + (chunkSize is { } size ? "?chunkSize=" + size.ToString(CultureInfo.InvariantCulture) : string.Empty);
        using HttpRequestMessage request = Request(ApiOperations.BulkUpsertItems, path);
        request.Content = new NdjsonContent(items, _json.ItemRequest);
        using HttpResponseMessage response = await SendCoreAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return await ReadAsync(response, _json.BulkUpsertItemsResponse, cancellationToken).ConfigureAwait(false);
        }

        string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        EmbeddingStoreException problem = ProblemException(response, body);
        (long committed, int chunks, long? line) = ReadCommitted(body);
        throw new StreamUpsertException(committed, chunks, line, problem);
    }

    private static (long Items, int Chunks, long? Line) ReadCommitted(string body)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(body);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (0, 0, null);
            }

            long items = root.TryGetProperty(BulkUpsertProblemMembers.CommittedItems, out JsonElement i) && i.TryGetInt64(out long n) ? n : 0;
            int chunks = root.TryGetProperty(BulkUpsertProblemMembers.CommittedChunks, out JsonElement c) && c.TryGetInt32(out int m) ? m : 0;
            long? line = root.TryGetProperty(BulkUpsertProblemMembers.Line, out JsonElement l) && l.TryGetInt64(out long k) ? k : null;
            return (items, chunks, line);
        }
        catch (JsonException)
        {
            // Not problem+json (a proxy's page): nothing is known to be committed beyond what the caller can read back.
            return (0, 0, null);
        }
    }

    // Writes one item per line as the transport asks for bytes; no length, so HTTP/1.1 sends it chunked.
    private sealed class NdjsonContent : HttpContent
    {
        private const int FlushBytes = 64 * 1024;
        private readonly IAsyncEnumerable<ItemRequest> _items;
        private readonly JsonTypeInfo<ItemRequest> _itemType;

        public NdjsonContent(IAsyncEnumerable<ItemRequest> items, JsonTypeInfo<ItemRequest> itemType)
        {
            _items = items;
            _itemType = itemType;
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-ndjson");
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            PipeWriter pipe = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
            using var writer = new Utf8JsonWriter(pipe);
            await foreach (ItemRequest item in _items.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                JsonSerializer.Serialize(writer, item, _itemType);
                writer.Flush();
                pipe.Write("\n"u8);
                writer.Reset(pipe);
                if (pipe.UnflushedBytes >= FlushBytes)
                {
                    await pipe.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            await pipe.FlushAsync(cancellationToken).ConfigureAwait(false);
            await pipe.CompleteAsync().ConfigureAwait(false);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
