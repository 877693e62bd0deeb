// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Diagnostics.CodeAnalysis;
using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;
using EmbeddingStore.Client.Internal;
using EmbeddingStore.Contracts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;

namespace EmbeddingStore.Client.VectorData;

/// <summary>
/// A Microsoft.Extensions.VectorData collection over an EmbeddingStore collection, version-aware: every vector property
/// declares the model version it holds (<see cref="EmbeddingVersionAttribute"/>, or a vector <c>StorageName</c> of the
/// form <c>model@version</c>), upserts send each vector under its version, and a search queries with the chosen vector
/// property's version, so vectors of different models are never compared.
/// </summary>
/// <typeparam name="TKey">Must be <see cref="string"/>: EmbeddingStore item ids are strings.</typeparam>
/// <typeparam name="TRecord">
/// A class with a public parameterless constructor: a <c>[VectorStoreKey]</c> string, <c>[VectorStoreData]</c> properties
/// (stored as top-level payload fields under their storage name) and one or more <c>[VectorStoreVector]</c> properties of
/// type <see cref="ReadOnlyMemory{T}"/>, <c>float[]</c> or <see cref="Embedding{T}"/> of float.
/// </typeparam>
/// <remarks>
/// <para>What maps and what does not:</para>
/// <list type="bullet">
/// <item>Create (<see cref="EnsureCollectionExistsAsync"/>) registers each vector property's version when it is missing
/// (dimension and distance function from the attribute) and makes the <em>first</em> vector property's version the
/// serving version. An existing collection is left as it is, its serving version included.</item>
/// <item>Distance functions: CosineSimilarity (default), DotProductSimilarity, EuclideanDistance (scores are returned
/// as distances, lower is closer). Other functions, index kinds and <c>IsIndexed</c> flags have no counterpart: the
/// search is exact and every top-level payload field is filterable.</item>
/// <item>Filters on data properties: <c>==</c>, <c>!=</c>, <c>&lt;</c>, <c>&lt;=</c>, <c>&gt;</c>, <c>&gt;=</c>,
/// <c>&amp;&amp;</c>, <c>||</c>, <c>!</c>, null checks, <c>list.Contains(r.Field)</c>, <c>r.Tags.Contains(x)</c> and
/// <c>r.Tags.Any(...)</c>; anything else throws <see cref="NotSupportedException"/> instead of being evaluated after
/// the top-k was cut.</item>
/// <item>Search results cannot say in which version a hit matched or through which link (<c>version</c>, <c>via</c>);
/// use <see cref="EmbeddingStoreClient.SearchAsync"/> for that lineage, or turn bridging off with
/// <see cref="EmbeddingStoreCollectionOptions.AllowBridging"/>.</item>
/// <item>An upsert replaces the whole item: a vector property left empty drops that version's vector.</item>
/// <item>Keys are never generated; <c>GetAsync(filter)</c> scans the collection on the client (no filtered listing on the
/// server yet); batch get and <c>IncludeVectors</c> in a search cost one request per record.</item>
/// <item>Server refusals are thrown as <see cref="VectorStoreException"/> whose <see cref="Exception.InnerException"/> is
/// the <see cref="EmbeddingStoreException"/> (for example <see cref="IncompatibleVersionsException"/>).</item>
/// </list>
/// </remarks>
public sealed partial class EmbeddingStoreCollection<TKey, TRecord> : VectorStoreCollection<TKey, TRecord>
    where TKey : notnull
    where TRecord : class
{
    private const int DeleteBatch = 1000;
    private readonly EmbeddingStoreClient _client;
    private readonly RecordModel _model;
    private readonly bool _allowBridging;
    private readonly IEmbeddingGenerator? _generator;
    private readonly VectorStoreCollectionMetadata _metadata;

    /// <summary>Creates the collection object; nothing is sent until an operation is called.</summary>
    /// <param name="client">The SDK client; not disposed by the collection.</param>
    /// <param name="name">The EmbeddingStore collection's name.</param>
    /// <param name="options">Bridging, an optional record definition instead of attributes, and an optional embedding generator for string queries.</param>
    /// <exception cref="NotSupportedException">The record type cannot be mapped; the message says why.</exception>
    [RequiresUnreferencedCode("Maps records by reflection.")]
    [RequiresDynamicCode("Maps records by reflection.")]
    public EmbeddingStoreCollection(EmbeddingStoreClient client, string name, EmbeddingStoreCollectionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (typeof(TKey) != typeof(string))
        {
            throw new NotSupportedException($"EmbeddingStore keys are strings; TKey is {typeof(TKey).Name}.");
        }

        _client = client;
        Name = name;
        _model = RecordModel.Build(typeof(TRecord), options?.Definition);
        _allowBridging = options?.AllowBridging ?? true;
        _generator = options?.EmbeddingGenerator ?? options?.Definition?.EmbeddingGenerator;
        _metadata = new VectorStoreCollectionMetadata { VectorStoreSystemName = EmbeddingStoreVectorStore.SystemName, CollectionName = name };
    }

    /// <inheritdoc/>
    public override string Name { get; }

    /// <summary>The model version each vector property holds, by property name; the first is the default search version.</summary>
    public IReadOnlyDictionary<string, string> VectorVersions => _model.Vectors.ToDictionary(v => v.Property.Name, v => v.Version, StringComparer.Ordinal);

    /// <inheritdoc/>
    public override async Task<bool> CollectionExistsAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await _client.GetCollectionAsync(Name, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (EmbeddingStoreNotFoundException)
        {
            return false;
        }
        catch (EmbeddingStoreException ex)
        {
            throw Wrap(ex, "CollectionExists");
        }
    }

    /// <summary>
    /// Creates the collection if it does not exist: registers every vector property's model version that is missing,
    /// checks those that exist against the declared dimension, and creates the collection serving the first vector
    /// property's version. An existing collection is not changed.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="VectorStoreException">A registered version has another dimension or metric than declared, or the server refused.</exception>
    public override async Task EnsureCollectionExistsAsync(CancellationToken cancellationToken = default)
    {
        if (await CollectionExistsAsync(cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        try
        {
            foreach (RecordModel.VectorField vector in _model.Vectors)
            {
                ModelVersionResponse? registered = null;
                try
                {
                    registered = await _client.GetModelVersionAsync(vector.Model, vector.VersionName, cancellationToken).ConfigureAwait(false);
                }
                catch (EmbeddingStoreNotFoundException)
                {
                    await _client.RegisterModelVersionAsync(
                        vector.Model, vector.VersionName, new ModelVersionRequest { Dimension = vector.Dimensions, Metric = vector.Metric }, cancellationToken).ConfigureAwait(false);
                }

                if (registered is not null && (registered.Dimension != vector.Dimensions || registered.Metric != vector.Metric))
                {
                    throw new VectorStoreException(
                        $"{typeof(TRecord).Name}.{vector.Property.Name} declares {vector.Version} as {vector.Dimensions}-d {vector.Metric}, " +
                        $"but the server has it registered as {registered.Dimension}-d {registered.Metric}; versions are immutable, so declare a new version.")
                    {
                        VectorStoreSystemName = EmbeddingStoreVectorStore.SystemName,
                        CollectionName = Name,
                        OperationName = "EnsureCollectionExists",
                    };
                }
            }

            await _client.PutCollectionAsync(Name, new CollectionRequest { ServingVersion = _model.Vectors[0].Version }, cancellationToken).ConfigureAwait(false);
        }
        catch (EmbeddingStoreException ex)
        {
            throw Wrap(ex, "EnsureCollectionExists");
        }
    }

    /// <inheritdoc/>
    public override async Task EnsureCollectionDeletedAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await _client.DeleteCollectionAsync(Name, cancellationToken).ConfigureAwait(false);
        }
        catch (EmbeddingStoreNotFoundException)
        {
            // Already gone: that is what "ensure deleted" asks for.
        }
        catch (EmbeddingStoreException ex)
        {
            throw Wrap(ex, "EnsureCollectionDeleted");
        }
    }

    /// <inheritdoc/>
    public override async Task<TRecord?> GetAsync(TKey key, RecordRetrievalOptions? options = null, CancellationToken cancellationToken = default)
    {
        string id = KeyOf(key);
        try
        {
            ItemResponse item = await _client.GetItemAsync(Name, id, options?.IncludeVectors ?? false, cancellationToken).ConfigureAwait(false);
            return _model.FromItem<TRecord>(item.Id, item.Payload, item.Vectors);
        }
        catch (EmbeddingStoreNotFoundException ex) when (ex.ProblemType == ProblemTypes.ItemNotFound)
        {
            return null;
        }
        catch (EmbeddingStoreException ex)
        {
            throw Wrap(ex, "Get");
        }
    }

    /// <summary>Gets records by key, one request per key (there is no batch get yet); missing keys are skipped.</summary>
    /// <param name="keys">The keys.</param>
    /// <param name="options">Whether to include vectors.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    public override async IAsyncEnumerable<TRecord> GetAsync(IEnumerable<TKey> keys, RecordRetrievalOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        foreach (TKey key in keys)
        {
            if (await GetAsync(key, options, cancellationToken).ConfigureAwait(false) is { } record)
            {
                yield return record;
            }
        }
    }

    /// <summary>
    /// Gets up to <paramref name="top"/> records matching <paramref name="filter"/>. The server has no filtered listing yet,
    /// so this scrolls the collection and evaluates the filter (any C# predicate) on the client: fine for thousands of
    /// items, not for millions.
    /// </summary>
    /// <param name="filter">Any predicate over the record.</param>
    /// <param name="top">How many records to return (at least 1).</param>
    /// <param name="options">Skip, ordering and whether to include vectors.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    public override async IAsyncEnumerable<TRecord> GetAsync(
        Expression<Func<TRecord, bool>> filter, int top, FilteredRecordRetrievalOptions<TRecord>? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        int skip = options?.Skip ?? 0;
        ArgumentOutOfRangeException.ThrowIfNegative(skip);
        Func<TRecord, bool> predicate = filter.Compile();
        IReadOnlyList<FilteredRecordRetrievalOptions<TRecord>.OrderByDefinition.SortInfo>? order = options?.OrderBy?.Invoke(new()).Values;

        IAsyncEnumerable<TRecord> matching = ScanAsync(options?.IncludeVectors ?? false, cancellationToken).Where(predicate);
        if (order is { Count: > 0 })
        {
            List<TRecord> all = await matching.ToListAsync(cancellationToken).ConfigureAwait(false);
            IOrderedEnumerable<TRecord>? sorted = null;
            foreach (FilteredRecordRetrievalOptions<TRecord>.OrderByDefinition.SortInfo sort in order)
            {
                Func<TRecord, object?> selector = sort.PropertySelector.Compile();
                sorted = sorted is null
                    ? (sort.Ascending ? all.OrderBy(selector) : all.OrderByDescending(selector))
                    : (sort.Ascending ? sorted.ThenBy(selector) : sorted.ThenByDescending(selector));
            }

            foreach (TRecord record in sorted!.Skip(skip).Take(top))
            {
                yield return record;
            }

            yield break;
        }

        await foreach (TRecord record in matching.Skip(skip).Take(top).ConfigureAwait(false))
        {
            yield return record;
        }
    }

    /// <inheritdoc/>
    public override Task DeleteAsync(TKey key, CancellationToken cancellationToken = default) => DeleteAsync([key], cancellationToken);

    /// <summary>Deletes records by key in batches of 1,000; unknown keys are ignored.</summary>
    /// <param name="keys">The keys.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public override async Task DeleteAsync(IEnumerable<TKey> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        try
        {
            foreach (TKey[] chunk in keys.Chunk(DeleteBatch))
            {
                await _client.DeleteItemsAsync(Name, new DeleteItemsRequest { Ids = [.. chunk.Select(KeyOf)] }, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (EmbeddingStoreException ex)
        {
            throw Wrap(ex, "Delete");
        }
    }

    /// <inheritdoc/>
    public override Task UpsertAsync(TRecord record, CancellationToken cancellationToken = default) => UpsertAsync([record], cancellationToken);

    /// <summary>
    /// Upserts records, each vector property under its model version, in atomic batches of 500 (see
    /// <see cref="EmbeddingStoreClient.BulkUpsertAsync"/>); an upsert replaces the whole item.
    /// </summary>
    /// <param name="records">The records; each needs a key and at least one vector.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public override async Task UpsertAsync(IEnumerable<TRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        try
        {
            await _client.BulkUpsertAsync(Name, records.Select(_model.ToItem), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (EmbeddingStoreException ex)
        {
            throw Wrap(ex, "Upsert");
        }
    }

    /// <inheritdoc/>
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(VectorStoreCollectionMetadata) ? _metadata
            : serviceType == typeof(EmbeddingStoreClient) ? _client
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    private static string KeyOf(TKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        string id = (string)(object)key;
        ArgumentException.ThrowIfNullOrEmpty(id, nameof(key));
        return id;
    }

    private async IAsyncEnumerable<TRecord> ScanAsync(bool withVectors, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? cursor = null;
        do
        {
            ScrollResponse page;
            try
            {
                page = await _client.ScrollAsync(Name, limit: 1000, cursor, withVectors, cancellationToken).ConfigureAwait(false);
            }
            catch (EmbeddingStoreException ex)
            {
                throw Wrap(ex, "Get");
            }

            foreach (ItemResponse item in page.Items)
            {
                yield return _model.FromItem<TRecord>(item.Id, item.Payload, item.Vectors);
            }

            cursor = page.NextCursor;
        }
        while (cursor is not null);
    }

    private VectorStoreException Wrap(EmbeddingStoreException ex, string operation) =>
        new($"EmbeddingStore refused {operation} on collection '{Name}': {ex.Message}", ex)
        {
            VectorStoreSystemName = EmbeddingStoreVectorStore.SystemName,
            CollectionName = Name,
            OperationName = operation,
        };

    private RecordModel.VectorField ResolveVector(VectorSearchOptions<TRecord>? options)
    {
        if (options?.VectorProperty is not { } selector)
        {
            return _model.Vectors[0];
        }

        Expression body = selector.Body is UnaryExpression { NodeType: ExpressionType.Convert } convert ? convert.Operand : selector.Body;
        return body is MemberExpression { Member: PropertyInfo property }
            ? _model.VectorFor(property)
            : throw new ArgumentException($"VectorProperty must select a vector property, like r => r.Embedding; it is {selector}.", nameof(options));
    }
}
