// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text.Json;
using System.Text.Json.Serialization;

namespace EmbeddingStore.Contracts;

/// <summary>
/// Source-generated JSON metadata for every wire type: no reflection at run time, identical (camelCase, strict
/// numbers) on server and client, so a number sent as a string is a type error on both sides. Every vector is read by
/// <see cref="VectorJsonConverter"/> (a JSON array or a base64 string); <see cref="Default"/> writes arrays and
/// <see cref="Base64Vectors"/> writes base64.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    NumberHandling = JsonNumberHandling.Strict,
    PropertyNameCaseInsensitive = false,
    RespectNullableAnnotations = true,
    AllowDuplicateProperties = false,
    ReadCommentHandling = JsonCommentHandling.Disallow,
    AllowTrailingCommas = false,
    Converters = [typeof(VectorJsonConverter)])]
[JsonSerializable(typeof(ModelVersionRequest))]
[JsonSerializable(typeof(ModelVersionResponse))]
[JsonSerializable(typeof(ModelVersionListResponse))]
[JsonSerializable(typeof(CollectionRequest))]
[JsonSerializable(typeof(CollectionResponse))]
[JsonSerializable(typeof(CollectionListResponse))]
[JsonSerializable(typeof(UpsertItemsRequest))]
[JsonSerializable(typeof(UpsertItemsResponse))]
[JsonSerializable(typeof(BulkUpsertItemsResponse))]
[JsonSerializable(typeof(ItemRequest))]
[JsonSerializable(typeof(DeleteItemsRequest))]
[JsonSerializable(typeof(DeleteItemsResponse))]
[JsonSerializable(typeof(ItemResponse))]
[JsonSerializable(typeof(ScrollRequest))]
[JsonSerializable(typeof(ScrollResponse))]
[JsonSerializable(typeof(CountRequest))]
[JsonSerializable(typeof(CountResponse))]
[JsonSerializable(typeof(SearchRequest))]
[JsonSerializable(typeof(SearchResponse))]
[JsonSerializable(typeof(HybridSearchRequest))]
[JsonSerializable(typeof(HybridSearchResponse))]
[JsonSerializable(typeof(BatchSearchRequest))]
[JsonSerializable(typeof(BatchSearchResponse))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(LinkRequest))]
[JsonSerializable(typeof(LinkResponse))]
[JsonSerializable(typeof(LinkListResponse))]
[JsonSerializable(typeof(DeriveVectorsRequest))]
[JsonSerializable(typeof(JobResponse))]
[JsonSerializable(typeof(JobListResponse))]
[JsonSerializable(typeof(AliasRequest))]
[JsonSerializable(typeof(AliasResponse))]
[JsonSerializable(typeof(AliasListResponse))]
[JsonSerializable(typeof(PayloadIndexRequest))]
[JsonSerializable(typeof(PayloadIndexResponse))]
[JsonSerializable(typeof(PayloadIndexListResponse))]
[JsonSerializable(typeof(BackupRequest))]
[JsonSerializable(typeof(BackupResponse))]
[JsonSerializable(typeof(VerifyResponse))]
[JsonSerializable(typeof(CreateMigrationRequest))]
[JsonSerializable(typeof(MigrationResponse))]
[JsonSerializable(typeof(MigrationListResponse))]
[JsonSerializable(typeof(PendingItemsResponse))]
[JsonSerializable(typeof(MigrationVectorsRequest))]
[JsonSerializable(typeof(MigrationVectorsResponse))]
[JsonSerializable(typeof(RefitMigrationRequest))]
public sealed partial class EmbeddingStoreJsonContext : JsonSerializerContext
{
    private static EmbeddingStoreJsonContext? s_base64Vectors;

    /// <summary>
    /// The same metadata as <see cref="Default"/>, but vectors are written as base64 (<see cref="VectorEncoding.Base64"/>):
    /// what the client sends by default and the server answers with on <c>vectorEncoding=base64</c>.
    /// </summary>
    public static EmbeddingStoreJsonContext Base64Vectors => s_base64Vectors ??= Create(VectorEncoding.Base64);

    /// <summary>The context that writes vectors in <paramref name="encoding"/>; both read either form.</summary>
    /// <param name="encoding">How vectors are written.</param>
    public static EmbeddingStoreJsonContext For(VectorEncoding encoding) => encoding == VectorEncoding.Base64 ? Base64Vectors : Default;

    private static EmbeddingStoreJsonContext Create(VectorEncoding encoding)
    {
        var options = new JsonSerializerOptions(Default.Options) { TypeInfoResolver = null };
        options.Converters.Clear();
        options.Converters.Add(new VectorJsonConverter(encoding));
        return new EmbeddingStoreJsonContext(options);
    }
}
