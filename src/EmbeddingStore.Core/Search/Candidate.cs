// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Search;

/// <summary>
/// One candidate found in one planned version, as plain values: what a shard sends back to be merged.
/// </summary>
/// <param name="Id">The item's id.</param>
/// <param name="Score">The public score (higher is closer) in the planned version's own space.</param>
/// <param name="DerivedVia">The link that derived the matched stored vector, when it was not the model's own; null if native.</param>
/// <param name="HeldIn">
/// Bit <c>p</c> is set when the item holds a vector in plan <c>p</c>'s version (plans beyond 64 are not tracked): the merge
/// lets the version that holds an item judge it, and measures agreement on items held in both.
/// </param>
/// <param name="ReferenceScore">
/// The merge's reference plan's own score for this item, when the reference version holds it (NaN otherwise, and for
/// candidates of the reference's own space): the answer the merge learns to predict for the items it does not hold.
/// </param>
/// <param name="MappedScore">
/// The reference query's score against this item's stored vector mapped into the reference version along a link path
/// (NaN when no path maps that way): a second, corpus-side estimate of the reference score.
/// </param>
public readonly record struct Candidate(string Id, float Score, string? DerivedVia, ulong HeldIn, float ReferenceScore = float.NaN, float MappedScore = float.NaN)
{
    /// <summary>Whether the item holds a vector in plan <paramref name="plan"/>'s version.</summary>
    public bool IsHeldIn(int plan) => plan < 64 && (HeldIn & (1UL << plan)) != 0;
}
