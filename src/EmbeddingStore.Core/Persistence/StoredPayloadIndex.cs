// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Filters;

namespace EmbeddingStore.Core.Persistence;

/// <summary>
/// A payload index declaration as stored: only what it indexes and whether its build finished. The index content is
/// never stored; it is rebuilt from the items at start-up, which is faster than reading and checking it would be.
/// </summary>
/// <param name="Collection">The collection it belongs to (deleting the collection deletes it).</param>
/// <param name="Field">The payload field.</param>
/// <param name="Type">Which values it keeps.</param>
/// <param name="State">Building or ready.</param>
/// <param name="JobId">The job that builds it.</param>
/// <param name="CreatedAt">When it was declared.</param>
public sealed record StoredPayloadIndex(string Collection, string Field, PayloadIndexType Type, PayloadIndexState State, string? JobId, DateTimeOffset CreatedAt);
