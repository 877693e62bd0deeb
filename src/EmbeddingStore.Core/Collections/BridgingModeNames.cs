// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Collections;

/// <summary>Wire names of <see cref="BridgingMode"/>: the one table that request parsing and the API document read.</summary>
public static class BridgingModeNames
{
    /// <summary>The stable name of a mode.</summary>
    public static string ToWireName(BridgingMode mode) => mode switch
    {
        BridgingMode.Auto => "auto",
        BridgingMode.None => "none",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown bridging mode."),
    };

    /// <summary>Every stable name, in enum order.</summary>
    public static IReadOnlyList<string> All { get; } = [.. Enum.GetValues<BridgingMode>().Select(ToWireName)];

    /// <summary>Parses a stable name strictly; false for anything else, so a typo never widens a search.</summary>
    public static bool TryParse(string? name, out BridgingMode mode)
    {
        foreach (BridgingMode candidate in Enum.GetValues<BridgingMode>())
        {
            if (string.Equals(ToWireName(candidate), name, StringComparison.Ordinal))
            {
                mode = candidate;
                return true;
            }
        }

        mode = default;
        return false;
    }
}
