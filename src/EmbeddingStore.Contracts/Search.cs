// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text.Json;
using System.Text.Json.Serialization;

namespace EmbeddingStore.Contracts;

/// <summary>
/// An exact nearest-neighbour search. The query names its model version; a version the collection cannot compare
/// with is refused (409, <c>/problems/incompatible-versions</c>), never silently compared.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record SearchRequest
{
    /// <summary>The query vector, produced by <c>version</c>. Give this or <c>vectors</c>.</summary>
    public float[]? Vector { get; init; }

    /// <summary>
    /// The query's version, <c>model@version</c>; defaults to the collection's serving version (required when the
    /// collection has none). With <c>vectors</c> it names the primary version: the score scale of the merged hits, and the
    /// version preferred for items held in both.
    /// </summary>
    public string? Version { get; init; }

    /// <summary>
    /// The query in several versions at once, keyed <c>model@version</c> (clients mid-upgrade can afford both encoders):
    /// each stored version is searched with its own native query and needs no bridge.
    /// </summary>
    public Dictionary<string, float[]>? Vectors { get; init; }

    /// <summary><c>auto</c> (default): reach other stored versions through links; <c>none</c>: search only the query's own versions.</summary>
    public string? Bridging { get; init; }

    /// <summary>Restricts the search to these stored versions (<c>model@version</c>).</summary>
    public List<string>? SearchVersions { get; init; }

    /// <summary>Hits to return (1 to the configured maximum, 1,000 by default).</summary>
    /// <remarks>Settable rather than init-only: source-generated JSON resets missing init-only properties to default, losing the 10.</remarks>
    public int K { get; set; } = 10;

    /// <summary>Optional payload filter: only matching items are returned. Exact scans stay exact under it; <c>plan</c> in the response says what ran.</summary>
    public FilterRequest? Filter { get; init; }

    /// <summary>Whether hits carry payloads.</summary>
    public bool WithPayload { get; set; } = true;

    /// <summary>Whether hits carry their stored vectors.</summary>
    public bool WithVectors { get; init; }

    /// <summary>
    /// <c>exact</c> (default: a full scan, recall 1.0), <c>int8</c> (a scan of 8-bit codes whose best
    /// k × <c>oversampling</c> candidates are re-scored exactly: same scores, slightly approximate candidate set) or
    /// <c>hnsw</c> (a graph search: exact scores, approximate candidate set, sub-linear time).
    /// </summary>
    public string? Index { get; init; }

    /// <summary>For <c>int8</c>: candidates re-scored per wanted hit; defaults to the server's setting (4).</summary>
    public int? Oversampling { get; init; }

    /// <summary>For <c>hnsw</c>: the search's candidate list size (higher: better recall, slower); defaults to the server's setting (64).</summary>
    public int? Ef { get; init; }

    /// <summary>
    /// For <c>hnsw</c>: walk the graph on the segment's int8 codes, a quarter of the bytes per visited vector (the codes
    /// are built and then kept once a search asks), and re-score the <c>ef</c> rows found with the float vectors: exact
    /// scores, a slightly different candidate set. Pays on collections larger than the server's caches; <c>plan</c> says
    /// <c>hnsw-int8</c> when it ran. Default false.
    /// </summary>
    public bool? Quantized { get; init; }

    /// <summary>
    /// Accept an answer from part of the collection. When the versions the query reaches (natively or through links) hold
    /// only some of the items, as mid-upgrade before a link is fitted, the search is refused (409,
    /// <c>/problems/incompatible-versions</c>) unless this is true or the search was narrowed on purpose
    /// (<c>searchVersions</c>, or <c>bridging: none</c>); <c>coverage</c> in the response says how much was searched.
    /// </summary>
    public bool AllowPartial { get; init; }
}

/// <summary>
/// A payload filter: every <c>must</c> condition, at least one <c>should</c> condition (when given) and no
/// <c>mustNot</c> condition hold. Conditions nest, so any boolean combination can be written; a bad filter is a 400
/// whose detail names the offending path (<c>filter.must[2].range.gte must be a number</c>).
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record FilterRequest
{
    /// <summary>Conditions that must all hold.</summary>
    public List<FieldConditionRequest>? Must { get; init; }

    /// <summary>Conditions of which at least one must hold; an empty list holds for no item.</summary>
    public List<FieldConditionRequest>? Should { get; init; }

    /// <summary>Conditions none of which may hold.</summary>
    public List<FieldConditionRequest>? MustNot { get; init; }
}

/// <summary>
/// One condition: a field condition (<c>key</c> plus exactly one of <c>match</c>, <c>any</c>, <c>except</c>,
/// <c>range</c>, <c>isNull</c>, <c>isEmpty</c>, <c>text</c>) or a nested clause (<c>must</c>, <c>should</c>, <c>mustNot</c>).
/// </summary>
/// <remarks>
/// A missing field satisfies no <c>match</c>, <c>any</c>, <c>except</c> or <c>range</c>. On an array field a scalar
/// <c>match</c>, <c>any</c> and <c>range</c> hold when some element does and <c>except</c> when no element is in the
/// list. Values compare by JSON kind (<c>"1"</c> is not <c>1</c>); numbers compare as doubles.
/// </remarks>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record FieldConditionRequest
{
    /// <summary>The payload field; dots address nested objects (<c>meta.src</c>).</summary>
    public string? Key { get; init; }

    /// <summary>
    /// Equality with a string, number or boolean; or, given an array of them, array equality: the field is an array of the
    /// same length with equal elements in the same order (<c>any</c> tests elements one by one instead).
    /// </summary>
    public JsonElement? Match { get; init; }

    /// <summary>The value, or some element of an array value, is one of these strings, numbers or booleans.</summary>
    public List<JsonElement>? Any { get; init; }

    /// <summary>The field is present and neither its value nor any element is one of these.</summary>
    public List<JsonElement>? Except { get; init; }

    /// <summary>The value, or some element, is a number within these bounds.</summary>
    public FilterRangeRequest? Range { get; init; }

    /// <summary><c>true</c>: the field is present and null; <c>false</c>: anything else.</summary>
    public bool? IsNull { get; init; }

    /// <summary><c>true</c>: the field is missing, null or an empty array; <c>false</c>: anything else.</summary>
    public bool? IsEmpty { get; init; }

    /// <summary>
    /// Full text: the field's string (or string elements) contain every word of this string, tokenised as a
    /// <c>text</c> index is (Unicode letter/digit runs, lower-cased). The answer is the same with or without such an index.
    /// </summary>
    public JsonElement? Text { get; init; }

    /// <summary>A nested clause: conditions that must all hold.</summary>
    public List<FieldConditionRequest>? Must { get; init; }

    /// <summary>A nested clause: at least one condition holds.</summary>
    public List<FieldConditionRequest>? Should { get; init; }

    /// <summary>A nested clause: no condition holds.</summary>
    public List<FieldConditionRequest>? MustNot { get; init; }
}

/// <summary>Bounds of a <c>range</c> condition; at least one is required, and all given ones apply.</summary>
/// <remarks>Kept as JSON values so that a bound sent as a string is refused with its path rather than as a bare type error.</remarks>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record FilterRangeRequest
{
    /// <summary>Greater than this number.</summary>
    public JsonElement? Gt { get; init; }

    /// <summary>Greater than or equal to this number.</summary>
    public JsonElement? Gte { get; init; }

    /// <summary>Less than this number.</summary>
    public JsonElement? Lt { get; init; }

    /// <summary>Less than or equal to this number.</summary>
    public JsonElement? Lte { get; init; }
}

/// <summary>Search results.</summary>
/// <param name="Hits">Best first; equal scores are ordered by id.</param>
/// <param name="TookMs">Server-side time for the search in milliseconds.</param>
/// <param name="Index">The index kind asked for: <c>exact</c>, <c>int8</c> or <c>hnsw</c> (the request's, or the collection's default).</param>
/// <param name="Coverage">How many of the collection's items the search could see, per version; absent when nothing was searched.</param>
/// <param name="Plan">
/// What actually ran, which the planner may choose differently from <c>index</c>: <c>exact</c>, <c>exact-filtered</c>
/// (recall 1.0), <c>int8</c>, <c>int8-filtered</c>, <c>hnsw</c>, <c>hnsw-filtered</c>, <c>hnsw-int8</c> or
/// <c>hnsw-int8-filtered</c> (approximate; the last two walked int8 codes, for <c>quantized</c>). A graph index scans
/// exactly when a filter leaves few matching rows; across versions, the most approximate plan any version ran.
/// </param>
public sealed record SearchResponse(
    IReadOnlyList<SearchHitResponse> Hits,
    double TookMs,
    string Index = "exact",
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] SearchCoverageResponse? Coverage = null,
    string Plan = "exact");

/// <summary>
/// The part of a collection a search saw: items holding a vector in at least one searched version, out of all items.
/// Mid-upgrade a query may reach only the re-embedded items; this says so instead of letting them pass for the whole.
/// </summary>
/// <param name="SearchedItems">Items that hold a vector in at least one searched version.</param>
/// <param name="HeldItems">Items the collection holds that have at least one vector (items stored without vectors are never search candidates).</param>
/// <param name="Complete">Whether every item was searched (<c>searchedItems</c> equals <c>heldItems</c>).</param>
/// <param name="Versions">Each searched version with its vector count and the link that reached it.</param>
public sealed record SearchCoverageResponse(long SearchedItems, long HeldItems, bool Complete, IReadOnlyList<VersionCoverageResponse> Versions);

/// <summary>One searched version of a <see cref="SearchCoverageResponse"/>.</summary>
/// <param name="Version">The searched version, <c>model@version</c>.</param>
/// <param name="Vectors">Vectors the collection holds in it.</param>
/// <param name="Via">The link(s) that mapped the query into it, ids joined by ','; null when searched natively.</param>
public sealed record VersionCoverageResponse(string Version, long Vectors, string? Via);

/// <summary>One hit. Higher scores are always closer; the version and link say which space the match was made in.</summary>
/// <param name="Id">The item's id.</param>
/// <param name="Score">
/// Cosine similarity, dot product, or the negated Euclidean distance, on the scale of the query's primary version
/// (hits from other versions are calibrated onto it when versions are merged).
/// </param>
/// <param name="Version">The version of the matched vector.</param>
/// <param name="Via">The link that mapped the query into <c>version</c> (ids joined by ',' when composed); null for a native match.</param>
/// <param name="RawScore">The score in the matched version's own space, before the merge placed it on the primary version's scale.</param>
/// <param name="Payload">The payload, when requested.</param>
/// <param name="Vector">The matched vector, when requested.</param>
public sealed record SearchHitResponse(
    string Id,
    float Score,
    string Version,
    string? Via,
    float RawScore,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? Payload,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] float[]? Vector);

/// <summary>Liveness and readiness in one answer.</summary>
/// <param name="Status"><c>healthy</c> once the database is open and loaded.</param>
/// <param name="Collections">Collections loaded.</param>
/// <param name="SchemaVersion">The database schema version.</param>
public sealed record HealthResponse(string Status, int Collections, int SchemaVersion);
