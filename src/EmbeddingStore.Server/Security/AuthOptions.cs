// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Server.Security;

/// <summary>
/// API keys (<c>Auth:Keys</c>). Keys are configured as SHA-256 hashes, never in clear, so configuration files and
/// environment dumps do not leak them; <c>esadmin hash-key</c> prints the hash of a new key.
/// </summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    public List<ApiKeyOptions> Keys { get; set; } = [];

    /// <summary>
    /// With no keys the server is open, so it then refuses to bind anything but loopback unless this is set: a deliberate
    /// opt-in for networks that are protected in front of the server.
    /// </summary>
    public bool AllowAnonymousNonLoopback { get; set; }

    public bool Enabled => Keys.Count > 0;
}

/// <summary>One key: a name for logs and rate-limit partitions, the SHA-256 of the secret (hex), and its scopes.</summary>
public sealed class ApiKeyOptions
{
    public string Name { get; set; } = string.Empty;

    public string Sha256 { get; set; } = string.Empty;

    /// <summary><c>read</c>, <c>write</c> and/or <c>admin</c>; <c>admin</c> includes <c>write</c>, which includes <c>read</c>.</summary>
    public List<string> Scopes { get; set; } = [];
}
