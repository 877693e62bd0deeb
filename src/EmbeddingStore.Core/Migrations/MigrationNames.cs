// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Migrations;

/// <summary>The stable wire and storage names of migration strategies, so scripts can rely on them whatever the enum becomes.</summary>
public static class MigrationStrategyNames
{
    /// <summary>The stable name of a strategy.</summary>
    public static string ToWireName(MigrationStrategy strategy) => strategy switch
    {
        MigrationStrategy.Bridge => "bridge",
        MigrationStrategy.Transform => "transform",
        MigrationStrategy.Reembed => "reembed",
        _ => throw new ArgumentOutOfRangeException(nameof(strategy), strategy, "Unknown migration strategy."),
    };

    /// <summary>Parses a stable name; false for anything else (names are case-sensitive, as every wire name is).</summary>
    public static bool TryParse(string? name, out MigrationStrategy strategy) => WireNames.TryParse(name, ToWireName, out strategy);
}

/// <summary>The stable wire and storage names of migration states.</summary>
public static class MigrationStateNames
{
    /// <summary>The stable name of a state.</summary>
    public static string ToWireName(MigrationState state) => state switch
    {
        MigrationState.Planned => "planned",
        MigrationState.Running => "running",
        MigrationState.Paused => "paused",
        MigrationState.Completed => "completed",
        MigrationState.Failed => "failed",
        MigrationState.Cancelled => "cancelled",
        MigrationState.CutOver => "cut-over",
        MigrationState.RolledBack => "rolled-back",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Unknown migration state."),
    };

    /// <summary>Parses a stable name; false for anything else.</summary>
    public static bool TryParse(string? name, out MigrationState state) => WireNames.TryParse(name, ToWireName, out state);

    /// <summary>
    /// Whether a migration in this state still holds its collection: only one may at a time, so two migrations never
    /// race to switch the serving version.
    /// </summary>
    public static bool IsActive(MigrationState state) => state is MigrationState.Planned or MigrationState.Running or MigrationState.Paused or MigrationState.Completed;
}

/// <summary>The stable wire names of pending orders.</summary>
public static class PendingOrderNames
{
    /// <summary>The stable name of an order.</summary>
    public static string ToWireName(PendingOrder order) => order switch
    {
        PendingOrder.Stratified => "stratified",
        PendingOrder.Random => "random",
        PendingOrder.Id => "id",
        _ => throw new ArgumentOutOfRangeException(nameof(order), order, "Unknown pending order."),
    };

    /// <summary>Parses a stable name; false for anything else.</summary>
    public static bool TryParse(string? name, out PendingOrder order) => WireNames.TryParse(name, ToWireName, out order);
}

// The one parse loop behind every enum's name table: a name parses to the member whose wire name it is.
internal static class WireNames
{
    public static bool TryParse<T>(string? name, Func<T, string> toWireName, out T value)
        where T : struct, Enum
    {
        foreach (T candidate in Enum.GetValues<T>())
        {
            if (string.Equals(toWireName(candidate), name, StringComparison.Ordinal))
            {
                value = candidate;
                return true;
            }
        }

        value = default;
        return false;
    }
}
