// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Versioning;

/// <summary>
/// Wire and storage names of bridge kinds. Kept apart from the enum so names are stable even if the enum is extended,
/// and parsed strictly so a typo is an error rather than a silently different bridge.
/// </summary>
public static class BridgeKindNames
{
    /// <summary>The request-only kind that fits every candidate and keeps the best on held-out pairs.</summary>
    public const string Auto = "auto";

    /// <summary>The stable name of a kind.</summary>
    public static string ToWireName(BridgeKind kind) => kind switch
    {
        BridgeKind.Identity => "identity",
        BridgeKind.Procrustes => "procrustes",
        BridgeKind.ScaledProcrustes => "scaled-procrustes",
        BridgeKind.Ridge => "ridge",
        BridgeKind.LowRankAffine => "low-rank",
        BridgeKind.RandomFourierRidge => "rff-ridge",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown bridge kind."),
    };

    /// <summary>Parses a stable name; false for anything else, including <see cref="Auto"/>.</summary>
    public static bool TryParse(string? name, out BridgeKind kind)
    {
        foreach (BridgeKind candidate in Enum.GetValues<BridgeKind>())
        {
            if (string.Equals(ToWireName(candidate), name, StringComparison.Ordinal))
            {
                kind = candidate;
                return true;
            }
        }

        kind = default;
        return false;
    }
}
