// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using EmbeddingStore.Contracts;
using EmbeddingStore.Core;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Filters;
using EmbeddingStore.Core.Indexes;
using EmbeddingStore.Core.Vectors;
using EmbeddingStore.Core.Versioning;
using EmbeddingStore.Server.Endpoints;
using EmbeddingStore.Server.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace EmbeddingStore.Server.OpenApi;

// What the contract types cannot say through their CLR shape:
// - members written only when not null ([JsonIgnore(WhenWritingNull)]) are optional, not required;
// - string members that take a fixed set of names get an enum read from the engine's one name table for that set (index
//   kinds from the engine's index registry);
// - numbers and lists get the minimum, maximum and default the server enforces, read from the configured limits;
// - the problem body documents every member the server writes (versions, traceId) and its type is one of ProblemTypes;
// - every vector (float[], read and written by VectorJsonConverter) is oneOf a number array or a base64 string.
internal sealed class WireSchemaTransformer(IOptions<LimitsOptions> limits, IEmbeddingService service) : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.JsonTypeInfo.Type == typeof(float[]))
        {
            DescribeVector(schema, context.JsonPropertyInfo);
        }
        else if (context.JsonTypeInfo.ElementType == typeof(float[]))
        {
            // Lists and maps of vectors: the exporter leaves their element schema empty, for the same reason.
            var element = new OpenApiSchema();
            DescribeVector(element, null);
            if (context.JsonTypeInfo.Kind == System.Text.Json.Serialization.Metadata.JsonTypeInfoKind.Dictionary)
            {
                schema.AdditionalProperties = element;
            }
            else
            {
                schema.Items = element;
            }
        }

        if (context.ParameterDescription is { Name: VectorEncodingNames.Parameter } && context.JsonPropertyInfo is null)
        {
            Names(schema, VectorEncodingNames.All);
            schema.Default = JsonValue.Create(VectorEncodingNames.Array);
        }
        else if (context.JsonPropertyInfo is { } property && property.DeclaringType is { } declaring)
        {
            ApplyPropertyRules(schema, declaring, property.Name, limits.Value, [.. service.Indexes.Kinds.Select(k => k.Name)]);
        }
        else if (context.ParameterDescription is { Name: "chunkSize" } && context.JsonPropertyInfo is null)
        {
            // The streamed bulk upsert's chunk: at most one ordinary batch.
            Range(schema, 1, limits.Value.MaxBatchItems, Math.Min(BulkUpsertEndpoints.DefaultChunkSize, limits.Value.MaxBatchItems));
        }
        else if (context.ParameterDescription is { Name: "limit" } && context.JsonPropertyInfo is null)
        {
            // The scroll page size (the only query parameter named limit).
            schema.Minimum = "1";
            schema.Maximum = Number(limits.Value.MaxScrollLimit);
        }
        else if (context.JsonPropertyInfo is null)
        {
            Type type = context.JsonTypeInfo.Type;
            if (type == typeof(ProblemDetails))
            {
                DescribeProblem(schema);
            }
            else
            {
                RemoveOptionalFromRequired(schema, type, context.JsonTypeInfo.Properties.Select(p => p.Name));
            }
        }

        return Task.CompletedTask;
    }

    private static void ApplyPropertyRules(OpenApiSchema schema, Type declaring, string name, LimitsOptions limits, IReadOnlyList<string> indexNames)
    {
        EngineLimits engine = limits.ToEngineLimits();
        switch ((declaring.Name, name))
        {
            case (nameof(SearchRequest), "k") or (nameof(BatchSearchRequest), "k"):
                Range(schema, 1, limits.MaxK, new SearchRequest().K);
                break;
            case (nameof(SearchRequest), "oversampling") or (nameof(BatchSearchRequest), "oversampling"):
                Range(schema, 1, engine.MaxOversampling, engine.DefaultOversampling);
                break;
            case (nameof(SearchRequest), "ef") or (nameof(BatchSearchRequest), "ef"):
                Range(schema, 1, engine.MaxEf, engine.DefaultEf);
                break;
            case (nameof(SearchRequest), "quantized") or (nameof(BatchSearchRequest), "quantized"):
                schema.Default = JsonValue.Create(false);
                break;
            case (nameof(SearchRequest), "withPayload") or (nameof(BatchSearchRequest), "withPayload"):
                schema.Default = JsonValue.Create(new SearchRequest().WithPayload);
                break;
            case (nameof(SearchRequest), "bridging"):
                Names(schema, BridgingModeNames.All);
                break;
            case (nameof(SearchRequest), "index") or (nameof(BatchSearchRequest), "index") or (nameof(CollectionRequest), "defaultIndex")
                or (nameof(CollectionResponse), "defaultIndex") or (nameof(SearchResponse), "index"):
                Names(schema, indexNames);
                break;
            case (nameof(SearchResponse), "plan") or (nameof(BatchSearchResultResponse), "plan"):
                Names(schema, SearchPlanNames.All);
                break;
            case (nameof(SegmentIndexResponse), "index"):
                Names(schema, indexNames);
                break;
            case (nameof(PayloadIndexRequest), "type") or (nameof(PayloadIndexResponse), "type"):
                Names(schema, PayloadIndexNames.TypeNames);
                break;
            case (nameof(PayloadIndexResponse), "state"):
                Names(schema, PayloadIndexNames.StateNames);
                break;
            case (nameof(SegmentIndexResponse), "state"):
                Names(schema, IndexStateNames.All);
                break;
            case (nameof(IndexSettingsBody), "m"):
                Range(schema, 2, engine.MaxHnswM, IndexSettings.HnswDefaults.M);
                break;
            case (nameof(IndexSettingsBody), "efConstruction"):
                Range(schema, 2, engine.MaxEfConstruction, IndexSettings.HnswDefaults.EfConstruction);
                break;
            case (nameof(IndexSettingsBody), "buildThreads"):
                Range(schema, 1, engine.MaxIndexBuildThreads, IndexSettings.HnswDefaults.BuildThreads);
                break;
            case (nameof(IndexSettingsBody), "keepPrunedConnections"):
                schema.Default = JsonValue.Create(IndexSettings.HnswDefaults.KeepPrunedConnections);
                break;
            case (nameof(BatchSearchRequest), "vectors"):
                schema.MinItems = 1;
                schema.MaxItems = limits.MaxBatchQueries;
                break;
            case (nameof(ModelVersionRequest), "dimension"):
                Range(schema, 1, limits.MaxDimension, null);
                break;
            case (nameof(ModelVersionRequest), "metric") or (nameof(ModelVersionResponse), "metric"):
                Names(schema, [.. ScoreMapping.WireNames]);
                break;
            case (nameof(LinkRequest), "kind"):
                Names(schema, [BridgeKindNames.Auto, .. Enum.GetValues<BridgeKind>().Select(BridgeKindNames.ToWireName)]);
                break;
            case (nameof(LinkResponse), "kind") or (nameof(LinkCandidateResponse), "kind"):
                Names(schema, [.. Enum.GetValues<BridgeKind>().Select(BridgeKindNames.ToWireName)]);
                break;
            case (nameof(Contracts.LinkFitRequest), "holdout"):
                schema.Minimum = Number(Core.Collections.LinkFitRequest.MinHoldout);
                schema.Maximum = Number(Core.Collections.LinkFitRequest.MaxHoldout);
                schema.Default = JsonValue.Create(new Contracts.LinkFitRequest().Holdout);
                break;
            case (nameof(Contracts.LinkFitRequest), "seed"):
                schema.Default = JsonValue.Create(new Contracts.LinkFitRequest().Seed);
                break;
            case (nameof(DeriveVectorsRequest), "direction"):
                Names(schema, ContractMapping.DirectionNames);
                break;
            case (nameof(UpsertItemsRequest), "items"):
                schema.MinItems = 1;
                schema.MaxItems = limits.MaxBatchItems;
                break;
            case (nameof(ItemRequest), "id"):
                schema.MinLength = 1;
                schema.MaxLength = limits.MaxIdLength;
                break;
            case (nameof(FieldConditionRequest), "any" or "except"):
                // List<JsonElement> has no item schema of its own; the engine accepts scalars only.
                schema.Items = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Number | JsonSchemaType.Boolean };
                break;
            case (nameof(ScrollRequest), "limit"):
                Range(schema, 1, limits.MaxScrollLimit, new ScrollRequest().Limit);
                break;
            case (nameof(DeleteItemsRequest), "ids"):
                schema.MinItems = 1;
                schema.MaxItems = engine.MaxDeleteIds;
                break;
            case (nameof(FilterRequest), "must" or "should" or "mustNot") or (nameof(FieldConditionRequest), "must" or "should" or "mustNot"):
                schema.MaxItems = limits.MaxFilterConditions;
                break;
        }
    }

    // A custom converter leaves the exporter with no shape to describe; say both forms exactly, plus null where the member
    // may be null.
    private static void DescribeVector(OpenApiSchema schema, System.Text.Json.Serialization.Metadata.JsonPropertyInfo? property)
    {
        bool nullable = property is not null && (property.IsGetNullable || property.IsSetNullable) && !property.IsRequired;
        schema.Type = null;
        schema.Items = null;
        schema.Format = null;
        schema.OneOf =
        [
            new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.Number, Format = "float" } },
            new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Format = "byte",
                Pattern = "^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$",
                Description = "Base64 (RFC 4648, padded) of the little-endian float32 values, as OpenAI's encoding_format=base64 returns.",
            },
        ];
        if (nullable)
        {
            schema.OneOf.Add(new OpenApiSchema { Type = JsonSchemaType.Null });
        }
    }

    private static void Range(OpenApiSchema schema, int minimum, int maximum, int? defaultValue)
    {
        schema.Minimum = Number(minimum);
        schema.Maximum = Number(maximum);
        if (defaultValue is { } value)
        {
            schema.Default = JsonValue.Create(value);
        }
    }

    // A fixed set of names; a member that may be null (meaning "the default") keeps null among its values.
    private static void Names(OpenApiSchema schema, IReadOnlyList<string> names)
    {
        schema.Enum = [.. names.Select(n => (JsonNode)JsonValue.Create(n))];
        if (schema.Type is { } type && type.HasFlag(JsonSchemaType.Null))
        {
            schema.Enum.Add(null!);
        }
    }

    private static string Number(double value) => value.ToString(CultureInfo.InvariantCulture);

    // Response members written only when not null may be absent, so they are not required.
    private static void RemoveOptionalFromRequired(OpenApiSchema schema, Type type, IEnumerable<string> jsonNames)
    {
        if (schema.Required is not { Count: > 0 } required)
        {
            return;
        }

        foreach (string jsonName in jsonNames)
        {
            PropertyInfo? clr = type.GetProperty(jsonName, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (clr?.GetCustomAttribute<JsonIgnoreAttribute>() is { Condition: JsonIgnoreCondition.WhenWritingNull or JsonIgnoreCondition.WhenWritingDefault })
            {
                required.Remove(jsonName);
            }
        }
    }

    // Every problem has a type (one of ProblemTypes), a title and a status; some carry versions, and all carry traceId.
    private static void DescribeProblem(OpenApiSchema schema)
    {
        schema.Description = "An RFC 9457 problem. Clients branch on type, never on status or text (schema/problems.md).";
        schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
        schema.Properties["type"] = new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            Description = "The stable problem type.",
            Enum = [.. ProblemTypeValues().Select(v => (JsonNode)JsonValue.Create(v))],
        };
        schema.Properties["title"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "A short summary of the problem type." };
        schema.Properties["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Description = "The HTTP status." };
        schema.Properties["versions"] = new OpenApiSchema
        {
            Type = JsonSchemaType.Array,
            Items = new OpenApiSchema { Type = JsonSchemaType.String },
            Description = "For /problems/incompatible-versions: the query's version first, then the versions the collection holds (model@version).",
        };
        schema.Properties[BulkUpsertProblemMembers.CommittedItems] = new OpenApiSchema
        {
            Type = JsonSchemaType.Integer,
            Format = "int64",
            Description = "For a streamed bulk upsert that failed: items committed before the failing chunk (a prefix of the stream).",
        };
        schema.Properties[BulkUpsertProblemMembers.CommittedChunks] = new OpenApiSchema
        {
            Type = JsonSchemaType.Integer,
            Format = "int32",
            Description = "For a streamed bulk upsert that failed: chunks committed before the failing one.",
        };
        schema.Properties[BulkUpsertProblemMembers.Line] = new OpenApiSchema
        {
            Type = JsonSchemaType.Integer,
            Format = "int64",
            Description = "For a streamed bulk upsert that failed: the 1-based line of the stream the problem is about.",
        };
        schema.Properties["traceId"] = new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            Description = "The W3C trace id of the request, to find it in the server log.",
        };
        schema.Required = new HashSet<string> { "type", "title", "status" };
    }

    // The one list of problem types is the constants of ProblemTypes.
    public static IEnumerable<string> ProblemTypeValues() =>
        typeof(ProblemTypes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!);
}
