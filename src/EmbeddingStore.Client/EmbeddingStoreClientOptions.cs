// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Contracts;

namespace EmbeddingStore.Client;

/// <summary>
/// Where the server is and how patiently to talk to it. Bound from the <c>EmbeddingStore</c> configuration section by
/// <c>AddEmbeddingStoreClient(configuration)</c>, or set in code; they drive the one Microsoft.Extensions.Http.Resilience
/// pipeline that both <see cref="EmbeddingStoreClient(EmbeddingStoreClientOptions, HttpMessageHandler?)"/> and the
/// dependency-injection path run, so both behave alike.
/// </summary>
public sealed class EmbeddingStoreClientOptions
{
    /// <summary>The configuration section <c>AddEmbeddingStoreClient(configuration)</c> binds: <c>EmbeddingStore</c>.</summary>
    public const string SectionName = "EmbeddingStore";

    /// <summary>The server's address, e.g. <c>http://127.0.0.1:5080/</c>. Required; a missing trailing slash is added so relative paths keep any base path.</summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>
    /// Sent as the <c>X-Api-Key</c> header on every request when set. <c>X-Api-Key</c> rather than
    /// <c>Authorization: Bearer</c> because the key is a static secret, not an OAuth token, and a bearer header would be
    /// taken for one by proxies and gateways. A server without keys configured ignores the header.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// The most one call may take, retries and back-off included (default 100 s). Fitting a link on a large collection is
    /// the slowest call (about a second per 5,000 pairs), so keep this above that.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>The most one attempt may take (default 30 s); an attempt that times out counts as a transient failure.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Retries after the first attempt for idempotent calls that failed transiently (default 3, at most 10; 0 disables
    /// retries). Non-idempotent writes are never retried unless they carry an idempotency key.
    /// </summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>The first back-off delay (default 200 ms); each retry doubles it, with jitter so clients do not retry in step.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest back-off, including a server's <c>Retry-After</c> (default 30 s): a longer wait would outlive most callers.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How request vectors are written (default <see cref="VectorEncoding.Base64"/>: little-endian float32 in base64, exact
    /// to the bit, about a third of the bytes of a JSON array and no decimal parse on the server). Choose
    /// <see cref="VectorEncoding.Array"/> for a proxy or log that must read the numbers.
    /// </summary>
    public VectorEncoding VectorEncoding { get; set; } = VectorEncoding.Base64;

    /// <summary>Throws a clear exception naming the first invalid setting, before any request is sent.</summary>
    /// <exception cref="ArgumentException">A setting is missing or out of range.</exception>
    public void Validate()
    {
        if (BaseAddress is null || !BaseAddress.IsAbsoluteUri || (BaseAddress.Scheme != Uri.UriSchemeHttp && BaseAddress.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException(
                $"EmbeddingStoreClientOptions.BaseAddress must be an absolute http(s) URL such as http://127.0.0.1:5080/; it is '{BaseAddress}'.", nameof(BaseAddress));
        }

        if (Timeout <= TimeSpan.Zero && Timeout != System.Threading.Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentException($"EmbeddingStoreClientOptions.Timeout must be positive; it is {Timeout}.", nameof(Timeout));
        }

        if (AttemptTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"EmbeddingStoreClientOptions.AttemptTimeout must be positive; it is {AttemptTimeout}.", nameof(AttemptTimeout));
        }

        if (MaxRetries is < 0 or > 10)
        {
            throw new ArgumentException($"EmbeddingStoreClientOptions.MaxRetries must be 0 to 10; it is {MaxRetries}.", nameof(MaxRetries));
        }

        if (RetryBaseDelay < TimeSpan.Zero || MaxRetryDelay < RetryBaseDelay)
        {
            throw new ArgumentException(
                $"EmbeddingStoreClientOptions needs 0 <= RetryBaseDelay <= MaxRetryDelay; they are {RetryBaseDelay} and {MaxRetryDelay}.", nameof(RetryBaseDelay));
        }

        if (!Enum.IsDefined(VectorEncoding))
        {
            throw new ArgumentException($"EmbeddingStoreClientOptions.VectorEncoding must be Base64 or Array; it is {VectorEncoding}.", nameof(VectorEncoding));
        }

        if (ApiKey is not null && (ApiKey.Length == 0 || ApiKey.Any(char.IsControl)))
        {
            throw new ArgumentException("EmbeddingStoreClientOptions.ApiKey must be non-empty and free of control characters when set.", nameof(ApiKey));
        }
    }

    /// <summary>The base address with a trailing slash, so <c>v1/...</c> resolves under any base path.</summary>
    internal Uri NormalizedBaseAddress()
    {
        Uri address = BaseAddress!;
        return address.AbsolutePath.EndsWith('/') ? address : new Uri(address.AbsoluteUri + "/");
    }
}
