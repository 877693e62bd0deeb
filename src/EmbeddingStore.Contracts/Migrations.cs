// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text.Json;
using System.Text.Json.Serialization;

namespace EmbeddingStore.Contracts;

/// <summary>
/// Asks for a migration of a collection from the version it serves to <see cref="To"/>. The names are the contract
/// scripts rely on: <c>to</c>, <c>strategy</c>, <c>link</c>, <c>gates</c>.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateMigrationRequest
{
    /// <summary>The version to move to, <c>model@version</c>.</summary>
    public required string To { get; init; }

    /// <summary><c>bridge</c> (serve through a link at once), <c>transform</c> (write derived vectors) or <c>reembed</c> (track native re-embedding).</summary>
    public required string Strategy { get; init; }

    /// <summary>The link to use; omitted, the best-reported link that runs the right way is chosen.</summary>
    public string? Link { get; init; }

    /// <summary>What a cut-over will require; omitted, nothing.</summary>
    public MigrationGatesBody? Gates { get; init; }

    /// <summary>False records the plan without starting it (state <c>planned</c>; start it with <c>/start</c>); default true.</summary>
    public bool? Start { get; init; }

    /// <summary>A re-embedding's pending order: <c>stratified</c> (default; k-means strata of the old vectors), <c>random</c> or <c>id</c>.</summary>
    public string? Order { get; init; }

    /// <summary>Seeds the pending order (default 1), so it is the same after a restart.</summary>
    public int? Seed { get; init; }
}

/// <summary>What a cut-over requires; a refused cut-over names the gate and the measured figure.</summary>
/// <param name="MinRecallAt10">Least held-out recall@10 of the migration's link (0–1).</param>
/// <param name="MinNativeFraction">Least fraction of items holding a native new-version vector (0–1).</param>
public sealed record MigrationGatesBody(double? MinRecallAt10 = null, double? MinNativeFraction = null);

/// <summary>
/// A migration as it stands now. <see cref="State"/> is one of <c>planned</c>, <c>running</c>, <c>paused</c>,
/// <c>completed</c>, <c>failed</c>, <c>cancelled</c>, <c>cut-over</c>, <c>rolled-back</c>; counts are read when asked,
/// so polling this is how a tool shows progress.
/// </summary>
/// <param name="Id">The migration's id.</param>
/// <param name="Collection">The collection it moves.</param>
/// <param name="From">The version served when it was created.</param>
/// <param name="To">The version it moves to.</param>
/// <param name="Strategy"><c>bridge</c>, <c>transform</c> or <c>reembed</c>.</param>
/// <param name="State">Its effective state (a transform's follows its job).</param>
/// <param name="Progress">Items walked of items to walk (transform); items holding a native new vector of items held (reembed); 0 of 0 (bridge).</param>
/// <param name="Link">The link it uses; null for a re-embedding without one.</param>
/// <param name="LinkRecallAt10">That link's held-out recall@10 in the direction the strategy uses.</param>
/// <param name="Gates">What a cut-over requires.</param>
/// <param name="PendingOrder">The order pending items are handed out in.</param>
/// <param name="Items">Items the collection holds.</param>
/// <param name="NativeVectors">Items holding a native new-version vector.</param>
/// <param name="DerivedVectors">Items holding a derived new-version vector.</param>
/// <param name="NativeFraction">NativeVectors / Items (1 for an empty collection).</param>
/// <param name="Job">The transform's job id (also visible under <c>/v1/jobs</c>).</param>
/// <param name="JobState">That job's state.</param>
/// <param name="LinkHistory">The links the migration has used, oldest first, with their quality when adopted.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="UpdatedAt">When its stored state last changed.</param>
/// <param name="Error">Why it failed, when it did.</param>
public sealed record MigrationResponse(
    string Id,
    string Collection,
    string From,
    string To,
    string Strategy,
    string State,
    MigrationProgressResponse Progress,
    string? Link,
    double? LinkRecallAt10,
    MigrationGatesBody Gates,
    string PendingOrder,
    long Items,
    long NativeVectors,
    long DerivedVectors,
    double NativeFraction,
    string? Job,
    string? JobState,
    IReadOnlyList<LinkQualityPointResponse> LinkHistory,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? Error);

/// <summary>How far a migration has come; <see cref="Total"/> may grow while it runs (a collection that grows meanwhile).</summary>
/// <param name="Done">Units done.</param>
/// <param name="Total">Units known so far.</param>
public sealed record MigrationProgressResponse(long Done, long Total);

/// <summary>One link a migration adopted, with its quality then: refits on more re-embedded pairs add entries.</summary>
/// <param name="At">When it was adopted.</param>
/// <param name="Link">The link's id.</param>
/// <param name="Pairs">Pairs it was fitted on (null for a declared identity).</param>
/// <param name="RecallAt10">Held-out recall@10 (null for a declared identity).</param>
/// <param name="NativeFraction">The native fraction when it was adopted.</param>
public sealed record LinkQualityPointResponse(DateTimeOffset At, string Link, int? Pairs, double? RecallAt10, double NativeFraction);

/// <summary>A collection's migrations.</summary>
/// <param name="Migrations">Newest first.</param>
public sealed record MigrationListResponse(IReadOnlyList<MigrationResponse> Migrations);

/// <summary>One item a re-embedding still waits for.</summary>
/// <param name="Id">The item id.</param>
/// <param name="Payload">Its payload: what a client needs to embed it again.</param>
public sealed record PendingItemResponse(string Id, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? Payload);

/// <summary>
/// A page of pending items, in the migration's order. A view, not a lease: until their vectors arrive the same items stay
/// pending, so a client that crashes loses nothing; pass <see cref="NextCursor"/> back as <c>cursor</c> for the next page.
/// </summary>
/// <param name="Items">Pending items.</param>
/// <param name="NextCursor">The cursor of the next page; null at the end.</param>
/// <param name="Remaining">Items still lacking a native new-version vector, this page included.</param>
public sealed record PendingItemsResponse(IReadOnlyList<PendingItemResponse> Items, string? NextCursor, long Remaining);

/// <summary>
/// Re-embedded vectors of the migration's new version for existing items. Unlike an upsert, this keeps each item's
/// payload and old vectors (a rollback needs them); a native vector replaces a derived one.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record MigrationVectorsRequest
{
    /// <summary>One entry per item, 1 to the batch limit; all stored or none.</summary>
    public required IReadOnlyList<MigrationVectorItem> Items { get; init; }
}

/// <summary>One re-embedded vector.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record MigrationVectorItem
{
    /// <summary>The item's id; it must exist.</summary>
    public required string Id { get; init; }

    /// <summary>Its vector in the migration's new version (a JSON array, or base64 of little-endian float32).</summary>
    public required float[] Vector { get; init; }
}

/// <summary>What an upload of re-embedded vectors stored, and the migration after it.</summary>
/// <param name="Stored">Vectors stored.</param>
/// <param name="Migration">The migration, with its new progress.</param>
public sealed record MigrationVectorsResponse(int Stored, MigrationResponse Migration);

/// <summary>Refits a migration's link on the pairs re-embedded so far.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RefitMigrationRequest
{
    /// <summary>A bridge kind (<c>procrustes</c>, <c>scaled-procrustes</c>, <c>ridge</c>, <c>low-rank</c>, <c>rff-ridge</c>) or <c>auto</c> (default).</summary>
    public string? Kind { get; init; }
}
