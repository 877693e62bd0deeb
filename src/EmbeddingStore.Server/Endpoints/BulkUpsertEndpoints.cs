// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using EmbeddingStore.Contracts;
using EmbeddingStore.Core;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Server.Infrastructure;
using EmbeddingStore.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace EmbeddingStore.Server.Endpoints;

// The streaming bulk upsert: an NDJSON body (one ItemRequest per line) read from the request pipe as it arrives and
// committed in chunks of chunkSize items, each chunk one ordinary atomic upsert (same validation, same transaction). The
// body is never held whole: memory is one chunk of parsed items plus the pipe's buffer, so a load of any size passes,
// beyond the normal request body limit (StreamingBodyMetadata lifts it; a single line is still held to it).
//
// Idempotency-Key is refused here: the idempotency middleware fingerprints a buffered body, which a stream cannot be.
// A retry after a failure resumes from the reported committedItems instead (re-sending committed items is harmless:
// an upsert replaces the item with the same content).
internal static partial class BulkUpsertEndpoints
{
    public const string MediaType = "application/x-ndjson";

    public static IEndpointRouteBuilder MapBulkUpsertEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/collections/{name}/items/bulk", BulkUpsertItemsAsync).WithName(nameof(BulkUpsertItemsAsync)).WithTags("Items")
            .WithSummary("Stream items as NDJSON (one item per line), committed in atomic chunks; the answer says what was committed")
            .AddOpenApiOperationTransformer(DescribeBodyAsync)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .WithMetadata(new StreamingBodyMetadata()).RequireAuthorization(Scopes.Write);
        return app;
    }

    // The body as the document says it: NDJSON whose every line is an ItemRequest. Not .Accepts<T>(), whose content-type
    // matcher would answer 415 before authentication; the handler checks the media type itself.
    private static async Task DescribeBodyAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        OpenApiSchema item = await context.GetOrCreateSchemaAsync(typeof(ItemRequest), null, cancellationToken);
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Description = "One item per line (the upsert's item object); blank lines are skipped; a chunk commits every chunkSize items.",
            Content = new Dictionary<string, OpenApiMediaType> { [MediaType] = new OpenApiMediaType { Schema = item } },
        };
    }

    public static async Task<Results<Ok<BulkUpsertItemsResponse>, ProblemHttpResult>> BulkUpsertItemsAsync(
        string name, HttpContext context, IEmbeddingService service, IOptions<LimitsOptions> limits,
        IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, CancellationToken cancellationToken, int? chunkSize = null)
    {
        LimitsOptions limit = limits.Value;
        if (!string.Equals(context.Request.ContentType?.Split(';')[0].Trim(), MediaType, StringComparison.OrdinalIgnoreCase))
        {
            return TypedResults.Problem(
                detail: $"The bulk route reads {MediaType} (one JSON item per line); the Content-Type was '{context.Request.ContentType}'.",
                statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type", type: ProblemTypes.UnsupportedMediaType);
        }

        int size = chunkSize ?? Math.Min(DefaultChunkSize, limit.MaxBatchItems);
        if (size < 1 || size > limit.MaxBatchItems)
        {
            return ProblemMapping.ToProblem(new StoreError(
                StoreErrorCode.InvalidArgument, $"chunkSize must be 1 to {limit.MaxBatchItems} (Limits:MaxBatchItems); it was {size}."));
        }

        // An unknown collection is refused before any of the body is read.
        StoreResult<CollectionInfo> collection = await service.GetCollectionAsync(name, cancellationToken);
        if (!collection.IsSuccess)
        {
            return ProblemMapping.ToProblem(collection.Error);
        }

        var itemType = (JsonTypeInfo<ItemRequest>)json.Value.SerializerOptions.GetTypeInfo(typeof(ItemRequest));
        var state = new StreamState(size);
        PipeReader reader = context.Request.BodyReader;
        try
        {
            while (true)
            {
                ReadResult read = await reader.ReadAsync(cancellationToken);
                ReadOnlySequence<byte> buffer = read.Buffer;
                StoreError? failure = null;
                while (failure is null && TryTakeLine(ref buffer, read.IsCompleted, out ReadOnlySequence<byte> line))
                {
                    failure = state.Add(line, itemType, limit.MaxRequestBodyBytes);
                    if (failure is null && state.Pending.Count == size)
                    {
                        failure = await state.StartCommitAsync(service, name, cancellationToken);
                    }
                }

                if (failure is null && buffer.Length > limit.MaxRequestBodyBytes)
                {
                    failure = new StoreError(
                        StoreErrorCode.LimitExceeded, $"line {state.Lines + 1} is longer than {limit.MaxRequestBodyBytes} bytes (Limits:MaxRequestBodyBytes) without a newline.");
                }

                if (failure is null && read.IsCompleted)
                {
                    failure = await state.FinishAsync(service, name, cancellationToken);
                    reader.AdvanceTo(buffer.End);
                    if (failure is null)
                    {
                        return TypedResults.Ok(new BulkUpsertItemsResponse(state.Committed, state.Chunks, state.Lines));
                    }
                }

                if (failure is not null)
                {
                    // A chunk still committing comes first: it is earlier in the stream, and what it committed is reported.
                    failure = await state.SettleAsync() ?? failure;
                    await reader.CompleteAsync();
                    // The rest of the body is not read, so the connection cannot carry another request.
                    context.Response.Headers.Connection = "close";
                    return state.Problem(failure);
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        finally
        {
            // A body read that threw (the client went away) still waits for the chunk in flight, so no commit outlives the
            // request; that chunk is atomic either way.
            await state.SettleAsync();
        }
    }

    // The default chunk: large enough that a commit's fixed cost (one fsync) is spread over many items, small enough that
    // a chunk's parsed items (about 2 KB each at 384 dimensions) stay a few MB.
    public const int DefaultChunkSize = 1_000;

    // One line, without its terminator; the last line may lack a newline once the body is complete.
    private static bool TryTakeLine(ref ReadOnlySequence<byte> buffer, bool completed, out ReadOnlySequence<byte> line)
    {
        SequencePosition? newline = buffer.PositionOf((byte)'\n');
        if (newline is { } position)
        {
            line = buffer.Slice(0, position);
            buffer = buffer.Slice(buffer.GetPosition(1, position));
            return true;
        }

        if (completed && !buffer.IsEmpty)
        {
            line = buffer;
            buffer = buffer.Slice(buffer.End);
            return true;
        }

        line = default;
        return false;
    }

    [GeneratedRegex(@"items\[(\d+)\]", RegexOptions.CultureInvariant)]
    private static partial Regex ItemIndex();

    private sealed class StreamState(int size)
    {
        private List<long> _pendingLines = new(size);

        // The chunk committing on a worker thread while the request thread parses the next one (issue 13): a commit's
        // fsync leaves the CPU idle, and parsing is most of the rest of a chunk's cost. At most one chunk is in flight, and
        // the next starts only after it succeeded, so chunks still commit in stream order and a failure stops the stream
        // at the first failed chunk.
        private Task<StoreError?>? _inFlight;

        public List<ItemUpsert> Pending { get; private set; } = new(size);

        public long Lines { get; private set; }

        public long Committed { get; private set; }

        public int Chunks { get; private set; }

        private long _failedLine;

        // The line a failed chunk names, written by the commit (possibly on a worker) and read after awaiting it.
        private long _commitFailedLine;

        public StoreError? Add(ReadOnlySequence<byte> line, JsonTypeInfo<ItemRequest> itemType, long maxLine)
        {
            Lines++;
            if (line.Length > maxLine)
            {
                _failedLine = Lines;
                return new StoreError(StoreErrorCode.LimitExceeded, $"line {Lines} is longer than {maxLine} bytes (Limits:MaxRequestBodyBytes).");
            }

            if (IsBlank(line))
            {
                return null;
            }

            ItemRequest? item;
            try
            {
                var reader = new Utf8JsonReader(line, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, AllowTrailingCommas = false });
                item = JsonSerializer.Deserialize(ref reader, itemType);
                if (reader.Read())
                {
                    throw new JsonException("A line must hold exactly one JSON object; more follows it.");
                }
            }
            catch (JsonException ex)
            {
                _failedLine = Lines;
                string path = ex.Path is { } p && !ex.Message.Contains("Path:", StringComparison.Ordinal) ? $" Path: {p}" : string.Empty;
                return new StoreError(StoreErrorCode.InvalidArgument, $"line {Lines} is not a valid item: {ex.Message}{path}");
            }

            if (item is null)
            {
                _failedLine = Lines;
                return new StoreError(StoreErrorCode.InvalidArgument, $"line {Lines} is null; each line must be one item object.");
            }

            Pending.Add(new ItemUpsert(item.Id, item.Payload, item.Vectors));
            _pendingLines.Add(Lines);
            return null;
        }

        // Waits for the chunk in flight; if it succeeded, hands the pending chunk to a worker and returns at once.
        public async Task<StoreError?> StartCommitAsync(IEmbeddingService service, string name, CancellationToken cancellationToken)
        {
            if (await SettleAsync() is { } failure)
            {
                return failure;
            }

            List<ItemUpsert> chunk = Pending;
            List<long> lines = _pendingLines;
            Pending = new List<ItemUpsert>(size);
            _pendingLines = new List<long>(size);
            _inFlight = Task.Run(() => CommitAsync(service, name, chunk, lines, cancellationToken), CancellationToken.None);
            return null;
        }

        // The end of the body: the chunk in flight, then the rest, in order.
        public async Task<StoreError?> FinishAsync(IEmbeddingService service, string name, CancellationToken cancellationToken)
        {
            if (await SettleAsync() is { } failure)
            {
                return failure;
            }

            if (Pending.Count == 0)
            {
                return null;
            }

            _inFlight = CommitAsync(service, name, Pending, _pendingLines, cancellationToken);
            return await SettleAsync();
        }

        // The outcome of the chunk in flight (null when none, or when it committed).
        public async Task<StoreError?> SettleAsync()
        {
            Task<StoreError?>? inFlight = _inFlight;
            _inFlight = null;
            StoreError? failure = inFlight is null ? null : await inFlight;
            if (failure is not null)
            {
                // Set here, not on the worker: the parser may meanwhile have set the line of a later bad line.
                _failedLine = _commitFailedLine;
            }

            return failure;
        }

        private async Task<StoreError?> CommitAsync(
            IEmbeddingService service, string name, List<ItemUpsert> chunk, List<long> lines, CancellationToken cancellationToken)
        {
            StoreResult<int> result = await service.UpsertItemsAsync(name, chunk, cancellationToken);
            if (!result.IsSuccess)
            {
                // The engine names items[i] of the chunk; the caller knows lines of the stream.
                Match match = ItemIndex().Match(result.Error!.Message);
                _commitFailedLine = match.Success && int.TryParse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture, out int index) && index < lines.Count
                    ? lines[index]
                    : lines[0];
                string message = ItemIndex().Replace(
                    result.Error.Message, m => int.TryParse(m.Groups[1].ValueSpan, CultureInfo.InvariantCulture, out int i) && i < lines.Count
                        ? "line " + lines[i].ToString(CultureInfo.InvariantCulture)
                        : m.Value);
                return result.Error with { Message = $"chunk {Chunks + 1} (lines {lines[0]}-{lines[^1]}): {message}" };
            }

            Committed += chunk.Count;
            Chunks++;
            chunk.Clear();
            lines.Clear();
            return null;
        }

        public ProblemHttpResult Problem(StoreError error)
        {
            (int status, string type, string title) = ProblemMapping.Map(error.Code);
            var extensions = new Dictionary<string, object?>
            {
                [BulkUpsertProblemMembers.CommittedItems] = Committed,
                [BulkUpsertProblemMembers.CommittedChunks] = Chunks,
                [BulkUpsertProblemMembers.Line] = _failedLine == 0 ? Lines : _failedLine,
            };
            if (error.Versions is { Count: > 0 } versions)
            {
                extensions["versions"] = versions.ToArray();
            }

            string detail = $"{error.Message} Committed before it: {Committed} items in {Chunks} chunks; nothing after them was written.";
            return TypedResults.Problem(detail: detail, statusCode: status, title: title, type: type, extensions: extensions);
        }

        private static bool IsBlank(ReadOnlySequence<byte> line)
        {
            foreach (ReadOnlyMemory<byte> segment in line)
            {
                foreach (byte b in segment.Span)
                {
                    if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r'))
                    {
                        return false;
                    }
                }
            }

            return true;
        }
    }
}

// Marks an endpoint that reads its body as a stream: the request body limit does not apply (each unit it reads has its
// own bound), and an Idempotency-Key, which needs a buffered body, is refused.
internal sealed class StreamingBodyMetadata;
