// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace EmbeddingStore.Core.Filters;

// Validates a filter tree and compiles it in one walk. Every message names the JSON path of the offending part
// (filter.must[2].range.gte) because a script author with a 40-condition filter cannot guess which one was meant.
internal static class FilterCompiler
{
    private const string Operators = "match, any, except, range, isNull, isEmpty or text";

    public static string? TryCompile(PayloadFilter filter, [NotNullWhen(false)] out FilterNode? node)
    {
        node = null;
        if (Clause("filter", filter.Must, filter.Should, filter.MustNot, out ClauseNode? clause) is { } error)
        {
            return error;
        }

        node = clause!;
        return null;
    }

    private static string? Clause(
        string path, IReadOnlyList<FilterCondition>? must, IReadOnlyList<FilterCondition>? should, IReadOnlyList<FilterCondition>? mustNot,
        out ClauseNode? clause)
    {
        clause = null;
        if (List(path + ".must", must, out FilterNode[]? mustNodes) is { } mustError)
        {
            return mustError;
        }

        if (List(path + ".should", should, out FilterNode[]? shouldNodes) is { } shouldError)
        {
            return shouldError;
        }

        if (List(path + ".mustNot", mustNot, out FilterNode[]? mustNotNodes) is { } mustNotError)
        {
            return mustNotError;
        }

        clause = new ClauseNode(mustNodes ?? [], should is null ? null : shouldNodes, mustNotNodes ?? []);
        return null;
    }

    private static string? List(string path, IReadOnlyList<FilterCondition>? conditions, out FilterNode[]? nodes)
    {
        nodes = null;
        if (conditions is null)
        {
            return null;
        }

        var compiled = new FilterNode[conditions.Count];
        for (int i = 0; i < conditions.Count; i++)
        {
            string at = path + "[" + i.ToString(CultureInfo.InvariantCulture) + "]";
            if (Condition(at, conditions[i], out FilterNode? node) is { } error)
            {
                return error;
            }

            compiled[i] = node!;
        }

        nodes = compiled;
        return null;
    }

    private static string? Condition(string path, FilterCondition? condition, out FilterNode? node)
    {
        node = null;
        if (condition is null)
        {
            return $"{path} is null; each condition is an object with a key and one of {Operators}, or a nested must, should or mustNot.";
        }

        bool nested = condition.Must is not null || condition.Should is not null || condition.MustNot is not null;
        List<string> operators = Present(condition);
        if (nested)
        {
            if (condition.Key is not null || operators.Count > 0)
            {
                return $"{path} mixes a field condition with a nested must, should or mustNot; write them as two conditions.";
            }

            string? error = Clause(path, condition.Must, condition.Should, condition.MustNot, out ClauseNode? clause);
            node = clause;
            return error;
        }

        if (condition.Key is null && operators.Count == 0)
        {
            return $"{path} is empty; give a key and one of {Operators}, or a nested must, should or mustNot.";
        }

        if (string.IsNullOrEmpty(condition.Key))
        {
            return $"{path}.key must be a non-empty field name.";
        }

        if (operators.Count == 0)
        {
            return $"{path} has a key but no operator; give exactly one of {Operators}.";
        }

        if (operators.Count > 1)
        {
            return $"{path} has both {operators[0]} and {operators[1]}; give exactly one operator per condition (combine conditions with must or should).";
        }

        if (KeyPath(path, condition.Key, out byte[][]? keyPath) is { } keyError)
        {
            return keyError;
        }

        if (condition.Match is { ValueKind: JsonValueKind.Array } sequence)
        {
            JsonElement[] elements = [.. sequence.EnumerateArray()];
            string? error = Scalars(path + ".match", elements);
            node = error is null ? new ArrayEqualsNode(keyPath!, elements) : null;
            return error;
        }

        if (condition.Match is { } match)
        {
            string? error = Scalar(path + ".match", match);
            node = error is null ? new InSetNode(keyPath!, new FilterValueSet([match])) : null;
            return error;
        }

        if (condition.Any is { } any)
        {
            string? error = Scalars(path + ".any", any);
            node = error is null ? new InSetNode(keyPath!, new FilterValueSet(any)) : null;
            return error;
        }

        if (condition.Except is { } except)
        {
            string? error = Scalars(path + ".except", except);
            node = error is null ? new NotInSetNode(keyPath!, new FilterValueSet(except)) : null;
            return error;
        }

        if (condition.Range is { } range)
        {
            return Range(path + ".range", keyPath!, range, out node);
        }

        if (condition.Text is { } text)
        {
            return Text(path + ".text", keyPath!, text, out node);
        }

        node = condition.IsNull is { } isNull ? new IsNullNode(keyPath!, isNull) : new IsEmptyNode(keyPath!, condition.IsEmpty!.Value);
        return null;
    }

    private static List<string> Present(FilterCondition condition)
    {
        var names = new List<string>(1);
        AddIf(names, condition.Match is not null, "match");
        AddIf(names, condition.Any is not null, "any");
        AddIf(names, condition.Except is not null, "except");
        AddIf(names, condition.Range is not null, "range");
        AddIf(names, condition.IsNull is not null, "isNull");
        AddIf(names, condition.IsEmpty is not null, "isEmpty");
        AddIf(names, condition.Text is not null, "text");
        return names;

        static void AddIf(List<string> names, bool present, string name)
        {
            if (present)
            {
                names.Add(name);
            }
        }
    }

    private static string? KeyPath(string path, string key, out byte[][]? segments)
    {
        string[] parts = key.Split('.');
        segments = null;
        if (Array.Exists(parts, p => p.Length == 0))
        {
            return $"{path}.key '{key}' has an empty segment; nested fields are written a.b.";
        }

        segments = [.. parts.Select(Encoding.UTF8.GetBytes)];
        return null;
    }

    private static string? Scalars(string path, IReadOnlyList<JsonElement> values)
    {
        for (int i = 0; i < values.Count; i++)
        {
            if (Scalar(path + "[" + i.ToString(CultureInfo.InvariantCulture) + "]", values[i]) is { } error)
            {
                return error;
            }
        }

        return null;
    }

    private static string? Scalar(string path, JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String or JsonValueKind.True or JsonValueKind.False => null,
        JsonValueKind.Number => value.TryGetDouble(out double number) && double.IsFinite(number) ? null : $"{path} is a number beyond the range of a double.",
        _ => $"{path} must be a string, number or boolean, not {Kind(value)}.",
    };

    private static string? Text(string path, byte[][] keyPath, JsonElement text, out FilterNode? node)
    {
        node = null;
        if (text.ValueKind != JsonValueKind.String)
        {
            return $"{path} must be a string of words, not {Kind(text)}.";
        }

        string[] tokens = TextTokenizer.DistinctTokens(text.GetString()!);
        if (tokens.Length == 0)
        {
            return $"{path} has no words (runs of letters or digits); a text condition needs at least one.";
        }

        node = new TextNode(keyPath, tokens);
        return null;
    }

    private static string? Range(string path, byte[][] keyPath, FilterRange range, out FilterNode? node)
    {
        node = null;
        if (range.Gt is null && range.Gte is null && range.Lt is null && range.Lte is null)
        {
            return $"{path} needs at least one of gt, gte, lt, lte.";
        }

        if (Bound(path + ".gt", range.Gt, double.NegativeInfinity, out double gt) is { } gtError)
        {
            return gtError;
        }

        if (Bound(path + ".gte", range.Gte, double.NegativeInfinity, out double gte) is { } gteError)
        {
            return gteError;
        }

        if (Bound(path + ".lt", range.Lt, double.PositiveInfinity, out double lt) is { } ltError)
        {
            return ltError;
        }

        if (Bound(path + ".lte", range.Lte, double.PositiveInfinity, out double lte) is { } lteError)
        {
            return lteError;
        }

        node = new RangeNode(keyPath, gt, gte, lt, lte);
        return null;
    }

    private static string? Bound(string path, JsonElement? bound, double absent, out double value)
    {
        value = absent;
        if (bound is not { } element)
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.Number)
        {
            return $"{path} must be a number, not {Kind(element)}.";
        }

        if (!element.TryGetDouble(out value) || !double.IsFinite(value))
        {
            return $"{path} is a number beyond the range of a double.";
        }

        return null;
    }

    private static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Null => "null",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Number => "a number",
        _ => "nothing",
    };
}
