// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Jobs;

namespace EmbeddingStore.Core.Migrations;

/// <summary>
/// A migration as it stands now: its record, its effective state (a transform's follows its job) and the counts an
/// operator decides a cut-over on, read from memory when asked so they are never stale.
/// </summary>
/// <param name="Record">The durable record.</param>
/// <param name="State">The effective state.</param>
/// <param name="Done">Units done: items walked (transform), items holding a native new-version vector (re-embed), 0 (bridge).</param>
/// <param name="Total">Units to do: items to walk (transform), items held (re-embed), 0 (bridge: nothing is rewritten).</param>
/// <param name="Items">Items the collection holds.</param>
/// <param name="NativeTarget">Items holding a native vector of the new version.</param>
/// <param name="DerivedTarget">Items holding a derived vector of the new version.</param>
/// <param name="LinkRecallAt10">The held-out recall@10 of the link in the direction the strategy uses; null without a link.</param>
/// <param name="JobState">The transform job's state, when there is a job.</param>
/// <param name="Error">Why it failed (the migration's or its job's error).</param>
public sealed record MigrationInfo(
    MigrationRecord Record,
    MigrationState State,
    long Done,
    long Total,
    long Items,
    long NativeTarget,
    long DerivedTarget,
    double? LinkRecallAt10,
    JobState? JobState,
    string? Error)
{
    /// <summary>The fraction of items holding a native new-version vector (1 for an empty collection): the re-embedding gate.</summary>
    public double NativeFraction => Items == 0 ? 1 : (double)NativeTarget / Items;
}

/// <summary>
/// What a caller asks a migration to do. Strings are wire names, parsed by the engine so every caller gets the same
/// refusals.
/// </summary>
/// <param name="To">The version to move to, <c>model@version</c>.</param>
/// <param name="Strategy"><c>bridge</c>, <c>transform</c> or <c>reembed</c>.</param>
/// <param name="Link">The link to use; null picks the best fitting one (highest held-out recall@10).</param>
/// <param name="Gates">What a cut-over requires; null requires nothing.</param>
/// <param name="Start">False records the plan without starting it (<c>esadmin migrate plan</c>).</param>
/// <param name="Order">The pending order of a re-embedding (<c>stratified</c>, <c>random</c>, <c>id</c>); null is stratified.</param>
/// <param name="Seed">Seeds the pending order.</param>
public sealed record MigrationRequest(
    string To, string Strategy, string? Link = null, MigrationGates? Gates = null, bool Start = true, string? Order = null, int Seed = 1);

/// <summary>One item waiting to be re-embedded: its id and the payload a client needs to embed it again.</summary>
/// <param name="Id">The item id.</param>
/// <param name="Payload">Its payload (often the text, or where to find it).</param>
public sealed record PendingItem(string Id, System.Text.Json.JsonElement? Payload);

/// <summary>
/// A page of pending items. A view, not a lease: until their vectors arrive the same items stay pending, so a client
/// that crashes loses nothing; several clients page through with <see cref="NextCursor"/> to take disjoint batches.
/// </summary>
/// <param name="Items">Pending items in the migration's order.</param>
/// <param name="NextCursor">Pass as <c>cursor</c> for the next page; null at the end.</param>
/// <param name="Remaining">Items still lacking a native new-version vector, this page included.</param>
public sealed record PendingPage(IReadOnlyList<PendingItem> Items, string? NextCursor, long Remaining);
