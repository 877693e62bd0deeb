// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text.Json;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Filters;
using EmbeddingStore.Core.Persistence;

namespace EmbeddingStore.Core.Jobs;

// Builds a newly declared payload index: walks the collection in id order from the stored cursor and indexes each item,
// a chunk per turn under the collection's writer gate (so writes interleave, and writes made meanwhile already keep the
// index current). The last chunk marks the index ready in the same transaction as the job's completion; until then the
// planner ignores it. A job whose index was deleted or re-declared meanwhile completes without touching anything.
internal sealed class PayloadIndexJobHandler(EmbeddingEngine engine) : IJobHandler
{
    // Items indexed per chunk: bounds how long the collection's write lock is held (about a millisecond per thousand).
    internal const int ChunkItems = 10_000;

    public string Kind => JobKinds.PayloadIndex;

    public static string WriteParameters(string field) => JsonSerializer.Serialize(new Dictionary<string, string> { ["field"] = field });

    public async Task<StoreResult<JobRecord>> RunChunkAsync(JobRecord job, CancellationToken cancellationToken)
    {
        string field = ReadField(job.Parameters);
        if (job.Collection is null || !engine.TryGetCollection(job.Collection, out Collection? collection, out _))
        {
            return EmbeddingEngine.CollectionNotFound(job.Collection);
        }

        using (await collection.EnterWriterAsync(cancellationToken).ConfigureAwait(false))
        {
            if (collection.IsDeleted)
            {
                return EmbeddingEngine.CollectionNotFound(job.Collection);
            }

            // Under the writer gate no other write changes the collection, so its ids and indexes can be read directly.
            PayloadFieldIndex? index = collection.FindPayloadIndex(field);
            if (index is null || !string.Equals(index.JobId, job.Id, StringComparison.Ordinal) || index.State == PayloadIndexState.Ready)
            {
                JobRecord superseded = job with { State = JobState.Completed, Total = job.Done, UpdatedAt = engine.Time.GetUtcNow() };
                return await EmbeddingEngine.TryStorageAsync(() => engine.Repository.SaveJobAsync(superseded, cancellationToken)).ConfigureAwait(false) is { } refused
                    ? refused
                    : superseded;
            }

            var chunk = new List<string>(ChunkItems);
            bool finished = true;
            foreach (string id in collection.IdsAfter(job.Cursor))
            {
                if (chunk.Count == ChunkItems)
                {
                    finished = false;
                    break;
                }

                chunk.Add(id);
            }

            // Indexing first is safe: an index entry for a present item is right whether or not the cursor commits.
            collection.IndexItems(index, chunk);
            long done = job.Done + chunk.Count;
            JobRecord next = job with
            {
                State = finished ? JobState.Completed : JobState.Running,
                Cursor = chunk.Count > 0 ? chunk[^1] : job.Cursor,
                Done = done,
                Total = finished ? done : Math.Max(job.Total, done + 1),
                Counters = new Dictionary<string, long> { ["indexed"] = done },
                UpdatedAt = engine.Time.GetUtcNow(),
            };

            var stored = new StoredPayloadIndex(collection.Name, index.Field, index.Type, PayloadIndexState.Ready, index.JobId, index.CreatedAt);
            Func<Task> commit = finished
                ? () => engine.Repository.SavePayloadIndexAsync(stored, next, cancellationToken)
                : () => engine.Repository.SaveJobAsync(next, cancellationToken);
            if (await EmbeddingEngine.TryStorageAsync(commit).ConfigureAwait(false) is { } failure)
            {
                return failure;
            }

            if (finished)
            {
                collection.MarkPayloadIndexReady(index);
            }

            return next;
        }
    }

    private static string ReadField(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("field").GetString()!;
    }
}
