// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace EmbeddingStore.Server.OpenApi;

// Title, description, licence, the two ways to send a key, and a relative server: the document is served by the
// server it describes, so "/" is right wherever it runs (the generator's default, http://localhost/, is not).
internal sealed class DocumentInfoTransformer : IOpenApiDocumentTransformer
{
    public const string ApiKeyScheme = "ApiKey";
    public const string BearerScheme = "Bearer";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "EmbeddingStore API";
        document.Info.Description =
            "A vector database with versioned embeddings. Every vector names the model version that produced it (model@version); "
            + "scores are higher-is-closer for every metric (cosine similarity, dot product, negated Euclidean or Manhattan distance). "
            + "Every error is application/problem+json with a stable type (see schema/problems.md). "
            + "API keys are optional: a server configured without keys is open and listens on loopback only; "
            + "with keys, every /v1 route needs one, sent as X-Api-Key or Authorization: Bearer.";
        document.Info.License = new OpenApiLicense { Name = "MIT", Identifier = "MIT" };
        document.Servers = [new OpenApiServer { Url = "/", Description = "The server that serves this document" }];

        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
        {
            [ApiKeyScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = "X-Api-Key",
                Description = "An API key configured (as its SHA-256) under Auth:Keys, with the scope the operation needs: read, write or admin.",
            },
            [BearerScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "The same API key sent as Authorization: Bearer <key>.",
            },
        };
        return Task.CompletedTask;
    }
}
