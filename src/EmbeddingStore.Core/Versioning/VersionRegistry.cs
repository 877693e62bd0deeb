// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Collections.Concurrent;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Versioning.Internal;

namespace EmbeddingStore.Core.Versioning;

// The global registry of model versions and the harmonic links between them, with the link graph searches walk.
// Reads are lock-free (concurrent dictionaries, and a graph rebuilt copy-on-write whenever links change, so a search
// reads one consistent graph). Changes are made by the engine under this registry's gate, after they are committed.
internal sealed class VersionRegistry : IDisposable
{
    private readonly ConcurrentDictionary<ModelVersionId, ModelVersion> _versions = new();
    private readonly ConcurrentDictionary<string, HarmonicLink> _links = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile LinkGraph _graph = new([]);

    public LinkGraph Graph => _graph;

    public async Task<Collection.GateScope> EnterAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Collection.GateScope(_gate);
    }

    public bool TryGet(ModelVersionId id, out ModelVersion version) => _versions.TryGetValue(id, out version!);

    // A version that committed data refers to; its absence is a bug, not a refusal.
    public ModelVersion Get(ModelVersionId id) => _versions[id];

    public IReadOnlyList<ModelVersion> List() =>
        [.. _versions.Values.OrderBy(v => v.Id.Model, StringComparer.Ordinal).ThenBy(v => v.Id.Version, StringComparer.Ordinal)];

    public void Set(ModelVersion version) => _versions[version.Id] = version;

    // Parses and looks up model@version, with the refusal a caller returns as is.
    public bool TryResolve(string? text, out ModelVersion version, out StoreError? error)
    {
        version = null!;
        if (!ModelVersionId.TryParse(text, out ModelVersionId id))
        {
            error = new StoreError(StoreErrorCode.InvalidArgument, $"'{text}' is not a model version; write it as model@version.");
            return false;
        }

        if (!_versions.TryGetValue(id, out ModelVersion? found))
        {
            error = new StoreError(StoreErrorCode.ModelVersionNotFound, $"Model version {id} is not registered.", [id.ToString()]);
            return false;
        }

        version = found;
        error = null;
        return true;
    }

    public bool TryGetLink(string? id, out HarmonicLink link)
    {
        link = null!;
        return id is not null && _links.TryGetValue(id, out link!);
    }

    public IReadOnlyList<HarmonicLink> ListLinks() => [.. _links.Values.OrderBy(l => l.CreatedAt).ThenBy(l => l.Id, StringComparer.Ordinal)];

    public HarmonicLink? FindIdentity(ModelVersionId a, ModelVersionId b) =>
        _links.Values.FirstOrDefault(l => l.Kind == BridgeKind.Identity && ((l.From == a && l.To == b) || (l.From == b && l.To == a)));

    public void AddLink(HarmonicLink link)
    {
        _links[link.Id] = link;
        _graph = new LinkGraph(_links.Values);
    }

    public void RemoveLink(string id)
    {
        _links.TryRemove(id, out _);
        _graph = new LinkGraph(_links.Values);
    }

    // Start-up: everything at once, then one graph.
    public void Load(IEnumerable<ModelVersion> versions, IEnumerable<HarmonicLink> links)
    {
        _versions.Clear();
        _links.Clear();
        foreach (ModelVersion version in versions)
        {
            _versions[version.Id] = version;
        }

        foreach (HarmonicLink link in links)
        {
            _links[link.Id] = link;
        }

        _graph = new LinkGraph(_links.Values);
    }

    public void Dispose() => _gate.Dispose();
}
