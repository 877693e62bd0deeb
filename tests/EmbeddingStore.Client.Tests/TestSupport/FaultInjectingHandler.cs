// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Net;

namespace EmbeddingStore.Client.Tests.TestSupport;

// Sits below the retry layer and in front of the real network: the first `faults` requests that match get the fault
// (a status answer, a connection failure, or a hang until the attempt is cancelled) instead of reaching the server;
// every request is recorded.
public sealed class FaultInjectingHandler : DelegatingHandler
{
    private readonly Func<HttpRequestMessage, bool> _matches;
    private readonly HttpStatusCode? _status;
    private readonly TimeSpan? _retryAfter;
    private readonly bool _hang;
    private int _faultsLeft;

    public FaultInjectingHandler(int faults, HttpStatusCode? status, Func<HttpRequestMessage, bool>? matches = null, TimeSpan? retryAfter = null, bool hang = false)
    {
        _hang = hang;
        _faultsLeft = faults;
        _status = status;
        _matches = matches ?? (_ => true);
        _retryAfter = retryAfter;
    }

    // For the built-in path the handler is the bottom of the chain and sends to the network itself; IHttpClientFactory
    // sets InnerHandler on its own and refuses a handler that already has one.
    public FaultInjectingHandler WithNetwork()
    {
        InnerHandler = new SocketsHttpHandler();
        return this;
    }

    public List<(HttpMethod Method, string Path, string? IdempotencyKey, string? ApiKey)> Requests { get; } = [];

    public int Attempts(string pathSuffix) => Requests.Count(r => r.Path.EndsWith(pathSuffix, StringComparison.Ordinal));

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        lock (Requests)
        {
            Requests.Add((request.Method, request.RequestUri!.AbsolutePath,
                request.Headers.TryGetValues("Idempotency-Key", out IEnumerable<string>? keys) ? keys.Single() : null,
                request.Headers.TryGetValues("X-Api-Key", out IEnumerable<string>? apiKeys) ? apiKeys.Single() : null));
        }

        if (_matches(request) && Interlocked.Decrement(ref _faultsLeft) >= 0)
        {
            if (_hang)
            {
                // A server that never answers: only the attempt timeout (or the caller) ends this.
                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            }

            if (_status is null)
            {
                throw new HttpRequestException(HttpRequestError.ConnectionError, "Injected connection failure.");
            }

            var response = new HttpResponseMessage(_status.Value) { RequestMessage = request, Content = new StringContent("injected") };
            if (_retryAfter is { } delay)
            {
                response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(delay);
            }

            return response;
        }

        // With hang faults the test's attempt timeout is short (it has to end the hanging attempt), and it would also cut
        // the real request that follows on a slow machine; so the real request is sent without the attempt's token and
        // takes as long as it takes. Polly's timeout is cooperative: a request that ignores it completes normally.
        return await base.SendAsync(request, _hang ? CancellationToken.None : cancellationToken);
    }
}
