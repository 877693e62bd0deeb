// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.ComponentModel.DataAnnotations;

namespace EmbeddingStore.Server.Security;

/// <summary>
/// Per-key request rate (<c>RateLimit:*</c>): a token bucket per API key (per client address without keys). It stops
/// runaway clients of a shared server; 0 permits per second disables limiting.
/// </summary>
/// <remarks>
/// Unset, the limit is <see cref="DefaultPermitsPerSecondWithKeys"/> when API keys are configured and off when none are:
/// a server without keys listens only on loopback, where the one client is the operator's own program (a verification
/// loop over every acknowledged id must not meet 429s from its own database).
/// </remarks>
public sealed class RateLimitOptions
{
    public const string SectionName = "RateLimit";

    public const int DefaultPermitsPerSecondWithKeys = 2_000;

    [Range(0, 1_000_000)]
    public int? PermitsPerSecond { get; set; }

    [Range(1, 10_000_000)]
    public int Burst { get; set; } = 4_000;

    /// <summary>The permits per second in force: the configured value, else the default for the key configuration.</summary>
    public int EffectivePermitsPerSecond(bool keysConfigured) => PermitsPerSecond ?? (keysConfigured ? DefaultPermitsPerSecondWithKeys : 0);
}
