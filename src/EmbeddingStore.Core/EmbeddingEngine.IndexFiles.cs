// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Collections.Concurrent;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Indexes;
using EmbeddingStore.Core.Jobs;
using EmbeddingStore.Core.Versioning;

namespace EmbeddingStore.Core;

// Built indexes saved beside the database (Indexes/IndexFiles.cs), so a restart loads graphs instead of rebuilding them.
// When: after a build a search triggered, and for every built index at an orderly shutdown (SaveIndexFiles). Not
// periodically: writes after the last save are not lost on a crash, because a load inserts the live rows the file lacks
// and drops (repairing around them) the nodes whose items were deleted or re-embedded since; only when less than half of
// a file still matches is it refused as stale and the index rebuilt.
public sealed partial class EmbeddingEngine
{
    private readonly ConcurrentQueue<IndexFileEvent> _indexFileEvents = new();
    private IndexFiles? _indexFiles;
    private volatile bool _disposed;

    /// <summary>
    /// The directory built indexes are saved in (one file per collection, version and kind), so a restart loads them
    /// instead of rebuilding; null (the default, and right for a database in memory) saves nothing and every start
    /// builds again. Set before <see cref="LoadAsync"/>.
    /// </summary>
    public string? IndexDirectory
    {
        get => _indexFiles?.Directory;
        init => _indexFiles = string.IsNullOrEmpty(value) ? null : new IndexFiles(Path.GetFullPath(value));
    }

    /// <summary>
    /// Takes the index-file events (loads, refusals, saves) recorded since the last call, oldest first, for the host to
    /// log; the engine itself has no logger.
    /// </summary>
    public IReadOnlyList<IndexFileEvent> DrainIndexFileEvents()
    {
        var drained = new List<IndexFileEvent>();
        while (_indexFileEvents.TryDequeue(out IndexFileEvent? e))
        {
            drained.Add(e);
        }

        return drained;
    }

    /// <summary>
    /// Writes every built index that keeps a file (graphs) to <see cref="IndexDirectory"/>; the host calls it at an
    /// orderly shutdown so the next start loads everything written until then. Each index is serialised under its
    /// collection's read lock (searches go on) and written to disk outside it. Returns how many files were written.
    /// </summary>
    public int SaveIndexFiles()
    {
        if (_indexFiles is null || _disposed)
        {
            // A host that disposed the engine first has nothing left to save; the files of the last save stand.
            return 0;
        }

        int saved = 0;
        foreach (Collection collection in _collections.Values.OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            try
            {
                List<IndexKind> kinds;
                List<VectorSegment> segments;
                using (collection.EnterRead())
                {
                    kinds = [.. collection.MaintainedKinds.Where(k => k != IndexKind.Exact)];
                    segments = [.. collection.Segments];
                }

                foreach (IndexKind kind in kinds)
                {
                    saved += SaveIndexFiles(collection, kind, segments);
                }
            }
            catch (ObjectDisposedException)
            {
                // Disposed while saving (the host is tearing down): what was saved stays.
                return saved;
            }
        }

        return saved;
    }

    // Writes the `kind` indexes of `segments` that are built; a file-system failure is recorded, never thrown (the file is
    // a cache: memory and SQLite are already right).
    internal int SaveIndexFiles(Collection collection, IndexKind kind, IEnumerable<VectorSegment> segments)
    {
        if (_indexFiles is not { } files)
        {
            return 0;
        }

        int saved = 0;
        foreach (VectorSegment segment in segments)
        {
            byte[]? bytes;
            using (collection.EnterRead())
            {
                if (collection.IsDeleted)
                {
                    return saved;
                }

                bytes = segment.FindIndex(kind) is { } index ? IndexFiles.Serialize(index) : null;
            }

            if (bytes is null)
            {
                continue;
            }

            string path = files.PathFor(collection.Name, segment, kind);
            try
            {
                IndexFiles.Write(path, bytes);
                saved++;
                Record(collection, segment, kind, IndexFileOutcome.Saved, $"{bytes.Length} bytes to {path}");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Record(collection, segment, kind, IndexFileOutcome.Failed, $"saving {path}: {ex.Message}");
            }
        }

        return saved;
    }

    // Start-up, after a collection's items are in memory: every kind with a file for any of its segments is maintained
    // again; each file is loaded only if the kind's checks against the segment pass (IVectorIndex.TryLoad). Segments whose
    // file is missing or refused are left unbuilt, for BuildLoadedKinds.
    private void LoadIndexFiles(Collection collection)
    {
        if (_indexFiles is not { } files)
        {
            return;
        }

        IReadOnlyList<VectorSegment> segments = collection.Segments;
        foreach (IndexKind kind in Indexes.Kinds)
        {
            if (kind == IndexKind.Exact || !Indexes.TryGet(kind, out IVectorIndexFactory factory))
            {
                continue;
            }

            var found = new List<(VectorSegment Segment, string Path)>();
            foreach (VectorSegment segment in segments)
            {
                string path = files.PathFor(collection.Name, segment, kind);
                if (File.Exists(path))
                {
                    found.Add((segment, path));
                }
            }

            if (found.Count == 0)
            {
                continue;
            }

            collection.Adopt(kind, segments[0], loaded: null);
            foreach (VectorSegment segment in segments)
            {
                if (segment.LiveCount == 0)
                {
                    continue;
                }

                string? path = found.FirstOrDefault(f => ReferenceEquals(f.Segment, segment)).Path;
                if (path is null)
                {
                    Record(collection, segment, kind, IndexFileOutcome.Missing, "no file; building");
                    continue;
                }

                IVectorIndex index = factory.Create(segment, collection.IndexSettings);
                try
                {
                    bool trusted;
                    using (FileStream stream = IndexFiles.OpenRead(path)!)
                    {
                        trusted = index.TryLoad(stream, segment);
                    }

                    string counts = index is Indexes.Hnsw.HnswIndex { LastLoad: { } report }
                        ? $"{report.Matched} nodes matched, {report.Dropped} dropped, {report.Inserted} rows inserted"
                        : string.Empty;
                    if (trusted)
                    {
                        collection.Adopt(kind, segment, index);
                        Record(collection, segment, kind, IndexFileOutcome.Loaded, $"{path}: {counts}");
                    }
                    else
                    {
                        Record(collection, segment, kind, IndexFileOutcome.Refused, $"{path} is torn, corrupt, stale or for other settings ({counts}); rebuilding");
                    }
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    Record(collection, segment, kind, IndexFileOutcome.Failed, $"reading {path}: {ex.Message}; rebuilding");
                }
            }
        }
    }

    // Start-up, after every file was tried: the maintained kinds' unbuilt segments are built, and saved.
    private void BuildLoadedKinds(Collection collection, CancellationToken cancellationToken)
    {
        List<IndexKind> kinds;
        using (collection.EnterRead())
        {
            kinds = [.. collection.MaintainedKinds.Where(k => k != IndexKind.Exact)];
        }

        foreach (IndexKind kind in kinds)
        {
            var built = new List<VectorSegment>();
            collection.EnsureIndex(kind, Indexes, cancellationToken, built);
            SaveIndexFiles(collection, kind, built);
        }
    }

    /// <summary>
    /// Whether graph indexes are built by background jobs (<see cref="JobKinds.IndexBuild"/>, progress in the job routes,
    /// collection info says <c>building</c>) while searches scan exactly, instead of inline by the first search that needs
    /// them. A host that drives <see cref="Jobs"/> sets it; without a runner (the default, embedded use) builds stay
    /// inline, since nothing would run the jobs. Set before <see cref="LoadAsync"/>.
    /// </summary>
    public bool BackgroundIndexBuilds { get; init; }

    private readonly object _deferredLock = new();
    private List<(Collection Collection, ModelVersionId Version, IndexKind Kind, long Rows)>? _deferredBuilds;

    // Build requests run one after another (so two never enqueue the same job); the chain's tail is what tests await.
    private Task _buildRequests = Task.CompletedTask;

    // A collection as the engine keeps it: with background builds, its graph builds are handed to jobs.
    private Collection NewCollection(string name, ModelVersionId? servingVersion, DateTimeOffset createdAt, IndexKind defaultIndex, IndexSettings? settings)
    {
        var collection = new Collection(name, servingVersion, createdAt, defaultIndex, settings);
        if (BackgroundIndexBuilds)
        {
            collection.RequestBuild = (segment, kind) => RequestBuild(collection, segment.Version.Id, kind, segment.LiveCount);
            collection.RequestCompaction = () => RequestCompaction(collection);
        }

        return collection;
    }

    // Every build request made so far has enqueued its job (or found one covering it).
    internal Task BuildRequestsSettled()
    {
        lock (_deferredLock)
        {
            return _buildRequests;
        }
    }

    // Called under the collection's write lock: only schedules. During LoadAsync the requests wait until the stored jobs
    // are loaded (a job still running from before the restart then takes the build over instead of a second one).
    private void RequestBuild(Collection collection, ModelVersionId version, IndexKind kind, long rows)
    {
        lock (_deferredLock)
        {
            if (_deferredBuilds is { } deferred)
            {
                deferred.Add((collection, version, kind, rows));
                return;
            }

            _buildRequests = _buildRequests.ContinueWith(_ => EnqueueBuildAsync(collection, version, kind, rows), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
        }
    }

    // Deletes passed the compaction threshold (under the write lock: only schedules, like RequestBuild).
    private void RequestCompaction(Collection collection)
    {
        lock (_deferredLock)
        {
            _buildRequests = _buildRequests.ContinueWith(_ => EnqueueOnceAsync(JobKinds.Compact, collection, "{}", 1), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
        }
    }

    private Task EnqueueBuildAsync(Collection collection, ModelVersionId version, IndexKind kind, long rows) =>
        EnqueueOnceAsync(JobKinds.IndexBuild, collection, IndexBuildJobHandler.WriteParameters(version, kind), rows);

    // One job per (kind, collection, parameters) at a time: a queued, running or paused one already covers the request.
    private async Task EnqueueOnceAsync(string jobKind, Collection collection, string parameters, long total)
    {
        try
        {
            bool active = Jobs.List().Any(j => j.Kind == jobKind && !JobStateNames.IsFinal(j.State)
                && string.Equals(j.Collection, collection.Name, StringComparison.Ordinal) && string.Equals(j.Parameters, parameters, StringComparison.Ordinal));
            if (!active && !collection.IsDeleted)
            {
                await Jobs.EnqueueAsync(jobKind, collection.Name, parameters, total, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (ObjectDisposedException)
        {
            // The engine is shutting down; the next start requests the build again.
        }
    }

    private void DeferBuildRequests()
    {
        lock (_deferredLock)
        {
            _deferredBuilds = [];
        }
    }

    // After the stored jobs are loaded: the requests made while loading are enqueued (or found covered).
    private Task ReleaseBuildRequestsAsync()
    {
        lock (_deferredLock)
        {
            List<(Collection Collection, ModelVersionId Version, IndexKind Kind, long Rows)> deferred = _deferredBuilds ?? [];
            _deferredBuilds = null;
            foreach ((Collection collection, ModelVersionId version, IndexKind kind, long rows) in deferred)
            {
                _buildRequests = _buildRequests.ContinueWith(_ => EnqueueBuildAsync(collection, version, kind, rows), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
            }

            return _buildRequests;
        }
    }

    // After a search built indexes: saved now, so a restart does not build them again.
    private void SaveBuilt(Collection collection, IndexKind kind, List<VectorSegment> built)
    {
        if (built.Count > 0)
        {
            SaveIndexFiles(collection, kind, built);
        }
    }

    private void DeleteInterruptedIndexSaves()
    {
        try
        {
            _indexFiles?.DeleteTemporaryFiles();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _indexFileEvents.Enqueue(new IndexFileEvent(string.Empty, string.Empty, IndexKind.Exact, IndexFileOutcome.Failed, $"deleting interrupted saves: {ex.Message}"));
        }
    }

    private void DeleteIndexFiles(string collection)
    {
        try
        {
            _indexFiles?.DeleteCollection(collection);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _indexFileEvents.Enqueue(new IndexFileEvent(collection, string.Empty, IndexKind.Exact, IndexFileOutcome.Failed, $"deleting the collection's index files: {ex.Message}"));
        }
    }

    private void Record(Collection collection, VectorSegment segment, IndexKind kind, IndexFileOutcome outcome, string detail) =>
        _indexFileEvents.Enqueue(new IndexFileEvent(collection.Name, segment.Version.Id.ToString(), kind, outcome, detail));
}
