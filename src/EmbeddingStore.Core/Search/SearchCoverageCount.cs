// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Collections;

namespace EmbeddingStore.Core.Search;

// How many of a collection's items a set of plans reaches: an item counts once, however many searched versions hold it.
// When one planned version holds every item (the common case: no upgrade under way, or a bridge to the full version) the
// answer is the item count at no cost; only a search that may be partial walks the items. The caller holds the read lock.
internal static class SearchCoverageCount
{
    public static SearchCoverage Count(Collection collection, IReadOnlyList<VersionPlan> plans)
    {
        var segments = new VectorSegment[plans.Count];
        var versions = new VersionCoverage[plans.Count];
        bool anyFull = false;
        for (int p = 0; p < plans.Count; p++)
        {
            segments[p] = collection.FindSegment(plans[p].Version)
                ?? throw new InvalidOperationException($"Plan names {plans[p].Version}, which collection '{collection.Name}' does not hold.");
            versions[p] = new VersionCoverage(plans[p].Version.ToString(), segments[p].LiveCount, plans[p].Via);
            anyFull |= segments[p].LiveCount >= collection.VectorItemCount;
        }

        // Items without any vector cannot be found by a vector search at all: they are not "held" for its coverage.
        long held = collection.VectorItemCount;
        if (anyFull)
        {
            return new SearchCoverage(held, held, versions);
        }

        long searched = 0;
        foreach (ItemEntry item in collection.Items)
        {
            foreach (VectorSegment segment in segments)
            {
                if (item.RowIn(segment) >= 0)
                {
                    searched++;
                    break;
                }
            }
        }

        return new SearchCoverage(searched, held, versions);
    }
}
