// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Indexes;

namespace EmbeddingStore.Core.Jobs;

// Delete repair and compaction, as a job: requested when deletes leave a segment with at least 1,024 tombstones making
// up a quarter of its rows (VectorSegment.ShouldCompact). One segment per chunk, under the collection's writer gate:
// first every index that can (graphs, ITombstoneRepair) drops the deleted nodes and re-links their neighbours through the
// deleted nodes' own links, beside the serving graph (searches go on, tombstones skipped, until the repaired graph is
// published); then the segment renumbers its rows under the write lock, which for a repaired graph is only a relabel.
// Repair rather than rebuild: it reads only the neighbourhoods of deleted nodes, where a rebuild would re-insert every
// row. Progress is segments compacted; "removed" counts graph nodes repaired away.
internal sealed class CompactJobHandler(EmbeddingEngine engine) : IJobHandler
{
    public string Kind => JobKinds.Compact;

    public async Task<StoreResult<JobRecord>> RunChunkAsync(JobRecord job, CancellationToken cancellationToken)
    {
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

            IReadOnlyList<VectorSegment> pending;
            List<ITombstoneRepair> repairs = [];
            using (collection.EnterRead())
            {
                pending = collection.SegmentsToCompact();
                if (pending.Count > 0)
                {
                    repairs.AddRange(pending[0].Indexes.OfType<ITombstoneRepair>());
                }
            }

            long removed = job.Counters?.GetValueOrDefault("removed") ?? 0;
            if (pending.Count > 0)
            {
                foreach (ITombstoneRepair repair in repairs)
                {
                    removed += repair.RepairTombstones();
                }

                collection.CompactSegment(pending[0]);
            }

            bool finished = pending.Count <= 1;
            long done = job.Done + (pending.Count > 0 ? 1 : 0);
            JobRecord next = job with
            {
                State = finished ? JobState.Completed : JobState.Running,
                Done = done,
                Total = finished ? done : done + pending.Count - 1,
                Counters = new Dictionary<string, long> { ["removed"] = removed },
                UpdatedAt = engine.Time.GetUtcNow(),
            };
            if (await EmbeddingEngine.TryStorageAsync(() => engine.Repository.SaveJobAsync(next, cancellationToken)).ConfigureAwait(false) is { } failure)
            {
                return failure;
            }

            return next;
        }
    }
}
