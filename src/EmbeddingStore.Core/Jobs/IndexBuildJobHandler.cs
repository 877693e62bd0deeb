// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text.Json;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Indexes;
using EmbeddingStore.Core.Versioning;

namespace EmbeddingStore.Core.Jobs;

// Builds one segment's graph in the background (a first build, a rebuild after a refused file, a settings change): each
// chunk links the next ChunkRows rows of the pending graph (IChunkedBuild) holding the collection's writer gate, so
// writes wait between chunks but searches never do (they scan exactly until the graph is published). Progress is rows
// covered of the segment's rows. The pending graph lives only in memory: after a restart the job's index begins again
// from row 0 (the start-up load requests it), and done/total say so. When the graph is published it is saved to its file.
internal sealed class IndexBuildJobHandler(EmbeddingEngine engine) : IJobHandler
{
    // Rows per chunk: about a second of linking at 384 dimensions and efConstruction 200 on one thread, the longest a
    // write to the collection waits (about three seconds for a graph that keeps pruned connections).
    internal const int ChunkRows = 512;

    public string Kind => JobKinds.IndexBuild;

    public static string WriteParameters(ModelVersionId version, IndexKind kind) =>
        JsonSerializer.Serialize(new Dictionary<string, string> { ["version"] = version.ToString(), ["index"] = kind.Name });

    public async Task<StoreResult<JobRecord>> RunChunkAsync(JobRecord job, CancellationToken cancellationToken)
    {
        (string versionText, string kindName) = ReadParameters(job.Parameters);
        if (job.Collection is null || !engine.TryGetCollection(job.Collection, out Collection? collection, out _))
        {
            return EmbeddingEngine.CollectionNotFound(job.Collection);
        }

        var kind = new IndexKind(kindName);
        using (await collection.EnterWriterAsync(cancellationToken).ConfigureAwait(false))
        {
            if (collection.IsDeleted)
            {
                return EmbeddingEngine.CollectionNotFound(job.Collection);
            }

            VectorSegment? segment;
            IChunkedBuild? build;
            using (collection.EnterRead())
            {
                segment = engine.Registry.TryResolve(versionText, out ModelVersion version, out _) ? collection.FindSegment(version.Id) : null;
                build = segment?.FindIndex(kind) as IChunkedBuild;
            }

            (int done, int total, bool finished) = build is { IsBuilding: true }
                ? build.BuildChunk(ChunkRows, cancellationToken)
                : (job.Done > 0 ? (int)job.Done : 0, job.Total > 0 ? (int)job.Total : 0, true);
            if (finished && build is not null && segment is not null)
            {
                total = done = segment.RowCount;
            }

            JobRecord next = job with
            {
                State = finished ? JobState.Completed : JobState.Running,
                Cursor = done.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Done = done,
                Total = total,
                UpdatedAt = engine.Time.GetUtcNow(),
            };
            if (await EmbeddingEngine.TryStorageAsync(() => engine.Repository.SaveJobAsync(next, cancellationToken)).ConfigureAwait(false) is { } failure)
            {
                return failure;
            }

            if (finished && build is not null && segment is not null)
            {
                engine.SaveIndexFiles(collection, kind, [segment]);
            }

            return next;
        }
    }

    private static (string Version, string Index) ReadParameters(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        JsonElement root = document.RootElement;
        return (root.GetProperty("version").GetString()!, root.GetProperty("index").GetString()!);
    }
}
