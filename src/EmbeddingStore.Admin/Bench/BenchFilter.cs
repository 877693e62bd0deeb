// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text.Json;

namespace EmbeddingStore.Admin.Bench;

// The synthetic payload of `esadmin bench --selectivity`: exactly round(count × percent / 100) items (at least one) carry
// cat = "in", chosen by a seeded shuffle so they are neither a row range nor correlated with the vectors; the rest carry
// "out". The same seed gives the same items on every run and machine.
internal sealed record BenchFilter(double Percent, int Seed, bool Indexed)
{
    // The payload field, its matching value and the two payloads, for the in-process and the HTTP target alike.
    public const string Field = "cat";

    public static JsonElement Value { get; } = JsonDocument.Parse("\"in\"").RootElement.Clone();

    public static JsonElement InPayload { get; } = JsonDocument.Parse("{\"cat\":\"in\"}").RootElement.Clone();

    public static JsonElement OutPayload { get; } = JsonDocument.Parse("{\"cat\":\"out\"}").RootElement.Clone();

    public string Describe => string.Create(
        System.Globalization.CultureInfo.InvariantCulture,
        $"filter {Field} = \"in\" ({Percent} % of items, seed {Seed}{(Indexed ? ", keyword index" : ", no payload index")})");

    public bool[] Matching(int count)
    {
        int[] order = [.. Enumerable.Range(0, count)];
        new Random(Seed).Shuffle(order);
        int wanted = Math.Clamp((int)Math.Round(count * Percent / 100), 1, count);
        var matching = new bool[count];
        for (int rank = 0; rank < wanted; rank++)
        {
            matching[order[rank]] = true;
        }

        return matching;
    }
}
