// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData.ProviderServices;

namespace EmbeddingStore.Client.Internal;

// The abstractions' own model builder, told what EmbeddingStore can hold, so validation, generator resolution and the
// standard messages are the ones every other connector gives. What it cannot know (the model version of each vector)
// RecordModel adds on top.
internal sealed class EmbeddingStoreModelBuilder : CollectionModelBuilder
{
    public const string SupportedVectorTypes = "ReadOnlyMemory<float>, Embedding<float>, float[]";

    private const string SupportedDataTypes =
        "string, int, long, short, byte, double, float, decimal, bool, DateTime, DateTimeOffset, DateOnly, TimeOnly, Guid, or arrays/lists of these";

    // Several vector properties are several model versions of one item; a record with none is an item waiting to be
    // embedded (found by key and filters, never by vector search).
    private static readonly CollectionModelBuildingOptions s_options = new() { SupportsMultipleVectors = true, RequiresAtLeastOneVector = false };

    public EmbeddingStoreModelBuilder()
        : base(s_options)
    {
    }

    public static bool IsNativeVectorType(Type type) =>
        type == typeof(ReadOnlyMemory<float>) || type == typeof(ReadOnlyMemory<float>?) || type == typeof(float[]) || type == typeof(Embedding<float>);

    // Only Guids can be generated without asking the server: a new random Guid is unique wherever it is made.
    protected override bool SupportsKeyAutoGeneration(Type keyPropertyType) => keyPropertyType == typeof(Guid);

    protected override void ValidateKeyProperty(KeyPropertyModel keyProperty)
    {
        base.ValidateKeyProperty(keyProperty);
        if (keyProperty.Type != typeof(string) && keyProperty.Type != typeof(Guid))
        {
            throw new NotSupportedException(
                $"Property '{keyProperty.ModelName}' has unsupported type '{keyProperty.Type.Name}'. EmbeddingStore keys are strings, or Guids stored in canonical string form.");
        }
    }

    protected override bool IsDataPropertyTypeValid(Type type, [NotNullWhen(false)] out string? supportedTypes)
    {
        supportedTypes = SupportedDataTypes;
        Type element = Nullable.GetUnderlyingType(type) ?? type;
        if (IsScalar(element))
        {
            return true;
        }

        Type? item = element.IsArray ? element.GetElementType()
            : element.IsGenericType && element.GetGenericTypeDefinition() == typeof(List<>) ? element.GenericTypeArguments[0]
            : null;
        return item is not null && IsScalar(Nullable.GetUnderlyingType(item) ?? item);
    }

    protected override bool IsVectorPropertyTypeValid(Type type, [NotNullWhen(false)] out string? supportedTypes)
    {
        supportedTypes = SupportedVectorTypes;
        return IsNativeVectorType(type);
    }

    private static bool IsScalar(Type type) =>
        type == typeof(string) || type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(byte)
        || type == typeof(double) || type == typeof(float) || type == typeof(decimal) || type == typeof(bool)
        || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(DateOnly) || type == typeof(TimeOnly) || type == typeof(Guid);
}
