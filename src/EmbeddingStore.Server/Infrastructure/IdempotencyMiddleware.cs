// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Security.Cryptography;
using System.Text;
using EmbeddingStore.Contracts;
using EmbeddingStore.Core.Persistence;
using Microsoft.AspNetCore.Mvc;

namespace EmbeddingStore.Server.Infrastructure;

// Writes sent with an `Idempotency-Key` header are applied once: the first successful answer is stored (24 h) and a
// retry with the same key and the same request gets that answer back (`Idempotent-Replayed: true`) instead of being
// applied again; the same key with a different request is refused (422). Requests with one key are serialised, so two
// concurrent retries cannot both apply.
//
// The key is claimed in the same transaction as the write it answers (an ambient IdempotencyClaim the repository picks
// up), and the answer is recorded right after. A crash between the two leaves the claim: the retry is then refused with
// 409 idempotency-answer-lost instead of being applied a second time (which would create a second link or job).
internal sealed class IdempotencyMiddleware(RequestDelegate next)
{
    public const string HeaderName = "Idempotency-Key";
    private const int MaxKeyLength = 200;
    private static readonly TimeSpan s_retention = TimeSpan.FromHours(24);
    // Striped locks: requests with one key always share a stripe, and memory stays bounded however many keys are used.
    private static readonly SemaphoreSlim[] s_stripes = [.. Enumerable.Range(0, 256).Select(_ => new SemaphoreSlim(1, 1))];

    public async Task InvokeAsync(HttpContext context, IIdempotencyStore store, TimeProvider time, IProblemDetailsService problems)
    {
        if (!context.Request.Headers.TryGetValue(HeaderName, out var values) || !IsWrite(context.GetEndpoint()?.Metadata))
        {
            await next(context);
            return;
        }

        if (context.GetEndpoint()?.Metadata.GetMetadata<Endpoints.StreamingBodyMetadata>() is not null)
        {
            // A stream is never buffered, so it cannot be fingerprinted; resuming from the answer's committedItems is the
            // retry for a streamed load.
            await WriteProblemAsync(context, problems, StatusCodes.Status400BadRequest, ProblemTypes.InvalidArgument, "Idempotency key not supported here",
                $"{HeaderName} is not accepted on a streamed bulk upsert; after a failure, resend the items after the problem's committedItems.");
            return;
        }

        string key = values.ToString();
        if (key.Length is 0 or > MaxKeyLength || key.Any(c => c is < '!' or > '~'))
        {
            await WriteProblemAsync(context, problems, StatusCodes.Status400BadRequest, ProblemTypes.InvalidArgument, "Invalid idempotency key",
                $"{HeaderName} must be 1-{MaxKeyLength} visible ASCII characters.");
            return;
        }

        context.Request.EnableBuffering();
        byte[] fingerprint;
        using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"{context.Request.Method}\n{context.Request.Path}{context.Request.QueryString}\n"));
            await using var copy = new MemoryStream();
            await context.Request.Body.CopyToAsync(copy, context.RequestAborted);
            hash.AppendData(copy.GetBuffer(), 0, (int)copy.Length);
            fingerprint = hash.GetHashAndReset();
            context.Request.Body.Position = 0;
        }

        SemaphoreSlim gate = s_stripes[(int)((uint)StringComparer.Ordinal.GetHashCode(key) % (uint)s_stripes.Length)];
        await gate.WaitAsync(context.RequestAborted);
        try
        {
            DateTimeOffset now = time.GetUtcNow();
            if (store.Find(key, now - s_retention) is { } stored)
            {
                if (!CryptographicOperations.FixedTimeEquals(stored.Fingerprint, fingerprint))
                {
                    await WriteProblemAsync(context, problems, StatusCodes.Status422UnprocessableEntity, ProblemTypes.IdempotencyKeyReused, "Idempotency key reused",
                        $"{HeaderName} '{key}' was already used for a different request in the last 24 hours; use a new key for a new write.");
                    return;
                }

                if (stored.Status == 0)
                {
                    await WriteProblemAsync(context, problems, StatusCodes.Status409Conflict, ProblemTypes.IdempotencyAnswerLost, "Idempotent write committed, answer lost",
                        $"A write sent with {HeaderName} '{key}' was committed, but the server stopped before recording its answer; it was not applied again. Read the resource to see its state.");
                    return;
                }

                context.Response.StatusCode = stored.Status;
                context.Response.ContentType = stored.ContentType;
                context.Response.Headers["Idempotent-Replayed"] = "true";
                await context.Response.Body.WriteAsync(stored.Body, context.RequestAborted);
                return;
            }

            Stream original = context.Response.Body;
            await using var buffer = new MemoryStream();
            context.Response.Body = buffer;
            try
            {
                using (IdempotencyClaim.Enter(new IdempotencyClaim(key, fingerprint, now)))
                {
                    await next(context);
                }
            }
            finally
            {
                context.Response.Body = original;
            }

            byte[] body = buffer.ToArray();
            if (context.Response.StatusCode is >= 200 and < 300)
            {
                // Recorded before the answer leaves: a client that sees the answer can rely on the replay.
                await store.SaveAnswerAsync(
                    key, new IdempotentResponse(fingerprint, context.Response.StatusCode, context.Response.ContentType, body), now, now - s_retention, CancellationToken.None);
            }

            await original.WriteAsync(body, CancellationToken.None);
        }
        finally
        {
            gate.Release();
        }
    }

    // Which requests are writes (an Idempotency-Key applies to them): the matched endpoint's row in the operations table,
    // which the client's retry policy reads too. It takes the endpoint's metadata, so the API document asks exactly the
    // same question when it documents the header. A request that matched no endpoint is not a write.
    public static bool IsWrite(IEnumerable<object>? metadata) =>
        metadata?.OfType<IEndpointNameMetadata>().FirstOrDefault() is { } name
        && ApiOperations.TryGet(name.EndpointName, out ApiOperation? operation)
        && operation.IsWrite;

    private static Task WriteProblemAsync(HttpContext context, IProblemDetailsService problems, int status, string type, string title, string detail)
    {
        context.Response.StatusCode = status;
        return problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = status, Type = type, Title = title, Detail = detail },
        }).AsTask();
    }
}
