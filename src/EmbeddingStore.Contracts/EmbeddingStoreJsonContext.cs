// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text.Json;
using System.Text.Json.Serialization;

namespace EmbeddingStore.Contracts;

/// <summary>
/// Source-generated JSON metadata for every wire type: no reflection at run time, identical (camelCase, strict
/// numbers) on server and client, so a number sent as a string is a type error on both sides.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    NumberHandling = JsonNumberHandling.Strict,
    PropertyNameCaseInsensitive = false,
    RespectNullableAnnotations = true,
    AllowDuplicateProperties = false,
    ReadCommentHandling = JsonCommentHandling.Disallow,
    AllowTrailingCommas = false)]
[JsonSerializable(typeof(ModelVersionRequest))]
[JsonSerializable(typeof(ModelVersionResponse))]
[JsonSerializable(typeof(ModelVersionListResponse))]
[JsonSerializable(typeof(CollectionRequest))]
[JsonSerializable(typeof(CollectionResponse))]
[JsonSerializable(typeof(CollectionListResponse))]
[JsonSerializable(typeof(UpsertItemsRequest))]
[JsonSerializable(typeof(UpsertItemsResponse))]
[JsonSerializable(typeof(DeleteItemsRequest))]
[JsonSerializable(typeof(DeleteItemsResponse))]
[JsonSerializable(typeof(ItemResponse))]
[JsonSerializable(typeof(ScrollResponse))]
[JsonSerializable(typeof(CountRequest))]
[JsonSerializable(typeof(CountResponse))]
[JsonSerializable(typeof(SearchRequest))]
[JsonSerializable(typeof(SearchResponse))]
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
[JsonSerializable(typeof(BackupRequest))]
[JsonSerializable(typeof(BackupResponse))]
[JsonSerializable(typeof(VerifyResponse))]
public sealed partial class EmbeddingStoreJsonContext : JsonSerializerContext;
