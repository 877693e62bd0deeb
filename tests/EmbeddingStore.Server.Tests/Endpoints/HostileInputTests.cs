// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using EmbeddingStore.Contracts;
using EmbeddingStore.Server.Infrastructure;
using EmbeddingStore.Tests.Shared;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace EmbeddingStore.Server.Tests.Endpoints;

// The holes a hostile-input run found that are not a single request with a single answer (see BadInputTests for those).
public sealed class HostileInputTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Requests_NoKeysAndDefaultRateLimit_NeverThrottled()
    {
        // Burst 2 would refuse the third request at once if a limiter were in force; without keys the default is none.
        using var factory = new ServerFactory(new Dictionary<string, string?> { ["RateLimit:Burst"] = "2" });
        HttpClient client = factory.CreateClient();
        for (int i = 0; i < 50; i++)
        {
            using HttpResponseMessage response = await client.GetAsync(new Uri("/v1/collections", UriKind.Relative), Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task Requests_KeysAndDefaultRateLimit_ThrottledWithRetryAfter()
    {
        const string key = "hostile-input-test-key";
        using var factory = new ServerFactory(new Dictionary<string, string?>
        {
            ["Auth:Keys:0:Name"] = "reader",
            ["Auth:Keys:0:Sha256"] = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key))),
            ["Auth:Keys:0:Scopes:0"] = "read",
            ["RateLimit:Burst"] = "2",
        });
        HttpClient client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        HttpStatusCode? limited = null;
        string? retryAfter = null;
        for (int i = 0; i < 50 && limited is null; i++)
        {
            using HttpResponseMessage response = await client.GetAsync(new Uri("/v1/collections", UriKind.Relative), Ct);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response.StatusCode;
                retryAfter = response.Headers.RetryAfter?.ToString();
            }
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, limited);
        Assert.False(string.IsNullOrEmpty(retryAfter));
    }

    [Fact]
    public async Task Upsert_BodyOverLimit_413ClosesConnection()
    {
        string directory = Path.Combine(Path.GetTempPath(), "es-hostile-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            using ServerProcess server = await ServerProcess.StartAsync(Path.Combine(directory, "s.db"), Ct, settings: ["--Limits:MaxRequestBodyBytes", "2048"]);
            using HttpClient client = server.CreateClient();
            using var content = new StringContent(new string(' ', 4096) + "{}", Encoding.UTF8, "application/json");

            using HttpResponseMessage response = await client.PostAsync(new Uri("/v1/collections/docs/items", UriKind.Relative), content, Ct);

            // The unread rest of the body makes the connection unusable; a client told so opens a new one for its next request.
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
            Assert.True(response.Headers.ConnectionClose, "413 without Connection: close");
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/v1/collections", UriKind.Relative), Ct)).StatusCode);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task ExceptionHandler_StalledBody_Is408WithProblemType()
    {
        // Kestrel reports a body slower than MinRequestBodyDataRate as BadHttpRequestException(408); driving a real stall
        // would make the test depend on timing, so the exception is handed to the handler as Kestrel raises it.
        using var factory = new ServerFactory();
        using IServiceScope scope = factory.Services.CreateScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Response.Body = new MemoryStream();
        var handler = new ApiExceptionHandler(
            scope.ServiceProvider.GetRequiredService<IProblemDetailsService>(), NullLogger<ApiExceptionHandler>.Instance);

        bool handled = await handler.TryHandleAsync(
            context, new BadHttpRequestException("Reading the request body timed out due to data arriving too slowly.", StatusCodes.Status408RequestTimeout), Ct);

        Assert.True(handled);
        Assert.Equal(StatusCodes.Status408RequestTimeout, context.Response.StatusCode);
        context.Response.Body.Position = 0;
        JsonNode body = JsonNode.Parse(await new StreamReader(context.Response.Body).ReadToEndAsync(Ct))!;
        Assert.Equal(ProblemTypes.RequestTimeout, body["type"]!.GetValue<string>());
        Assert.Equal(408, body["status"]!.GetValue<int>());
    }
}
