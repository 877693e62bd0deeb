// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text.Json;
using System.Text.Json.Serialization;
using EmbeddingStore.Admin.Commands;

namespace EmbeddingStore.Admin.Cli;

// The JSON documents esadmin composes itself (status, collection and model views, restore): the wire's conventions
// (camelCase, the Contracts records embedded as the server sends them), source-generated like the Contracts context.
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(StatusReport))]
[JsonSerializable(typeof(CollectionView))]
[JsonSerializable(typeof(ModelVersionView))]
[JsonSerializable(typeof(LinkDeleted))]
[JsonSerializable(typeof(RestoreReport))]
[JsonSerializable(typeof(HashKeyReport))]
[JsonSerializable(typeof(ReembedExportReport))]
[JsonSerializable(typeof(ReembedImportReport))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
