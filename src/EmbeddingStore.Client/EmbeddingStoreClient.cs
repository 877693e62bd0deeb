// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using EmbeddingStore.Client.Internal;
using EmbeddingStore.Contracts;
using Polly.Timeout;

namespace EmbeddingStore.Client;

/// <summary>
/// A typed client for the EmbeddingStore REST API, so .NET callers never hand-write HTTP calls or JSON. Refusals come
/// back as <see cref="EmbeddingStoreException"/> (or a more specific subclass) carrying the problem type and detail.
/// </summary>
/// <remarks>
/// <para>Three ways to get one:</para>
/// <list type="bullet">
/// <item><c>services.AddEmbeddingStoreClient(...)</c>: IHttpClientFactory plus Microsoft.Extensions.Http.Resilience
/// retries and timeouts; the recommended path for applications.</item>
/// <item><see cref="EmbeddingStoreClient(EmbeddingStoreClientOptions, HttpMessageHandler?)"/>: a client that owns its
/// <see cref="HttpClient"/> with <see cref="EmbeddingStoreRetryHandler"/>, the same Http.Resilience pipeline; for tools
/// and scripts.</item>
/// <item><see cref="EmbeddingStoreClient(HttpClient)"/>: over your own <see cref="HttpClient"/>, exactly as configured
/// (no retries are added).</item>
/// </list>
/// <para>Upserts, item deletes and link creation are not retried, because a lost answer may hide an applied write;
/// pass an idempotency key to the overloads that take one to make them retryable. The key is sent as the
/// <c>Idempotency-Key</c> header. A server that honours the header applies a keyed write once and replays its first
/// answer to retries; a server that does not (this repository's server before its idempotency middleware) ignores it,
/// and then a retried write may be applied twice: harmless for an upsert (it replaces the same item) or a delete (a
/// deleted id is a no-op), but a retried link creation can create a second link.</para>
/// <para>Thread-safe: one instance can serve a whole process.</para>
/// </remarks>
public sealed partial class EmbeddingStoreClient : IDisposable
{
    private readonly EmbeddingStoreJsonContext _json;
    private readonly HttpClient _http;
    private readonly bool _ownsHttpClient;

    /// <summary>Creates a client over an <see cref="HttpClient"/> whose <see cref="HttpClient.BaseAddress"/> is the server.</summary>
    /// <param name="httpClient">Used as configured; not disposed by the client.</param>
    /// <remarks>Vectors are sent as base64 (<see cref="VectorEncoding.Base64"/>), the compact and exact form.</remarks>
    public EmbeddingStoreClient(HttpClient httpClient)
        : this(httpClient, VectorEncoding.Base64)
    {
    }

    /// <summary>Creates a client over an <see cref="HttpClient"/>, choosing how vectors are sent.</summary>
    /// <param name="httpClient">Used as configured; not disposed by the client.</param>
    /// <param name="vectorEncoding">
    /// How request vectors are written: <see cref="VectorEncoding.Base64"/> (bit-exact, about a third of the bytes and no
    /// decimal parse on the server) or <see cref="VectorEncoding.Array"/> (readable, for proxies that inspect bodies).
    /// </param>
    public EmbeddingStoreClient(HttpClient httpClient, VectorEncoding vectorEncoding)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        if (httpClient.BaseAddress is null)
        {
            throw new ArgumentException("HttpClient.BaseAddress must be set to the server's address.", nameof(httpClient));
        }

        if (!Enum.IsDefined(vectorEncoding))
        {
            throw new ArgumentOutOfRangeException(nameof(vectorEncoding), vectorEncoding, "Unknown vector encoding.");
        }

        _http = httpClient;
        _json = EmbeddingStoreJsonContext.For(vectorEncoding);
    }

    /// <summary>
    /// Creates a client that owns its <see cref="HttpClient"/>: the API key header, the total timeout and the retry
    /// pipeline (<see cref="EmbeddingStoreRetryHandler"/>, the same Microsoft.Extensions.Http.Resilience pipeline as the
    /// dependency-injection path) come from <paramref name="options"/>. Dispose the client when done.
    /// </summary>
    /// <param name="options">Validated here; later changes to the object are not seen.</param>
    /// <param name="innerHandler">
    /// The handler below the retry handler that sends to the network (default: a pooled <see cref="SocketsHttpHandler"/>);
    /// pass one to add logging or to inject faults in tests. The client takes ownership of it.
    /// </param>
    public EmbeddingStoreClient(EmbeddingStoreClientOptions options, HttpMessageHandler? innerHandler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        // Connections are recycled every few minutes so a long-lived client follows DNS changes of the server.
        innerHandler ??= new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        var http = new HttpClient(new EmbeddingStoreRetryHandler(options, innerHandler), disposeHandler: true)
        {
            BaseAddress = options.NormalizedBaseAddress(),

            // The pipeline's total timeout governs, as on the IHttpClientFactory path; HttpClient's own would cut retries short.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        ApplyDefaultHeaders(http, options);
        _http = http;
        _ownsHttpClient = true;
        _json = EmbeddingStoreJsonContext.For(options.VectorEncoding);
    }

    /// <summary>The header that carries <see cref="EmbeddingStoreClientOptions.ApiKey"/>: <c>X-Api-Key</c>.</summary>
    public const string ApiKeyHeader = "X-Api-Key";

    /// <summary>The header that carries an idempotency key: <c>Idempotency-Key</c>.</summary>
    public const string IdempotencyKeyHeader = RetryPolicy.IdempotencyKeyHeader;

    /// <summary>Disposes the <see cref="HttpClient"/> if the client created it; a caller's client is left alone.</summary>
    public void Dispose()
    {
        if (_ownsHttpClient)
        {
            _http.Dispose();
        }
    }

    /// <summary>Checks that the server is up and has loaded its database.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<HealthResponse> GetHealthAsync(CancellationToken cancellationToken = default) =>
        GetAsync(ApiOperations.GetHealth, ApiOperations.GetHealth.Path(), _json.HealthResponse, cancellationToken);

    /// <summary>Registers a model version; repeating it with identical settings is harmless, so it is retried like a read.</summary>
    /// <param name="model">The model name, e.g. <c>text</c>.</param>
    /// <param name="version">The version, e.g. <c>v1</c>; the version is then referred to as <c>text@v1</c>.</param>
    /// <param name="request">Dimension, metric and normalisation; immutable once vectors use the version.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<ModelVersionResponse> RegisterModelVersionAsync(string model, string version, ModelVersionRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(ApiOperations.RegisterModelVersion, ApiOperations.RegisterModelVersion.Path(Required(model), Required(version)), request, _json.ModelVersionRequest, _json.ModelVersionResponse,
            null, cancellationToken);

    /// <summary>Gets one model version.</summary>
    /// <param name="model">The model name.</param>
    /// <param name="version">The version.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="EmbeddingStoreNotFoundException">No such version is registered.</exception>
    public Task<ModelVersionResponse> GetModelVersionAsync(string model, string version, CancellationToken cancellationToken = default) =>
        GetAsync(ApiOperations.GetModelVersion, ApiOperations.GetModelVersion.Path(Required(model), Required(version)), _json.ModelVersionResponse, cancellationToken);

    /// <summary>Lists model versions.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<ModelVersionListResponse> ListModelVersionsAsync(CancellationToken cancellationToken = default) =>
        GetAsync(ApiOperations.ListModelVersions, ApiOperations.ListModelVersions.Path(), _json.ModelVersionListResponse, cancellationToken);

    /// <summary>Creates a collection or changes its serving version (PUT: repeating it is harmless).</summary>
    /// <param name="name">The collection's name.</param>
    /// <param name="request">
    /// The serving version, which must be registered; left out, it keeps the current one, or creates a collection with
    /// none whose items wait to be embedded (searches must then name their version until one is set).
    /// </param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<CollectionResponse> PutCollectionAsync(string name, CollectionRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(ApiOperations.PutCollection, ApiOperations.PutCollection.Path(Required(name)), request, _json.CollectionRequest, _json.CollectionResponse, null, cancellationToken);

    /// <summary>Gets a collection with its counts.</summary>
    /// <param name="name">The collection's name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="EmbeddingStoreNotFoundException">No such collection.</exception>
    public Task<CollectionResponse> GetCollectionAsync(string name, CancellationToken cancellationToken = default) =>
        GetAsync(ApiOperations.GetCollection, ApiOperations.GetCollection.Path(Required(name)), _json.CollectionResponse, cancellationToken);

    /// <summary>Lists collections.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<CollectionListResponse> ListCollectionsAsync(CancellationToken cancellationToken = default) =>
        GetAsync(ApiOperations.ListCollections, ApiOperations.ListCollections.Path(), _json.CollectionListResponse, cancellationToken);

    /// <summary>Deletes a collection and everything in it.</summary>
    /// <param name="name">The collection's name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="EmbeddingStoreNotFoundException">No such collection.</exception>
    public async Task DeleteCollectionAsync(string name, CancellationToken cancellationToken = default)
    {
        using HttpRequestMessage request = Request(ApiOperations.DeleteCollection, ApiOperations.DeleteCollection.Path(Required(name)));
        using HttpResponseMessage response = await SendCoreAsync(request, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Upserts one atomic batch; returns once it is durable. Not retried (see the class remarks).</summary>
    /// <param name="collection">The collection.</param>
    /// <param name="request">At most the server's batch limit (1,000 by default); see <c>BulkUpsertAsync</c> for more.</param>
    /// <param name="cancellationToken">Cancels the call; the batch may still have been committed.</param>
    public Task<UpsertItemsResponse> UpsertItemsAsync(string collection, UpsertItemsRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(ApiOperations.UpsertItems, ApiOperations.UpsertItems.Path(Required(collection)), request, _json.UpsertItemsRequest, _json.UpsertItemsResponse, null, cancellationToken);

    /// <summary>Upserts one atomic batch under an idempotency key, which makes it retryable on transient failures.</summary>
    /// <param name="collection">The collection.</param>
    /// <param name="request">The batch.</param>
    /// <param name="idempotencyKey">A key unique to this batch's content, e.g. a hash or an import-job id plus batch number.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<UpsertItemsResponse> UpsertItemsAsync(string collection, UpsertItemsRequest request, string idempotencyKey, CancellationToken cancellationToken = default) =>
        SendAsync(ApiOperations.UpsertItems, ApiOperations.UpsertItems.Path(Required(collection)), request, _json.UpsertItemsRequest, _json.UpsertItemsResponse,
            CheckKey(idempotencyKey), cancellationToken);

    /// <summary>Deletes items by id (unknown ids are ignored) or every item matching a filter. Not retried (see the class remarks).</summary>
    /// <param name="collection">The collection.</param>
    /// <param name="request">The ids, or the filter.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<DeleteItemsResponse> DeleteItemsAsync(string collection, DeleteItemsRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(ApiOperations.DeleteItems, ApiOperations.DeleteItems.Path(Required(collection)), request, _json.DeleteItemsRequest, _json.DeleteItemsResponse, null, cancellationToken);

    /// <summary>Deletes items by id under an idempotency key, which makes the call retryable on transient failures.</summary>
    /// <param name="collection">The collection.</param>
    /// <param name="request">The ids.</param>
    /// <param name="idempotencyKey">A key unique to this delete.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<DeleteItemsResponse> DeleteItemsAsync(string collection, DeleteItemsRequest request, string idempotencyKey, CancellationToken cancellationToken = default) =>
        SendAsync(ApiOperations.DeleteItems, ApiOperations.DeleteItems.Path(Required(collection)), request, _json.DeleteItemsRequest, _json.DeleteItemsResponse,
            CheckKey(idempotencyKey), cancellationToken);

    /// <summary>Gets one item.</summary>
    /// <param name="collection">The collection.</param>
    /// <param name="id">The item's id; any characters, escaped here.</param>
    /// <param name="withVectors">Whether to return the item's vectors (cosine vectors come back normalised).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="EmbeddingStoreNotFoundException">No such collection or item.</exception>
    public Task<ItemResponse> GetItemAsync(string collection, string id, bool withVectors = false, CancellationToken cancellationToken = default) =>
        GetAsync(ApiOperations.GetItem, ApiOperations.GetItem.Path(Required(collection), Required(id)) + $"?withVectors={(withVectors ? "true" : "false")}", _json.ItemResponse, cancellationToken);

    /// <summary>Reads one page of items in id order; pass the previous page's <see cref="ScrollResponse.NextCursor"/>.</summary>
    /// <param name="collection">The collection.</param>
    /// <param name="limit">Items per page (1 to the server's limit, 1,000 by default).</param>
    /// <param name="cursor">The previous page's cursor, or null for the first page.</param>
    /// <param name="withVectors">Whether to return vectors.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<ScrollResponse> ScrollAsync(string collection, int limit = 100, string? cursor = null, bool withVectors = false, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        string query = string.Create(CultureInfo.InvariantCulture, $"limit={limit}&withVectors={(withVectors ? "true" : "false")}");
        if (cursor is not null)
        {
            query += "&cursor=" + Uri.EscapeDataString(cursor);
        }

        return GetAsync(ApiOperations.ScrollItems, ApiOperations.ScrollItems.Path(Required(collection)) + "?" + query, _json.ScrollResponse, cancellationToken);
    }

    /// <summary>
    /// Reads one page of items in id order, only those matching the request's filter (build one with
    /// <see cref="PayloadFilters"/>). A read, so it is retried although it is a POST.
    /// </summary>
    /// <param name="collection">The collection.</param>
    /// <param name="request">Page size, cursor, whether to return vectors, and the filter.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<ScrollResponse> ScrollAsync(string collection, ScrollRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return SendAsync(ApiOperations.ScrollItemsFiltered, ApiOperations.ScrollItemsFiltered.Path(Required(collection)), request, _json.ScrollRequest, _json.ScrollResponse,
            null, cancellationToken);
    }

    /// <summary>Counts items, optionally matching a filter. A read, so it is retried although it is a POST.</summary>
    /// <param name="collection">The collection.</param>
    /// <param name="request">An optional filter.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<CountResponse> CountAsync(string collection, CountRequest? request = null, CancellationToken cancellationToken = default) =>
        SendAsync(ApiOperations.CountItems, ApiOperations.CountItems.Path(Required(collection)), request ?? new CountRequest(), _json.CountRequest, _json.CountResponse,
            null, cancellationToken);

    /// <summary>Searches a collection. A read, so it is retried although it is a POST.</summary>
    /// <param name="collection">The collection.</param>
    /// <param name="request">The query vector and its version, k, filter and options.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="IncompatibleVersionsException">The query's version cannot be compared with the stored vectors.</exception>
    public Task<SearchResponse> SearchAsync(string collection, SearchRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(ApiOperations.Search, ApiOperations.Search.Path(Required(collection)), request, _json.SearchRequest, _json.SearchResponse, null, cancellationToken);

    /// <summary>
    /// Runs a hybrid search: the request's vector search and a BM25 keyword search of one text field, under one filter,
    /// fused by weighted reciprocal rank on the server (both lists are cut there, so only the fused top-k travels). A read:
    /// retried although it is a POST.
    /// </summary>
    /// <param name="collection">The collection.</param>
    /// <param name="request">The query vector, the keywords (field and words), k, filter and fusion weights.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="EmbeddingStoreValidationException">A bad request; the problem's detail names the JSON path (<c>keywords.query</c>, <c>fusion.vectorWeight</c>).</exception>
    /// <exception cref="IncompatibleVersionsException">The query's version cannot be compared with the stored vectors.</exception>
    public Task<HybridSearchResponse> HybridSearchAsync(string collection, HybridSearchRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(ApiOperations.SearchHybrid, ApiOperations.SearchHybrid.Path(Required(collection)), request, _json.HybridSearchRequest, _json.HybridSearchResponse, null,
            cancellationToken);

    /// <summary>
    /// Runs many searches of one model version in one request; results come back in request order. Cheaper than the same
    /// searches one by one, because the server scores blocks of queries per pass over the vectors. A read: retried.
    /// </summary>
    public Task<BatchSearchResponse> SearchBatchAsync(string collection, BatchSearchRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(ApiOperations.SearchBatch, ApiOperations.SearchBatch.Path(Required(collection)), request, _json.BatchSearchRequest, _json.BatchSearchResponse, null,
            cancellationToken);

    /// <summary>Declares an identity link or fits a bridge; fitting takes about a second per 5,000 pairs. Not retried.</summary>
    /// <param name="request">The versions, kind and fitting source.</param>
    /// <param name="cancellationToken">Cancels the call; the link may still have been created.</param>
    public Task<LinkResponse> CreateLinkAsync(LinkRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(ApiOperations.CreateLink, ApiOperations.CreateLink.Path(), request, _json.LinkRequest, _json.LinkResponse, null, cancellationToken);

    /// <summary>
    /// Creates a link under an idempotency key, which makes the call retryable. Against a server that ignores the
    /// <c>Idempotency-Key</c> header, a retry after a lost answer can create a second, identical link; list links to check.
    /// </summary>
    /// <param name="request">The versions, kind and fitting source.</param>
    /// <param name="idempotencyKey">A key unique to this link request.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<LinkResponse> CreateLinkAsync(LinkRequest request, string idempotencyKey, CancellationToken cancellationToken = default) =>
        SendAsync(ApiOperations.CreateLink, ApiOperations.CreateLink.Path(), request, _json.LinkRequest, _json.LinkResponse, CheckKey(idempotencyKey), cancellationToken);

    /// <summary>Lists links with their quality reports.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<LinkListResponse> ListLinksAsync(CancellationToken cancellationToken = default) =>
        GetAsync(ApiOperations.ListLinks, ApiOperations.ListLinks.Path(), _json.LinkListResponse, cancellationToken);

    /// <summary>Gets one link.</summary>
    /// <param name="id">The link's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="EmbeddingStoreNotFoundException">No such link.</exception>
    public Task<LinkResponse> GetLinkAsync(string id, CancellationToken cancellationToken = default) =>
        GetAsync(ApiOperations.GetLink, ApiOperations.GetLink.Path(Required(id)), _json.LinkResponse, cancellationToken);

    /// <summary>Deletes a link.</summary>
    /// <param name="id">The link's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="EmbeddingStoreNotFoundException">No such link.</exception>
    public async Task DeleteLinkAsync(string id, CancellationToken cancellationToken = default)
    {
        using HttpRequestMessage request = Request(ApiOperations.DeleteLink, ApiOperations.DeleteLink.Path(Required(id)));
        using HttpResponseMessage response = await SendCoreAsync(request, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
    }

    internal static void ApplyDefaultHeaders(HttpClient http, EmbeddingStoreClientOptions options)
    {
        if (options.ApiKey is not null)
        {
            http.DefaultRequestHeaders.Remove(ApiKeyHeader);
            http.DefaultRequestHeaders.Add(ApiKeyHeader, options.ApiKey);
        }
    }

    private static string CheckKey(string idempotencyKey)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(idempotencyKey);
        if (idempotencyKey.Length > 256 || idempotencyKey.Any(c => c < 0x20 || c > 0x7e))
        {
            throw new ArgumentException("An idempotency key must be 1 to 256 printable ASCII characters.", nameof(idempotencyKey));
        }

        return idempotencyKey;
    }

    // A path segment the caller must give; ApiOperation.Path escapes it.
    private static string Required(string segment, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(segment))] string? name = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(segment, name);
        return segment;
    }

    // Every request carries its row of the operations table: the retry policy reads whether it may be repeated from
    // there, not from the method or the path.
    private static HttpRequestMessage Request(ApiOperation operation, string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Parse(operation.Method), new Uri(path, UriKind.Relative));
        request.Options.Set(RetryPolicy.Operation, operation);
        return request;
    }

    private async Task<T> GetAsync<T>(ApiOperation operation, string path, JsonTypeInfo<T> responseType, CancellationToken cancellationToken)
    {
        using HttpRequestMessage request = Request(operation, path);
        using HttpResponseMessage response = await SendCoreAsync(request, cancellationToken).ConfigureAwait(false);
        return await ReadAsync(response, responseType, cancellationToken).ConfigureAwait(false);
    }

    private async Task<TResponse> SendAsync<TRequest, TResponse>(
        ApiOperation operation, string path, TRequest body, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, string? idempotencyKey,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        using HttpRequestMessage request = Request(operation, path);
        request.Content = JsonContent.Create(body, requestType);
        if (idempotencyKey is not null)
        {
            request.Headers.Add(IdempotencyKeyHeader, idempotencyKey);
        }

        using HttpResponseMessage response = await SendCoreAsync(request, cancellationToken).ConfigureAwait(false);
        return await ReadAsync(response, responseType, cancellationToken).ConfigureAwait(false);
    }

    // Timeouts surface as TimeoutException whichever layer enforced them (a Polly timeout of the retry pipeline, or the
    // HttpClient.Timeout of a caller's own client), so callers catch one type; the caller's own cancellation stays an
    // OperationCanceledException.
    private async Task<HttpResponseMessage> SendCoreAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutRejectedException ex)
        {
            throw new TimeoutException($"EmbeddingStore did not answer {request.Method} {request.RequestUri} in time ({ex.Timeout.TotalSeconds:0.###} s).", ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested && ex.InnerException is TimeoutException)
        {
            throw new TimeoutException($"EmbeddingStore did not answer {request.Method} {request.RequestUri} within {_http.Timeout.TotalSeconds:0.###} s.", ex);
        }
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

        string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        throw ProblemException(response, body);
    }

    // The exception for a refusal whose body has been read.
    private static EmbeddingStoreException ProblemException(HttpResponseMessage response, string body)
    {
        string? type = null, title = null, detail = null;
        List<string>? versions = null;
        try
        {
            using JsonDocument document = JsonDocument.Parse(body);
            JsonElement root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                type = root.TryGetProperty("type", out JsonElement t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                title = root.TryGetProperty("title", out JsonElement ti) && ti.ValueKind == JsonValueKind.String ? ti.GetString() : null;
                detail = root.TryGetProperty("detail", out JsonElement d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
                if (root.TryGetProperty("versions", out JsonElement v) && v.ValueKind == JsonValueKind.Array)
                {
                    versions = [.. v.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!)];
                }
            }
        }
        catch (JsonException)
        {
            // Not problem+json (a proxy's HTML error page, say): keep the start of it as the detail.
            detail = body.Length > 500 ? body[..500] : body;
        }

        HttpStatusCode status = response.StatusCode == 0 ? HttpStatusCode.InternalServerError : response.StatusCode;
        return EmbeddingStoreException.FromProblem(status, type, title, detail, versions);
    }
}
