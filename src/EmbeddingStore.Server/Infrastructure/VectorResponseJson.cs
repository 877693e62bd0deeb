// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text.Json;
using EmbeddingStore.Contracts;
using EmbeddingStore.Core.Collections;
using Microsoft.Extensions.Options;

namespace EmbeddingStore.Server.Infrastructure;

// The response side of the vector encodings: requests read both forms everywhere (VectorJsonConverter in the HTTP JSON
// options); a response carries base64 vectors only when the request says vectorEncoding=base64. The base64 options are
// the server's own JSON options with the base64-writing converter in front, built once.
internal sealed class VectorResponseJson(IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
{
    private readonly Lazy<JsonSerializerOptions> _base64 = new(() =>
    {
        var options = new JsonSerializerOptions(json.Value.SerializerOptions);
        options.Converters.Insert(0, new VectorJsonConverter(VectorEncoding.Base64));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    });

    public static bool TryParseEncoding(string? name, out VectorEncoding encoding, out StoreError? error)
    {
        error = null;
        encoding = VectorEncoding.Array;
        if (name is null || VectorEncodingNames.TryParse(name, out encoding))
        {
            return true;
        }

        error = new StoreError(
            StoreErrorCode.InvalidArgument,
            $"{VectorEncodingNames.Parameter} must be one of {string.Join(", ", VectorEncodingNames.All)}; it was '{name}'.");
        return false;
    }

    // Endpoints answer Ok<T> for arrays (the server's own options) and TypedResults.Json(value, Base64) otherwise; both are
    // 200 with the same schema, which the OpenAPI document describes as array-or-string for every vector.
    public JsonSerializerOptions Base64 => _base64.Value;
}
