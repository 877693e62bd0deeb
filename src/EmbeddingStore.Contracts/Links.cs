// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text.Json.Serialization;

namespace EmbeddingStore.Contracts;

/// <summary>
/// Creates a harmonic link. <c>identity</c> declares two versions directly comparable; any other kind fits a bridge
/// from pairs (a collection's items holding both versions, and/or uploaded <c>pairs</c>) and reports its quality
/// on held-out pairs. <c>auto</c> fits every kind and keeps the best.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record LinkRequest
{
    /// <summary>The version whose vectors the link maps, <c>model@version</c>.</summary>
    public required string From { get; init; }

    /// <summary>The version whose space they are mapped into.</summary>
    public required string To { get; init; }

    /// <summary><c>identity</c>, <c>auto</c>, <c>procrustes</c>, <c>scaled-procrustes</c>, <c>ridge</c>, <c>low-rank</c> or <c>rff-ridge</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>Where fitting pairs come from and how they are split.</summary>
    public LinkFitRequest? Fit { get; init; }

    /// <summary>Pairs uploaded with the request: row i of <c>from</c> and row i of <c>to</c> are the same item in both versions.</summary>
    public LinkPairsRequest? Pairs { get; init; }
}

/// <summary>Fitting options.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record LinkFitRequest
{
    /// <summary>A collection whose items hold vectors in both versions.</summary>
    public string? Collection { get; init; }

    /// <summary>Fraction of pairs held out for the quality report (0.05–0.5); they are never used for fitting.</summary>
    public double Holdout { get; set; } = 0.2;

    /// <summary>Seed of the split and of randomised fitting steps: the same pairs and seed give the same link.</summary>
    public int Seed { get; set; } = 1;
}

/// <summary>Uploaded training pairs.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record LinkPairsRequest
{
    /// <summary>Vectors in the link's <c>from</c> version.</summary>
    public required List<float[]> From { get; init; }

    /// <summary>The same items' vectors in the <c>to</c> version.</summary>
    public required List<float[]> To { get; init; }
}

/// <summary>A link with its measured quality.</summary>
/// <param name="Id">Stable id, named by search hits in <c>via</c>.</param>
/// <param name="From">Source version.</param>
/// <param name="To">Target version.</param>
/// <param name="Kind">The bridge kind that was fitted (or <c>identity</c>).</param>
/// <param name="Reversible">Whether the engine can also map <c>to</c> into <c>from</c>.</param>
/// <param name="Pairs">Pairs used for fitting and evaluation together, or null for a declared link.</param>
/// <param name="Quality">Held-out quality of the forward map, or null for a declared identity.</param>
/// <param name="ReverseQuality">Held-out quality of the reverse map, when it was fitted separately.</param>
/// <param name="Fit">How the link was fitted.</param>
/// <param name="CreatedAt">When the link was created.</param>
public sealed record LinkResponse(
    string Id,
    string From,
    string To,
    string Kind,
    bool Reversible,
    int? Pairs,
    LinkQualityResponse? Quality,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] LinkQualityResponse? ReverseQuality,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] LinkFitResponse? Fit,
    DateTimeOffset CreatedAt);

/// <summary>
/// A bridge's quality on held-out pairs: how much of the target version's own top-k a bridged search recovers, and how
/// close mapped vectors land to the true ones, next to the no-map and identity baselines.
/// </summary>
/// <param name="FitPairs">Pairs the bridge was fitted on.</param>
/// <param name="HoldoutPairs">Pairs it was evaluated on.</param>
/// <param name="RecallAt1">Recall@1 of bridged search against the target version's own search.</param>
/// <param name="RecallAt10">Recall@10, the headline figure.</param>
/// <param name="RecallAt100">Recall@100.</param>
/// <param name="NoMapRecallAt10">Recall@10 comparing raw vectors without a map (what a store that ignores versions does), when dimensions match.</param>
/// <param name="MeanCosine">Mean cosine between mapped and true vectors.</param>
/// <param name="IdentityMeanCosine">The same for the identity map, when dimensions match.</param>
public sealed record LinkQualityResponse(
    int FitPairs, int HoldoutPairs, double RecallAt1, double RecallAt10, double RecallAt100, double? NoMapRecallAt10,
    double MeanCosine, double? IdentityMeanCosine);

/// <summary>How a link was fitted.</summary>
/// <param name="Source"><c>collection</c> or <c>pairs</c>.</param>
/// <param name="Collection">The collection, when it was the source.</param>
/// <param name="Holdout">Held-out fraction.</param>
/// <param name="Seed">Seed.</param>
/// <param name="FitSeconds">Wall time of the fit.</param>
/// <param name="Candidates">For <c>auto</c>: each candidate kind's held-out recall@10 and mean cosine, best first.</param>
public sealed record LinkFitResponse(string Source, string? Collection, double Holdout, int Seed, double FitSeconds, IReadOnlyList<LinkCandidateResponse> Candidates);

/// <summary>One candidate of an <c>auto</c> fit.</summary>
/// <param name="Kind">Kind.</param>
/// <param name="RecallAt10">Held-out recall@10.</param>
/// <param name="MeanCosine">Held-out mean cosine.</param>
public sealed record LinkCandidateResponse(string Kind, double RecallAt10, double MeanCosine);

/// <summary>Applies a link to a collection's stored vectors (forward migration by map).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record DeriveVectorsRequest
{
    /// <summary>The collection whose items get derived vectors.</summary>
    public required string Collection { get; init; }

    /// <summary><c>forward</c> (default: from the link's <c>from</c> version into its <c>to</c> version) or <c>reverse</c>.</summary>
    public string? Direction { get; init; }
}

/// <summary>All links.</summary>
/// <param name="Links">Oldest first.</param>
public sealed record LinkListResponse(IReadOnlyList<LinkResponse> Links);
