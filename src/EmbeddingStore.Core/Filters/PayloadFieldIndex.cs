// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text;
using System.Text.Json;
using EmbeddingStore.Core.Collections;

namespace EmbeddingStore.Core.Filters;

// One payload index in memory: for one field, the items holding each value of the index's type. It follows every write
// (Set, Remove) under the collection's write lock and is read under its read lock, so it is always exactly the
// collection's payloads. The rule that keeps indexed and unindexed answers identical: a lookup answers a condition only
// when no value outside the index could satisfy it; otherwise it says so (TryMatch/TryRange return false) or returns a
// superset (Exact false) whose members the planner re-checks on their payloads.
//  - keyword keeps strings: match/any with strings only. A number or boolean never equals a string, so the answer is exact.
//  - integer keeps integral numbers; an item whose field also holds a fractional number is an "outlier", added to every
//    numeric answer that such a number could satisfy (a range, a fractional match), which then is a superset.
//  - float keeps every number: match/any with numbers only, and range, exactly.
//  - bool keeps booleans: match/any with booleans only.
//  - text keeps the tokens of strings (TextTokenizer) with their frequencies and each item's token count: it answers
//    text conditions exactly (the evaluator tokenises the same way) and holds the statistics BM25 needs (Bm25).
// Values are read exactly as the evaluator reads them: dotted keys walk objects only, an array field contributes its
// scalar elements (not nested arrays), numbers are doubles (so 1 and 1.0 are one value; -0 is 0).
internal sealed class PayloadFieldIndex
{
    private static readonly HashSet<ItemEntry> s_none = [];
    private static readonly Dictionary<ItemEntry, int> s_noPosting = [];

    private readonly byte[][] _path;
    private readonly Dictionary<ItemEntry, ItemValues> _byItem = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, HashSet<ItemEntry>> _strings = new(StringComparer.Ordinal);
    private readonly Dictionary<double, HashSet<ItemEntry>> _numbers = [];
    private readonly SortedSet<NumberEntry> _sorted = new(NumberEntryComparer.Instance);
    private readonly HashSet<ItemEntry> _true = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<ItemEntry> _false = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<ItemEntry> _outliers = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, Dictionary<ItemEntry, int>> _postings = new(StringComparer.Ordinal);

    public PayloadFieldIndex(string field, PayloadIndexType type, PayloadIndexState state, string? jobId, DateTimeOffset createdAt)
    {
        Field = field;
        Type = type;
        State = state;
        JobId = jobId;
        CreatedAt = createdAt;
        _path = [.. field.Split('.').Select(Encoding.UTF8.GetBytes)];
    }

    public string Field { get; }

    public PayloadIndexType Type { get; }

    public PayloadIndexState State { get; set; }

    public string? JobId { get; }

    public DateTimeOffset CreatedAt { get; }

    // Items holding at least one value of the index's type.
    public int IndexedItems => _byItem.Count;

    public int DistinctValues => Type switch
    {
        PayloadIndexType.Keyword => _strings.Count,
        PayloadIndexType.Bool => (_true.Count > 0 ? 1 : 0) + (_false.Count > 0 ? 1 : 0),
        PayloadIndexType.Text => _postings.Count,
        _ => _numbers.Count,
    };

    // Text: the sum of every indexed item's token count, for BM25's average document length.
    public long TotalLength { get; private set; }

    public PayloadIndexInfo ToInfo() => new(Field, Type, State, JobId, IndexedItems, DistinctValues, CreatedAt);

    // The item was written (new or replaced): its old values go, its current payload's values come.
    public void Set(ItemEntry item)
    {
        Remove(item);
        if (Read(item.Payload) is not { } values)
        {
            return;
        }

        _byItem.Add(item, values);
        foreach (string text in values.Strings)
        {
            Bucket(_strings, text).Add(item);
        }

        foreach (double number in values.Numbers)
        {
            Bucket(_numbers, number).Add(item);
            _sorted.Add(new NumberEntry(number, 0, item));
        }

        if (values.True)
        {
            _true.Add(item);
        }

        if (values.False)
        {
            _false.Add(item);
        }

        if (values.Outlier)
        {
            _outliers.Add(item);
        }

        foreach ((string term, int frequency) in values.Terms ?? [])
        {
            if (!_postings.TryGetValue(term, out Dictionary<ItemEntry, int>? posting))
            {
                posting = new Dictionary<ItemEntry, int>(ReferenceEqualityComparer.Instance);
                _postings.Add(term, posting);
            }

            posting.Add(item, frequency);
        }

        TotalLength += values.Length;
    }

    public void Remove(ItemEntry item)
    {
        if (!_byItem.Remove(item, out ItemValues? values))
        {
            return;
        }

        foreach (string text in values.Strings)
        {
            Unbucket(_strings, text, item);
        }

        foreach (double number in values.Numbers)
        {
            Unbucket(_numbers, number, item);
            _sorted.Remove(new NumberEntry(number, 0, item));
        }

        _true.Remove(item);
        _false.Remove(item);
        _outliers.Remove(item);
        foreach (string term in values.Terms?.Keys ?? Enumerable.Empty<string>())
        {
            if (_postings.TryGetValue(term, out Dictionary<ItemEntry, int>? posting) && posting.Remove(item) && posting.Count == 0)
            {
                _postings.Remove(term);
            }
        }

        TotalLength -= values.Length;
    }

    // Text: the items holding every token (exact, as TextNode evaluates it). False when this is no text index, or when
    // the answer would hold more than `cap` items.
    public bool TryText(string[] tokens, int cap, out ItemSet result)
    {
        result = default;
        if (Type != PayloadIndexType.Text)
        {
            return false;
        }

        Dictionary<ItemEntry, int>[] lists = new Dictionary<ItemEntry, int>[tokens.Length];
        for (int i = 0; i < tokens.Length; i++)
        {
            if (!_postings.TryGetValue(tokens[i], out Dictionary<ItemEntry, int>? posting))
            {
                result = new ItemSet(s_none, Exact: true);
                return true;
            }

            lists[i] = posting;
        }

        Array.Sort(lists, (a, b) => a.Count.CompareTo(b.Count));
        var found = new HashSet<ItemEntry>(ReferenceEqualityComparer.Instance);
        foreach (ItemEntry item in lists[0].Keys)
        {
            if (Array.TrueForAll(lists, l => l.ContainsKey(item)) && found.Add(item) && found.Count > cap)
            {
                return false;
            }
        }

        result = new ItemSet(found, Exact: true);
        return true;
    }

    // Text: the items holding a term with its frequency in each (empty when none does).
    public IReadOnlyDictionary<ItemEntry, int> Posting(string term) =>
        _postings.TryGetValue(term, out Dictionary<ItemEntry, int>? posting) ? posting : s_noPosting;

    // Text: an indexed item's token count; 0 when the item holds no token in the field.
    public int LengthOf(ItemEntry item) => _byItem.TryGetValue(item, out ItemValues? values) ? values.Length : 0;

    // match / any: the items whose field holds one of the values. False when the index cannot answer for values of
    // these kinds, or when the answer would hold more than `cap` items (then reading payloads is no dearer).
    public bool TryMatch(FilterValueSet values, int cap, out ItemSet result)
    {
        result = default;
        bool strings = values.StringCount > 0;
        bool numbers = values.Numbers.Length > 0;
        bool booleans = values.HasTrue || values.HasFalse;
        switch (Type)
        {
            case PayloadIndexType.Keyword when strings && !numbers && !booleans:
                return Union([.. values.Strings.Select(s => _strings.GetValueOrDefault(s) ?? s_none)], exact: true, cap, out result);
            case PayloadIndexType.Bool when booleans && !strings && !numbers:
                return Union([values.HasTrue ? _true : s_none, values.HasFalse ? _false : s_none], exact: true, cap, out result);
            case PayloadIndexType.Integer or PayloadIndexType.Float when numbers && !strings && !booleans:
                var sets = new List<HashSet<ItemEntry>>(values.Numbers.Length + 1);
                bool fractional = false;
                foreach (double number in values.Numbers)
                {
                    sets.Add(_numbers.GetValueOrDefault(Normal(number)) ?? s_none);
                    fractional |= !double.IsInteger(number);
                }

                // A fractional value can only be held by an outlier of an integer index; they are re-checked.
                bool withOutliers = Type == PayloadIndexType.Integer && fractional && _outliers.Count > 0;
                if (withOutliers)
                {
                    sets.Add(_outliers);
                }

                return Union(sets, exact: !withOutliers, cap, out result);
            default:
                return false;
        }
    }

    // range: the items holding a number within every bound (absent bounds are infinite), as RangeNode tests it.
    public bool TryRange(double gt, double gte, double lt, double lte, int cap, out ItemSet result)
    {
        result = default;
        if (Type is not (PayloadIndexType.Integer or PayloadIndexType.Float))
        {
            return false;
        }

        // Bounds: the stricter of gt (after every entry equal to it) and gte (before them), of lt (before) and lte (after).
        NumberEntry low = gt >= gte ? new NumberEntry(Normal(gt), 1, null) : new NumberEntry(Normal(gte), -1, null);
        NumberEntry high = lt <= lte ? new NumberEntry(Normal(lt), -1, null) : new NumberEntry(Normal(lte), 1, null);
        bool withOutliers = Type == PayloadIndexType.Integer && _outliers.Count > 0;
        var found = new HashSet<ItemEntry>(ReferenceEqualityComparer.Instance);
        if (NumberEntryComparer.Instance.Compare(low, high) < 0)
        {
            foreach (NumberEntry entry in _sorted.GetViewBetween(low, high))
            {
                if (found.Add(entry.Item!) && found.Count > cap)
                {
                    return false;
                }
            }
        }

        if (withOutliers)
        {
            found.UnionWith(_outliers);
            if (found.Count > cap)
            {
                return false;
            }
        }

        result = new ItemSet(found, Exact: !withOutliers);
        return true;
    }

    private static bool Union(List<HashSet<ItemEntry>> sets, bool exact, int cap, out ItemSet result)
    {
        result = default;
        long total = 0;
        HashSet<ItemEntry>? only = null;
        int nonEmpty = 0;
        foreach (HashSet<ItemEntry> set in sets)
        {
            total += set.Count;
            if (set.Count > 0)
            {
                only = set;
                nonEmpty++;
            }
        }

        if (total > cap * 2L)
        {
            return false;
        }

        if (nonEmpty <= 1)
        {
            // One bucket (or none) is the answer itself: shared, never modified by the reader.
            result = new ItemSet(only ?? s_none, exact);
            return true;
        }

        // Sized for the sum up front: growing by rehashing cost more than the inserts themselves.
        var union = new HashSet<ItemEntry>((int)total, ReferenceEqualityComparer.Instance);
        foreach (HashSet<ItemEntry> set in sets)
        {
            union.UnionWith(set);
        }

        if (union.Count > cap)
        {
            return false;
        }

        result = new ItemSet(union, exact);
        return true;
    }

    private ItemValues? Read(JsonElement? payload)
    {
        if (payload is not { ValueKind: JsonValueKind.Object } value)
        {
            return null;
        }

        foreach (byte[] segment in _path)
        {
            if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty(segment, out value))
            {
                return null;
            }
        }

        var values = new ItemValues();
        if (value.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement element in value.EnumerateArray())
            {
                Add(values, element);
            }
        }
        else
        {
            Add(values, value);
        }

        values.Strings = [.. values.Strings.Distinct(StringComparer.Ordinal)];
        values.Numbers = [.. values.Numbers.Distinct()];
        return values.Strings.Count + values.Numbers.Count + values.Length > 0 || values.True || values.False || values.Outlier ? values : null;
    }

    private void Add(ItemValues values, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String when Type == PayloadIndexType.Keyword:
                values.Strings.Add(element.GetString()!);
                break;
            case JsonValueKind.String when Type == PayloadIndexType.Text:
                values.Terms ??= new Dictionary<string, int>(StringComparer.Ordinal);
                foreach (string token in TextTokenizer.Tokenize(element.GetString()!))
                {
                    values.Terms[token] = values.Terms.GetValueOrDefault(token) + 1;
                    values.Length++;
                }

                break;
            case JsonValueKind.Number when Type is PayloadIndexType.Integer or PayloadIndexType.Float:
                if (!element.TryGetDouble(out double number) || !double.IsFinite(number))
                {
                    // Payload validation refuses such numbers; were one stored, the evaluator could not match it either.
                    break;
                }

                if (Type == PayloadIndexType.Integer && !double.IsInteger(number))
                {
                    values.Outlier = true;
                    break;
                }

                values.Numbers.Add(Normal(number));
                break;
            case JsonValueKind.True when Type == PayloadIndexType.Bool:
                values.True = true;
                break;
            case JsonValueKind.False when Type == PayloadIndexType.Bool:
                values.False = true;
                break;
        }
    }

    // -0 and 0 are one value to the evaluator (== on doubles); one key here too.
    private static double Normal(double number) => number == 0 ? 0 : number;

    private static HashSet<ItemEntry> Bucket<TKey>(Dictionary<TKey, HashSet<ItemEntry>> buckets, TKey key)
        where TKey : notnull
    {
        if (!buckets.TryGetValue(key, out HashSet<ItemEntry>? bucket))
        {
            bucket = new HashSet<ItemEntry>(ReferenceEqualityComparer.Instance);
            buckets.Add(key, bucket);
        }

        return bucket;
    }

    private static void Unbucket<TKey>(Dictionary<TKey, HashSet<ItemEntry>> buckets, TKey key, ItemEntry item)
        where TKey : notnull
    {
        if (buckets.TryGetValue(key, out HashSet<ItemEntry>? bucket) && bucket.Remove(item) && bucket.Count == 0)
        {
            buckets.Remove(key);
        }
    }

    private sealed class ItemValues
    {
        public List<string> Strings { get; set; } = [];

        public List<double> Numbers { get; set; } = [];

        public bool True { get; set; }

        public bool False { get; set; }

        public bool Outlier { get; set; }

        // Text: term frequencies (null for the other types, so they pay nothing) and the token count (BM25's document length).
        public Dictionary<string, int>? Terms { get; set; }

        public int Length { get; set; }
    }

    // A number held by an item; Edge -1 / +1 marks a bound placed before / after every entry of its value.
    private readonly record struct NumberEntry(double Value, int Edge, ItemEntry? Item);

    private sealed class NumberEntryComparer : IComparer<NumberEntry>
    {
        public static NumberEntryComparer Instance { get; } = new();

        public int Compare(NumberEntry x, NumberEntry y)
        {
            int byValue = x.Value.CompareTo(y.Value);
            if (byValue != 0)
            {
                return byValue;
            }

            if (x.Edge != y.Edge)
            {
                return x.Edge.CompareTo(y.Edge);
            }

            return x.Item is null || y.Item is null ? 0 : string.CompareOrdinal(x.Item.Id, y.Item.Id);
        }
    }
}

// The items a lookup or a plan found; Exact false means a superset whose members are re-checked on their payloads.
// The set may be an index's own bucket: readers never modify it.
internal readonly record struct ItemSet(HashSet<ItemEntry> Items, bool Exact);
