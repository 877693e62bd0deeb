// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Versioning;

/// <summary>
/// Where a fitted link's training pairs came from and how they were split, so a report can be reproduced and a link
/// fitted on stale data can be recognised.
/// </summary>
/// <param name="Source"><c>collection</c> (items holding both versions) or <c>pairs</c> (uploaded with the request).</param>
/// <param name="Collection">The collection, when the source is one.</param>
/// <param name="Pairs">Pairs available for fitting and evaluation together.</param>
/// <param name="Holdout">Fraction held out for the quality report, never used for fitting.</param>
/// <param name="Seed">Seed of the deterministic split and of any randomised fitting step.</param>
/// <param name="FitSeconds">Wall time of the fit, for operators sizing refits.</param>
/// <param name="Candidates">For <c>auto</c>: every candidate kind with its held-out recall@10, best first.</param>
public sealed record LinkFit(
    string Source, string? Collection, int Pairs, double Holdout, int Seed, double FitSeconds, IReadOnlyList<LinkCandidate> Candidates);

/// <summary>One candidate of an <c>auto</c> fit: enough to see why the chosen kind won.</summary>
/// <param name="Kind">The candidate's kind.</param>
/// <param name="RecallAt10">Its held-out recall@10 against the target version's own search.</param>
/// <param name="MeanCosine">Its held-out mean cosine between mapped and true vectors.</param>
public sealed record LinkCandidate(BridgeKind Kind, double RecallAt10, double MeanCosine);
