// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text;
using System.Text.Json;
using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Core.Versioning.Internal;

// Quality reports and fit provenance as JSON text for storage. Written by hand with Utf8JsonWriter so the format is
// explicit (field names are a storage contract) and needs no reflection.
internal static class LinkCodec
{
    public static string WriteQuality(BridgeQualityReport report)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("kind", BridgeKindNames.ToWireName(report.Kind));
            writer.WriteString("metric", ScoreMapping.ToWireName(report.Metric));
            writer.WriteNumber("fitPairs", report.FitPairs);
            writer.WriteNumber("holdoutPairs", report.HoldoutPairs);
            writer.WriteNumber("recallAt1", report.RecallAt1);
            writer.WriteNumber("recallAt10", report.RecallAt10);
            writer.WriteNumber("recallAt100", report.RecallAt100);
            WriteOptional(writer, "noMapRecallAt10", report.NoMapRecallAt10);
            writer.WriteNumber("meanCosine", report.MeanCosine);
            WriteOptional(writer, "identityMeanCosine", report.IdentityMeanCosine);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static BridgeQualityReport ReadQuality(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        JsonElement root = document.RootElement;
        if (!BridgeKindNames.TryParse(root.GetProperty("kind").GetString(), out BridgeKind kind)
            || !ScoreMapping.TryParseWireName(root.GetProperty("metric").GetString(), out DistanceMetric metric))
        {
            throw new InvalidDataException("A stored quality report names an unknown kind or metric.");
        }

        // Reports stored before the merge learnt its scale per query also hold "calibrationInputs"/"calibrationOutputs";
        // nothing reads them any more.
        return new BridgeQualityReport
        {
            Kind = kind,
            Metric = metric,
            FitPairs = root.GetProperty("fitPairs").GetInt32(),
            HoldoutPairs = root.GetProperty("holdoutPairs").GetInt32(),
            RecallAt1 = root.GetProperty("recallAt1").GetDouble(),
            RecallAt10 = root.GetProperty("recallAt10").GetDouble(),
            RecallAt100 = root.GetProperty("recallAt100").GetDouble(),
            NoMapRecallAt10 = ReadOptional(root, "noMapRecallAt10"),
            MeanCosine = root.GetProperty("meanCosine").GetDouble(),
            IdentityMeanCosine = ReadOptional(root, "identityMeanCosine"),
        };
    }

    public static string WriteFit(LinkFit fit)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("source", fit.Source);
            if (fit.Collection is not null)
            {
                writer.WriteString("collection", fit.Collection);
            }

            writer.WriteNumber("pairs", fit.Pairs);
            writer.WriteNumber("holdout", fit.Holdout);
            writer.WriteNumber("seed", fit.Seed);
            writer.WriteNumber("fitSeconds", fit.FitSeconds);
            writer.WriteStartArray("candidates");
            foreach (LinkCandidate candidate in fit.Candidates)
            {
                writer.WriteStartObject();
                writer.WriteString("kind", BridgeKindNames.ToWireName(candidate.Kind));
                writer.WriteNumber("recallAt10", candidate.RecallAt10);
                writer.WriteNumber("meanCosine", candidate.MeanCosine);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static LinkFit ReadFit(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        JsonElement root = document.RootElement;
        var candidates = new List<LinkCandidate>();
        foreach (JsonElement c in root.GetProperty("candidates").EnumerateArray())
        {
            if (BridgeKindNames.TryParse(c.GetProperty("kind").GetString(), out BridgeKind kind))
            {
                candidates.Add(new LinkCandidate(kind, c.GetProperty("recallAt10").GetDouble(), c.GetProperty("meanCosine").GetDouble()));
            }
        }

        return new LinkFit(
            root.GetProperty("source").GetString()!,
            root.TryGetProperty("collection", out JsonElement collection) ? collection.GetString() : null,
            root.GetProperty("pairs").GetInt32(),
            root.GetProperty("holdout").GetDouble(),
            root.GetProperty("seed").GetInt32(),
            root.GetProperty("fitSeconds").GetDouble(),
            candidates);
    }

    private static void WriteOptional(Utf8JsonWriter writer, string name, double? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
    }

    private static double? ReadOptional(JsonElement root, string name) =>
        root.TryGetProperty(name, out JsonElement e) && e.ValueKind == JsonValueKind.Number ? e.GetDouble() : null;
}
