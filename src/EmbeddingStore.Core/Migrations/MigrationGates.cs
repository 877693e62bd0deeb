// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Migrations;

/// <summary>
/// What a cut-over requires, checked when it is asked for: a switch that would serve worse than the operator accepted is
/// refused with the measured figure, instead of being discovered by users.
/// </summary>
/// <param name="MinRecallAt10">The least held-out recall@10 the migration's link must report; null requires none.</param>
/// <param name="MinNativeFraction">The least fraction of items holding a native new-version vector; null requires none.</param>
public sealed record MigrationGates(double? MinRecallAt10 = null, double? MinNativeFraction = null)
{
    /// <summary>No gate: a cut-over is allowed whenever the state allows it.</summary>
    public static MigrationGates None { get; } = new();
}
