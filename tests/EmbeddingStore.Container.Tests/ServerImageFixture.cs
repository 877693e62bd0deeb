// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Diagnostics;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Images;
using EmbeddingStore.Tests.Shared;

namespace EmbeddingStore.Container.Tests;

// Builds the server image from the repository's Dockerfile once for the test class, with the engine's layer cache.
// The base images are Microsoft's (the Dockerfile's defaults) unless EMBEDDINGSTORE_SDK_IMAGE/EMBEDDINGSTORE_RUNTIME_IMAGE
// name others, or the local stand-ins from deploy/local-base-images.sh are present (machines that reach no registry).
public sealed class ServerImageFixture : IAsyncLifetime
{
    public const string ImageName = "embeddingstore:container-tests";
    private const string LocalSdk = "embeddingstore-local/sdk:10.0";
    private const string LocalRuntime = "embeddingstore-local/aspnet:10.0";

    public string? SkipReason { get; private set; }

    public TimeSpan BuildTime { get; private set; }

    public async ValueTask InitializeAsync()
    {
        SkipReason = await DockerEngine.UnavailableReasonAsync();
        if (SkipReason is not null)
        {
            return;
        }

        DockerEngine.ConfigureTestcontainers();
        ImageFromDockerfileBuilder builder = new ImageFromDockerfileBuilder()
            .WithDockerfileDirectory(RepositoryRoot.Path)
            .WithDockerfile("Dockerfile")
            .WithName(ImageName)
            .WithDeleteIfExists(false)
            .WithCleanUp(false)
            // The build stage restores from NuGet: on an engine without a bridge network only the host's network works.
            .WithCreateParameterModifier(parameters => parameters.NetworkMode = "host");
        foreach ((string argument, string variable, string local) in new[] { ("SDK_IMAGE", "EMBEDDINGSTORE_SDK_IMAGE", LocalSdk), ("RUNTIME_IMAGE", "EMBEDDINGSTORE_RUNTIME_IMAGE", LocalRuntime) })
        {
            if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } configured)
            {
                builder = builder.WithBuildArgument(argument, configured);
            }
            else if (await DockerEngine.HasImageAsync(local))
            {
                builder = builder.WithBuildArgument(argument, local);
            }
        }

        IFutureDockerImage image = builder.Build();
        long started = Stopwatch.GetTimestamp();
        await image.CreateAsync(TestContext.Current.CancellationToken);
        BuildTime = Stopwatch.GetElapsedTime(started);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
