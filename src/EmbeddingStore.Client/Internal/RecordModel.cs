// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using EmbeddingStore.Client.VectorData;
using EmbeddingStore.Contracts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;

namespace EmbeddingStore.Client.Internal;

// How a record type maps onto an item: the key is the item id, data properties are top-level payload fields (named by
// their storage name), and every vector property is one vector keyed by its model version. Built once per collection.
internal sealed class RecordModel
{
    public const string VersionAnnotation = "EmbeddingStore.Version";

    private static readonly JsonSerializerOptions s_payloadJson = new(JsonSerializerDefaults.Web) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };

    private RecordModel(Type recordType, PropertyInfo key, IReadOnlyList<DataField> data, IReadOnlyList<VectorField> vectors)
    {
        RecordType = recordType;
        Key = key;
        Data = data;
        Vectors = vectors;
    }

    public Type RecordType { get; }

    public PropertyInfo Key { get; }

    public IReadOnlyList<DataField> Data { get; }

    // In declaration order; the first is the default for search and the collection's serving version on create.
    public IReadOnlyList<VectorField> Vectors { get; }

    public static JsonSerializerOptions PayloadJson => s_payloadJson;

    public static RecordModel Build(Type recordType, VectorStoreCollectionDefinition? definition)
    {
        if (recordType.GetConstructor(Type.EmptyTypes) is null)
        {
            throw new NotSupportedException($"Record type {recordType.Name} needs a public parameterless constructor for the EmbeddingStore connector.");
        }

        PropertyInfo? key = null;
        var data = new List<DataField>();
        var vectors = new List<VectorField>();
        if (definition is null)
        {
            foreach (PropertyInfo property in recordType.GetProperties(BindingFlags.Public | BindingFlags.Instance).OrderBy(p => p.MetadataToken))
            {
                if (property.GetCustomAttribute<VectorStoreKeyAttribute>() is not null)
                {
                    key = key is null ? property : throw new NotSupportedException($"Record type {recordType.Name} has more than one [VectorStoreKey] property.");
                }
                else if (property.GetCustomAttribute<VectorStoreDataAttribute>() is { } dataAttribute)
                {
                    data.Add(new DataField(property, dataAttribute.StorageName ?? property.Name));
                }
                else if (property.GetCustomAttribute<VectorStoreVectorAttribute>() is { } vectorAttribute)
                {
                    string? version = property.GetCustomAttribute<EmbeddingVersionAttribute>()?.Version ?? vectorAttribute.StorageName;
                    vectors.Add(VectorField.Create(recordType, property, version, vectorAttribute.Dimensions, vectorAttribute.DistanceFunction));
                }
            }
        }
        else
        {
            foreach (VectorStoreProperty definitionProperty in definition.Properties)
            {
                PropertyInfo property = recordType.GetProperty(definitionProperty.Name, BindingFlags.Public | BindingFlags.Instance)
                    ?? throw new NotSupportedException($"The definition names property '{definitionProperty.Name}', which {recordType.Name} does not have.");
                switch (definitionProperty)
                {
                    case VectorStoreKeyProperty:
                        key = key is null ? property : throw new NotSupportedException($"The definition for {recordType.Name} has more than one key property.");
                        break;
                    case VectorStoreDataProperty:
                        data.Add(new DataField(property, definitionProperty.StorageName ?? property.Name));
                        break;
                    case VectorStoreVectorProperty vector:
                        string? version = vector.ProviderAnnotations?.TryGetValue(VersionAnnotation, out object? annotated) == true
                            ? annotated as string
                            : vector.StorageName;
                        vectors.Add(VectorField.Create(recordType, property, version, vector.Dimensions, vector.DistanceFunction));
                        break;
                }
            }
        }

        if (key is null)
        {
            throw new NotSupportedException($"Record type {recordType.Name} has no [VectorStoreKey] property; EmbeddingStore needs one, of type string.");
        }

        if (key.PropertyType != typeof(string))
        {
            throw new NotSupportedException($"The key property {recordType.Name}.{key.Name} is {key.PropertyType.Name}; EmbeddingStore item ids are strings.");
        }

        if (vectors.Count == 0)
        {
            throw new NotSupportedException($"Record type {recordType.Name} has no [VectorStoreVector] property; every EmbeddingStore item holds at least one vector.");
        }

        if (vectors.GroupBy(v => v.Version, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
        {
            throw new NotSupportedException(
                $"Vector properties {string.Join(" and ", duplicate.Select(v => v.Property.Name))} of {recordType.Name} both declare {duplicate.Key}; an item holds one vector per version.");
        }

        if (data.GroupBy(d => d.StorageName, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } sameField)
        {
            throw new NotSupportedException($"Two data properties of {recordType.Name} are stored as payload field '{sameField.Key}'.");
        }

        return new RecordModel(recordType, key, data, vectors);
    }

    public VectorField VectorFor(PropertyInfo property) =>
        Vectors.FirstOrDefault(v => v.Property == property)
        ?? throw new ArgumentException($"{RecordType.Name}.{property.Name} is not a vector property.");

    public DataField? DataFor(PropertyInfo property) => Data.FirstOrDefault(d => d.Property == property);

    public ItemRequest ToItem(object record)
    {
        ArgumentNullException.ThrowIfNull(record);
        string? id = (string?)Key.GetValue(record);
        if (string.IsNullOrEmpty(id))
        {
            throw new ArgumentException($"A {RecordType.Name} record has no key ({Key.Name} is null or empty); EmbeddingStore does not generate ids.", nameof(record));
        }

        var payload = new JsonObject();
        foreach (DataField field in Data)
        {
            object? value = field.Property.GetValue(record);
            payload[field.StorageName] = value is null ? null : JsonSerializer.SerializeToNode(value, field.Property.PropertyType, s_payloadJson);
        }

        var vectors = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (VectorField field in Vectors)
        {
            if (field.Read(record) is { } vector)
            {
                vectors[field.Version] = vector;
            }
        }

        if (vectors.Count == 0)
        {
            throw new ArgumentException($"Record '{id}' has no vector set; every EmbeddingStore item holds at least one (declared: {string.Join(", ", Vectors.Select(v => v.Version))}).", nameof(record));
        }

        return new ItemRequest { Id = id, Payload = JsonSerializer.SerializeToElement(payload, s_payloadJson), Vectors = vectors };
    }

    public TRecord FromItem<TRecord>(string id, JsonElement? payload, IReadOnlyDictionary<string, float[]>? vectors)
    {
        var record = (TRecord)Activator.CreateInstance(RecordType)!;
        Key.SetValue(record, id);
        if (payload is { ValueKind: JsonValueKind.Object } fields)
        {
            foreach (DataField field in Data)
            {
                if (fields.TryGetProperty(field.StorageName, out JsonElement value))
                {
                    field.Property.SetValue(record, value.Deserialize(field.Property.PropertyType, s_payloadJson));
                }
            }
        }

        if (vectors is not null)
        {
            foreach (VectorField field in Vectors)
            {
                if (vectors.TryGetValue(field.Version, out float[]? vector))
                {
                    field.Write(record!, vector);
                }
            }
        }

        return record;
    }

    internal sealed record DataField(PropertyInfo Property, string StorageName);

    internal sealed class VectorField
    {
        private VectorField(PropertyInfo property, string version, int dimensions, string metric, bool isDistance)
        {
            Property = property;
            Version = version;
            Dimensions = dimensions;
            Metric = metric;
            IsDistance = isDistance;
            int at = version.IndexOf('@', StringComparison.Ordinal);
            Model = version[..at];
            VersionName = version[(at + 1)..];
        }

        public PropertyInfo Property { get; }

        public string Version { get; }

        public string Model { get; }

        public string VersionName { get; }

        public int Dimensions { get; }

        public string Metric { get; }

        // EuclideanDistance promises "lower is closer"; the server scores l2 as the negated distance, so scores are flipped back.
        public bool IsDistance { get; }

        public static VectorField Create(Type recordType, PropertyInfo property, string? version, int dimensions, string? distanceFunction)
        {
            Type type = property.PropertyType;
            if (type != typeof(ReadOnlyMemory<float>) && type != typeof(ReadOnlyMemory<float>?) && type != typeof(float[]) && type != typeof(Embedding<float>))
            {
                throw new NotSupportedException(
                    $"Vector property {recordType.Name}.{property.Name} is {type.Name}; the EmbeddingStore connector supports ReadOnlyMemory<float>, float[] and Embedding<float>.");
            }

            int at = version?.IndexOf('@', StringComparison.Ordinal) ?? -1;
            if (version is null || at <= 0 || at == version.Length - 1 || version.IndexOf('@', at + 1) >= 0)
            {
                throw new NotSupportedException(
                    $"Vector property {recordType.Name}.{property.Name} does not say which model version it holds. Add [EmbeddingVersion(\"model@version\")] " +
                    $"or set the vector's StorageName to \"model@version\"{(version is null ? string.Empty : $" ('{version}' is not of that form)")}.");
            }

            if (dimensions <= 0)
            {
                throw new NotSupportedException($"Vector property {recordType.Name}.{property.Name} must declare its dimensions.");
            }

            (string metric, bool isDistance) = distanceFunction switch
            {
                null or DistanceFunction.CosineSimilarity => ("cosine", false),
                DistanceFunction.DotProductSimilarity => ("dot", false),
                DistanceFunction.EuclideanDistance => ("l2", true),
                _ => throw new NotSupportedException(
                    $"Vector property {recordType.Name}.{property.Name} uses {distanceFunction}; EmbeddingStore supports CosineSimilarity, DotProductSimilarity and EuclideanDistance."),
            };
            return new VectorField(property, version, dimensions, metric, isDistance);
        }

        public float[]? Read(object record) => Property.GetValue(record) switch
        {
            null => null,
            ReadOnlyMemory<float> memory => memory.IsEmpty ? null : memory.ToArray(),
            float[] array => array.Length == 0 ? null : array,
            Embedding<float> embedding => embedding.Vector.IsEmpty ? null : embedding.Vector.ToArray(),
            _ => null,
        };

        public void Write(object record, float[] vector)
        {
            Type type = Property.PropertyType;
            object value = type == typeof(float[]) ? vector
                : type == typeof(Embedding<float>) ? new Embedding<float>(vector)
                : new ReadOnlyMemory<float>(vector);
            Property.SetValue(record, value);
        }
    }
}
