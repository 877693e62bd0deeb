// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Net;
using EmbeddingStore.Contracts;
using EmbeddingStore.Server.Tests.TestSupport;
using EmbeddingStore.Tests.Shared;

namespace EmbeddingStore.Server.Tests.Endpoints;

// Aliases over real HTTP: created, used wherever a collection name is, switched, listed, refused when they would shadow
// a collection (or be shadowed), deleted, and still there after a restart on the same file.
public sealed class AliasEndpointsTests : IDisposable
{
    private readonly TempStoreDirectory _store = new("es-alias-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task PutAlias_SearchSwitchListDelete_EndToEnd()
    {
        using var factory = new ServerFactory(_store.Settings());
        HttpClient client = factory.CreateClient();
        await SeedAsync(client);

        var created = await Api.PutAsync(client, "/v1/aliases/live", """{"collection": "blue"}""", Ct);
        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal("blue", (string?)created.Body!["collection"]);
        Assert.Equal(["b1"], await SearchIdsAsync(client, "live"));
        Assert.Equal(1, (long)(await Api.PostAsync(client, "/v1/collections/live/items/count", "{}", Ct)).Body!["count"]!);
        Assert.Equal(HttpStatusCode.OK, (await Api.GetAsync(client, "/v1/collections/live/items/b1", Ct)).Status);

        var switched = await Api.PutAsync(client, "/v1/aliases/live", """{"collection": "green"}""", Ct);
        Assert.Equal(HttpStatusCode.OK, switched.Status);
        Assert.Equal(["g1"], await SearchIdsAsync(client, "live"));

        var list = await Api.GetAsync(client, "/v1/aliases", Ct);
        Assert.Equal([("live", "green")], list.Body!["aliases"]!.AsArray().Select(a => ((string?)a!["alias"], (string?)a["collection"])));
        Assert.Equal("green", (string?)(await Api.GetAsync(client, "/v1/aliases/live", Ct)).Body!["collection"]);

        var deleted = await Api.SendAsync(client, HttpMethod.Delete, "/v1/aliases/live", cancellationToken: Ct);
        Assert.Equal(HttpStatusCode.NoContent, deleted.Status);
        var gone = await Api.GetAsync(client, "/v1/aliases/live", Ct);
        Assert.Equal(HttpStatusCode.NotFound, gone.Status);
        Assert.Equal(ProblemTypes.AliasNotFound, (string?)gone.Body!["type"]);
        var searchGone = await Api.PostAsync(client, "/v1/collections/live/search", """{"vector": [1, 0]}""", Ct);
        Assert.Equal(ProblemTypes.CollectionNotFound, (string?)searchGone.Body!["type"]);
    }

    [Fact]
    public async Task PutAlias_ShadowingEitherWay_Refused409NameConflict()
    {
        using var factory = new ServerFactory(_store.Settings());
        HttpClient client = factory.CreateClient();
        await SeedAsync(client);
        await Api.PutAsync(client, "/v1/aliases/live", """{"collection": "blue"}""", Ct);

        var aliasOverCollection = await Api.PutAsync(client, "/v1/aliases/green", """{"collection": "blue"}""", Ct);
        var collectionOverAlias = await Api.PutAsync(client, "/v1/collections/live", """{"servingVersion": "text@v1"}""", Ct);
        var deleteThroughAlias = await Api.SendAsync(client, HttpMethod.Delete, "/v1/collections/live", cancellationToken: Ct);
        var missingTarget = await Api.PutAsync(client, "/v1/aliases/x", """{"collection": "nope"}""", Ct);
        var badName = await Api.PutAsync(client, "/v1/aliases/-x", """{"collection": "blue"}""", Ct);

        foreach (var refused in new[] { aliasOverCollection, collectionOverAlias, deleteThroughAlias })
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.Status);
            Assert.Equal("application/problem+json", refused.MediaType);
            Assert.Equal(ProblemTypes.NameConflict, (string?)refused.Body!["type"]);
        }

        Assert.Equal(ProblemTypes.CollectionNotFound, (string?)missingTarget.Body!["type"]);
        Assert.Equal(ProblemTypes.InvalidArgument, (string?)badName.Body!["type"]);
        Assert.Equal(["b1"], await SearchIdsAsync(client, "live"));
    }

    [Fact]
    public async Task PutAlias_Restart_AliasStillServes()
    {
        using (var factory = new ServerFactory(_store.Settings()))
        {
            HttpClient client = factory.CreateClient();
            await SeedAsync(client);
            await Api.PutAsync(client, "/v1/aliases/live", """{"collection": "green"}""", Ct);
        }

        using var reopened = new ServerFactory(_store.Settings());
        Assert.Equal(["g1"], await SearchIdsAsync(reopened.CreateClient(), "live"));
    }

    private static async Task SeedAsync(HttpClient client)
    {
        await Api.PutAsync(client, "/v1/models/text/versions/v1", """{"dimension": 2, "metric": "cosine"}""", Ct);
        await Api.PutAsync(client, "/v1/collections/blue", """{"servingVersion": "text@v1"}""", Ct);
        await Api.PutAsync(client, "/v1/collections/green", """{"servingVersion": "text@v1"}""", Ct);
        await Api.PostAsync(client, "/v1/collections/blue/items", """{"items": [{"id": "b1", "vectors": {"text@v1": [1, 0]}}]}""", Ct);
        await Api.PostAsync(client, "/v1/collections/green/items", """{"items": [{"id": "g1", "vectors": {"text@v1": [0, 1]}}]}""", Ct);
    }

    private static async Task<List<string?>> SearchIdsAsync(HttpClient client, string collection)
    {
        var response = await Api.PostAsync(client, $"/v1/collections/{collection}/search", """{"vector": [1, 0], "k": 5}""", Ct);
        Assert.Equal(HttpStatusCode.OK, response.Status);
        return [.. response.Body!["hits"]!.AsArray().Select(h => (string?)h!["id"])];
    }
}
