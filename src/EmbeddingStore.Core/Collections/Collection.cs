// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text.Json;
using EmbeddingStore.Core.Filters;
using EmbeddingStore.Core.Indexes;
using EmbeddingStore.Core.Persistence;
using EmbeddingStore.Core.Versioning;

namespace EmbeddingStore.Core.Collections;

// A collection in memory, the unit of state: its items, its per-version segments and their indexes, and the two locks
// that guard them. Every change goes through a method here that keeps the invariants together (an item's rows, the id
// order, segment counts, the indexes), so no caller edits the parts one by one.
//
// Locks:
//  - The writer gate (async) orders this collection's writes: validate, commit to the repository, apply. It is held across
//    the commit's await, so two writes to one collection commit and apply in the same order. Writes to other collections
//    take their own gates and proceed at the same time (SQLite's single writer still orders the commits themselves).
//  - The memory lock (ReaderWriterLockSlim) is taken only synchronously, never across an await (it has thread affinity):
//    searches hold it for reading for a whole scan, and applying a committed batch holds it for writing, so a search
//    sees a batch entirely or not at all.
internal sealed class Collection : IDisposable
{
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly SemaphoreSlim _writerGate = new(1, 1);
    private readonly Dictionary<string, ItemEntry> _items = new(StringComparer.Ordinal);

    // Ordinal id order for scrolling with a stable cursor and for chunked jobs. Replaced once, at the end of start-up,
    // by a set built from the loaded ids in one sort (BeginLoad/CompleteLoad).
    private SortedSet<string> _orderedIds = new(StringComparer.Ordinal);

    // Start-up only: the ids loaded so far, in storage order, sorted into _orderedIds by CompleteLoad. Building the tree
    // from a sorted array is linear; inserting 100,000 ids one by one into it was a measurable share of the load.
    private List<string>? _loadingIds;
    private readonly Dictionary<ModelVersionId, VectorSegment> _segments = [];

    // Index kinds this collection has been searched with: kept built on every segment, so a search finds them ready.
    private readonly HashSet<IndexKind> _maintainedKinds = [IndexKind.Exact];

    // Items holding no vector at all (found by id, scroll, count and filters, never by a vector search).
    private readonly HashSet<ItemEntry> _vectorless = new(ReferenceEqualityComparer.Instance);

    // Payload indexes by field: every write keeps them current, building or ready (Filters/PayloadFieldIndex).
    private readonly Dictionary<string, PayloadFieldIndex> _payloadIndexes = new(StringComparer.Ordinal);

    public Collection(string name, ModelVersionId? servingVersion, DateTimeOffset createdAt, IndexKind defaultIndex, IndexSettings? indexSettings = null)
    {
        Name = name;
        ServingVersion = servingVersion;
        CreatedAt = createdAt;
        DefaultIndex = defaultIndex;
        IndexSettings = indexSettings ?? IndexSettings.Default;
    }

    public string Name { get; }

    // What plain queries search; null until one is set (items wait there to be embedded, never found by vector search).
    public ModelVersionId? ServingVersion { get; private set; }

    // What searches that name no index use.
    public IndexKind DefaultIndex { get; private set; }

    // What every segment's indexes are built with (graph degree, efConstruction, build threads, kept pruned connections).
    public IndexSettings IndexSettings { get; private set; }

    public DateTimeOffset CreatedAt { get; }

    // Set by a host that runs jobs: graph kinds are then built by a background job (searches scan exactly meanwhile)
    // instead of inline under the write lock. Called under the write lock with the segment and kind to build; it must only
    // schedule the job. Null (the embedded default): every build is inline, as a search or write needs it.
    public Action<VectorSegment, IndexKind>? RequestBuild { get; set; }

    // Set with RequestBuild: called (under the write lock, only to schedule) when deletes leave a segment worth compacting.
    public Action? RequestCompaction { get; set; }

    // Segments whose tombstones passed the compaction threshold, under the read lock or the writer gate.
    public IReadOnlyList<VectorSegment> SegmentsToCompact() => [.. Segments.Where(s => s.ShouldCompact)];

    // The compact job's second half, under the writer gate: rows renumbered under the write lock (a graph whose deleted
    // nodes were already repaired away is only relabelled, which is quick).
    public void CompactSegment(VectorSegment segment)
    {
        using WriteScope scope = EnterWrite();
        segment.Compact();
    }

    // Set once the collection is deleted; a search or write that raced with the delete then answers "not found".
    public bool IsDeleted { get; private set; }

    // Under the read lock.
    public int ItemCount => _items.Count;

    // Items holding at least one vector: what a vector search's coverage and merge weigh against.
    public int VectorItemCount => _items.Count - _vectorless.Count;

    public async Task<GateScope> EnterWriterAsync(CancellationToken cancellationToken)
    {
        await _writerGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new GateScope(_writerGate);
    }

    public ReadScope EnterRead()
    {
        _lock.EnterReadLock();
        return new ReadScope(_lock);
    }

    public WriteScope EnterWrite()
    {
        _lock.EnterWriteLock();
        return new WriteScope(_lock);
    }

    // ----- reads: the caller holds the read lock (or the writer gate, which excludes every other writer) -----

    public bool TryGetItem(string id, out ItemEntry item) => _items.TryGetValue(id, out item!);

    public bool Contains(string id) => _items.ContainsKey(id);

    public VectorSegment? FindSegment(ModelVersionId version) =>
        _segments.TryGetValue(version, out VectorSegment? segment) ? segment : null;

    // Segments holding live vectors, in version-name order (the order searches plan in, for deterministic answers).
    public IEnumerable<VectorSegment> LiveSegments() =>
        _segments.Values.Where(s => s.LiveCount > 0).OrderBy(s => s.Version.Id.ToString(), StringComparer.Ordinal);

    public long LiveVectors(ModelVersionId version) => FindSegment(version)?.LiveCount ?? 0;

    // Ids in ordinal order strictly after `after` (all of them when it is null): the cursor walk shared by scrolling and
    // by chunked jobs. O(log n) to find the start.
    public IEnumerable<string> IdsAfter(string? after)
    {
        if (after is null)
        {
            return _orderedIds;
        }

        if (_orderedIds.Count == 0 || string.CompareOrdinal(after, _orderedIds.Max) >= 0)
        {
            return [];
        }

        return _orderedIds.GetViewBetween(after, _orderedIds.Max!).Where(id => !string.Equals(id, after, StringComparison.Ordinal));
    }

    public IEnumerable<ItemEntry> Items => _items.Values;

    public IReadOnlyCollection<PayloadFieldIndex> PayloadIndexes => _payloadIndexes.Values;

    public bool HasReadyPayloadIndex { get; private set; }

    public PayloadFieldIndex? FindPayloadIndex(string field) => _payloadIndexes.GetValueOrDefault(field);

    // The index the planner may use for a field: only a ready one, so an answer never depends on how far a build got.
    public PayloadFieldIndex? FindReadyPayloadIndex(string field) =>
        _payloadIndexes.TryGetValue(field, out PayloadFieldIndex? index) && index.State == PayloadIndexState.Ready ? index : null;

    public CollectionInfo ToInfo()
    {
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach ((ModelVersionId id, VectorSegment segment) in _segments)
        {
            if (segment.LiveCount > 0)
            {
                counts[id.ToString()] = segment.LiveCount;
            }
        }

        var indexes = new List<SegmentIndexInfo>();
        foreach (VectorSegment segment in _segments.Values.Where(s => s.LiveCount > 0).OrderBy(s => s.Version.Id.ToString(), StringComparer.Ordinal))
        {
            foreach (IVectorIndex index in segment.Indexes)
            {
                indexes.Add(new SegmentIndexInfo(
                    segment.Version.Id.ToString(), index.Kind, index.IsBuilding ? IndexState.Building : index.NeedsBuild ? IndexState.Stale : IndexState.Ready, index.VectorsIndexed(segment), index.MemoryBytes, index.Settings));
            }
        }

        return new CollectionInfo(Name, ServingVersion?.ToString(), _items.Count, counts, CreatedAt, DefaultIndex, IndexSettings, indexes);
    }

    // ----- writes: the caller holds the writer gate and has committed; each takes the memory lock itself -----

    // New build settings drop the built indexes, so each kind is rebuilt with them on its next search or write.
    public void SetSettings(ModelVersionId? servingVersion, IndexKind defaultIndex, IndexSettings indexSettings)
    {
        using WriteScope scope = EnterWrite();
        ServingVersion = servingVersion;
        DefaultIndex = defaultIndex;
        if (indexSettings != IndexSettings)
        {
            IndexSettings = indexSettings;
            foreach (VectorSegment segment in _segments.Values)
            {
                segment.DropBuiltIndexes();
            }
        }
    }

    // Declares (or replaces) a payload index; `fill` indexes every item now (start-up), otherwise its build job does.
    public void PutPayloadIndex(PayloadFieldIndex index, bool fill)
    {
        using WriteScope scope = EnterWrite();
        _payloadIndexes[index.Field] = index;
        if (fill)
        {
            foreach (ItemEntry item in _items.Values)
            {
                index.Set(item);
            }
        }

        RefreshPayloadIndexState();
    }

    public bool RemovePayloadIndex(string field)
    {
        using WriteScope scope = EnterWrite();
        bool removed = _payloadIndexes.Remove(field);
        RefreshPayloadIndexState();
        return removed;
    }

    // One chunk of a build job: the listed items (still present) are indexed; writes keep the rest current meanwhile.
    public void IndexItems(PayloadFieldIndex index, IEnumerable<string> ids)
    {
        using WriteScope scope = EnterWrite();
        foreach (string id in ids)
        {
            if (_items.TryGetValue(id, out ItemEntry? item))
            {
                index.Set(item);
            }
        }
    }

    public void MarkPayloadIndexReady(PayloadFieldIndex index)
    {
        using WriteScope scope = EnterWrite();
        index.State = PayloadIndexState.Ready;
        RefreshPayloadIndexState();
    }

    public void MarkDeleted()
    {
        using WriteScope scope = EnterWrite();
        IsDeleted = true;
    }

    // Replaces whole items (payload and every vector), as committed.
    public void ApplyUpserts(IReadOnlyList<StoredItem> stored, IReadOnlyList<JsonElement?> payloads, VersionRegistry registry, IndexRegistry indexes)
    {
        using WriteScope scope = EnterWrite();
        var touched = new HashSet<VectorSegment>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < stored.Count; i++)
        {
            ApplyUpsertCore(stored[i], payloads[i], registry, touched);
        }

        MaintainIndexes(touched, indexes);
    }

    // Start-up: one stored item at a time, its payload parsed from the stored text.
    public void Load(StoredItem stored, VersionRegistry registry)
    {
        JsonElement? payload = null;
        if (stored.PayloadJson is not null)
        {
            using JsonDocument document = JsonDocument.Parse(stored.PayloadJson);
            payload = document.RootElement.Clone();
        }

        using WriteScope scope = EnterWrite();
        ApplyUpsertCore(stored, payload, registry, touched: null);
    }

    // Start-up, before the first Load: each segment allocated once at its stored size (versions the registry does not
    // know are left to Load, which reports them), and new ids collected for one sort at CompleteLoad.
    public void BeginLoad(IReadOnlyDictionary<ModelVersionId, long> vectorCounts, VersionRegistry registry)
    {
        using WriteScope scope = EnterWrite();
        // Every vector's item is an item, so the largest version count is a lower bound on the items: sizing the id table
        // and the id list to it once spares their doublings (large-object arrays that each count towards a full GC).
        int most = (int)Math.Min(vectorCounts.Count == 0 ? 0 : vectorCounts.Values.Max(), 1 << 24);
        _items.EnsureCapacity(most);
        _loadingIds = new List<string>(most);
        foreach ((ModelVersionId version, long count) in vectorCounts)
        {
            if (count > 0 && count <= int.MaxValue && registry.TryGet(version, out ModelVersion? known))
            {
                GetOrAddSegment(known).Reserve((int)count);
            }
        }
    }

    // Start-up, after the last Load: the loaded ids join the ordered set, and segments give back any growth slack
    // (VectorSegment.TrimExcess).
    public void CompleteLoad()
    {
        using WriteScope scope = EnterWrite();
        if (_loadingIds is { } loaded)
        {
            _orderedIds = _orderedIds.Count == 0 ? new SortedSet<string>(loaded, StringComparer.Ordinal) : new SortedSet<string>(_orderedIds.Concat(loaded), StringComparer.Ordinal);
            _loadingIds = null;
        }

        foreach (VectorSegment segment in _segments.Values)
        {
            segment.TrimExcess();
        }
    }

    public void ApplyDeletes(IReadOnlyList<string> ids, IndexRegistry indexes)
    {
        using WriteScope scope = EnterWrite();
        foreach (string id in ids)
        {
            if (!_items.Remove(id, out ItemEntry? item))
            {
                continue;
            }

            foreach (PayloadFieldIndex index in _payloadIndexes.Values)
            {
                index.Remove(item);
            }

            _vectorless.Remove(item);

            foreach ((VectorSegment segment, _) in item.Rows)
            {
                segment.Remove(item);
            }

            _orderedIds.Remove(id);
        }

        // Compaction is its own step: rows are renumbered all at once, and every index is told how. A host that runs
        // jobs gets a compact job instead (graph links repaired around the deleted nodes off the write lock first).
        bool requested = false;
        foreach (VectorSegment segment in _segments.Values)
        {
            if (segment.ShouldCompact)
            {
                if (RequestCompaction is { } request)
                {
                    requested = true;
                }
                else
                {
                    segment.Compact();
                }
            }
        }

        if (requested)
        {
            RequestCompaction!();
        }

        MaintainIndexes(_segments.Values, indexes);
    }

    // Vectors added to items that still exist (derived through a link, or re-embedded natively during a migration); the
    // items' other vectors and payloads stay, and each vector's lineage replaces the one it overwrites.
    public void ApplyVectors(ModelVersion target, IReadOnlyList<(string ItemId, StoredVector Vector)> vectors, IndexRegistry indexes)
    {
        using WriteScope scope = EnterWrite();
        VectorSegment segment = GetOrAddSegment(target);
        foreach ((string id, StoredVector vector) in vectors)
        {
            if (_items.TryGetValue(id, out ItemEntry? item))
            {
                segment.Set(item, vector.Values);
                item.SetLineage(target.Id, vector.Origin == VectorOrigin.Derived ? vector.LinkId ?? string.Empty : null);
                _vectorless.Remove(item);
            }
        }

        MaintainIndexes([segment], indexes);
    }

    // One version's vectors of the given items are dropped (a purge after a cut-over); the items and their other vectors stay.
    public void RemoveVectors(ModelVersionId version, IReadOnlyList<string> ids, IndexRegistry indexes)
    {
        using WriteScope scope = EnterWrite();
        if (FindSegment(version) is not { } segment)
        {
            return;
        }

        foreach (string id in ids)
        {
            if (_items.TryGetValue(id, out ItemEntry? item))
            {
                segment.Remove(item);
                item.SetLineage(version, null);
            }
        }

        if (segment.ShouldCompact)
        {
            segment.Compact();
        }

        MaintainIndexes([segment], indexes);
    }

    // Rows freed by deletes are dropped now instead of at the next threshold; answers do not change.
    public void Compact()
    {
        using WriteScope scope = EnterWrite();
        foreach (VectorSegment segment in _segments.Values)
        {
            segment.Compact();
        }
    }

    // Makes sure every segment has a built index of `kind` before a search asks for it, building on the write side (off
    // the search path). Returns false for a kind the registry does not know. Cheap when everything is ready: one read lock.
    public bool EnsureIndex(IndexKind kind, IndexRegistry indexes, CancellationToken cancellationToken, List<VectorSegment>? built = null)
    {
        if (!indexes.TryGet(kind, out IVectorIndexFactory factory))
        {
            return false;
        }

        using (ReadScope read = EnterRead())
        {
            if (_maintainedKinds.Contains(kind) && _segments.Values.All(s => s.FindIndex(kind) is { NeedsBuild: false } or { IsBuilding: true }))
            {
                return true;
            }
        }

        using WriteScope scope = EnterWrite();
        _maintainedKinds.Add(kind);
        foreach (VectorSegment segment in _segments.Values)
        {
            IVectorIndex index = segment.GetOrAddIndex(factory, IndexSettings);
            if (index.NeedsBuild && !StartBackgroundBuild(segment, index))
            {
                index.Build(segment, cancellationToken);
                built?.Add(segment);
            }
        }

        return true;
    }

    // Kinds kept built on every segment (exact always), under the read lock or the writer gate.
    public IReadOnlyList<IndexKind> MaintainedKinds => [.. _maintainedKinds];

    // Live vectors over every version, under the read lock: a sum without the sorted copy Segments makes.
    public long LiveVectorCount()
    {
        long count = 0;
        foreach (VectorSegment segment in _segments.Values)
        {
            count += segment.LiveCount;
        }

        return count;
    }

    // Every segment, live or empty, in version-name order.
    public IReadOnlyList<VectorSegment> Segments =>
        [.. _segments.Values.OrderBy(s => s.Version.Id.ToString(), StringComparer.Ordinal)];

    // Start-up: a kind found saved on disk is maintained from now on (so the segments without a valid file are built), and
    // `loaded` (already read from its file) becomes the segment's index of that kind.
    public void Adopt(IndexKind kind, VectorSegment segment, IVectorIndex? loaded)
    {
        using WriteScope scope = EnterWrite();
        _maintainedKinds.Add(kind);
        if (loaded is not null)
        {
            segment.ReplaceIndex(loaded);
        }
    }

    public void Dispose()
    {
        _lock.Dispose();
        _writerGate.Dispose();
    }

    private void ApplyUpsertCore(StoredItem stored, JsonElement? payload, VersionRegistry registry, HashSet<VectorSegment>? touched)
    {
        if (!_items.TryGetValue(stored.Id, out ItemEntry? item))
        {
            item = new ItemEntry(stored.Id, payload);
            _items.Add(stored.Id, item);
            if (_loadingIds is { } loading)
            {
                loading.Add(stored.Id);
            }
            else
            {
                _orderedIds.Add(stored.Id);
            }
        }
        else
        {
            item.Payload = payload;

            // Replace semantics: vectors of versions the new write does not mention are dropped.
            foreach ((VectorSegment segment, _) in item.Rows)
            {
                if (!stored.Vectors.Any(v => v.Version == segment.Version.Id))
                {
                    segment.Remove(item);
                    touched?.Add(segment);
                }
            }
        }

        foreach (PayloadFieldIndex index in _payloadIndexes.Values)
        {
            index.Set(item);
        }

        item.DerivedVia = null;
        foreach (StoredVector vector in stored.Vectors)
        {
            VectorSegment segment = GetOrAddSegment(registry.Get(vector.Version));
            segment.Set(item, vector.Values);
            touched?.Add(segment);
            item.SetLineage(vector.Version, vector.Origin == VectorOrigin.Derived ? vector.LinkId ?? string.Empty : null);
        }

        if (item.RowCount == 0)
        {
            _vectorless.Add(item);
        }
        else
        {
            _vectorless.Remove(item);
        }
    }

    private void RefreshPayloadIndexState() => HasReadyPayloadIndex = _payloadIndexes.Values.Any(i => i.State == PayloadIndexState.Ready);

    private VectorSegment GetOrAddSegment(ModelVersion version)
    {
        if (!_segments.TryGetValue(version.Id, out VectorSegment? segment))
        {
            segment = new VectorSegment(version);
            _segments.Add(version.Id, segment);
        }

        return segment;
    }

    // After a write: every maintained kind exists on the touched segments, and any whose policy asks for it is rebuilt
    // (int8 retrains when the segment has doubled or too many rows were clamped). Under the write lock.
    private void MaintainIndexes(IEnumerable<VectorSegment> segments, IndexRegistry indexes)
    {
        if (_maintainedKinds.Count == 1)
        {
            return;
        }

        foreach (VectorSegment segment in segments)
        {
            foreach (IndexKind kind in _maintainedKinds)
            {
                if (indexes.TryGet(kind, out IVectorIndexFactory factory))
                {
                    IVectorIndex index = segment.GetOrAddIndex(factory, IndexSettings);
                    if (index.NeedsBuild && !StartBackgroundBuild(segment, index))
                    {
                        index.Build(segment, CancellationToken.None);
                    }
                }
            }
        }
    }

    // Segments up to this many rows build inline even with background builds: about one job chunk of work (well under a
    // second), and a small collection is then searchable by its graph at once.
    internal const int MaxRowsBuiltInline = 512;

    // A kind that builds in chunks, in a collection whose host runs jobs: the build is handed to a job and the index
    // marked building (searches scan exactly until it publishes). False: the caller builds inline. Under the write lock.
    private bool StartBackgroundBuild(VectorSegment segment, IVectorIndex index)
    {
        if (RequestBuild is not { } request || index is not IChunkedBuild graph || (!graph.IsBuilding && segment.RowCount <= MaxRowsBuiltInline))
        {
            return false;
        }

        if (!graph.IsBuilding)
        {
            graph.BeginBuild();
            request(segment, index.Kind);
        }

        return true;
    }

    public readonly ref struct ReadScope(ReaderWriterLockSlim @lock)
    {
        public void Dispose() => @lock.ExitReadLock();
    }

    public readonly ref struct WriteScope(ReaderWriterLockSlim @lock)
    {
        public void Dispose() => @lock.ExitWriteLock();
    }

    public readonly struct GateScope(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }
}
