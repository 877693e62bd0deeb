// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;

namespace EmbeddingStore.Admin.Cli;

// Numbers and times as esadmin prints them: invariant culture (a German locale must not turn 0.25 into 0,25 in a
// tab-separated column), fixed decimals for the quality figures, UTC times.
internal static class Format
{
    public static string Count(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Fraction(double value) => value.ToString("0.0000", CultureInfo.InvariantCulture);

    public static string Fraction(double? value) => value is { } v ? Fraction(v) : "-";

    public static string Percent(double value) => (value * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %";

    public static string Seconds(double value) => value.ToString("0.###", CultureInfo.InvariantCulture) + " s";

    public static string Time(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Bytes(long value) => value switch
    {
        >= 1L << 30 => (value / (double)(1L << 30)).ToString("0.0", CultureInfo.InvariantCulture) + " GiB",
        >= 1L << 20 => (value / (double)(1L << 20)).ToString("0.0", CultureInfo.InvariantCulture) + " MiB",
        >= 1L << 10 => (value / (double)(1L << 10)).ToString("0.0", CultureInfo.InvariantCulture) + " KiB",
        _ => value.ToString(CultureInfo.InvariantCulture) + " B",
    };

    // "key: value" lines, the head of every `show` (both forms: they read the same on a terminal and in a file).
    public static async Task FieldsAsync(AdminContext context, params (string Key, string Value)[] fields)
    {
        foreach ((string key, string value) in fields)
        {
            await context.Out.WriteLineAsync($"{key}: {value}");
        }
    }

    // "text@v2" → ("text", "v2"); anything else is bad input (exit 2).
    public static (string Model, string Version) VersionName(string name)
    {
        int at = name.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || at == name.Length - 1 || name.IndexOf('@', at + 1) >= 0)
        {
            throw new CommandInputException($"'{name}' is not a model version name; write model@version (text@v1)");
        }

        return (name[..at], name[(at + 1)..]);
    }
}
