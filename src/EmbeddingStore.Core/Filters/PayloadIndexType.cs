// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Filters;

/// <summary>
/// Which values of a payload field an index keeps, and so which conditions it can answer without reading payloads.
/// A value of another JSON kind is never dropped from an answer: an index simply cannot answer conditions about it, and
/// the planner then evaluates those conditions on the payloads (see <see cref="PayloadIndexInfo"/>).
/// </summary>
public enum PayloadIndexType
{
    /// <summary>Strings (and string elements of arrays), by exact value: answers <c>match</c> and <c>any</c> with strings.</summary>
    Keyword,

    /// <summary>
    /// Integral numbers (and such elements of arrays): answers <c>match</c>, <c>any</c> and <c>range</c> with numbers.
    /// Items whose field also holds a fractional number are kept aside and re-checked on their payloads, so a range
    /// condition never loses them.
    /// </summary>
    Integer,

    /// <summary>Every number (and numeric elements of arrays): answers <c>match</c>, <c>any</c> and <c>range</c> with numbers.</summary>
    Float,

    /// <summary>Booleans (and boolean elements of arrays): answers <c>match</c> and <c>any</c> with booleans.</summary>
    Bool,

    /// <summary>
    /// Full text of strings (and string elements of arrays), split by <see cref="TextTokenizer"/>: an inverted index of
    /// terms with their frequencies and each item's length, so it answers <c>text</c> conditions exactly and gives the
    /// keyword search its BM25 statistics without reading payloads. It answers no <c>match</c> (an exact string is a
    /// <see cref="Keyword"/> index's job; a field holds one index).
    /// </summary>
    Text,
}
