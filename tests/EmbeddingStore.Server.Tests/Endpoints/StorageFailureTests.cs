// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Net;
using System.Text;
using EmbeddingStore.Contracts;
using EmbeddingStore.Server.Tests.TestSupport;
using EmbeddingStore.Tests.Shared;
using Microsoft.Data.Sqlite;

namespace EmbeddingStore.Server.Tests.Endpoints;

public sealed class StorageFailureTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Upsert_DatabaseFull_Refused503ReadsKeepWorkingNothingCorrupted()
    {
        // A 1 MiB cap makes SQLite answer SQLITE_FULL, the same error a full disk gives.
        using var factory = new ServerFactory(new Dictionary<string, string?> { ["Storage:MaxSizeBytes"] = "1048576" });
        HttpClient client = factory.CreateClient();
        await Api.PutAsync(client, "/v1/models/text/versions/v1", """{"dimension": 32, "metric": "dot"}""", Ct);
        await Api.PutAsync(client, "/v1/collections/docs", """{"servingVersion": "text@v1"}""", Ct);

        var random = new Random(8);
        int accepted = 0;
        (HttpStatusCode Status, System.Text.Json.Nodes.JsonNode? Body, string? MediaType) refused = default;
        for (int batch = 0; batch < 200; batch++)
        {
            var body = new StringBuilder("{\"items\": [");
            for (int i = 0; i < 50; i++)
            {
                string vector = string.Join(",", Enumerable.Range(0, 32).Select(_ => random.NextDouble().ToString("R", CultureInfo.InvariantCulture)));
                body.Append(CultureInfo.InvariantCulture, $"{(i == 0 ? string.Empty : ",")}{{\"id\": \"b{batch}-{i}\", \"vectors\": {{\"text@v1\": [{vector}]}}}}");
            }

            var response = await Api.PostAsync(client, "/v1/collections/docs/items", body.Append("]}").ToString(), Ct);
            if (response.Status != HttpStatusCode.OK)
            {
                refused = response;
                break;
            }

            accepted++;
        }

        Assert.True(accepted > 0, "the cap refused even the first batch");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.Status);
        Assert.Equal("application/problem+json", refused.MediaType);
        Assert.Equal(ProblemTypes.StorageUnavailable, refused.Body!["type"]!.GetValue<string>());

        // Reads keep working and show exactly the acknowledged batches.
        var collection = await Api.GetAsync(client, "/v1/collections/docs", Ct);
        Assert.Equal(accepted * 50, collection.Body!["itemCount"]!.GetValue<long>());
        var search = await Api.PostAsync(client, "/v1/collections/docs/search", "{\"vector\": [" + string.Join(",", Enumerable.Repeat("0.5", 32)) + "], \"k\": 5}", Ct);
        Assert.Equal(HttpStatusCode.OK, search.Status);

        using var connection = new SqliteConnection($"Data Source={factory.DatabasePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check;";
        Assert.Equal("ok", Convert.ToString(command.ExecuteScalar(), CultureInfo.InvariantCulture));
        command.CommandText = "SELECT count(*) FROM items;";
        Assert.Equal(accepted * 50L, Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture));
    }
}
