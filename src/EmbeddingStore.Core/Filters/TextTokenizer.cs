// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text;

namespace EmbeddingStore.Core.Filters;

/// <summary>
/// The one tokeniser of full-text fields, queries and <c>text</c> conditions: maximal runs of Unicode letters and digits
/// (every other character separates), each lower-cased with the invariant culture. One rule for all three is what makes
/// an indexed <c>text</c> condition answer exactly what the payload evaluator answers, on every machine.
/// </summary>
/// <remarks>
/// No stemming, no stop words and no accent folding: <c>café</c> and <c>cafe</c> are different terms, and
/// <c>don't</c> is the two terms <c>don</c> and <c>t</c>. Letters and digits are Unicode categories L* and Nd/Nl/No,
/// read as runes, so characters outside the basic plane are kept whole.
/// </remarks>
public static class TextTokenizer
{
    /// <summary>Every token of a text in order, repeats included (term frequencies are counted from them).</summary>
    public static List<string> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<string>();
        var current = new StringBuilder();
        foreach (Rune rune in text.EnumerateRunes())
        {
            if (Rune.IsLetterOrDigit(rune))
            {
                current.Append(Rune.ToLowerInvariant(rune).ToString());
            }
            else if (current.Length > 0)
            {
                tokens.Add(current.ToString());
                current.Clear();
            }
        }

        if (current.Length > 0)
        {
            tokens.Add(current.ToString());
        }

        return tokens;
    }

    /// <summary>The distinct tokens of a text, in first-seen order: what a query or a <c>text</c> condition asks for.</summary>
    public static string[] DistinctTokens(string text) => [.. Tokenize(text).Distinct(StringComparer.Ordinal)];
}
