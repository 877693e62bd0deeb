// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Contracts;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Vectors;
using EmbeddingStore.Core.Versioning;

namespace EmbeddingStore.Server.Endpoints;

// Engine types to wire types and back; no logic beyond the shape change.
internal static class ContractMapping
{
    private static double Round(double value) => Math.Round(value, 4);

    public static ModelVersionResponse ToResponse(this ModelVersion v) =>
        new(v.Id.ToString(), v.Id.Model, v.Id.Version, v.Dimension, ScoreMapping.ToWireName(v.Metric), v.Normalized, v.CreatedAt);

    public static CollectionResponse ToResponse(this CollectionInfo c) =>
        new(c.Name, c.ServingVersion, c.ItemCount, c.VectorCounts, c.CreatedAt, SearchIndexKindNames.ToWireName(c.DefaultIndex));

    public static ItemResponse ToResponse(this ItemView item) => new(item.Id, item.Payload, item.Vectors, item.Lineage);

    public static LinkResponse ToResponse(this HarmonicLink link) => new(
        link.Id,
        link.From.ToString(),
        link.To.ToString(),
        BridgeKindNames.ToWireName(link.Kind),
        link.Reverse is not null,
        link.Fit?.Pairs,
        link.Quality?.ToResponse(),
        link.ReverseQuality?.ToResponse(),
        link.Fit is null
            ? null
            : new LinkFitResponse(
                link.Fit.Source,
                link.Fit.Collection,
                link.Fit.Holdout,
                link.Fit.Seed,
                link.Fit.FitSeconds,
                [.. link.Fit.Candidates.Select(c => new LinkCandidateResponse(BridgeKindNames.ToWireName(c.Kind), Round(c.RecallAt10), Round(c.MeanCosine)))]),
        link.CreatedAt);

    public static LinkQualityResponse ToResponse(this BridgeQualityReport q) => new(
        q.FitPairs,
        q.HoldoutPairs,
        Round(q.RecallAt1),
        Round(q.RecallAt10),
        Round(q.RecallAt100),
        q.NoMapRecallAt10 is { } noMap ? Round(noMap) : null,
        Round(q.MeanCosine),
        q.IdentityMeanCosine is { } identity ? Round(identity) : null,
        q.Calibration.KnotCount);

    public static PayloadFilter? ToFilter(this FilterRequest? filter) =>
        filter is null ? null : new PayloadFilter([.. (filter.Must ?? []).Select(c => new FieldMatch(c.Key, c.Match))]);

    // The wire names of SearchIndexKind (SearchIndexKindNames); null means exact. False for anything else, which the caller refuses.
    public static bool TryParseIndex(string? name, out SearchIndexKind? index)
    {
        if (name is null)
        {
            index = null;
            return true;
        }

        bool known = SearchIndexKindNames.TryParse(name, out SearchIndexKind kind);
        index = known ? kind : null;
        return known;
    }

    // A derive run's direction is a flag in the engine, so its wire names live here: forward (the default) or reverse.
    public static IReadOnlyList<string> DirectionNames { get; } = ["forward", "reverse"];

    public static bool TryParseDirection(string? name, out bool reverse)
    {
        reverse = string.Equals(name, DirectionNames[1], StringComparison.Ordinal);
        return name is null || DirectionNames.Contains(name, StringComparer.Ordinal);
    }

    public static StoreError UnknownIndex(string? name) =>
        new(StoreErrorCode.InvalidArgument, $"index '{name}' is not one of {string.Join(", ", SearchIndexKindNames.All)}.");

    public static SearchHitResponse ToResponse(this SearchHit h) => new(h.Id, h.Score, h.Version, h.Via, h.RawScore, h.Payload, h.Vector);
}
