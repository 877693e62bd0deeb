// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Net;
using System.Text.Json.Nodes;
using EmbeddingStore.Contracts;
using EmbeddingStore.Server.Tests.TestSupport;
using EmbeddingStore.Tests.Shared;

namespace EmbeddingStore.Server.Tests.Endpoints;

public sealed class JobEndpointsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DeriveVectors_Accepted_JobRunsInTheBackgroundToCompletion()
    {
        using var factory = new ServerFactory();
        HttpClient client = factory.CreateClient();
        await Api.PutAsync(client, "/v1/models/text/versions/v1", """{"dimension": 3, "metric": "cosine"}""", Ct);
        await Api.PutAsync(client, "/v1/models/text/versions/v2", """{"dimension": 3, "metric": "cosine"}""", Ct);
        await Api.PutAsync(client, "/v1/collections/docs", """{"servingVersion": "text@v1"}""", Ct);
        var random = new Random(4);
        string items = string.Join(",", Enumerable.Range(0, 40).Select(i =>
        {
            string vector = Api.Vector([.. Enumerable.Range(0, 3).Select(_ => (float)random.NextDouble() + 0.01f)]);
            return $$$"""{"id": "i{{{i}}}", "vectors": {"text@v1": {{{vector}}}}}""";
        }));
        Assert.Equal(HttpStatusCode.OK, (await Api.PostAsync(client, "/v1/collections/docs/items", $$"""{"items": [{{items}}]}""", Ct)).Status);
        string link = (await Api.PostAsync(client, "/v1/links", """{"from": "text@v1", "to": "text@v2", "kind": "identity"}""", Ct)).Body!["id"]!.GetValue<string>();

        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/links/{link}/derive") { Content = new StringContent("""{"collection": "docs"}""", System.Text.Encoding.UTF8, "application/json") };
        using HttpResponseMessage accepted = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        JsonNode job = JsonNode.Parse(await accepted.Content.ReadAsStringAsync(Ct))!;
        string id = job["id"]!.GetValue<string>();
        Assert.Equal($"/v1/jobs/{id}", accepted.Headers.Location!.OriginalString);
        Assert.Equal("derive", job["kind"]!.GetValue<string>());
        Assert.Equal("docs", job["collection"]!.GetValue<string>());
        Assert.Equal(40, job["progress"]!["total"]!.GetValue<long>());

        // The runner works in the background; wait (bounded) for the job's final state.
        JsonNode done = await WaitForFinalStateAsync(client, id);
        Assert.Equal("completed", done["state"]!.GetValue<string>());
        Assert.Equal(40, done["counters"]!["derived"]!.GetValue<long>());
        Assert.Equal(done["progress"]!["total"]!.GetValue<long>(), done["progress"]!["done"]!.GetValue<long>());
        Assert.Equal($"derived:{link}", (await Api.GetAsync(client, "/v1/collections/docs/items/i7?withVectors=true", Ct)).Body!["lineage"]!["text@v2"]!.GetValue<string>());
        Assert.Contains((await Api.GetAsync(client, "/v1/jobs", Ct)).Body!["jobs"]!.AsArray(), j => j!["id"]!.GetValue<string>() == id);

        // A finished job cannot be cancelled; an unknown one is not found.
        var cancel = await Api.PostAsync(client, $"/v1/jobs/{id}/cancel", "{}", Ct);
        Assert.Equal(HttpStatusCode.Conflict, cancel.Status);
        Assert.Equal(ProblemTypes.JobStateConflict, cancel.Body!["type"]!.GetValue<string>());
        var missing = await Api.GetAsync(client, "/v1/jobs/job-missing", Ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.Equal(ProblemTypes.JobNotFound, missing.Body!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task DeriveVectors_UnknownCollection_Is404AndNoJob()
    {
        using var factory = new ServerFactory();
        HttpClient client = factory.CreateClient();
        await Api.PutAsync(client, "/v1/models/text/versions/v1", """{"dimension": 3, "metric": "cosine"}""", Ct);
        await Api.PutAsync(client, "/v1/models/text/versions/v2", """{"dimension": 3, "metric": "cosine"}""", Ct);
        string link = (await Api.PostAsync(client, "/v1/links", """{"from": "text@v1", "to": "text@v2", "kind": "identity"}""", Ct)).Body!["id"]!.GetValue<string>();

        var refused = await Api.PostAsync(client, $"/v1/links/{link}/derive", """{"collection": "nope"}""", Ct);
        Assert.Equal(HttpStatusCode.NotFound, refused.Status);
        Assert.Equal(ProblemTypes.CollectionNotFound, refused.Body!["type"]!.GetValue<string>());
        Assert.Empty((await Api.GetAsync(client, "/v1/jobs", Ct)).Body!["jobs"]!.AsArray());
    }

    private static async Task<JsonNode> WaitForFinalStateAsync(HttpClient client, string id)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(60));
        while (true)
        {
            JsonNode job = (await Api.GetAsync(client, $"/v1/jobs/{id}", deadline.Token)).Body!;
            if (job["state"]!.GetValue<string>() is "completed" or "failed" or "cancelled")
            {
                return job;
            }

            await Task.Delay(20, deadline.Token);
        }
    }
}
