// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Indexes.Exact;
using EmbeddingStore.Core.Indexes.Hnsw;
using EmbeddingStore.Core.Indexes.Quantized;

namespace EmbeddingStore.Core.Indexes;

/// <summary>
/// The index kinds an engine can serve, by name. Parsing a wire or stored name goes through here, so an unknown name is
/// refused the same way everywhere and the list in the refusal is always the real one.
/// </summary>
public sealed class IndexRegistry
{
    private readonly Dictionary<string, IVectorIndexFactory> _factories = new(StringComparer.Ordinal);

    private IndexRegistry()
    {
    }

    /// <summary>The kinds every engine has: exact, int8 and hnsw.</summary>
    public static IndexRegistry Default { get; } = CreateDefault();

    /// <summary>The registered kinds in registration order (exact first).</summary>
    public IReadOnlyList<IndexKind> Kinds => [.. _factories.Values.Select(f => f.Kind)];

    /// <summary>Parses a name; false for anything not registered. Names are case-sensitive, as all wire names are.</summary>
    public bool TryParse(string? name, out IndexKind kind)
    {
        if (name is not null && _factories.ContainsKey(name))
        {
            kind = new IndexKind(name);
            return true;
        }

        kind = default;
        return false;
    }

    /// <summary>The refusal for a name that is not registered, listing the ones that are.</summary>
    public StoreError Unknown(string? name) =>
        new(StoreErrorCode.InvalidArgument, $"index '{name}' is not one of {string.Join(", ", _factories.Keys)}.");

    /// <summary>The first refusal any registered kind has for a collection's build settings; null when every kind accepts them.</summary>
    public StoreError? ValidateSettings(IndexSettings settings, EngineLimits limits)
    {
        ArgumentNullException.ThrowIfNull(settings);
        foreach (IVectorIndexFactory factory in _factories.Values)
        {
            if (factory.Validate(settings, limits) is { } error)
            {
                return error;
            }
        }

        return null;
    }

    internal static IndexRegistry CreateDefault() => new IndexRegistry().Add(new ExactIndexFactory()).Add(new Int8IndexFactory()).Add(new HnswIndexFactory());

    // A new kind registers here (or, in tests, on a registry of its own).
    internal IndexRegistry Add(IVectorIndexFactory factory)
    {
        _factories.Add(factory.Kind.Name, factory);
        return this;
    }

    internal bool TryGet(IndexKind kind, out IVectorIndexFactory factory) => _factories.TryGetValue(kind.Name ?? string.Empty, out factory!);
}
