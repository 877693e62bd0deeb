// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Server.Security;

// Authorization policy names, one per scope. Reads (GET, search, count) need read; item writes need write; changing
// model versions, collections and links needs admin, because those change what every client sees.
internal static class Scopes
{
    public const string Read = "read";
    public const string Write = "write";
    public const string Admin = "admin";
    public const string ClaimType = "scope";

    public static readonly string[] All = [Read, Write, Admin];

    // Scopes nest: admin includes write, write includes read (a client that may change items may also read them).
    public static IEnumerable<string> Expand(IEnumerable<string> granted)
    {
        var set = new HashSet<string>(granted, StringComparer.Ordinal);
        if (set.Contains(Admin))
        {
            set.Add(Write);
        }

        if (set.Contains(Write))
        {
            set.Add(Read);
        }

        return set.Where(All.Contains);
    }
}
