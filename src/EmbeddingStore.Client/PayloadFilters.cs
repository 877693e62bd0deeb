// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text.Json;
using EmbeddingStore.Contracts;

namespace EmbeddingStore.Client;

/// <summary>
/// Typed builders for the server's filter language, so that code states conditions (<c>Match("lang", "en")</c>,
/// <c>Range("n", gte: 1, lt: 5)</c>, <c>Or(...)</c>) instead of hand-assembling JSON elements. Each returns the wire
/// condition; <see cref="Where"/> turns conditions into the filter that search, count, scroll and delete take.
/// </summary>
/// <remarks>
/// Semantics are the server's: a missing field satisfies no match, any, except or range; on an array field match, any
/// and range hold when some element does and except when none is in the list; values compare by JSON kind, numbers as
/// doubles. Keys with dots address nested objects (<c>meta.src</c>).
/// </remarks>
public static class PayloadFilters
{
    /// <summary>A filter requiring every condition (an empty list matches every item).</summary>
    public static FilterRequest Where(params IEnumerable<FieldConditionRequest> conditions) => new() { Must = [.. conditions] };

    /// <summary>The field (or some element) equals the string.</summary>
    public static FieldConditionRequest Match(string key, string value) => new() { Key = Key(key), Match = Scalar(value) };

    /// <summary>The field (or some element) equals the number.</summary>
    public static FieldConditionRequest Match(string key, double value) => new() { Key = Key(key), Match = Scalar(value) };

    /// <summary>The field (or some element) equals the boolean.</summary>
    public static FieldConditionRequest Match(string key, bool value) => new() { Key = Key(key), Match = Scalar(value) };

    /// <summary>The field (or some element) is one of the strings; an IN list of ids, labels or tags.</summary>
    public static FieldConditionRequest Any(string key, params IEnumerable<string> values) => new() { Key = Key(key), Any = [.. values.Select(v => Scalar(v))] };

    /// <summary>The field (or some element) is one of the numbers.</summary>
    public static FieldConditionRequest Any(string key, params IEnumerable<double> values) => new() { Key = Key(key), Any = [.. values.Select(Scalar)] };

    /// <summary>The field is present and neither it nor any element is one of the strings.</summary>
    public static FieldConditionRequest Except(string key, params IEnumerable<string> values) => new() { Key = Key(key), Except = [.. values.Select(v => Scalar(v))] };

    /// <summary>The field is present and neither it nor any element is one of the numbers.</summary>
    public static FieldConditionRequest Except(string key, params IEnumerable<double> values) => new() { Key = Key(key), Except = [.. values.Select(Scalar)] };

    /// <summary>The field (or some element) is a number within every given bound; give at least one.</summary>
    public static FieldConditionRequest Range(string key, double? gt = null, double? gte = null, double? lt = null, double? lte = null)
    {
        if (gt is null && gte is null && lt is null && lte is null)
        {
            throw new ArgumentException("A range needs at least one of gt, gte, lt, lte.", nameof(gt));
        }

        return new()
        {
            Key = Key(key),
            Range = new FilterRangeRequest { Gt = Bound(gt), Gte = Bound(gte), Lt = Bound(lt), Lte = Bound(lte) },
        };
    }

    /// <summary>The field is present and null (<paramref name="value"/> false: anything else).</summary>
    public static FieldConditionRequest IsNull(string key, bool value = true) => new() { Key = Key(key), IsNull = value };

    /// <summary>The field is missing, null or an empty array (<paramref name="value"/> false: anything else).</summary>
    public static FieldConditionRequest IsEmpty(string key, bool value = true) => new() { Key = Key(key), IsEmpty = value };

    /// <summary>Every condition holds (a nested must).</summary>
    public static FieldConditionRequest And(params IEnumerable<FieldConditionRequest> conditions) => new() { Must = [.. conditions] };

    /// <summary>At least one condition holds (a nested should); no conditions holds for no item.</summary>
    public static FieldConditionRequest Or(params IEnumerable<FieldConditionRequest> conditions) => new() { Should = [.. conditions] };

    /// <summary>No condition holds (a nested mustNot).</summary>
    public static FieldConditionRequest Not(params IEnumerable<FieldConditionRequest> conditions) => new() { MustNot = [.. conditions] };

    private static string Key(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return key;
    }

    private static JsonElement? Bound(double? value) => value is { } number ? Scalar(number) : null;

    private static JsonElement Scalar(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Write(writer => writer.WriteStringValue(value));
    }

    private static JsonElement Scalar(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "Filter numbers must be finite.");
        }

        return Write(writer => writer.WriteNumberValue(value));
    }

    private static JsonElement Scalar(bool value) => Write(writer => writer.WriteBooleanValue(value));

    private static JsonElement Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(32);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        using JsonDocument document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }
}
