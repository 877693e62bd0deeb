// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Contracts;
using EmbeddingStore.Server.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.OpenApi;

namespace EmbeddingStore.Server.OpenApi;

// Documents, per operation, the answers that come from the pipeline rather than the handler: authentication (401/403),
// rate limiting (429 with Retry-After), body reading (408/413/415), idempotency (422, plus the Idempotency-Key header)
// and storage (503 on writes). Each is derived from the endpoint's own metadata and the same rules the middleware uses,
// so a route added later is documented the same way without being listed here.
internal sealed class OperationResponsesTransformer : IOpenApiOperationTransformer
{
    private const string ProblemSchema = "ProblemDetails";
    private const string ProblemMediaType = "application/problem+json";

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        // Operation ids are what generated clients name their methods: the handler's C# Async suffix is no part of the API.
        if (operation.OperationId is { } id && id.EndsWith("Async", StringComparison.Ordinal))
        {
            operation.OperationId = id[..^"Async".Length];
        }

        IList<object> metadata = context.Description.ActionDescriptor.EndpointMetadata;
        string method = context.Description.HttpMethod ?? string.Empty;
        string path = "/" + (context.Description.RelativePath ?? string.Empty);
        bool anonymous = metadata.OfType<IAllowAnonymous>().Any();
        bool rateLimited = !metadata.OfType<DisableRateLimitingAttribute>().Any();
        bool hasBody = operation.RequestBody is not null;
        bool hasPathParameters = path.Contains('{', StringComparison.Ordinal);
        bool hasParameters = operation.Parameters is { Count: > 0 };
        bool write = IdempotencyMiddleware.IsWrite(metadata);
        OpenApiDocument document = context.Document ?? new OpenApiDocument();
        operation.Responses ??= [];

        if (hasBody || hasParameters || write)
        {
            AddProblem(operation, document, StatusCodes.Status400BadRequest,
                "Malformed request (/problems/malformed-request) or a value out of shape or over a configured limit (/problems/invalid-argument, "
                + "/problems/limit-exceeded, ...; see schema/problems.md).");
        }

        // A PUT creates what its path names, so only its declared 404s (a referenced version, say) apply to it.
        if (hasPathParameters && !HttpMethods.IsPut(method))
        {
            AddProblem(operation, document, StatusCodes.Status404NotFound, "The collection, item, model version or link named by the path does not exist.");
        }

        if (anonymous)
        {
            // Stated rather than left out, so a reader (and a linter) can tell "no key needed" from "forgot to say".
            operation.Security = [new OpenApiSecurityRequirement()];
        }
        else
        {
            AddProblem(operation, document, StatusCodes.Status401Unauthorized,
                $"API keys are configured and the request has none, or one the server does not know ({ProblemTypes.Unauthorized}).");
            AddProblem(operation, document, StatusCodes.Status403Forbidden, $"The API key lacks the scope this operation needs ({ProblemTypes.Forbidden}).");
            operation.Security =
            [
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(DocumentInfoTransformer.ApiKeyScheme, document)] = [] },
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(DocumentInfoTransformer.BearerScheme, document)] = [] },
                // A server configured without keys is open (and listens on loopback only).
                new OpenApiSecurityRequirement(),
            ];
        }

        if (hasBody)
        {
            AddProblem(operation, document, StatusCodes.Status408RequestTimeout, $"The body arrived too slowly ({ProblemTypes.RequestTimeout}); nothing was applied.");
            AddProblem(operation, document, StatusCodes.Status413PayloadTooLarge, $"The body exceeds Limits:MaxRequestBodyBytes ({ProblemTypes.PayloadTooLarge}).");
            AddProblem(operation, document, StatusCodes.Status415UnsupportedMediaType,
                $"The body is not application/json, or Content-Type is missing ({ProblemTypes.UnsupportedMediaType}).");
        }

        if (write)
        {
            operation.Parameters ??= [];
            if (!operation.Parameters.Any(p => p.In == ParameterLocation.Header && p.Name == IdempotencyMiddleware.HeaderName))
            {
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = IdempotencyMiddleware.HeaderName,
                    In = ParameterLocation.Header,
                    Required = false,
                    Description = "A unique key (1-200 visible ASCII characters) that makes a retried write apply once: a retry with the same key "
                        + "and request within 24 hours gets the first answer back, with Idempotent-Replayed: true.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = 200, Pattern = "^[!-~]+$" },
                });
            }

            AddProblem(operation, document, StatusCodes.Status422UnprocessableEntity,
                $"The Idempotency-Key was used in the last 24 hours for a different request ({ProblemTypes.IdempotencyKeyReused}).");
            string lost = $"A retry with an Idempotency-Key whose write was committed but whose answer was lost is not applied again ({ProblemTypes.IdempotencyAnswerLost}).";
            if (operation.Responses.TryGetValue("409", out IOpenApiResponse? conflict) && conflict is OpenApiResponse declaredConflict)
            {
                declaredConflict.Description = (declaredConflict.Description is "Conflict" or null ? string.Empty : declaredConflict.Description + " ") + lost;
            }
            else
            {
                AddProblem(operation, document, StatusCodes.Status409Conflict, lost);
            }

            AddProblem(operation, document, StatusCodes.Status503ServiceUnavailable,
                $"The database refused the write (disk full, Storage:MaxSizeBytes, read-only file); nothing changed and reads keep working ({ProblemTypes.StorageUnavailable}).");
            foreach ((string status, IOpenApiResponse response) in operation.Responses)
            {
                if (status.StartsWith('2') && response is OpenApiResponse concrete)
                {
                    concrete.Headers ??= new Dictionary<string, IOpenApiHeader>();
                    concrete.Headers["Idempotent-Replayed"] = new OpenApiHeader
                    {
                        Description = "Present (true) when this is the stored answer to an earlier request with the same Idempotency-Key.",
                        Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = ["true"] },
                    };
                }
            }
        }

        if (rateLimited)
        {
            OpenApiResponse limited = AddProblem(operation, document, StatusCodes.Status429TooManyRequests,
                $"Over RateLimit:PermitsPerSecond for this key or address ({ProblemTypes.RateLimited}); retry after Retry-After seconds.");
            limited.Headers ??= new Dictionary<string, IOpenApiHeader>();
            limited.Headers["Retry-After"] = new OpenApiHeader
            {
                Description = "Seconds to wait before retrying.",
                Required = true,
                Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "1" },
            };
        }

        return Task.CompletedTask;
    }

    // Adds a problem+json response for a status unless the endpoint already declares it; either way describes it.
    private static OpenApiResponse AddProblem(OpenApiOperation operation, OpenApiDocument document, int status, string description)
    {
        string key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (operation.Responses!.TryGetValue(key, out IOpenApiResponse? existing) && existing is OpenApiResponse declared)
        {
            declared.Description = description;
            return declared;
        }

        var response = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                [ProblemMediaType] = new OpenApiMediaType { Schema = new OpenApiSchemaReference(ProblemSchema, document) },
            },
        };
        operation.Responses[key] = response;
        return response;
    }
}
