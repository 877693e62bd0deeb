// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using EmbeddingStore.Server.Tests.TestSupport;
using EmbeddingStore.Tests.Shared;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EmbeddingStore.Server.Tests.Endpoints;

public sealed class LoggingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Logs_AtTraceLevel_NeverCarryKeysOrVectorsButCarryRequestIds()
    {
        const string Key = "log-test-secret-key-7f3a";
        var sink = new CapturingLoggerProvider();
        using var server = new ServerFactory(new Dictionary<string, string?>
        {
            ["Auth:Keys:0:Name"] = "ops",
            ["Auth:Keys:0:Sha256"] = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Key))),
            ["Auth:Keys:0:Scopes:0"] = "admin",
            ["Logging:LogLevel:Default"] = "Trace",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
        });
        using var factory = server.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
            services.AddLogging(logging => logging.AddProvider(sink).SetMinimumLevel(LogLevel.Trace))));
        HttpClient client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", Key);

        Assert.Equal(HttpStatusCode.Created, (await Api.PutAsync(client, "/v1/models/t/versions/v1", """{"dimension": 3, "metric": "dot"}""", Ct)).Status);
        Assert.Equal(HttpStatusCode.Created, (await Api.PutAsync(client, "/v1/collections/c", """{"servingVersion": "t@v1"}""", Ct)).Status);
        Assert.Equal(HttpStatusCode.OK, (await Api.PostAsync(client, "/v1/collections/c/items", """{"items": [{"id": "a", "vectors": {"t@v1": [0.123456, 0.654321, 0.777777]}}]}""", Ct)).Status);
        Assert.Equal(HttpStatusCode.OK, (await Api.PostAsync(client, "/v1/collections/c/search", """{"vector": [0.314159, 0.271828, 0.161803]}""", Ct)).Status);
        // A malformed body and a wrong key are logged too, and must not echo what was sent.
        Assert.Equal(HttpStatusCode.BadRequest, (await Api.PostAsync(client, "/v1/collections/c/search", """{"vector": [0.999111, "x"]}""", Ct)).Status);
        using (var wrong = new HttpRequestMessage(HttpMethod.Get, "/v1/collections"))
        {
            wrong.Headers.Add("X-Api-Key", "wrong-secret-key-91c2");
            using HttpResponseMessage response = await client.SendAsync(wrong, Ct);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        string[] lines = [.. sink.Lines];
        Assert.NotEmpty(lines);
        foreach (string secret in new[] { Key, "wrong-secret-key-91c2", "0.123456", "0.654321", "0.314159", "0.271828", "0.999111" })
        {
            Assert.DoesNotContain(lines, l => l.Contains(secret, StringComparison.Ordinal));
        }

        // Request-scoped lines carry the request id (ASP.NET Core's hosting scope).
        Assert.Contains(lines, l => l.Contains("RequestId=", StringComparison.Ordinal));
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
    {
        private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public void Dispose()
        {
        }

        private sealed class CapturingLogger(CapturingLoggerProvider provider, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => provider._scopes.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var line = new StringBuilder().Append(category).Append(": ").Append(formatter(state, exception));
                if (exception is not null)
                {
                    line.Append(' ').Append(exception);
                }

                provider._scopes.ForEachScope(
                    (scope, builder) =>
                    {
                        if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                        {
                            foreach ((string key, object? value) in pairs)
                            {
                                builder.Append(' ').Append(key).Append('=').Append(value);
                            }
                        }
                    },
                    line);
                provider.Lines.Enqueue(line.ToString());
            }
        }
    }
}
