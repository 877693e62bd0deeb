// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text.Json.Serialization;

namespace EmbeddingStore.Contracts;

/// <summary>
/// Many searches of one collection and one model version in one request. Each result is exactly what the single search
/// endpoint returns for that vector; the batch is cheaper because the server scores blocks of queries per pass over the
/// stored vectors. One invalid vector refuses the whole batch (the problem's detail names <c>vectors[i]</c>).
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record BatchSearchRequest
{
    /// <summary>The query vectors, all produced by <c>version</c>; at most the configured maximum (1,000 by default).</summary>
    public required List<float[]> Vectors { get; init; }

    /// <summary>The queries' version, <c>model@version</c>; defaults to the collection's serving version (required when the collection has none).</summary>
    public string? Version { get; init; }

    /// <summary>Hits per query.</summary>
    /// <remarks>Settable rather than init-only: source-generated JSON resets missing init-only properties to default.</remarks>
    public int K { get; set; } = 10;

    /// <summary>Optional payload filter applied to every query.</summary>
    public FilterRequest? Filter { get; init; }

    /// <summary>Whether hits carry payloads.</summary>
    public bool WithPayload { get; set; } = true;

    /// <summary>Whether hits carry their stored vectors.</summary>
    public bool WithVectors { get; init; }

    /// <summary><c>exact</c> (default), <c>int8</c> or <c>hnsw</c>, as for a single search.</summary>
    public string? Index { get; init; }

    /// <summary>For <c>int8</c>: candidates re-scored per wanted hit; defaults to the server's setting (4).</summary>
    public int? Oversampling { get; init; }

    /// <summary>For <c>hnsw</c>: the search's candidate list size; defaults to the server's setting (64).</summary>
    public int? Ef { get; init; }

    /// <summary>For <c>hnsw</c>: walk the graph on int8 codes and re-score with floats, as for a single search. Default false.</summary>
    public bool? Quantized { get; init; }

    /// <summary>Accept answers from part of the collection, as for a single search; otherwise such a batch is refused (409).</summary>
    public bool AllowPartial { get; init; }
}

/// <summary>Batch search results.</summary>
/// <param name="Results">One entry per query vector, in request order.</param>
/// <param name="TookMs">Server-side time for the whole batch in milliseconds.</param>
public sealed record BatchSearchResponse(IReadOnlyList<BatchSearchResultResponse> Results, double TookMs);

/// <summary>The hits of one query of a batch.</summary>
/// <param name="Hits">Best first; equal scores are ordered by id.</param>
/// <param name="Coverage">How many of the collection's items this query could see, per version; absent when nothing was searched.</param>
/// <param name="Plan">What ran for this query, with the names the <c>plan</c> of a single search uses.</param>
public sealed record BatchSearchResultResponse(
    IReadOnlyList<SearchHitResponse> Hits,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] SearchCoverageResponse? Coverage = null,
    string Plan = "exact");
