// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Filters;

/// <summary>
/// A payload index as an operator sees it: what it indexes, whether it serves yet, and how much it holds, so a slow
/// filter can be traced to an index that is still building or to a field whose values are of another type.
/// </summary>
/// <remarks>
/// An index never changes an answer, only its cost: conditions it cannot answer exactly (values of another kind,
/// <c>except</c>, <c>isNull</c>, <c>isEmpty</c>, <c>mustNot</c>) are evaluated on the payloads of the items the indexed
/// conditions leave, and a filter with no indexed condition reads every payload as before.
/// </remarks>
/// <param name="Field">The payload field (dotted keys address nested objects).</param>
/// <param name="Type">Which values it keeps.</param>
/// <param name="State">Building (not yet used) or ready.</param>
/// <param name="JobId">The job that builds (or built) it.</param>
/// <param name="IndexedItems">Items with at least one value of the index's type in the field.</param>
/// <param name="DistinctValues">Distinct values held.</param>
/// <param name="CreatedAt">When it was declared.</param>
public sealed record PayloadIndexInfo(
    string Field, PayloadIndexType Type, PayloadIndexState State, string? JobId, long IndexedItems, long DistinctValues, DateTimeOffset CreatedAt);
