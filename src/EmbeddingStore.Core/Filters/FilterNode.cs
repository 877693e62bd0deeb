// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text.Json;

namespace EmbeddingStore.Core.Filters;

// The compiled, validated form of a filter: one node per condition, evaluated straight on the payload's JsonElement.
// `payload` is the payload object, or default (Undefined) when the item has no object payload: every field is missing.
internal abstract class FilterNode
{
    public abstract bool Evaluate(JsonElement payload);
}

// must / should / mustNot: the root and every nested clause.
internal sealed class ClauseNode(FilterNode[] must, FilterNode[]? should, FilterNode[] mustNot) : FilterNode
{
    public FilterNode[] Must => must;

    public FilterNode[]? Should => should;

    public FilterNode[] MustNot => mustNot;

    public override bool Evaluate(JsonElement payload)
    {
        foreach (FilterNode node in must)
        {
            if (!node.Evaluate(payload))
            {
                return false;
            }
        }

        foreach (FilterNode node in mustNot)
        {
            if (node.Evaluate(payload))
            {
                return false;
            }
        }

        if (should is null)
        {
            return true;
        }

        foreach (FilterNode node in should)
        {
            if (node.Evaluate(payload))
            {
                return true;
            }
        }

        return false;
    }
}

// A condition on one field; the key's segments are kept as UTF-8 so that looking them up allocates nothing.
internal abstract class FieldNode(byte[][] path) : FilterNode
{
    // The dotted key as written, which is how payload indexes are declared.
    public string Key { get; } = string.Join('.', path.Select(System.Text.Encoding.UTF8.GetString));

    public override bool Evaluate(JsonElement payload)
    {
        JsonElement value = payload;
        foreach (byte[] segment in path)
        {
            if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty(segment, out value))
            {
                return Missing();
            }
        }

        return Present(value);
    }

    // A missing field satisfies no match, any, except or range.
    protected virtual bool Missing() => false;

    protected abstract bool Present(JsonElement value);
}

// match and any: the value, or some element of an array value, is in the set.
internal sealed class InSetNode(byte[][] path, FilterValueSet values) : FieldNode(path)
{
    public FilterValueSet Values => values;

    protected override bool Present(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            return values.Contains(value);
        }

        foreach (JsonElement element in value.EnumerateArray())
        {
            if (values.Contains(element))
            {
                return true;
            }
        }

        return false;
    }
}

// match with an array: the field is an array of the same length whose elements equal the given ones in order (each
// compared as a scalar match is). Element-wise rather than "some element", because a caller who writes a whole array
// means that array; "contains one of" is what any is for. A payload index narrows it by its first element (an equal
// array contains it) and the candidates are then checked whole.
internal sealed class ArrayEqualsNode(byte[][] path, JsonElement[] elements) : FieldNode(path)
{
    private readonly FilterValueSet[] _positions = [.. elements.Select(e => new FilterValueSet([e]))];

    // The first element as a match set, or null for the empty array (which no index lookup can find).
    public FilterValueSet? First => _positions.Length == 0 ? null : _positions[0];

    protected override bool Present(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() != _positions.Length)
        {
            return false;
        }

        int i = 0;
        foreach (JsonElement element in value.EnumerateArray())
        {
            if (!_positions[i++].Contains(element))
            {
                return false;
            }
        }

        return true;
    }
}

// except: the field is present and neither its value nor any element is in the set.
internal sealed class NotInSetNode(byte[][] path, FilterValueSet values) : FieldNode(path)
{
    protected override bool Present(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            return !values.Contains(value);
        }

        foreach (JsonElement element in value.EnumerateArray())
        {
            if (values.Contains(element))
            {
                return false;
            }
        }

        return true;
    }
}

// range: the value, or some element, is a number within every given bound (absent bounds are infinite).
internal sealed class RangeNode(byte[][] path, double gt, double gte, double lt, double lte) : FieldNode(path)
{
    public double Gt => gt;

    public double Gte => gte;

    public double Lt => lt;

    public double Lte => lte;

    protected override bool Present(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            return InRange(value);
        }

        foreach (JsonElement element in value.EnumerateArray())
        {
            if (InRange(element))
            {
                return true;
            }
        }

        return false;
    }

    private bool InRange(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out double number) && number > gt && number >= gte && number < lt && number <= lte;
}

// isNull: a present null (or, negated, anything else, a missing field included).
internal sealed class IsNullNode(byte[][] path, bool expected) : FieldNode(path)
{
    protected override bool Missing() => !expected;

    protected override bool Present(JsonElement value) => (value.ValueKind == JsonValueKind.Null) == expected;
}

// isEmpty: missing, null or [] (or, negated, a present non-null value that is not an empty array).
internal sealed class IsEmptyNode(byte[][] path, bool expected) : FieldNode(path)
{
    protected override bool Missing() => expected;

    protected override bool Present(JsonElement value) =>
        (value.ValueKind == JsonValueKind.Null || (value.ValueKind == JsonValueKind.Array && value.GetArrayLength() == 0)) == expected;
}

// text: the field's tokens (of a string, or of every string element of an array) include every query token.
internal sealed class TextNode(byte[][] path, string[] tokens) : FieldNode(path)
{
    public string[] Tokens => tokens;

    protected override bool Present(JsonElement value)
    {
        var held = new HashSet<string>(StringComparer.Ordinal);
        if (value.ValueKind == JsonValueKind.String)
        {
            held.UnionWith(TextTokenizer.Tokenize(value.GetString()!));
        }
        else if (value.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement element in value.EnumerateArray())
            {
                if (element.ValueKind == JsonValueKind.String)
                {
                    held.UnionWith(TextTokenizer.Tokenize(element.GetString()!));
                }
            }
        }

        return Array.TrueForAll(tokens, held.Contains);
    }
}
