// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Collections;

/// <summary>
/// How much of a collection a search could see: during an upgrade a query may reach only the items that hold a vector of
/// a version it can be compared with, and an answer drawn from one item out of three must say so rather than pass for
/// the whole collection's nearest neighbours.
/// </summary>
/// <param name="SearchedItems">Items holding a vector in at least one searched version.</param>
/// <param name="HeldItems">Items the collection holds that have at least one vector; items stored without any are never candidates.</param>
/// <param name="Versions">Each searched version with the vectors it holds, in plan order.</param>
public sealed record SearchCoverage(long SearchedItems, long HeldItems, IReadOnlyList<VersionCoverage> Versions)
{
    /// <summary>Whether every item was reachable, so the hits are the collection's own nearest neighbours.</summary>
    public bool IsComplete => SearchedItems >= HeldItems;
}
