// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Server.Telemetry;

// The seam for background jobs (derive, migrations, index builds; being built elsewhere): register an implementation
// as a singleton IJobProgressSource and embeddingstore.job.progress reports its unfinished jobs when scraped; the
// engine's job runner is one (EngineJobProgressSource).
internal interface IJobProgressSource
{
    IEnumerable<JobProgress> Running();
}

// One running job: what kind, which one, and how far (Done of Total units, whatever unit the job counts in).
internal readonly record struct JobProgress(string Kind, string Id, long Done, long Total);
