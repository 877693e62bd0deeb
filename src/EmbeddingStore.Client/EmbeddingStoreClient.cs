// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using EmbeddingStore.Contracts;

namespace EmbeddingStore.Client;

/// <summary>
/// A typed client for the EmbeddingStore REST API, so .NET callers never hand-write HTTP calls or JSON. Refusals come
/// back as <see cref="EmbeddingStoreException"/> carrying the problem type and detail.
/// </summary>
/// <remarks>The client does not own <see cref="HttpClient"/>; pass one from IHttpClientFactory or keep one per process.</remarks>
public sealed class EmbeddingStoreClient
{
    private static readonly EmbeddingStoreJsonContext s_json = EmbeddingStoreJsonContext.Default;
    private readonly HttpClient _http;

    /// <summary>Creates a client over an <see cref="HttpClient"/> whose <see cref="HttpClient.BaseAddress"/> is the server.</summary>
    public EmbeddingStoreClient(HttpClient httpClient)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        if (httpClient.BaseAddress is null)
        {
            throw new ArgumentException("HttpClient.BaseAddress must be set to the server's address.", nameof(httpClient));
        }

        _http = httpClient;
    }

    /// <summary>Checks that the server is up and has loaded its database.</summary>
    public Task<HealthResponse> GetHealthAsync(CancellationToken cancellationToken = default) =>
        GetAsync("health", s_json.HealthResponse, cancellationToken);

    /// <summary>Registers a model version (idempotent for identical settings).</summary>
    public Task<ModelVersionResponse> RegisterModelVersionAsync(string model, string version, ModelVersionRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, $"v1/models/{Escape(model)}/versions/{Escape(version)}", request, s_json.ModelVersionRequest, s_json.ModelVersionResponse, cancellationToken);

    /// <summary>Gets one model version.</summary>
    public Task<ModelVersionResponse> GetModelVersionAsync(string model, string version, CancellationToken cancellationToken = default) =>
        GetAsync($"v1/models/{Escape(model)}/versions/{Escape(version)}", s_json.ModelVersionResponse, cancellationToken);

    /// <summary>Lists model versions.</summary>
    public Task<ModelVersionListResponse> ListModelVersionsAsync(CancellationToken cancellationToken = default) =>
        GetAsync("v1/models/versions", s_json.ModelVersionListResponse, cancellationToken);

    /// <summary>Creates a collection or changes its serving version.</summary>
    public Task<CollectionResponse> PutCollectionAsync(string name, CollectionRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, $"v1/collections/{Escape(name)}", request, s_json.CollectionRequest, s_json.CollectionResponse, cancellationToken);

    /// <summary>Gets a collection with its counts.</summary>
    public Task<CollectionResponse> GetCollectionAsync(string name, CancellationToken cancellationToken = default) =>
        GetAsync($"v1/collections/{Escape(name)}", s_json.CollectionResponse, cancellationToken);

    /// <summary>Lists collections.</summary>
    public Task<CollectionListResponse> ListCollectionsAsync(CancellationToken cancellationToken = default) =>
        GetAsync("v1/collections", s_json.CollectionListResponse, cancellationToken);

    /// <summary>Deletes a collection and everything in it.</summary>
    public async Task DeleteCollectionAsync(string name, CancellationToken cancellationToken = default)
    {
        using HttpResponseMessage response = await _http.DeleteAsync(new Uri($"v1/collections/{Escape(name)}", UriKind.Relative), cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Upserts one atomic batch; returns once it is durable.</summary>
    public Task<UpsertItemsResponse> UpsertItemsAsync(string collection, UpsertItemsRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"v1/collections/{Escape(collection)}/items", request, s_json.UpsertItemsRequest, s_json.UpsertItemsResponse, cancellationToken);

    /// <summary>Deletes items by id.</summary>
    public Task<DeleteItemsResponse> DeleteItemsAsync(string collection, DeleteItemsRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"v1/collections/{Escape(collection)}/items/delete", request, s_json.DeleteItemsRequest, s_json.DeleteItemsResponse, cancellationToken);

    /// <summary>Gets one item.</summary>
    public Task<ItemResponse> GetItemAsync(string collection, string id, bool withVectors = false, CancellationToken cancellationToken = default) =>
        GetAsync($"v1/collections/{Escape(collection)}/items/{Escape(id)}?withVectors={(withVectors ? "true" : "false")}", s_json.ItemResponse, cancellationToken);

    /// <summary>Reads one page of items in id order; pass the previous page's <see cref="ScrollResponse.NextCursor"/>.</summary>
    public Task<ScrollResponse> ScrollAsync(string collection, int limit = 100, string? cursor = null, bool withVectors = false, CancellationToken cancellationToken = default)
    {
        string query = string.Create(CultureInfo.InvariantCulture, $"limit={limit}&withVectors={(withVectors ? "true" : "false")}");
        if (cursor is not null)
        {
            query += "&cursor=" + Uri.EscapeDataString(cursor);
        }

        return GetAsync($"v1/collections/{Escape(collection)}/items?{query}", s_json.ScrollResponse, cancellationToken);
    }

    /// <summary>Counts items, optionally matching a filter.</summary>
    public Task<CountResponse> CountAsync(string collection, CountRequest? request = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"v1/collections/{Escape(collection)}/items/count", request ?? new CountRequest(), s_json.CountRequest, s_json.CountResponse, cancellationToken);

    /// <summary>Searches a collection.</summary>
    public Task<SearchResponse> SearchAsync(string collection, SearchRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"v1/collections/{Escape(collection)}/search", request, s_json.SearchRequest, s_json.SearchResponse, cancellationToken);

    /// <summary>
    /// Runs many searches of one model version in one request; results come back in request order. Cheaper than the same
    /// searches one by one, because the server scores blocks of queries per pass over the vectors.
    /// </summary>
    public Task<BatchSearchResponse> SearchBatchAsync(string collection, BatchSearchRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"v1/collections/{Escape(collection)}/search/batch", request, s_json.BatchSearchRequest, s_json.BatchSearchResponse, cancellationToken);

    private static string Escape(string segment)
    {
        ArgumentException.ThrowIfNullOrEmpty(segment);
        return Uri.EscapeDataString(segment);
    }

    private async Task<T> GetAsync<T>(string path, JsonTypeInfo<T> responseType, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await _http.GetAsync(new Uri(path, UriKind.Relative), cancellationToken).ConfigureAwait(false);
        return await ReadAsync(response, responseType, cancellationToken).ConfigureAwait(false);
    }

    private async Task<TResponse> SendAsync<TRequest, TResponse>(
        HttpMethod method, string path, TRequest body, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative))
        {
            Content = JsonContent.Create(body, requestType),
        };
        using HttpResponseMessage response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return await ReadAsync(response, responseType, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> responseType, CancellationToken cancellationToken)
    {
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        T? value = await response.Content.ReadFromJsonAsync(responseType, cancellationToken).ConfigureAwait(false);
        return value ?? throw new EmbeddingStoreException($"The server answered {(int)response.StatusCode} with an empty body.");
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        string? type = null, title = null, detail = null;
        List<string>? versions = null;
        string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using JsonDocument document = JsonDocument.Parse(body);
            JsonElement root = document.RootElement;
            type = root.TryGetProperty("type", out JsonElement t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            title = root.TryGetProperty("title", out JsonElement ti) && ti.ValueKind == JsonValueKind.String ? ti.GetString() : null;
            detail = root.TryGetProperty("detail", out JsonElement d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
            if (root.TryGetProperty("versions", out JsonElement v) && v.ValueKind == JsonValueKind.Array)
            {
                versions = [.. v.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!)];
            }
        }
        catch (JsonException)
        {
            detail = body.Length > 500 ? body[..500] : body;
        }

        throw new EmbeddingStoreException(response.StatusCode == 0 ? HttpStatusCode.InternalServerError : response.StatusCode, type, title, detail, versions);
    }
}
