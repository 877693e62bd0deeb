// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Admin.Cli;

// What every command is built with: where it writes, what it reads, the options that several commands share, and how
// it reaches a server. Tests pass writers of their own and an HttpClient factory that points at an in-memory server.
internal sealed class AdminContext
{
    public required TextWriter Out { get; init; }

    public required TextWriter Error { get; init; }

    public TextReader In { get; init; } = TextReader.Null;

    // Null: a real HttpClient for the address. Otherwise the client to use for it (tests: the in-memory server).
    public Func<Uri, HttpClient>? HttpClientFactory { get; init; }

    public SharedOptions Shared { get; } = new();
}
