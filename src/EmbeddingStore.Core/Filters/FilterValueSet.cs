// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace EmbeddingStore.Core.Filters;

// The scalar values of a match, any or except, tested against one payload value without allocating: strings as UTF-8
// bytes (compared with the payload's raw bytes when it holds no escapes), numbers as doubles, booleans as two flags.
// Long lists (an IN of thousands of ids) are hashed so that each item costs one lookup, not one comparison per value.
internal sealed class FilterValueSet
{
    // Below this many values a linear scan beats hashing.
    private const int HashFrom = 8;

    private readonly byte[][] _strings;
    private readonly double[] _numbers;
    private readonly bool _true;
    private readonly bool _false;
    private readonly HashSet<byte[]>.AlternateLookup<ReadOnlySpan<byte>>? _stringLookup;
    private readonly HashSet<double>? _numberLookup;

    public FilterValueSet(IEnumerable<JsonElement> values)
    {
        var strings = new List<byte[]>();
        var numbers = new List<double>();
        foreach (JsonElement value in values)
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.String:
                    strings.Add(Encoding.UTF8.GetBytes(value.GetString()!));
                    break;
                case JsonValueKind.Number:
                    numbers.Add(value.GetDouble());
                    break;
                case JsonValueKind.True:
                    _true = true;
                    break;
                case JsonValueKind.False:
                    _false = true;
                    break;
                default:
                    throw new ArgumentException($"A filter value must be a string, number or boolean, not {value.ValueKind}.", nameof(values));
            }
        }

        _strings = [.. strings];
        _numbers = [.. numbers];
        if (_strings.Length >= HashFrom)
        {
            _stringLookup = new HashSet<byte[]>(_strings, Utf8Comparer.Instance).GetAlternateLookup<ReadOnlySpan<byte>>();
        }

        if (_numbers.Length >= HashFrom)
        {
            _numberLookup = [.. _numbers];
        }
    }

    // What a payload index looks the values up by: the strings (decoded), numbers and booleans of the list.
    public IEnumerable<string> Strings => _strings.Select(Encoding.UTF8.GetString);

    public ReadOnlySpan<double> Numbers => _numbers;

    public bool HasTrue => _true;

    public bool HasFalse => _false;

    public int StringCount => _strings.Length;

    public bool Contains(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return ContainsString(value);
            case JsonValueKind.Number:
                if (_numbers.Length == 0 || !value.TryGetDouble(out double number))
                {
                    return false;
                }

                if (_numberLookup is not null)
                {
                    return _numberLookup.Contains(number);
                }

                foreach (double candidate in _numbers)
                {
                    if (candidate == number)
                    {
                        return true;
                    }
                }

                return false;
            case JsonValueKind.True:
                return _true;
            case JsonValueKind.False:
                return _false;
            default:
                return false;
        }
    }

    private bool ContainsString(JsonElement value)
    {
        if (_strings.Length == 0)
        {
            return false;
        }

        // The raw token is the quoted JSON text; without a backslash it is the string's UTF-8 itself.
        ReadOnlySpan<byte> raw = JsonMarshal.GetRawUtf8Value(value);
        ReadOnlySpan<byte> text = raw[1..^1];
        if (!text.Contains((byte)'\\'))
        {
            if (_stringLookup is { } lookup)
            {
                return lookup.Contains(text);
            }

            foreach (byte[] candidate in _strings)
            {
                if (text.SequenceEqual(candidate))
                {
                    return true;
                }
            }

            return false;
        }

        // Escaped text (rare): let the parser unescape while comparing.
        foreach (byte[] candidate in _strings)
        {
            if (value.ValueEquals(candidate))
            {
                return true;
            }
        }

        return false;
    }

    private sealed class Utf8Comparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static Utf8Comparer Instance { get; } = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => GetHashCode(obj.AsSpan());

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<byte> alternate)
        {
            var hash = default(HashCode);
            hash.AddBytes(alternate);
            return hash.ToHashCode();
        }

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }
}
