// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Persistence;

/// <summary>
/// The idempotency key of the request being served, carried ambiently (an <see cref="AsyncLocal{T}"/>) from the HTTP
/// layer to the repository, which writes it in the same transaction as the request's write. After a crash between the
/// write and the recording of its answer, a retry therefore finds the claim and is not applied a second time, which
/// matters for writes that are not idempotent in effect (creating a link or a job).
/// </summary>
/// <remarks>
/// Only the first write transaction of a request carries the claim; the engine's layers above the repository know
/// nothing of it. Background work started elsewhere does not see it: the runner's own flow has no claim.
/// </remarks>
public sealed class IdempotencyClaim
{
    private static readonly AsyncLocal<IdempotencyClaim?> s_current = new();

    /// <summary>Creates a claim for one request.</summary>
    public IdempotencyClaim(string key, byte[] fingerprint, DateTimeOffset at)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(fingerprint);
        Key = key;
        Fingerprint = fingerprint;
        At = at;
    }

    /// <summary>The claim of the request this flow serves, or null.</summary>
    public static IdempotencyClaim? Current => s_current.Value;

    /// <summary>The client's key.</summary>
    public string Key { get; }

    /// <summary>SHA-256 of the request (method, path, body).</summary>
    public byte[] Fingerprint { get; }

    /// <summary>When the request arrived (the claim's age for expiry).</summary>
    public DateTimeOffset At { get; }

    /// <summary>Whether a committed write transaction carried this claim.</summary>
    public bool IsCommitted { get; private set; }

    /// <summary>Makes <paramref name="claim"/> the current flow's claim until the returned scope is disposed.</summary>
    public static IDisposable Enter(IdempotencyClaim claim)
    {
        ArgumentNullException.ThrowIfNull(claim);
        IdempotencyClaim? previous = s_current.Value;
        s_current.Value = claim;
        return new Scope(previous);
    }

    /// <summary>Called by a repository after the transaction that wrote this claim committed.</summary>
    public void MarkCommitted() => IsCommitted = true;

    private sealed class Scope(IdempotencyClaim? previous) : IDisposable
    {
        public void Dispose() => s_current.Value = previous;
    }
}
