// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Server.Infrastructure;

// How start-up orders loading and listening.
internal sealed class StartupOptions
{
    public const string SectionName = "Startup";

    // true: load the database before listening, so the first answer is already a loaded one (the default, and what a
    // plain `dotnet run` user expects). false: listen at once and load in the background; /health/live answers at
    // once, /health/ready and every API route answer 503 not-ready until the load is done. Orchestrators that kill a
    // silent process (a container health check, a Kubernetes liveness probe) want false for a large database.
    public bool WaitForLoad { get; set; } = true;
}
