// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Collections;

/// <summary>What a create-or-update did, so the API can answer 201 for a new resource and 200 for an existing one.</summary>
/// <param name="Value">The resource as it now is.</param>
/// <param name="Created">True when the resource did not exist before.</param>
/// <typeparam name="T">The resource type.</typeparam>
public sealed record Outcome<T>(T Value, bool Created);
