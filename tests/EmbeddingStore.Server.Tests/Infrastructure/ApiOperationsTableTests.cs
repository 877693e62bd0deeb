// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Contracts;
using EmbeddingStore.Tests.Shared;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace EmbeddingStore.Server.Tests.Infrastructure;

// The operations table in Contracts is what the client retries by and what the idempotency middleware records by, so
// it must describe exactly the endpoints the server maps: a new route without its row fails here.
public sealed class ApiOperationsTableTests
{
    [Fact]
    public void MappedEndpoints_EveryApiRoute_HasItsRowWithTheSameMethodAndRoute()
    {
        using var factory = new ServerFactory();
        _ = factory.Server;
        var mapped = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } raw && (raw.StartsWith("/v1", StringComparison.Ordinal) || raw.StartsWith("/health", StringComparison.Ordinal)))
            .ToList();

        Assert.NotEmpty(mapped);
        foreach (RouteEndpoint endpoint in mapped)
        {
            string route = endpoint.RoutePattern.RawText!.TrimEnd('/');
            string? name = endpoint.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName;
            Assert.True(name is not null, $"{route} has no endpoint name");
            Assert.True(ApiOperations.TryGet(name, out ApiOperation? operation), $"{name} ({route}) has no row in ApiOperations");
            Assert.Equal(operation.Route, route);
            Assert.Equal([operation.Method], endpoint.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods);
        }

        // And no row describes an endpoint that does not exist.
        Assert.Equal(
            ApiOperations.All.Select(o => o.Name).Order(StringComparer.Ordinal),
            mapped.Select(e => e.Metadata.GetMetadata<IEndpointNameMetadata>()!.EndpointName).Order(StringComparer.Ordinal));
    }
}
