// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text.Json.Serialization;
using EmbeddingStore.Contracts;
using EmbeddingStore.Core;
using EmbeddingStore.Core.Persistence;
using EmbeddingStore.Server.Endpoints;
using EmbeddingStore.Server.Infrastructure;
using EmbeddingStore.Server.OpenApi;
using EmbeddingStore.Storage.Sqlite;
using EmbeddingStore.Server.Security;
using EmbeddingStore.Server.Telemetry;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

// Offline maintenance verbs (restore a backup into a new file, verify a file) run without starting the server.
if (OfflineCommands.TryRun(args, out int offlineExit))
{
    return offlineExit;
}

// appsettings.json is read from the application's own folder, wherever it is started from (unless a content root is given).
WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = ContentRoot.Resolve(args) });

// Start-up refusals (port in use, unreadable database, bad configuration) are reported below as one line each; the
// host's own "Hosting failed to start" error would repeat them with a stack trace first.
builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);

AuthOptions auth = builder.Configuration.GetSection(AuthOptions.SectionName).Get<AuthOptions>() ?? new AuthOptions();
if (BindingGuard.Check(builder.Configuration, auth) is { } refusal)
{
    await Console.Error.WriteLineAsync("embeddingstore: " + refusal);
    return 3;
}

builder.Services.AddOptions<StorageOptions>().Bind(builder.Configuration.GetSection(StorageOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddOptions<BackupOptions>().Bind(builder.Configuration.GetSection(BackupOptions.SectionName));
builder.Services.AddOptions<JobsOptions>().Bind(builder.Configuration.GetSection(JobsOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddOptions<LimitsOptions>().Bind(builder.Configuration.GetSection(LimitsOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();

builder.Services.AddOptions<AuthOptions>().Bind(builder.Configuration.GetSection(AuthOptions.SectionName));
builder.Services.AddOptions<RateLimitOptions>().Bind(builder.Configuration.GetSection(RateLimitOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
    .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
builder.Services.AddAuthorization(options =>
{
    foreach (string scope in Scopes.All)
    {
        options.AddPolicy(scope, policy => policy.RequireClaim(Scopes.ClaimType, scope));
    }
});
builder.Services.AddEmbeddingStoreRateLimiting();

builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton(sp =>
{
    StorageOptions storage = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
    // The integrity check runs beside the load (EngineStartup awaits it before the server is ready): on a large file it
    // is a full read of it, a fifth of start-up when it ran first (docs/bench/issue-13.md).
    return SqliteEmbeddingRepository.Open(storage.Path, sp.GetRequiredService<TimeProvider>(), storage.MaxSizeBytes, overlapIntegrityCheck: true);
});
builder.Services.AddSingleton<IIdempotencyStore>(sp => sp.GetRequiredService<SqliteEmbeddingRepository>());
builder.Services.AddSingleton(sp =>
{
    JobsOptions jobs = sp.GetRequiredService<IOptions<JobsOptions>>().Value;
    var engine = new EmbeddingEngine(
        sp.GetRequiredService<SqliteEmbeddingRepository>(),
        sp.GetRequiredService<IOptions<LimitsOptions>>().Value.ToEngineLimits(),
        sp.GetRequiredService<TimeProvider>())
    {
        IndexDirectory = sp.GetRequiredService<IOptions<StorageOptions>>().Value.ResolvedIndexDirectory,

        // The host runs the job runner (JobRunnerService), so graphs build as jobs and searches never wait for one.
        BackgroundIndexBuilds = true,
    };
    engine.Jobs.ChunkSize = jobs.ChunkSize;
    engine.Jobs.PauseBetweenChunks = TimeSpan.FromMilliseconds(jobs.PauseBetweenChunksMs);
    return engine;
});
// Endpoints see only the service boundary; the local engine is today's implementation of it.
builder.Services.AddSingleton<IEmbeddingService>(sp => sp.GetRequiredService<EmbeddingEngine>());
builder.Services.AddOptions<StartupOptions>().Bind(builder.Configuration.GetSection(StartupOptions.SectionName));
builder.Services.AddSingleton<ServerReadiness>();
builder.Services.AddHostedService<EngineStartup>();
// After EngineStartup: with a background load the runner idles until the load hands it the stored jobs.
builder.Services.AddHostedService<JobRunnerService>();
builder.AddEmbeddingStoreTelemetry();

builder.Services.ConfigureHttpJsonOptions(options =>
{
    options.SerializerOptions.TypeInfoResolverChain.Insert(0, EmbeddingStoreJsonContext.Default);
    options.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
    options.SerializerOptions.PropertyNameCaseInsensitive = false;
    options.SerializerOptions.RespectNullableAnnotations = true;
    options.SerializerOptions.AllowDuplicateProperties = false;

    // Every vector in a request may be a JSON array or a base64 string; responses write arrays unless asked otherwise.
    options.SerializerOptions.Converters.Add(new VectorJsonConverter());
});
builder.Services.AddSingleton<VectorResponseJson>();
builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
builder.Services.AddOptions<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>()
    .Configure<IOptions<LimitsOptions>>((kestrel, limits) => kestrel.Limits.MaxRequestBodySize = limits.Value.MaxRequestBodyBytes);

builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
{
    // Framework-made problems (no route, wrong method, media type) get a stable type of ours.
    int status = context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode;
    if ((context.ProblemDetails.Type is null || !context.ProblemDetails.Type.StartsWith("/problems/", StringComparison.Ordinal))
        && ProblemMapping.ForStatus(status) is { } mapped)
    {
        context.ProblemDetails.Type = mapped.Type;
        context.ProblemDetails.Title = mapped.Title;
    }
});
builder.Services.AddExceptionHandler<ApiExceptionHandler>();
builder.Services.AddEmbeddingStoreOpenApi();

WebApplication app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseEmbeddingStoreReadiness();
// Resolved once; .Value (validated, cached) is read on the first request, after start-up validation has run.
IOptions<LimitsOptions> limits = app.Services.GetRequiredService<IOptions<LimitsOptions>>();
app.Use(async (context, next) =>
{
    // Streaming routes bound what they read themselves (one line at a time), so a load may exceed the body limit.
    if (context.GetEndpoint()?.Metadata.GetMetadata<StreamingBodyMetadata>() is not null)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } unlimited)
        {
            unlimited.MaxRequestBodySize = null;
        }

        await next(context);
        return;
    }

    // Refuse an oversized declared body before reading it (Kestrel enforces the same limit on chunked bodies).
    long max = limits.Value.MaxRequestBodyBytes;
    if (context.Request.ContentLength > max)
    {
        throw new BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge);
    }

    if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
    {
        feature.MaxRequestBodySize = max;
    }

    await next(context);
});

app.UseAuthentication();
app.UseRateLimiter();
app.UseAuthorization();
app.UseMiddleware<IdempotencyMiddleware>();
app.UseMiddleware<FilterBodyGuard>();

app.MapOpenApi().AllowAnonymous();
app.UseSwaggerUI(options =>
{
    options.RoutePrefix = "docs";
    options.SwaggerEndpoint("/openapi/v1.json", "EmbeddingStore v1");
    options.DocumentTitle = "EmbeddingStore API reference";
});
app.MapMetricsEndpoint();
RouteGroupBuilder api = app.MapMeasuredApi();
api.MapHealthEndpoints();
api.MapModelEndpoints();
api.MapCollectionEndpoints();
api.MapItemEndpoints();
api.MapBulkUpsertEndpoints();
api.MapSearchEndpoints();
api.MapLinkEndpoints();
api.MapBatchSearchEndpoints();
api.MapJobEndpoints();
api.MapAliasEndpoints();
api.MapMigrationEndpoints();
api.MapPayloadIndexEndpoints();
api.MapAdminEndpoints();

try
{
    await app.RunAsync();

    // Non-zero when a background load failed and stopped the server (EngineStartup logged why).
    return Environment.ExitCode;
}
catch (OperationCanceledException) when (Environment.ExitCode != 0)
{
    // A background load failed while the host was still starting and stopped it, cancelling the start; the reason is
    // already logged as one line.
    return Environment.ExitCode;
}
catch (SqliteStoreOpenException ex)
{
    // One clear line for the operator; the file is untouched.
    await Console.Error.WriteLineAsync("embeddingstore: " + ex.Message);
    return 1;
}
catch (IOException ex) when (ex.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
{
    await Console.Error.WriteLineAsync("embeddingstore: cannot listen: " + ex.Message);
    return 4;
}
catch (OptionsValidationException ex)
{
    await Console.Error.WriteLineAsync("embeddingstore: invalid configuration: " + string.Join("; ", ex.Failures));
    return 2;
}

/// <summary>The server's entry point; public so integration tests can host it with WebApplicationFactory.</summary>
public partial class Program;
