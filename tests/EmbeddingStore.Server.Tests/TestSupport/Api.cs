// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EmbeddingStore.Server.Tests.TestSupport;

// Raw HTTP helpers: tests send exactly the bytes a client would, so the JSON contract itself is under test.
public static class Api
{
    public static async Task<(HttpStatusCode Status, JsonNode? Body, string? MediaType)> SendAsync(
        HttpClient client, HttpMethod method, string path, string? body = null, string contentType = "application/json", CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        using HttpResponseMessage response = await client.SendAsync(request, cancellationToken);
        string text = await response.Content.ReadAsStringAsync(cancellationToken);
        JsonNode? node = text.Length == 0 ? null : JsonNode.Parse(text);
        return (response.StatusCode, node, response.Content.Headers.ContentType?.MediaType);
    }

    public static Task<(HttpStatusCode Status, JsonNode? Body, string? MediaType)> PutAsync(HttpClient client, string path, string body, CancellationToken ct) =>
        SendAsync(client, HttpMethod.Put, path, body, cancellationToken: ct);

    public static Task<(HttpStatusCode Status, JsonNode? Body, string? MediaType)> PostAsync(HttpClient client, string path, string body, CancellationToken ct) =>
        SendAsync(client, HttpMethod.Post, path, body, cancellationToken: ct);

    public static Task<(HttpStatusCode Status, JsonNode? Body, string? MediaType)> GetAsync(HttpClient client, string path, CancellationToken ct) =>
        SendAsync(client, HttpMethod.Get, path, cancellationToken: ct);

    public static string Vector(IEnumerable<float> values) => JsonSerializer.Serialize(values.ToArray());

    // Everything a client can read back: versions, collections, and every item with its vectors.
    public static async Task<string> SnapshotAsync(HttpClient client, CancellationToken ct)
    {
        JsonNode collections = (await GetAsync(client, "/v1/collections", ct)).Body!;
        var parts = new List<string>
        {
            (await GetAsync(client, "/v1/models/versions", ct)).Body!.ToJsonString(),
            collections.ToJsonString(),
            (await GetAsync(client, "/v1/links", ct)).Body!.ToJsonString(),
        };
        foreach (JsonNode? collection in collections["collections"]!.AsArray())
        {
            string? cursor = null;
            do
            {
                string path = $"/v1/collections/{collection!["name"]}/items?limit=1000&withVectors=true" + (cursor is null ? string.Empty : "&cursor=" + Uri.EscapeDataString(cursor));
                JsonNode page = (await GetAsync(client, path, ct)).Body!;
                parts.Add(page["items"]!.ToJsonString());
                cursor = page["nextCursor"]?.GetValue<string>();
            }
            while (cursor is not null);
        }

        return string.Join('\n', parts);
    }
}
