// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core;
using EmbeddingStore.Core.Jobs;

namespace EmbeddingStore.Server.Telemetry;

// The engine's job runner as the metrics' job source: every job that is queued, running or paused, with its progress.
// The engine is resolved on the first scrape, not when metrics are created: creating it opens the database, which only
// start-up may do (so that a corrupt file is refused with one line).
internal sealed class EngineJobProgressSource(IServiceProvider services) : IJobProgressSource
{
    public IEnumerable<JobProgress> Running() =>
        services.GetRequiredService<EmbeddingEngine>().Jobs.List()
            .Where(j => !JobStateNames.IsFinal(j.State))
            .Select(j => new JobProgress(j.Kind, j.Id, j.Done, j.Total));
}
