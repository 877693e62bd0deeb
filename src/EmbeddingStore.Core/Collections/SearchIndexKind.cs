// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Collections;

/// <summary>
/// Which structure answers a search. Exact is the default and the ground truth; the others trade a measured amount of
/// recall for speed and are therefore opt-in per query.
/// </summary>
public enum SearchIndexKind
{
    /// <summary>A full scan of the float vectors: recall 1.0.</summary>
    Exact = 0,

    /// <summary>
    /// A scan of int8 codes (a quarter of the bytes) that keeps the best k × oversampling candidates, which are then
    /// re-scored with the float vectors, so returned scores are exact and only the candidate set is approximate.
    /// </summary>
    Int8 = 1,
}
