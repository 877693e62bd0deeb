// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text.Json;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Filters;
using static EmbeddingStore.Core.Tests.Filters.FilterReference;

namespace EmbeddingStore.Core.Tests.Filters;

public sealed class PayloadFilterTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Matches_RandomTreesOnRandomPayloads_AgreesWithReference(int seed)
    {
        var random = new Random(seed);
        var payloads = Enumerable.Range(0, 250).Select(_ => RandomPayload(random)).ToList();
        var json = payloads.Select(ToJson).ToList();
        int checkedCases = 0;
        int matched = 0;
        for (int f = 0; f < 200; f++)
        {
            PayloadFilter filter = RandomFilter(random);
            Assert.Null(filter.Validate());
            for (int p = 0; p < payloads.Count; p++)
            {
                bool expected = FilterReference.Matches(filter, payloads[p]);
                bool actual = filter.Matches(json[p]);
                Assert.True(expected == actual, $"seed {seed}, filter {f}, payload {p}: reference says {expected}; payload {json[p]?.GetRawText() ?? "none"}");
                checkedCases++;
                matched += actual ? 1 : 0;
            }
        }

        // The generators must produce both outcomes often, or agreement would prove little.
        Assert.Equal(50_000, checkedCases);
        Assert.InRange(matched, checkedCases / 10, checkedCases * 9 / 10);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public void Matches_EachOperatorAlone_AgreesWithReference(int seed)
    {
        var random = new Random(seed);
        var payloads = Enumerable.Range(0, 400).Select(_ => RandomPayload(random)).ToList();
        var json = payloads.Select(ToJson).ToList();
        for (int f = 0; f < 300; f++)
        {
            var filter = new PayloadFilter([RandomFieldCondition(random)]);
            Assert.Null(filter.Validate());
            for (int p = 0; p < payloads.Count; p++)
            {
                Assert.True(
                    FilterReference.Matches(filter, payloads[p]) == filter.Matches(json[p]),
                    $"seed {seed}, condition {f}, payload {json[p]?.GetRawText() ?? "none"}");
            }
        }
    }

    [Theory]
    [InlineData("""{"v": ["a", "b"]}""", true)]
    [InlineData("""{"v": ["b", "a"]}""", false)]
    [InlineData("""{"v": ["a", "b", "b"]}""", false)]
    [InlineData("""{"v": ["a"]}""", false)]
    [InlineData("""{"v": "a"}""", false)]
    [InlineData("""{"v": [["a", "b"]]}""", false)]
    [InlineData("""{}""", false)]
    public void Matches_ArrayMatch_IsWholeArrayEqualityInOrder(string payload, bool expected)
    {
        JsonElement item = Json(payload);
        Assert.Equal(expected, Check(new FilterCondition { Key = "v", Match = Json("""["a", "b"]""") }, item));

        // The element-wise test is any's: it holds for each payload above with a top-level "a".
        bool hasA = item.TryGetProperty("v", out JsonElement v)
            && (v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().Any(e => e.ValueKind == JsonValueKind.String && e.GetString() == "a") : v.GetString() == "a");
        Assert.Equal(hasA, Check(new FilterCondition { Key = "v", Any = [Json("\"a\"")] }, item));
    }

    [Fact]
    public void Matches_EmptyArrayMatch_HoldsOnlyForAPresentEmptyArray()
    {
        var condition = new FilterCondition { Key = "v", Match = Json("[]") };
        Assert.True(Check(condition, Json("""{"v": []}""")));
        Assert.False(Check(condition, Json("""{"v": null}""")));
        Assert.False(Check(condition, Json("{}")));
        Assert.False(Check(condition, Json("""{"v": [1]}""")));
        Assert.True(Check(new FilterCondition { Key = "v", Match = Json("[2, true]") }, Json("""{"v": [2.0, true]}""")));
    }

    [Theory]
    [InlineData("""{"v": null}""", true, true)]
    [InlineData("""{}""", false, true)]
    [InlineData("""{"v": []}""", false, true)]
    [InlineData("""{"v": [null]}""", false, false)]
    [InlineData("""{"v": ""}""", false, false)]
    [InlineData("""{"v": 0}""", false, false)]
    public void Matches_NullAndEmpty_FollowTheirDefinitions(string payload, bool isNull, bool isEmpty)
    {
        JsonElement item = Json(payload);
        Assert.Equal(isNull, Check(new FilterCondition { Key = "v", IsNull = true }, item));
        Assert.Equal(!isNull, Check(new FilterCondition { Key = "v", IsNull = false }, item));
        Assert.Equal(isEmpty, Check(new FilterCondition { Key = "v", IsEmpty = true }, item));
        Assert.Equal(!isEmpty, Check(new FilterCondition { Key = "v", IsEmpty = false }, item));
    }

    [Fact]
    public void Matches_MissingField_SatisfiesNoValueOperator()
    {
        JsonElement item = Json("""{"other": 1}""");
        Assert.False(Check(new FilterCondition { Key = "v", Match = Json("1") }, item));
        Assert.False(Check(new FilterCondition { Key = "v", Any = [Json("1")] }, item));
        Assert.False(Check(new FilterCondition { Key = "v", Except = [Json("1")] }, item));
        Assert.False(Check(new FilterCondition { Key = "v", Range = new FilterRange { Gte = Json("0") } }, item));

        // ...and so mustNot of any of them holds.
        Assert.True(new PayloadFilter(mustNot: [new FilterCondition { Key = "v", Except = [Json("1")] }]).Matches(item));
    }

    [Fact]
    public void Matches_ArrayField_MatchAnyRangeOnSomeElementExceptOnNone()
    {
        JsonElement item = Json("""{"tags": ["a", 5, true]}""");
        Assert.True(Check(new FilterCondition { Key = "tags", Match = Json("\"a\"") }, item));
        Assert.True(Check(new FilterCondition { Key = "tags", Any = [Json("\"q\""), Json("true")] }, item));
        Assert.True(Check(new FilterCondition { Key = "tags", Range = new FilterRange { Gt = Json("4"), Lt = Json("6") } }, item));
        Assert.False(Check(new FilterCondition { Key = "tags", Except = [Json("\"a\"")] }, item));
        Assert.True(Check(new FilterCondition { Key = "tags", Except = [Json("\"b\""), Json("6")] }, item));
        Assert.True(Check(new FilterCondition { Key = "tags", Except = [Json("\"b\"")] }, Json("""{"tags": []}""")));
    }

    [Fact]
    public void Matches_ValuesOfOtherKinds_AreNeverEqual()
    {
        Assert.False(Check(new FilterCondition { Key = "v", Match = Json("1") }, Json("""{"v": "1"}""")));
        Assert.False(Check(new FilterCondition { Key = "v", Match = Json("\"true\"") }, Json("""{"v": true}""")));
        Assert.False(Check(new FilterCondition { Key = "v", Range = new FilterRange { Gte = Json("0") } }, Json("""{"v": "5"}""")));
        Assert.True(Check(new FilterCondition { Key = "v", Match = Json("2.0") }, Json("""{"v": 2}""")));
        Assert.True(Check(new FilterCondition { Key = "v", Match = Json("\"Zürich\"") }, Json("""{"v": "Z\u00fcrich"}""")));
    }

    [Fact]
    public void Matches_NestedKey_ReadsObjectsOnly()
    {
        var condition = new FilterCondition { Key = "meta.src", Match = Json("\"x\"") };
        Assert.True(Check(condition, Json("""{"meta": {"src": "x"}}""")));
        Assert.False(Check(condition, Json("""{"meta": [{"src": "x"}]}""")));
        Assert.False(Check(condition, Json("""{"meta.src": "x"}""")));
        Assert.False(Check(condition, Json("""{"meta": "x"}""")));
    }

    [Fact]
    public void Matches_LongAnyList_HashedLookupFindsEscapedAndPlainStrings()
    {
        var values = Enumerable.Range(0, 50).Select(i => Json($"\"id{i}\"")).Append(Json("\"é\"")).Append(Json("7")).ToList();
        var condition = new FilterCondition { Key = "v", Any = values };
        Assert.True(Check(condition, Json("""{"v": "id49"}""")));
        Assert.True(Check(condition, Json("""{"v": "\u00e9"}""")));
        Assert.True(Check(condition, Json("""{"v": ["zzz", "\u0069d3"]}""")));
        Assert.True(Check(condition, Json("""{"v": 7.0}""")));
        Assert.False(Check(condition, Json("""{"v": "id50"}""")));
    }

    [Fact]
    public void Matches_Clauses_ShouldNeedsOneMustNotNone()
    {
        JsonElement item = Json("""{"a": 1, "b": 2}""");
        FilterCondition a1 = new() { Key = "a", Match = Json("1") };
        FilterCondition b3 = new() { Key = "b", Match = Json("3") };
        Assert.True(new PayloadFilter(should: [a1, b3]).Matches(item));
        Assert.False(new PayloadFilter(should: [b3]).Matches(item));
        Assert.False(new PayloadFilter(should: []).Matches(item));
        Assert.False(new PayloadFilter(mustNot: [b3, a1]).Matches(item));
        Assert.True(new PayloadFilter(must: [new FilterCondition { MustNot = [b3] }]).Matches(item));
        Assert.True(new PayloadFilter().Matches(null));
        Assert.False(new PayloadFilter([a1]).Matches(null));
    }

    [Theory]
    [InlineData("range-string", "filter.must[2].range.gte must be a number, not a string.")]
    [InlineData("range-empty", "filter.must[0].range needs at least one of gt, gte, lt, lte.")]
    [InlineData("two-operators", "filter.should[0] has both match and any")]
    [InlineData("no-operator", "filter.must[0] has a key but no operator")]
    [InlineData("no-key", "filter.must[0].key must be a non-empty field name.")]
    [InlineData("empty-segment", "filter.must[0].key 'a..b' has an empty segment")]
    [InlineData("object-match", "filter.mustNot[0].match must be a string, number or boolean, not an object.")]
    [InlineData("null-in-any", "filter.must[0].any[1] must be a string, number or boolean, not null.")]
    [InlineData("nested", "filter.must[0].should[1].except[0] must be a string, number or boolean, not an array.")]
    [InlineData("array-of-objects-match", "filter.must[0].match[1] must be a string, number or boolean, not an object.")]
    [InlineData("mixed", "filter.must[0] mixes a field condition with a nested must, should or mustNot")]
    [InlineData("empty", "filter.must[0] is empty")]
    [InlineData("null", "filter.must[1] is null")]
    public void Validate_BadCondition_NamesItsPath(string name, string message)
    {
        FilterCondition ok = new() { Key = "a", Match = Json("1") };
        PayloadFilter filter = name switch
        {
            "range-string" => new([ok, ok, new FilterCondition { Key = "n", Range = new FilterRange { Gte = Json("\"1\"") } }]),
            "range-empty" => new([new FilterCondition { Key = "n", Range = new FilterRange() }]),
            "two-operators" => new(should: [new FilterCondition { Key = "n", Match = Json("1"), Any = [] }]),
            "no-operator" => new([new FilterCondition { Key = "n" }]),
            "no-key" => new([new FilterCondition { Match = Json("1") }]),
            "empty-segment" => new([new FilterCondition { Key = "a..b", Match = Json("1") }]),
            "object-match" => new(mustNot: [new FilterCondition { Key = "n", Match = Json("{}") }]),
            "null-in-any" => new([new FilterCondition { Key = "n", Any = [Json("1"), Json("null")] }]),
            "nested" => new([new FilterCondition { Should = [ok, new FilterCondition { Key = "n", Except = [Json("[1]")] }] }]),
            "array-of-objects-match" => new([new FilterCondition { Key = "n", Match = Json("[1, {}]") }]),
            "mixed" => new([new FilterCondition { Key = "n", Match = Json("1"), Must = [ok] }]),
            "empty" => new([new FilterCondition()]),
            _ => new([ok, null!]),
        };

        StoreError? error = filter.Validate();
        Assert.NotNull(error);
        Assert.Equal(StoreErrorCode.InvalidArgument, error.Code);
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => filter.Matches(Json("{}")));
    }

    private static bool Check(FilterCondition condition, JsonElement payload)
    {
        var filter = new PayloadFilter([condition]);
        Assert.Null(filter.Validate());
        return filter.Matches(payload);
    }
}
