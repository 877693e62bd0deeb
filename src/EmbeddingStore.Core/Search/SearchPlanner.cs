// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Vectors;
using EmbeddingStore.Core.Versioning;
using EmbeddingStore.Core.Versioning.Internal;

namespace EmbeddingStore.Core.Search;

// Which stored versions a search scans and with which query vector each: natively when the query carries that version,
// else mapped along the shortest link path from one of the query's versions (the primary first). A pure function of the
// versions held, the query and the link graph, so a coordinator plans once for all shards.
internal static class SearchPlanner
{
    public static List<VersionPlan> Plan(
        IEnumerable<ModelVersion> held,
        IReadOnlyList<(ModelVersion Version, float[] Vector)> queries,
        ModelVersion primary,
        LinkGraph graph,
        BridgingMode bridging,
        HashSet<ModelVersionId>? restrict)
    {
        var ordered = queries.OrderBy(q => q.Version.Id == primary.Id ? 0 : 1).ToList();
        var plans = new List<VersionPlan>();
        foreach (ModelVersion stored in held)
        {
            ModelVersionId id = stored.Id;
            if (restrict is not null && !restrict.Contains(id))
            {
                continue;
            }

            (ModelVersion Version, float[] Vector) native = queries.FirstOrDefault(q => q.Version.Id == id);
            if (native.Vector is not null)
            {
                plans.Add(new VersionPlan(id, native.Vector, null, native.Version.Id == primary.Id, graph.SpaceOf(id), stored.Metric));
                continue;
            }

            if (bridging == BridgingMode.None)
            {
                continue;
            }

            IReadOnlyList<LinkStep>? best = null;
            float[]? from = null;
            foreach ((ModelVersion version, float[] vector) in ordered)
            {
                IReadOnlyList<LinkStep>? path = graph.FindPath(version.Id, id);
                if (path is not null && (best is null || path.Count < best.Count))
                {
                    best = path;
                    from = vector;
                }
            }

            if (best is null || from is null)
            {
                continue;
            }

            float[] mapped = from;
            foreach (LinkStep step in best)
            {
                var next = new float[step.Map.TargetDimension];
                step.Map.Apply(mapped, next);
                mapped = next;
            }

            if (mapped.Length != stored.Dimension || !VectorMath.AllFinite(mapped))
            {
                continue;
            }

            if (stored.Metric == DistanceMetric.CosineSimilarity && !VectorMath.TryNormalize(mapped))
            {
                continue;
            }

            plans.Add(new VersionPlan(id, mapped, string.Join(',', best.Select(s => s.LinkId)), false, graph.SpaceOf(id), stored.Metric));
        }

        return plans;
    }
}
