// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Text;
using System.Text.Json;

namespace EmbeddingStore.Core.Collections;

// Rules for what a new item may carry, beyond the basic id checks that reads and deletes share. They apply to writes
// only, so an item stored before a rule existed can still be read, scrolled and deleted.
internal static class NewItemRules
{
    // Refuses ids that can never be addressed or that spoof logs and UIs:
    // - "." and ".." are resolved as dot segments before routing, so GET .../items/.. could never reach the item;
    // - format characters (Unicode category Cf: U+202E right-to-left override, U+200D zero-width joiner, U+FEFF byte
    //   order mark, ...) and the line and paragraph separators U+2028/U+2029 are invisible or reorder text.
    public static StoreError? CheckNewId(string id, FieldName field)
    {
        if (id is "." or "..")
        {
            return new StoreError(StoreErrorCode.InvalidArgument, $"{field} '{id}' is a dot segment, which a URL path cannot address.");
        }

        int position = 0;
        foreach (Rune rune in id.EnumerateRunes())
        {
            UnicodeCategory category = Rune.GetUnicodeCategory(rune);
            if (category is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
            {
                return new StoreError(
                    StoreErrorCode.InvalidArgument,
                    $"{field} contains the invisible or reordering character U+{rune.Value:X4} ({category}) at position {position}.");
            }

            position += rune.Utf16SequenceLength;
        }

        return null;
    }

    // The path of the first number in a payload that a double cannot hold (1e999), or null. Such numbers are valid JSON
    // but read back as infinity by JavaScript and Python clients, so they are refused like NaN.
    public static string? FindOutOfRangeNumber(JsonElement value, FieldName path) =>
        FindOutOfRange(value) is { } inner ? path.ToString() + inner : null;

    // The found number's path below `value` ("" for `value` itself), built only on the way back from a find.
    private static string? FindOutOfRange(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Number:
                return value.TryGetDouble(out double number) && double.IsFinite(number) ? null : string.Empty;
            case JsonValueKind.Object:
                foreach (JsonProperty property in value.EnumerateObject())
                {
                    if (FindOutOfRange(property.Value) is { } found)
                    {
                        return "." + property.Name + found;
                    }
                }

                return null;
            case JsonValueKind.Array:
                int index = 0;
                foreach (JsonElement element in value.EnumerateArray())
                {
                    if (FindOutOfRange(element) is { } found)
                    {
                        return string.Create(CultureInfo.InvariantCulture, $"[{index}]{found}");
                    }

                    index++;
                }

                return null;
            default:
                return null;
        }
    }
}
