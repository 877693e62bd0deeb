// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text.Json;
using System.Text.Json.Serialization;

namespace EmbeddingStore.Contracts;

/// <summary>
/// A hybrid search: the vector search of <see cref="SearchRequest"/> (same fields, same version rules) plus a BM25
/// keyword search, fused by reciprocal-rank fusion. It is a route of its own (<c>/search/hybrid</c>, like
/// <c>/search/batch</c>) because its hits carry a fused score and two ranks, not a similarity.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record HybridSearchRequest
{
    /// <summary>The query vector, produced by <c>version</c>. Give this or <c>vectors</c>.</summary>
    public float[]? Vector { get; init; }

    /// <summary>The query's version, <c>model@version</c>; defaults to the collection's serving version (required when the collection has none).</summary>
    public string? Version { get; init; }

    /// <summary>The query in several versions at once, keyed <c>model@version</c>, as in <see cref="SearchRequest.Vectors"/>.</summary>
    public Dictionary<string, float[]>? Vectors { get; init; }

    /// <summary><c>auto</c> (default) or <c>none</c>, as in <see cref="SearchRequest.Bridging"/>.</summary>
    public string? Bridging { get; init; }

    /// <summary>Restricts the vector half to these stored versions.</summary>
    public List<string>? SearchVersions { get; init; }

    /// <summary>Fused hits to return (1 to the configured maximum).</summary>
    /// <remarks>Settable rather than init-only, as in <see cref="SearchRequest.K"/>.</remarks>
    public int K { get; set; } = 10;

    /// <summary>Optional payload filter, applied inside both halves (never to the fused list).</summary>
    public FilterRequest? Filter { get; init; }

    /// <summary>Whether hits carry payloads.</summary>
    public bool WithPayload { get; set; } = true;

    /// <summary>The vector half's scan (<c>exact</c>, <c>int8</c>, <c>hnsw</c>), as in <see cref="SearchRequest.Index"/>.</summary>
    public string? Index { get; init; }

    /// <summary>Accept a vector half over part of the collection, as in <see cref="SearchRequest.AllowPartial"/>.</summary>
    public bool AllowPartial { get; init; }

    /// <summary>The keyword half: which text field, and the words.</summary>
    public KeywordQueryRequest? Keywords { get; init; }

    /// <summary>The fusion's weights and sizes; every member has a default.</summary>
    public FusionRequest? Fusion { get; init; }
}

/// <summary>
/// The keyword half of a hybrid search. The field is best served by a <c>text</c> payload index; without one the payloads
/// are tokenised for each query, with the same answer.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record KeywordQueryRequest
{
    /// <summary>The payload field (dots address nested objects).</summary>
    public string? Field { get; init; }

    /// <summary>The words, tokenised as the index is (Unicode letter/digit runs, lower-cased); an item holding any of them is a candidate, ranked by BM25.</summary>
    public string? Query { get; init; }
}

/// <summary>
/// Weighted reciprocal-rank fusion: <c>score = vectorWeight / (rankConstant + vectorRank) + keywordWeight / (rankConstant + keywordRank)</c>,
/// a list that does not hold the item adding nothing.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record FusionRequest
{
    /// <summary>The vector list's weight (default 1; at least 0).</summary>
    public double? VectorWeight { get; init; }

    /// <summary>The keyword list's weight (default 1; at least 0).</summary>
    public double? KeywordWeight { get; init; }

    /// <summary>RRF's k (default 60, after Cormack et al. 2009): larger values flatten the lead of the top ranks.</summary>
    public int? RankConstant { get; init; }

    /// <summary>Hits taken from each list before fusing (default max(k, 100); between k and the k limit).</summary>
    public int? Candidates { get; init; }
}

/// <summary>Hybrid search results.</summary>
/// <param name="Hits">Best fused score first; equal scores are ordered by id.</param>
/// <param name="TookMs">Server-side time in milliseconds.</param>
/// <param name="Coverage">What the vector half could see; absent when it searched nothing.</param>
public sealed record HybridSearchResponse(
    IReadOnlyList<HybridSearchHitResponse> Hits,
    double TookMs,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] SearchCoverageResponse? Coverage = null);

/// <summary>One fused hit, with the ranks and scores it had in each list (null where a list did not hold it).</summary>
/// <param name="Id">The item's id.</param>
/// <param name="Score">The fused RRF score.</param>
/// <param name="VectorRank">1-based rank among the vector candidates.</param>
/// <param name="VectorScore">The vector similarity (higher is closer).</param>
/// <param name="Version">The version of the matched vector.</param>
/// <param name="KeywordRank">1-based rank among the keyword candidates.</param>
/// <param name="KeywordScore">The BM25 score (k1 = 1.2, b = 0.75).</param>
/// <param name="Payload">The payload, when requested.</param>
public sealed record HybridSearchHitResponse(
    string Id,
    double Score,
    int? VectorRank,
    float? VectorScore,
    string? Version,
    int? KeywordRank,
    double? KeywordScore,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? Payload);
