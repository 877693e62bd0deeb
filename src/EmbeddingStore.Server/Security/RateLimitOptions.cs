// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.ComponentModel.DataAnnotations;

namespace EmbeddingStore.Server.Security;

/// <summary>
/// Per-key request rate (<c>RateLimit:*</c>): a token bucket per API key (per client address without keys). Defaults
/// are far above what one machine serves, so they only stop runaway clients; 0 permits per second disables limiting.
/// </summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "RateLimit";

    [Range(0, 1_000_000)]
    public int PermitsPerSecond { get; set; } = 2_000;

    [Range(1, 10_000_000)]
    public int Burst { get; set; } = 4_000;
}
