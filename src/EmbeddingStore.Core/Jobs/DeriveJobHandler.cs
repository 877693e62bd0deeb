// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text.Json;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Persistence;
using EmbeddingStore.Core.Versioning;

namespace EmbeddingStore.Core.Jobs;

// Forward migration by map, as a job: walks the collection in id order from the stored cursor and, for every item that
// holds the link's source version but not its target, stores a vector mapped through the link (lineage derived:<link>).
// Each chunk commits its vectors together with the job's new cursor and counters, so a restart resumes exactly where the
// last commit left off, and items re-embedded natively meanwhile are left alone.
internal sealed class DeriveJobHandler(EmbeddingEngine engine) : IJobHandler
{
    // Vectors derived per chunk (one transaction; the runner's ChunkSize), and ids walked per chunk at most (ten times
    // that): both bound how long the collection's writer gate is held, so user writes interleave with a long run.

    public string Kind => JobKinds.Derive;

    public static string WriteParameters(string linkId, bool reverse) =>
        JsonSerializer.Serialize(new Dictionary<string, object> { ["link"] = linkId, ["reverse"] = reverse });

    public async Task<StoreResult<JobRecord>> RunChunkAsync(JobRecord job, CancellationToken cancellationToken)
    {
        (string linkId, bool reverse) = ReadParameters(job.Parameters);
        if (!engine.Registry.TryGetLink(linkId, out HarmonicLink link))
        {
            return new StoreError(StoreErrorCode.LinkNotFound, $"No link has id '{linkId}'; it was deleted while the job ran.");
        }

        VectorBridge? map = reverse ? link.Reverse : link.Bridge;
        if (map is null)
        {
            return new StoreError(StoreErrorCode.InvalidArgument, $"Link {link.Id} has no reverse map.");
        }

        ModelVersionId sourceId = reverse ? link.To : link.From;
        ModelVersionId targetId = reverse ? link.From : link.To;
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

            if (!engine.Registry.TryGet(targetId, out ModelVersion target))
            {
                return new StoreError(StoreErrorCode.ModelVersionNotFound, $"Model version {targetId} is not registered.", [targetId.ToString()]);
            }

            // Under the writer gate no other write changes the collection, so its items and segments can be read directly.
            VectorSegment? source = collection.FindSegment(sourceId);
            VectorSegment? existing = collection.FindSegment(targetId);
            var batch = new List<(string ItemId, StoredVector Vector)>();
            var mapped = new float[map.TargetDimension];
            string? cursor = job.Cursor;
            long walked = 0;
            bool finished = true;
            if (source is not null)
            {
                foreach (string id in collection.IdsAfter(job.Cursor))
                {
                    if (batch.Count == engine.Jobs.ChunkSize || walked == 10L * engine.Jobs.ChunkSize)
                    {
                        finished = false;
                        break;
                    }

                    cursor = id;
                    walked++;
                    collection.TryGetItem(id, out ItemEntry item);
                    int row = item.RowIn(source);
                    if (row < 0 || (existing is not null && item.RowIn(existing) >= 0))
                    {
                        continue;
                    }

                    map.Apply(source.Row(row), mapped);
                    float[] values = VectorValidation.Prepared(target, mapped);
                    if (!VectorValidation.TryCheckVector(target, values, $"derived vector of item '{id}'", out StoreError? invalid))
                    {
                        return invalid!;
                    }

                    batch.Add((id, new StoredVector(targetId, values, VectorOrigin.Derived, link.Id)));
                }
            }

            long derived = (job.Counters?.GetValueOrDefault("derived") ?? 0) + batch.Count;
            long done = job.Done + walked;
            JobRecord next = job with
            {
                State = finished ? JobState.Completed : JobState.Running,
                Cursor = cursor,
                Done = done,
                Total = finished ? done : Math.Max(job.Total, done + 1),
                Counters = new Dictionary<string, long> { ["derived"] = derived },
                UpdatedAt = engine.Time.GetUtcNow(),
            };

            if (await EmbeddingEngine.TryStorageAsync(() => engine.Repository.AddVectorsAsync(job.Collection, batch, next, cancellationToken)).ConfigureAwait(false) is { } failure)
            {
                return derived - batch.Count == 0
                    ? failure
                    : failure with { Message = $"{failure.Message} {derived - batch.Count} vectors were derived and kept before the failure; resume to continue." };
            }

            if (batch.Count > 0)
            {
                collection.ApplyVectors(target, batch, engine.Indexes);
            }

            return next;
        }
    }

    private static (string LinkId, bool Reverse) ReadParameters(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        JsonElement root = document.RootElement;
        return (root.GetProperty("link").GetString()!, root.GetProperty("reverse").GetBoolean());
    }
}
