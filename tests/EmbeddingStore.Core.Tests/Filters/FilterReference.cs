// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Text;
using System.Text.Json;
using EmbeddingStore.Core.Filters;

namespace EmbeddingStore.Core.Tests.Filters;

// A plain reference for the filter language, written from the issue's rules alone: payloads are .NET values
// (Dictionary, List, string, double, bool, null) and the conditions are interpreted recursively on them, sharing
// nothing with the engine's compiled evaluator. Also the seeded generators of payloads and filter trees.
internal static class FilterReference
{
    private static readonly string[] s_keys = ["a", "b", "tags", "meta.x", "meta.y", "meta.deep.z", "a.x", "none"];
    private static readonly object?[] s_strings = ["x", "y", "z", "Zürich", "a\"b", ""];
    private static readonly double[] s_numbers = [-2, -1, 0, 0.5, 1, 2, 3, 1000];

    public static bool Matches(PayloadFilter filter, object? payload) =>
        Clause(filter.Must, filter.Should, filter.MustNot, payload);

    private static bool Clause(IReadOnlyList<FilterCondition>? must, IReadOnlyList<FilterCondition>? should, IReadOnlyList<FilterCondition>? mustNot, object? payload) =>
        (must ?? []).All(c => Holds(c, payload))
        && !(mustNot ?? []).Any(c => Holds(c, payload))
        && (should is null || should.Any(c => Holds(c, payload)));

    private static bool Holds(FilterCondition c, object? payload)
    {
        if (c.Key is null)
        {
            return Clause(c.Must, c.Should, c.MustNot, payload);
        }

        bool present = TryResolve(payload, c.Key, out object? value);
        if (c.IsNull is { } isNull)
        {
            return (present && value is null) == isNull;
        }

        if (c.IsEmpty is { } isEmpty)
        {
            return (!present || value is null || value is List<object?> { Count: 0 }) == isEmpty;
        }

        if (!present)
        {
            return false;
        }

        if (c.Match is { ValueKind: JsonValueKind.Array } sequence)
        {
            // A whole array: the field is an array of the same length, element by element equal.
            var targets = sequence.EnumerateArray().Select(Plain).ToList();
            return value is List<object?> held && held.Count == targets.Count && held.Zip(targets).All(p => ScalarEquals(p.First, p.Second));
        }

        IEnumerable<object?> values = value is List<object?> list ? list : [value];
        if (c.Match is { } match)
        {
            object? target = Plain(match);
            return values.Any(v => ScalarEquals(v, target));
        }

        if (c.Any is { } any)
        {
            var targets = any.Select(Plain).ToList();
            return values.Any(v => targets.Any(t => ScalarEquals(v, t)));
        }

        if (c.Except is { } except)
        {
            var targets = except.Select(Plain).ToList();
            return !values.Any(v => targets.Any(t => ScalarEquals(v, t)));
        }

        FilterRange range = c.Range!;
        return values.Any(v => v is double d
            && (range.Gt is not { } gt || d > gt.GetDouble())
            && (range.Gte is not { } gte || d >= gte.GetDouble())
            && (range.Lt is not { } lt || d < lt.GetDouble())
            && (range.Lte is not { } lte || d <= lte.GetDouble()));
    }

    private static bool TryResolve(object? payload, string key, out object? value)
    {
        value = payload;
        foreach (string segment in key.Split('.'))
        {
            if (value is not Dictionary<string, object?> obj || !obj.TryGetValue(segment, out value))
            {
                value = null;
                return false;
            }
        }

        return true;
    }

    // Scalars compare by kind: strings ordinally, numbers as doubles, booleans as booleans; nothing else is equal.
    private static bool ScalarEquals(object? value, object? target) => (value, target) switch
    {
        (string s, string t) => string.Equals(s, t, StringComparison.Ordinal),
        (double d, double t) => d == t,
        (bool b, bool t) => b == t,
        _ => false,
    };

    private static object? Plain(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw new InvalidOperationException("not a scalar"),
    };

    // ---------------------------------------------------------------- generators

    public static object? RandomPayload(Random random)
    {
        if (random.Next(20) == 0)
        {
            return null;
        }

        var payload = new Dictionary<string, object?>();
        foreach (string field in new[] { "a", "b", "tags" })
        {
            if (random.Next(4) != 0)
            {
                payload[field] = RandomValue(random, 2);
            }
        }

        if (random.Next(4) != 0)
        {
            payload["meta"] = random.Next(4) == 0
                ? RandomValue(random, 1)
                : new Dictionary<string, object?>
                {
                    ["x"] = RandomValue(random, 1),
                    ["y"] = RandomValue(random, 1),
                    ["deep"] = random.Next(2) == 0 ? new Dictionary<string, object?> { ["z"] = RandomScalar(random) } : RandomScalar(random),
                };
        }

        return payload;
    }

    private static object? RandomValue(Random random, int nesting)
    {
        if (nesting == 0 || random.Next(3) != 0)
        {
            return RandomScalar(random);
        }

        var list = new List<object?>();
        int count = random.Next(5);
        for (int i = 0; i < count; i++)
        {
            // Mostly scalars; now and then an array or object inside the array, which scalar conditions never match.
            list.Add(random.Next(8) switch
            {
                0 => new List<object?> { RandomScalar(random) },
                1 => new Dictionary<string, object?> { ["x"] = RandomScalar(random) },
                _ => RandomScalar(random),
            });
        }

        return list;
    }

    private static object? RandomScalar(Random random) => random.Next(4) switch
    {
        0 => s_strings[random.Next(s_strings.Length)],
        1 => s_numbers[random.Next(s_numbers.Length)],
        2 => random.Next(2) == 0,
        _ => random.Next(2) == 0 ? null : s_numbers[random.Next(s_numbers.Length)],
    };

    public static JsonElement? ToJson(object? payload)
    {
        if (payload is null)
        {
            return null;
        }

        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            Write(writer, payload);
        }

        return JsonDocument.Parse(stream.ToArray()).RootElement.Clone();
    }

    private static void Write(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case double d:
                writer.WriteNumberValue(d);
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case List<object?> list:
                writer.WriteStartArray();
                list.ForEach(v => Write(writer, v));
                writer.WriteEndArray();
                break;
            case Dictionary<string, object?> obj:
                writer.WriteStartObject();
                foreach ((string k, object? v) in obj)
                {
                    writer.WritePropertyName(k);
                    Write(writer, v);
                }

                writer.WriteEndObject();
                break;
        }
    }

    public static PayloadFilter RandomFilter(Random random)
    {
        (List<FilterCondition>? must, List<FilterCondition>? should, List<FilterCondition>? mustNot) = RandomClause(random, 2);
        return new PayloadFilter(must, should, mustNot);
    }

    private static (List<FilterCondition>?, List<FilterCondition>?, List<FilterCondition>?) RandomClause(Random random, int nesting) =>
        (RandomList(random, nesting), RandomList(random, nesting), RandomList(random, nesting));

    private static List<FilterCondition>? RandomList(Random random, int nesting)
    {
        if (random.Next(3) == 0)
        {
            return null;
        }

        var list = new List<FilterCondition>();
        int count = random.Next(4);
        for (int i = 0; i < count; i++)
        {
            if (nesting > 0 && random.Next(4) == 0)
            {
                (List<FilterCondition>? must, List<FilterCondition>? should, List<FilterCondition>? mustNot) = RandomClause(random, nesting - 1);
                list.Add(new FilterCondition { Must = must ?? [], Should = should, MustNot = mustNot });
            }
            else
            {
                list.Add(RandomFieldCondition(random));
            }
        }

        return list;
    }

    public static FilterCondition RandomFieldCondition(Random random)
    {
        string key = s_keys[random.Next(s_keys.Length)];
        return random.Next(7) switch
        {
            0 => new FilterCondition { Key = key, Match = RandomFilterScalar(random) },
            6 => new FilterCondition { Key = key, Match = RandomFilterArray(random) },
            1 => new FilterCondition { Key = key, Any = RandomFilterList(random) },
            2 => new FilterCondition { Key = key, Except = RandomFilterList(random) },
            3 => new FilterCondition { Key = key, Range = RandomRange(random) },
            4 => new FilterCondition { Key = key, IsNull = random.Next(2) == 0 },
            _ => new FilterCondition { Key = key, IsEmpty = random.Next(2) == 0 },
        };
    }

    // Lists are short, or long enough (10+) for the evaluator's hashed lookup.
    private static List<JsonElement> RandomFilterList(Random random)
    {
        int count = random.Next(4) == 0 ? 10 + random.Next(6) : random.Next(4);
        var list = new List<JsonElement>();
        for (int i = 0; i < count; i++)
        {
            list.Add(i >= 4 ? Json(JsonSerializer.Serialize("filler" + i.ToString(CultureInfo.InvariantCulture))) : RandomFilterScalar(random));
        }

        return list;
    }

    // Short (0 to 2 elements), so that the generated payload arrays equal them now and then.
    private static JsonElement RandomFilterArray(Random random)
    {
        int count = random.Next(3);
        string elements = string.Join(", ", Enumerable.Range(0, count).Select(_ => RandomFilterScalar(random).GetRawText()));
        return Json("[" + elements + "]");
    }

    private static FilterRange RandomRange(Random random)
    {
        JsonElement? Bound() => random.Next(2) == 0 ? null : RandomNumber(random);
        FilterRange range;
        do
        {
            range = new FilterRange { Gt = Bound(), Gte = Bound(), Lt = Bound(), Lte = Bound() };
        }
        while (range.Gt is null && range.Gte is null && range.Lt is null && range.Lte is null);

        return range;
    }

    private static JsonElement RandomFilterScalar(Random random) => random.Next(3) switch
    {
        0 => Json(JsonSerializer.Serialize((string)s_strings[random.Next(s_strings.Length)]!)),
        1 => RandomNumber(random),
        _ => Json(random.Next(2) == 0 ? "true" : "false"),
    };

    // The same number in several spellings (2, 2.0, 20e-1): equality is on the value, not the text.
    private static JsonElement RandomNumber(Random random)
    {
        double n = s_numbers[random.Next(s_numbers.Length)];
        string text = random.Next(3) switch
        {
            0 => n.ToString("R", CultureInfo.InvariantCulture),
            1 => n.ToString("0.0###", CultureInfo.InvariantCulture),
            _ => (n * 10).ToString("R", CultureInfo.InvariantCulture) + "e-1",
        };
        return Json(text);
    }

    public static JsonElement Json(string text) => JsonDocument.Parse(Encoding.UTF8.GetBytes(text)).RootElement.Clone();
}
