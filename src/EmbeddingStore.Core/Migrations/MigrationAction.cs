// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Migrations;

/// <summary>
/// A state change an operator asks of a migration. One enum, so the service boundary has one member for all of them and
/// the state machine lives in one switch.
/// </summary>
public enum MigrationAction
{
    /// <summary>Start a planned migration.</summary>
    Start,

    /// <summary>Hold a running migration between chunks.</summary>
    Pause,

    /// <summary>Continue a paused migration (or start a planned one).</summary>
    Resume,

    /// <summary>Stop a migration that has not been cut over.</summary>
    Cancel,

    /// <summary>Switch the serving version to the migration's target, if the gates pass.</summary>
    CutOver,

    /// <summary>Switch a cut-over collection back to the old version.</summary>
    Rollback,
}

/// <summary>The stable names of migration actions: the last segment of their routes, and what refusals name.</summary>
public static class MigrationActionNames
{
    /// <summary>The stable name of an action.</summary>
    public static string ToWireName(MigrationAction action) => action switch
    {
        MigrationAction.Start => "start",
        MigrationAction.Pause => "pause",
        MigrationAction.Resume => "resume",
        MigrationAction.Cancel => "cancel",
        MigrationAction.CutOver => "cutover",
        MigrationAction.Rollback => "rollback",
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, "Unknown migration action."),
    };

    /// <summary>Parses a stable name; false for anything else.</summary>
    public static bool TryParse(string? name, out MigrationAction action) => WireNames.TryParse(name, ToWireName, out action);
}
