// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text.Json.Serialization;

namespace EmbeddingStore.Contracts;

/// <summary>
/// Declares a payload index on a field (<c>PUT /v1/collections/{name}/indexes/{field}</c>). PUT semantics: repeating an
/// identical declaration changes nothing, another type replaces the index. The build runs as a job; answers never change,
/// only their cost, so a client may declare indexes at any time.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record PayloadIndexRequest
{
    /// <summary><c>keyword</c> (strings), <c>integer</c> (integral numbers), <c>float</c> (all numbers), <c>bool</c> or <c>text</c> (full text: tokens of strings, for <c>text</c> conditions and BM25).</summary>
    public required string Type { get; init; }
}

/// <summary>A payload index and its build state.</summary>
/// <param name="Field">The payload field; dots address nested objects, array fields index every element.</param>
/// <param name="Type"><c>keyword</c>, <c>integer</c>, <c>float</c> or <c>bool</c>.</param>
/// <param name="State"><c>building</c> (its job is walking the items; filters do not use it yet) or <c>ready</c>.</param>
/// <param name="JobId">The job that builds it (<c>GET /v1/jobs/{id}</c> shows its progress).</param>
/// <param name="IndexedItems">Items whose field holds a value of the index's type.</param>
/// <param name="DistinctValues">Distinct values held.</param>
/// <param name="CreatedAt">When it was declared.</param>
public sealed record PayloadIndexResponse(
    string Field, string Type, string State, string? JobId, long IndexedItems, long DistinctValues, DateTimeOffset CreatedAt);

/// <summary>A collection's payload indexes.</summary>
/// <param name="Indexes">Ordered by field.</param>
public sealed record PayloadIndexListResponse(IReadOnlyList<PayloadIndexResponse> Indexes);
