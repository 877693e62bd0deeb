// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Indexes;

/// <summary>
/// Names the structure that answers a search. A name rather than a closed enum, because the set of index kinds is what
/// an <see cref="IndexRegistry"/> holds: adding a kind is one folder behind <see cref="IVectorIndex"/> plus one
/// registration, with no switch to extend elsewhere. The name is the wire and storage name, so it is the one name table.
/// </summary>
/// <remarks>
/// Exact is the default and the ground truth; other kinds trade a measured amount of recall for speed and are opt-in per
/// query or per collection.
/// </remarks>
/// <param name="Name">The stable lower-case name (<c>exact</c>, <c>int8</c>, …).</param>
public readonly record struct IndexKind(string Name)
{
    /// <summary>A full scan of the float vectors: recall 1.0, what every other kind is measured against.</summary>
    public static IndexKind Exact { get; } = new("exact");

    /// <summary>
    /// A scan of int8 codes (a quarter of the bytes) keeping the best k × oversampling candidates, re-scored with the float
    /// vectors: returned scores are exact and only the candidate set is approximate.
    /// </summary>
    public static IndexKind Int8 { get; } = new("int8");

    /// <summary>
    /// A hierarchical navigable small-world graph: a search visits a few thousand rows instead of all of them, so it stays
    /// interactive past the sizes an exact scan can serve. Returned scores are exact; the candidate set is approximate, and
    /// the per-query <see cref="IndexOptions.Ef"/> trades recall for time.
    /// </summary>
    public static IndexKind Hnsw { get; } = new("hnsw");

    /// <inheritdoc />
    public override string ToString() => Name ?? Exact.Name;
}
