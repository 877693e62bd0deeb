// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text.Json;
using EmbeddingStore.Core.Indexes;

namespace EmbeddingStore.Storage.Sqlite.Internal;

// collections.index_settings (migration 0008): a JSON object of the members a collection set, NULL for every default.
// Written by hand (optional integers and one optional boolean) so the stored names are fixed here, whatever the API's
// serializer does.
internal static class IndexSettingsJson
{
    public static string? Write(IndexSettings? settings)
    {
        if (settings is null || settings == IndexSettings.Default)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            WriteMember(writer, "m", settings.M);
            WriteMember(writer, "efConstruction", settings.EfConstruction);
            WriteMember(writer, "buildThreads", settings.BuildThreads);
            if (settings.KeepPrunedConnections is { } keep)
            {
                writer.WriteBoolean("keepPrunedConnections", keep);
            }

            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    // A value this code did not write (not an object, or a member of the wrong type) is refused rather than guessed at:
    // the engine would otherwise build with settings nobody chose.
    public static IndexSettings? Read(string? json)
    {
        if (json is null)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            JsonElement root = document.RootElement;
            return root.ValueKind != JsonValueKind.Object
                ? throw new InvalidDataException($"collections.index_settings is not a JSON object: {json}")
                : new IndexSettings(Member(root, "m"), Member(root, "efConstruction"), Member(root, "buildThreads"), Flag(root, "keepPrunedConnections"));
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"collections.index_settings is not JSON: {json}", ex);
        }

        int? Member(JsonElement root, string name) =>
            !root.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null ? null
            : value.TryGetInt32(out int number) ? number
            : throw new InvalidDataException($"collections.index_settings.{name} is not an integer: {json}");

        bool? Flag(JsonElement root, string name) =>
            !root.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null ? null
            : value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean()
            : throw new InvalidDataException($"collections.index_settings.{name} is not a boolean: {json}");
    }

    private static void WriteMember(Utf8JsonWriter writer, string name, int? value)
    {
        if (value is { } number)
        {
            writer.WriteNumber(name, number);
        }
    }
}
