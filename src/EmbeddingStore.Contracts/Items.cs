// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text.Json;
using System.Text.Json.Serialization;

namespace EmbeddingStore.Contracts;

/// <summary>One item to write. Vectors are keyed by the model version that produced them, so the store always knows which space each vector lives in.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ItemRequest
{
    /// <summary>
    /// The item's id within the collection: 1 to 256 characters (configurable), valid Unicode, no control characters, no
    /// invisible format characters (Unicode Cf, U+2028, U+2029) that would spoof logs, and not <c>.</c> or <c>..</c>, which
    /// a URL path cannot address.
    /// </summary>
    public required string Id { get; init; }

    /// <summary>Any JSON object (or null); its fields, nested ones too, can be used in filters.</summary>
    public JsonElement? Payload { get; init; }

    /// <summary>
    /// Vectors keyed <c>model@version</c>. May be empty (<c>{}</c>): such an item, waiting to be embedded, is found by id,
    /// scroll, count and filters but never by a vector search, and does not count against a search's coverage.
    /// </summary>
    public required Dictionary<string, float[]> Vectors { get; init; }
}

/// <summary>
/// A batch upsert. The batch is atomic: it is validated in full, committed in one transaction and becomes visible to
/// searches all at once; one bad item refuses the whole batch and nothing is written.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record UpsertItemsRequest
{
    /// <summary>The items; each replaces any stored item with the same id (payload and all vectors).</summary>
    public required List<ItemRequest> Items { get; init; }
}

/// <summary>The result of an acknowledged upsert: the batch is durable when this is returned.</summary>
/// <param name="Upserted">Items written.</param>
public sealed record UpsertItemsResponse(int Upserted);

/// <summary>
/// Deletes items by id or by payload filter (exactly one of the two). Unknown ids are ignored so a retried delete is
/// harmless; a filter deletes every matching item in one transaction, and a bad filter deletes nothing.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record DeleteItemsRequest
{
    /// <summary>The ids to delete.</summary>
    public List<string>? Ids { get; init; }

    /// <summary>Deletes every item whose payload matches, instead of naming ids.</summary>
    public FilterRequest? Filter { get; init; }
}

/// <summary>The result of a delete.</summary>
/// <param name="Deleted">How many of the ids existed, or how many items matched the filter.</param>
public sealed record DeleteItemsResponse(int Deleted);

/// <summary>An item as stored.</summary>
/// <param name="Id">The id.</param>
/// <param name="Payload">The payload, or absent.</param>
/// <param name="Vectors">Vectors keyed <c>model@version</c>, when requested; cosine vectors are returned normalised.</param>
/// <param name="Lineage">With the vectors: per version, <c>native</c> or <c>derived:&lt;link id&gt;</c>.</param>
public sealed record ItemResponse(
    string Id,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? Payload,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, float[]>? Vectors,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, string>? Lineage = null);

/// <summary>A page of items in id order.</summary>
/// <param name="Items">The items.</param>
/// <param name="NextCursor">
/// Pass as <c>cursor</c> to get the next page; null after the last page. It is the base64url form of the last id returned,
/// not a secret: any such cursor continues after that id.
/// </param>
public sealed record ScrollResponse(IReadOnlyList<ItemResponse> Items, string? NextCursor);

/// <summary>A page of items in id order, optionally only those matching a filter (the body form of a scroll).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ScrollRequest
{
    /// <summary>Items per page (1 to the configured maximum).</summary>
    /// <remarks>Settable rather than init-only: source-generated JSON resets missing init-only properties to default.</remarks>
    public int Limit { get; set; } = 100;

    /// <summary>The previous page's <c>nextCursor</c>; absent for the first page.</summary>
    public string? Cursor { get; init; }

    /// <summary>Whether items carry their vectors.</summary>
    public bool WithVectors { get; init; }

    /// <summary>Optional payload filter; a page then holds the next matching items.</summary>
    public FilterRequest? Filter { get; init; }
}

/// <summary>Counts items, optionally only those matching a filter.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CountRequest
{
    /// <summary>Optional payload filter.</summary>
    public FilterRequest? Filter { get; init; }
}

/// <summary>An item count.</summary>
/// <param name="Count">Matching items.</param>
public sealed record CountResponse(long Count);
