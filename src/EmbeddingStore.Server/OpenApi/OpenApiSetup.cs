// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Server.OpenApi;

// The API document is generated from the contracts and the endpoint metadata; these transformers add what neither can
// say by itself (statuses the middleware sends, security, limits from configuration, names from the engine's tables),
// so that the document describes exactly what the server sends. The snapshot in schema/openapi/v1.json is never edited.
internal static class OpenApiSetup
{
    public static IServiceCollection AddEmbeddingStoreOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.AddSchemaTransformer<WireSchemaTransformer>();
            options.AddOperationTransformer<OperationResponsesTransformer>();
            options.AddDocumentTransformer<DocumentInfoTransformer>();
        });
}
