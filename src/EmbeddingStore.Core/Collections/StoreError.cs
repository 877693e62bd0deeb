// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Collections;

/// <summary>
/// A refused operation: a stable code for programs and a message for people. Messages name the values involved
/// (both dimensions, both versions, the item) because "invalid input" alone sends users hunting.
/// </summary>
/// <param name="Code">What kind of refusal this is.</param>
/// <param name="Message">A one-sentence explanation safe to return to the caller.</param>
/// <param name="Versions">The model versions involved, when the refusal is about versions.</param>
public sealed record StoreError(StoreErrorCode Code, string Message, IReadOnlyList<string>? Versions = null);
