// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Search;

/// <summary>One plan's candidates, best first, with the count the merge weighs that version by.</summary>
/// <param name="Candidates">Best first, ties by ordinal id.</param>
/// <param name="LiveVectors">Vectors the collection holds in the plan's version (summed over shards by a coordinator).</param>
/// <param name="Plan">What the segment's index ran (exact, filtered, graph), so the response can say whether its recall is 1.</param>
public sealed record CandidateList(IReadOnlyList<Candidate> Candidates, long LiveVectors, Collections.SearchPlan Plan = Collections.SearchPlan.Exact);
