// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using EmbeddingStore.Server.Tests.TestSupport;
using EmbeddingStore.Tests.Shared;

namespace EmbeddingStore.Server.Tests.Endpoints;

public sealed class LinkEndpointTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Links_DeclareFitSearchDelete_OverHttp()
    {
        using var factory = new ServerFactory();
        HttpClient client = factory.CreateClient();
        await Api.PutAsync(client, "/v1/models/text/versions/v1", """{"dimension": 4, "metric": "cosine"}""", Ct);
        await Api.PutAsync(client, "/v1/models/text/versions/v2", """{"dimension": 4, "metric": "cosine"}""", Ct);
        await Api.PutAsync(client, "/v1/models/face/versions/v1", """{"dimension": 4, "metric": "dot"}""", Ct);
        await Api.PutAsync(client, "/v1/models/face/versions/v2", """{"dimension": 4, "metric": "dot"}""", Ct);
        await Api.PutAsync(client, "/v1/collections/docs", """{"servingVersion": "text@v1"}""", Ct);
        await Api.PostAsync(client, "/v1/collections/docs/items", """{"items": [{"id": "a", "vectors": {"text@v1": [1, 0, 0, 0]}}, {"id": "b", "vectors": {"text@v1": [0, 1, 0, 0]}}]}""", Ct);

        // Declared harmonic.
        var identity = await Api.PostAsync(client, "/v1/links", """{"from": "face@v2", "to": "face@v1", "kind": "identity"}""", Ct);
        Assert.Equal(HttpStatusCode.Created, identity.Status);
        Assert.Equal("identity", identity.Body!["kind"]!.GetValue<string>());
        Assert.Null(identity.Body!["quality"]);

        // Fitted from uploaded pairs: v2 = a fixed permutation and sign flip of v1, which Procrustes recovers.
        var random = new Random(5);
        var from = new StringBuilder();
        var to = new StringBuilder();
        for (int i = 0; i < 200; i++)
        {
            double[] v = [.. Enumerable.Range(0, 4).Select(_ => random.NextDouble() - 0.5)];
            from.Append(CultureInfo.InvariantCulture, $"{(i == 0 ? string.Empty : ",")}[{v[1]},{-v[0]},{v[3]},{v[2]}]");
            to.Append(CultureInfo.InvariantCulture, $"{(i == 0 ? string.Empty : ",")}[{v[0]},{v[1]},{v[2]},{v[3]}]");
        }

        var fitted = await Api.PostAsync(client, "/v1/links", "{\"from\": \"text@v2\", \"to\": \"text@v1\", \"kind\": \"procrustes\", \"pairs\": {\"from\": [" + from + "], \"to\": [" + to + "]}, \"fit\": {\"holdout\": 0.25, \"seed\": 2}}", Ct);
        Assert.Equal(HttpStatusCode.Created, fitted.Status);
        string id = fitted.Body!["id"]!.GetValue<string>();
        Assert.Equal("procrustes", fitted.Body!["kind"]!.GetValue<string>());
        Assert.True(fitted.Body!["reversible"]!.GetValue<bool>());
        Assert.Equal(200, fitted.Body!["pairs"]!.GetValue<int>());
        Assert.Equal(50, fitted.Body!["quality"]!["holdoutPairs"]!.GetValue<int>());
        Assert.True(fitted.Body!["quality"]!["meanCosine"]!.GetValue<double>() > 0.99);
        Assert.Equal("pairs", fitted.Body!["fit"]!["source"]!.GetValue<string>());

        // A v2 query reaches the v1 vectors through the link and says so.
        var search = await Api.PostAsync(client, "/v1/collections/docs/search", """{"vector": [0, -1, 0, 0], "version": "text@v2", "k": 1}""", Ct);
        Assert.Equal(HttpStatusCode.OK, search.Status);
        JsonNode hit = search.Body!["hits"]![0]!;
        Assert.Equal("a", hit["id"]!.GetValue<string>());
        Assert.Equal("text@v1", hit["version"]!.GetValue<string>());
        Assert.Equal(id, hit["via"]!.GetValue<string>());
        Assert.True(hit["score"]!.GetValue<double>() > 0.99);

        var none = await Api.PostAsync(client, "/v1/collections/docs/search", """{"vector": [0, -1, 0, 0], "version": "text@v2", "bridging": "none"}""", Ct);
        Assert.Equal(HttpStatusCode.Conflict, none.Status);

        Assert.Equal(2, (await Api.GetAsync(client, "/v1/links", Ct)).Body!["links"]!.AsArray().Count);
        Assert.Equal(id, (await Api.GetAsync(client, "/v1/links/" + id, Ct)).Body!["id"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NoContent, (await Api.SendAsync(client, HttpMethod.Delete, "/v1/links/" + id, cancellationToken: Ct)).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await Api.PostAsync(client, "/v1/collections/docs/search", """{"vector": [0, -1, 0, 0], "version": "text@v2"}""", Ct)).Status);
    }
}
