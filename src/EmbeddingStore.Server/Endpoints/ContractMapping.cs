// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Contracts;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Filters;
using EmbeddingStore.Core.Indexes;
using EmbeddingStore.Core.Jobs;
using EmbeddingStore.Core.Migrations;
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
        new(
            c.Name,
            c.ServingVersion,
            c.ItemCount,
            c.VectorCounts,
            c.CreatedAt,
            (c.IndexSettings ?? IndexSettings.Default).ToBody(),
            [.. (c.Indexes ?? []).Select(i => new SegmentIndexResponse(
                i.Version, i.Index.ToString(), IndexStateNames.ToWireName(i.State), i.VectorsIndexed, i.MemoryBytes, i.Settings?.ToBody()))],
            c.DefaultIndex.ToString());

    public static IndexSettingsBody ToBody(this IndexSettings s) =>
        new() { M = s.M, EfConstruction = s.EfConstruction, BuildThreads = s.BuildThreads, KeepPrunedConnections = s.KeepPrunedConnections };

    public static IndexSettings? ToSettings(this IndexSettingsBody? body) =>
        body is null ? null : new IndexSettings(body.M, body.EfConstruction, body.BuildThreads, body.KeepPrunedConnections);

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
        q.IdentityMeanCosine is { } identity ? Round(identity) : null);

    public static SearchCoverageResponse? ToResponse(this SearchCoverage? coverage) => coverage is null
        ? null
        : new(coverage.SearchedItems, coverage.HeldItems, coverage.IsComplete, [.. coverage.Versions.Select(v => new VersionCoverageResponse(v.Version, v.Vectors, v.Via))]);

    public static PayloadFilter? ToFilter(this FilterRequest? filter) =>
        filter is null ? null : new PayloadFilter(ToConditions(filter.Must), ToConditions(filter.Should), ToConditions(filter.MustNot));

    // FilterValidation has refused null conditions before a handler maps the filter; the engine validates the rest.
    private static List<FilterCondition>? ToConditions(List<FieldConditionRequest>? conditions) =>
        conditions is null ? null : [.. conditions.Select(ToCondition)];

    private static FilterCondition ToCondition(FieldConditionRequest c) => new()
    {
        Key = c.Key,
        Match = c.Match,
        Any = c.Any,
        Except = c.Except,
        Range = c.Range is { } r ? new FilterRange { Gt = r.Gt, Gte = r.Gte, Lt = r.Lt, Lte = r.Lte } : null,
        IsNull = c.IsNull,
        IsEmpty = c.IsEmpty,
        Text = c.Text,
        Must = ToConditions(c.Must),
        Should = ToConditions(c.Should),
        MustNot = ToConditions(c.MustNot),
    };

    // An index kind by its wire name through the engine's registry (the one name table); null means "the default".
    public static bool TryParseIndex(this IndexRegistry indexes, string? name, out IndexKind? index, out StoreError? error)
    {
        index = null;
        error = null;
        if (name is null)
        {
            return true;
        }

        if (indexes.TryParse(name, out IndexKind kind))
        {
            index = kind;
            return true;
        }

        error = indexes.Unknown(name);
        return false;
    }

    public static IndexOptions? ToIndexOptions(int? oversampling, int? ef, bool? quantized) =>
        oversampling is null && ef is null && quantized is null ? null : new IndexOptions(Oversampling: oversampling, Ef: ef, Quantized: quantized);

    public static MigrationResponse ToResponse(this MigrationInfo m) => new(
        m.Record.Id,
        m.Record.Collection,
        m.Record.From.ToString(),
        m.Record.To.ToString(),
        MigrationStrategyNames.ToWireName(m.Record.Strategy),
        MigrationStateNames.ToWireName(m.State),
        new MigrationProgressResponse(m.Done, m.Total),
        m.Record.LinkId,
        m.LinkRecallAt10,
        new MigrationGatesBody(m.Record.Gates.MinRecallAt10, m.Record.Gates.MinNativeFraction),
        PendingOrderNames.ToWireName(m.Record.Order),
        m.Items,
        m.NativeTarget,
        m.DerivedTarget,
        m.NativeFraction,
        m.Record.JobId,
        m.JobState is { } jobState ? JobStateNames.ToWireName(jobState) : null,
        [.. m.Record.History.Select(h => new LinkQualityPointResponse(h.At, h.LinkId, h.Pairs, h.RecallAt10, h.NativeFraction))],
        m.Record.RefitEveryPercent,
        m.Record.CreatedAt,
        m.Record.UpdatedAt,
        m.Error);

    public static JobResponse ToResponse(this JobRecord job) => new(
        job.Id,
        job.Kind,
        job.Collection,
        JobStateNames.ToWireName(job.State),
        new JobProgressResponse(job.Done, job.Total),
        job.CreatedAt,
        job.UpdatedAt,
        job.Error,
        job.Counters);

    // A derive run's direction is a flag in the engine, so its wire names live here: forward (the default) or reverse.
    public static IReadOnlyList<string> DirectionNames { get; } = ["forward", "reverse"];

    public static bool TryParseDirection(string? name, out bool reverse)
    {
        reverse = string.Equals(name, DirectionNames[1], StringComparison.Ordinal);
        return name is null || DirectionNames.Contains(name, StringComparer.Ordinal);
    }

    public static SearchHitResponse ToResponse(this SearchHit h) => new(h.Id, h.Score, h.Version, h.Via, h.RawScore, h.Payload, h.Vector);
}
