// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Versioning;

namespace EmbeddingStore.Core.Migrations;

/// <summary>
/// A migration's durable record: what moves where, how, and the states only the migration knows (planned, cut-over,
/// rolled-back). The chunked work of a transform is an ordinary job (<see cref="JobId"/>) whose cursor and counters are
/// committed with each chunk, so a restart resumes it; the migration reads its progress from there.
/// </summary>
/// <param name="Id">The migration's id (<c>mig-…</c>).</param>
/// <param name="Collection">The collection it moves.</param>
/// <param name="From">The version the collection served when the migration was created.</param>
/// <param name="To">The version it moves to.</param>
/// <param name="Strategy">How.</param>
/// <param name="State">The stored state; <see cref="MigrationState.Running"/> of a transform is refined by its job.</param>
/// <param name="LinkId">The link that bridges or transforms (null for a re-embedding without one).</param>
/// <param name="JobId">The transform's job, once started.</param>
/// <param name="Gates">What a cut-over requires.</param>
/// <param name="Order">The order pending items are handed out in (re-embedding).</param>
/// <param name="Seed">Seeds the pending order's clustering and shuffle, so the order is the same after a restart.</param>
/// <param name="History">The links the migration has used, oldest first.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="UpdatedAt">When its stored state last changed.</param>
/// <param name="Error">Why it failed, when it did.</param>
public sealed record MigrationRecord(
    string Id,
    string Collection,
    ModelVersionId From,
    ModelVersionId To,
    MigrationStrategy Strategy,
    MigrationState State,
    string? LinkId,
    string? JobId,
    MigrationGates Gates,
    PendingOrder Order,
    int Seed,
    IReadOnlyList<LinkQualityPoint> History,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? Error = null);
