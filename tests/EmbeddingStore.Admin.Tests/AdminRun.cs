// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

extern alias admin;

using admin::EmbeddingStore.Admin;
using admin::EmbeddingStore.Admin.Cli;
using EmbeddingStore.Client;
using EmbeddingStore.Contracts;
using EmbeddingStore.Tests.Shared;

namespace EmbeddingStore.Admin.Tests;

// esadmin run as an operator runs it: arguments in, exit code, stdout and stderr out; against the real server in memory
// (a ServerFactory) or, with no factory, over real HTTP to whatever --server names. The ESADMIN_* variables are the
// test's own (none unless given), never the machine's.
internal static class AdminRun
{
    public static async Task<(int Code, string Output, string Errors)> RunAsync(
        string[] args, ServerFactory? factory = null, bool terminal = false, CancellationToken cancellationToken = default,
        IReadOnlyDictionary<string, string>? variables = null, string stdin = "")
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var context = new AdminContext
        {
            Out = stdout,
            Error = stderr,
            In = new StringReader(stdin),
            Terminal = terminal,
            HttpClientFactory = factory is null ? null : _ => factory.CreateClient(),
            Variables = name => variables?.GetValueOrDefault(name),
        };
        int code = await AdminCommands.RunAsync(args, context, cancellationToken);
        return (code, stdout.ToString(), stderr.ToString());
    }

    // Two 8-d versions m@a and m@b, collection "docs" serving m@a with `items` items that hold both (m@b is m@a reversed
    // plus seeded noise, so a fitted link is good but not perfect), and the alias "live" naming it.
    public static async Task SeedAsync(ServerFactory factory, int items, CancellationToken cancellationToken)
    {
        using var client = new EmbeddingStoreClient(factory.CreateClient());
        await client.RegisterModelVersionAsync("m", "a", new ModelVersionRequest { Dimension = 8, Metric = "cosine" }, cancellationToken);
        await client.RegisterModelVersionAsync("m", "b", new ModelVersionRequest { Dimension = 8, Metric = "cosine" }, cancellationToken);
        await client.PutCollectionAsync("docs", new CollectionRequest { ServingVersion = "m@a" }, cancellationToken);
        var random = new Random(7);
        var batch = new List<ItemRequest>();
        for (int i = 0; i < items; i++)
        {
            float[] a = [.. Enumerable.Range(0, 8).Select(_ => (float)((random.NextDouble() * 2) - 1))];
            float[] b = [.. a.Reverse().Select(x => x + (float)((random.NextDouble() - 0.5) * 0.2))];
            batch.Add(new ItemRequest { Id = $"item-{i:D4}", Vectors = new() { ["m@a"] = a, ["m@b"] = b } });
            if (batch.Count == 50 || i == items - 1)
            {
                await client.UpsertItemsAsync("docs", new UpsertItemsRequest { Items = [.. batch] }, cancellationToken);
                batch.Clear();
            }
        }

        await client.PutAliasAsync("live", "docs", cancellationToken);
    }
}
