// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Contracts.Tests;

// The operations table is read by the server (endpoint names, the idempotency middleware) and by the client (retries),
// so its rows must be unambiguous. That every mapped endpoint has its row is checked in the server's tests.
public sealed class ApiOperationsTests
{
    [Fact]
    public void All_Names_AreUniqueAndFoundByTryGet()
    {
        Assert.Equal(ApiOperations.All.Count, ApiOperations.All.Select(o => o.Name).Distinct(StringComparer.Ordinal).Count());
        foreach (ApiOperation operation in ApiOperations.All)
        {
            Assert.True(ApiOperations.TryGet(operation.Name, out ApiOperation? found));
            Assert.Same(operation, found);
        }
    }

    [Fact]
    public void All_MethodAndRoute_AreUnique()
    {
        Assert.Equal(ApiOperations.All.Count, ApiOperations.All.Select(o => $"{o.Method} {o.Route}").Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void All_KindAgreesWithTheMethod()
    {
        // GETs only read; PUT and DELETE are idempotent by HTTP's definition; only a POST may be either a read or a write.
        foreach (ApiOperation operation in ApiOperations.All)
        {
            switch (operation.Method)
            {
                case "GET":
                    Assert.Equal(ApiOperationKind.Read, operation.Kind);
                    break;
                case "PUT" or "DELETE":
                    Assert.Equal(ApiOperationKind.IdempotentWrite, operation.Kind);
                    break;
                case "POST":
                    break;
                default:
                    Assert.Fail($"{operation.Name}: unexpected method {operation.Method}");
                    break;
            }
        }
    }

    [Theory]
    [InlineData("Search", false, true)]
    [InlineData("CountItems", false, true)]
    [InlineData("ScrollItemsFiltered", false, true)]
    [InlineData("UpsertItemsAsync", true, false)]
    [InlineData("DeleteItemsAsync", true, false)]
    [InlineData("CreateLinkAsync", true, false)]
    [InlineData("PutCollectionAsync", true, true)]
    [InlineData("DeleteLinkAsync", true, true)]
    [InlineData("GetItem", false, true)]
    public void TryGet_KnownOperation_SaysWhetherItWritesAndRepeatsSafely(string name, bool write, bool idempotent)
    {
        Assert.True(ApiOperations.TryGet(name, out ApiOperation? operation));
        Assert.Equal(write, operation.IsWrite);
        Assert.Equal(idempotent, operation.IsIdempotent);
    }

    [Fact]
    public void TryGet_UnknownOrDifferentlyCasedName_NotFound()
    {
        Assert.False(ApiOperations.TryGet("search", out _));
        Assert.False(ApiOperations.TryGet("Frobnicate", out _));
    }

    [Fact]
    public void Path_Parameters_FilledInOrderEscapedAndRelative()
    {
        Assert.Equal("v1/collections/docs/items/a%2Fb%20c", ApiOperations.GetItem.Path("docs", "a/b c"));
        Assert.Equal("v1/models/text/versions/v2", ApiOperations.RegisterModelVersion.Path("text", "v2"));
        Assert.Equal("health", ApiOperations.GetHealth.Path());
    }

    [Fact]
    public void Path_WrongNumberOfValuesOrEmptyValue_Refused()
    {
        Assert.Throws<ArgumentException>(() => ApiOperations.GetItem.Path("docs"));
        Assert.Throws<ArgumentException>(() => ApiOperations.ListCollections.Path("extra"));
        Assert.Throws<ArgumentException>(() => ApiOperations.GetCollection.Path(string.Empty));
    }
}
