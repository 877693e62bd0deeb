// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Versioning;

namespace EmbeddingStore.Core.Collections;

// A collection in memory. Searches hold the read lock for the whole scan and a batch is applied under the write lock,
// so a search sees a batch entirely or not at all. The lock is never held across an await (ReaderWriterLockSlim has
// thread affinity): the engine commits to storage first, then applies to memory synchronously.
internal sealed class CollectionState : IDisposable
{
    public CollectionState(string name, ModelVersionId servingVersion, DateTimeOffset createdAt)
    {
        Name = name;
        ServingVersion = servingVersion;
        CreatedAt = createdAt;
    }

    public string Name { get; }

    public ModelVersionId ServingVersion { get; set; }

    // What searches that name no index use.
    public SearchIndexKind DefaultIndex { get; set; }

    public DateTimeOffset CreatedAt { get; }

    // Set once the collection is deleted; a search that raced with the delete then answers "not found".
    public bool IsDeleted { get; set; }

    public ReaderWriterLockSlim Lock { get; } = new(LockRecursionPolicy.NoRecursion);

    public Dictionary<string, ItemEntry> Items { get; } = new(StringComparer.Ordinal);

    // Ordinal id order for scrolling with a stable cursor.
    public SortedSet<string> OrderedIds { get; } = new(StringComparer.Ordinal);

    public Dictionary<ModelVersionId, VectorSegment> Segments { get; } = [];

    // Ids in ordinal order strictly after `after` (all of them when it is null): the cursor walk shared by scrolling and
    // by chunked jobs. O(log n) to find the start.
    public IEnumerable<string> IdsAfter(string? after)
    {
        if (after is null)
        {
            return OrderedIds;
        }

        if (OrderedIds.Count == 0 || string.CompareOrdinal(after, OrderedIds.Max) >= 0)
        {
            return [];
        }

        return OrderedIds.GetViewBetween(after, OrderedIds.Max!).Where(id => !string.Equals(id, after, StringComparison.Ordinal));
    }

    public VectorSegment GetOrAddSegment(ModelVersion version)
    {
        if (!Segments.TryGetValue(version.Id, out VectorSegment? segment))
        {
            segment = new VectorSegment(version);
            Segments.Add(version.Id, segment);
        }

        return segment;
    }

    public void RemoveItem(ItemEntry item)
    {
        foreach ((VectorSegment segment, _) in item.Rows.ToArray())
        {
            segment.Remove(item);
        }

        Items.Remove(item.Id);
        OrderedIds.Remove(item.Id);
    }

    public CollectionInfo ToInfo()
    {
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach ((ModelVersionId id, VectorSegment segment) in Segments)
        {
            if (segment.Count > 0)
            {
                counts[id.ToString()] = segment.Count;
            }
        }

        return new CollectionInfo(Name, ServingVersion.ToString(), Items.Count, counts, CreatedAt, DefaultIndex);
    }

    public void Dispose() => Lock.Dispose();
}
