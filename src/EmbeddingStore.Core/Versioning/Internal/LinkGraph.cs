// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Versioning.Internal;

// One step of a path: apply Map to go from one version's space into To's, courtesy of link LinkId.
internal readonly record struct LinkStep(ModelVersionId To, VectorBridge Map, string LinkId, bool Declared);

// The links as a directed graph over versions. Each link contributes its forward map and, when it has one, its reverse.
// Paths are found breadth-first (fewest maps composed: every map loses information), preferring declared links, then the
// link fitted on more pairs, then better held-out recall, then the older link, so the choice is deterministic. Pairs come
// before recall because held-out recall@10 is measured among the held-out items only, and a small holdout makes it easy:
// a migration's first link, fitted on 200 pairs and held out on 40, reported 0.637 while its refits on thousands of pairs
// reported 0.48-0.59 on larger holdouts and served better, so ranking by recall kept every refit from ever serving.
internal sealed class LinkGraph
{
    // Composing more maps than this compounds error past usefulness; the search refuses instead.
    public const int MaxHops = 4;

    private readonly Dictionary<ModelVersionId, List<(LinkStep Step, int Pairs, double Quality, DateTimeOffset CreatedAt)>> _edges = [];

    // Declared (identity) links as undirected adjacency: they say two versions share one space, whichever way round.
    private readonly Dictionary<ModelVersionId, List<ModelVersionId>> _sameSpace = [];

    public LinkGraph(IEnumerable<HarmonicLink> links)
    {
        foreach (HarmonicLink link in links)
        {
            bool declared = link.Kind == BridgeKind.Identity;
            if (declared)
            {
                AddSameSpace(link.From, link.To);
                AddSameSpace(link.To, link.From);
            }

            int pairs = declared ? int.MaxValue : link.Bridge.FitPairs;
            Add(link.From, new LinkStep(link.To, link.Bridge, link.Id, declared), pairs, declared ? 2 : link.Quality?.RecallAt10 ?? 0, link.CreatedAt);
            if (link.Reverse is not null)
            {
                Add(link.To, new LinkStep(link.From, link.Reverse, link.Id, declared), pairs, declared ? 2 : link.ReverseQuality?.RecallAt10 ?? link.Quality?.RecallAt10 ?? 0, link.CreatedAt);
            }
        }

        foreach (var list in _edges.Values)
        {
            list.Sort((a, b) =>
            {
                int byPairs = b.Pairs.CompareTo(a.Pairs);
                if (byPairs != 0)
                {
                    return byPairs;
                }

                int byQuality = b.Quality.CompareTo(a.Quality);
                if (byQuality != 0)
                {
                    return byQuality;
                }

                int byAge = a.CreatedAt.CompareTo(b.CreatedAt);
                return byAge != 0 ? byAge : string.CompareOrdinal(a.Step.LinkId, b.Step.LinkId);
            });
        }
    }

    // The steps from `from` to `to` (empty when they are equal), or null when no path exists within MaxHops.
    public IReadOnlyList<LinkStep>? FindPath(ModelVersionId from, ModelVersionId to)
    {
        if (from == to)
        {
            return [];
        }

        var previous = new Dictionary<ModelVersionId, (ModelVersionId From, LinkStep Step)>();
        var frontier = new List<ModelVersionId> { from };
        var visited = new HashSet<ModelVersionId> { from };
        for (int hop = 0; hop < MaxHops && frontier.Count > 0; hop++)
        {
            var next = new List<ModelVersionId>();
            foreach (ModelVersionId node in frontier)
            {
                if (!_edges.TryGetValue(node, out var edges))
                {
                    continue;
                }

                foreach ((LinkStep step, _, _, _) in edges)
                {
                    if (!visited.Add(step.To))
                    {
                        continue;
                    }

                    previous[step.To] = (node, step);
                    if (step.To == to)
                    {
                        var path = new List<LinkStep>();
                        for (ModelVersionId at = to; at != from; at = previous[at].From)
                        {
                            path.Add(previous[at].Step);
                        }

                        path.Reverse();
                        return path;
                    }

                    next.Add(step.To);
                }
            }

            frontier = next;
        }

        return null;
    }

    // The space a version's vectors live in: the ordinally least version reachable from it through declared (identity)
    // links alone, named as text. Identity links join versions whose vectors are directly comparable, so their scores
    // can be merged as they are; every other version is its own space. Every member of a component names the same space.
    public string SpaceOf(ModelVersionId version)
    {
        if (!_sameSpace.ContainsKey(version))
        {
            return version.ToString();
        }

        string least = version.ToString();
        var visited = new HashSet<ModelVersionId> { version };
        var frontier = new Stack<ModelVersionId>();
        frontier.Push(version);
        while (frontier.Count > 0)
        {
            ModelVersionId node = frontier.Pop();
            if (!_sameSpace.TryGetValue(node, out var neighbours))
            {
                continue;
            }

            foreach (ModelVersionId next in neighbours)
            {
                if (visited.Add(next))
                {
                    string name = next.ToString();
                    if (string.CompareOrdinal(name, least) < 0)
                    {
                        least = name;
                    }

                    frontier.Push(next);
                }
            }
        }

        return least;
    }

    private void AddSameSpace(ModelVersionId a, ModelVersionId b)
    {
        if (!_sameSpace.TryGetValue(a, out var list))
        {
            list = [];
            _sameSpace[a] = list;
        }

        list.Add(b);
    }

    private void Add(ModelVersionId from, LinkStep step, int pairs, double quality, DateTimeOffset createdAt)
    {
        if (!_edges.TryGetValue(from, out var list))
        {
            list = [];
            _edges[from] = list;
        }

        list.Add((step, pairs, quality, createdAt));
    }
}
