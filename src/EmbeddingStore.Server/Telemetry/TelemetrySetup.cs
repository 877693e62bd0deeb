// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Server.Security;
using EmbeddingStore.Storage.Sqlite;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace EmbeddingStore.Server.Telemetry;

// Metrics, traces and logs for operators. Metrics are always collected and scraped at /metrics (Prometheus text
// format). Traces are made only when an OTLP endpoint is configured (Telemetry:Otlp:Endpoint, or the standard
// OTEL_EXPORTER_OTLP_ENDPOINT), so a server nobody traces pays nothing for spans. Logs keep ASP.NET Core's request
// scope (RequestId, TraceId, SpanId), which the JSON console formatter prints with IncludeScopes.
internal static class TelemetrySetup
{
    public static WebApplicationBuilder AddEmbeddingStoreTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IJobProgressSource, EngineJobProgressSource>();
        builder.Services.AddSingleton<ServerMetrics>();
        builder.Services.AddSingleton<SearchMetricsFilter>();
        string? otlp = builder.Configuration["Telemetry:Otlp:Endpoint"] is { Length: > 0 } configured
            ? configured
            : builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];

        OpenTelemetry.OpenTelemetryBuilder telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("embeddingstore", serviceVersion: typeof(TelemetrySetup).Assembly.GetName().Version?.ToString()))
            .WithMetrics(metrics => metrics
                .AddMeter(ServerMetrics.MeterName, SqliteMetrics.MeterName)
                // http.server.request.duration by http.route and status; connections; rate-limiting leases and queues.
                .AddMeter("Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.RateLimiting")
                // Each scrape reads the instruments afresh (the exporter's default caches a scrape for 300 ms).
                .AddPrometheusExporter(options => options.ScrapeResponseCacheDurationMilliseconds = 0));
        if (otlp is { Length: > 0 })
        {
            telemetry.WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(options => options.Filter = context => !IsOperatorPath(context.Request.Path))
                .AddOtlpExporter(options => options.Endpoint = new Uri(otlp)));
        }

        return builder;
    }

    // /metrics answers with the same key rules as the API (the read scope; open on loopback without keys) and is left
    // out of the OpenAPI document: it is Prometheus text, not part of the JSON API.
    public static IEndpointRouteBuilder MapMetricsEndpoint(this IEndpointRouteBuilder app)
    {
        // Created now rather than on first use, so its observable gauges exist before the first search.
        app.ServiceProvider.GetRequiredService<ServerMetrics>();
        app.MapPrometheusScrapingEndpoint("/metrics").RequireAuthorization(Scopes.Read).DisableRateLimiting().ExcludeFromDescription();
        return app;
    }

    // The API's endpoints are mapped on this group (no prefix, so routes and the OpenAPI document are unchanged); the
    // search endpoints among them get SearchMetricsFilter.
    public static RouteGroupBuilder MapMeasuredApi(this IEndpointRouteBuilder app)
    {
        RouteGroupBuilder group = app.MapGroup(string.Empty);
        group.AddEndpointFilterFactory((context, next) =>
        {
            // Only the search handlers pay for a filter (it boxes their arguments); it records search answers only.
            if (context.MethodInfo.DeclaringType?.Name is not ("SearchEndpoints" or "BatchSearchEndpoints"))
            {
                return next;
            }

            SearchMetricsFilter filter = context.ApplicationServices.GetRequiredService<SearchMetricsFilter>();
            return invocation => filter.InvokeAsync(invocation, next);
        });
        return group;
    }

    private static bool IsOperatorPath(PathString path) =>
        path.StartsWithSegments("/health", StringComparison.Ordinal) || path.StartsWithSegments("/metrics", StringComparison.Ordinal);
}
