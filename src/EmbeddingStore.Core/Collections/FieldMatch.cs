// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text.Json;

namespace EmbeddingStore.Core.Collections;

/// <summary>
/// One equality condition on a top-level payload field. Kept as JSON values so that a number matches a number and
/// a string matches a string exactly as the client sent them, with no lossy conversion in between.
/// </summary>
/// <param name="Key">The top-level payload field.</param>
/// <param name="Value">A JSON string, number or boolean; an array field matches when any element equals it.</param>
public sealed record FieldMatch(string Key, JsonElement Value);
