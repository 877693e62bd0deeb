// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;

namespace EmbeddingStore.Core.Collections;

// The name of a request field in an error message, formatted only when a message is written. A batch upsert checks
// every item's id, payload and vectors, and formatting "items[i].id" and the rest for each of them, names only a refusal
// ever shows, was allocation on every accepted item (with the version key below: 2,772 -> 2,278 bytes per upserted
// item, docs/bench/issue-13.md step 7). A plain string converts to one.
internal readonly struct FieldName
{
    private readonly string _prefix;
    private readonly int _index;
    private readonly string? _suffix;
    private readonly string? _id;

    private FieldName(string prefix, int index, string? suffix, string? id)
    {
        _prefix = prefix;
        _index = index;
        _suffix = suffix;
        _id = id;
    }

    public static implicit operator FieldName(string name) => new(name, -1, null, null);

    // "prefix[index]suffix", followed by " (id 'x')" when the item's id is given.
    public static FieldName Indexed(string prefix, int index, string? suffix = null, string? id = null) => new(prefix, index, suffix, id);

    public override string ToString()
    {
        if (_index < 0)
        {
            return _prefix ?? string.Empty;
        }

        string name = string.Create(CultureInfo.InvariantCulture, $"{_prefix}[{_index}]{_suffix}");
        return _id is null ? name : $"{name} (id '{_id}')";
    }
}
