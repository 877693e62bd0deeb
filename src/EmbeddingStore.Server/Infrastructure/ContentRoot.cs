// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Server.Infrastructure;

// ASP.NET Core's default content root is the working directory, so the built server started from any other folder
// silently ignored its appsettings.json (and listened on localhost:5000). The application's own folder is where
// appsettings.json is published; an explicit --contentRoot or ASPNETCORE_CONTENTROOT still wins. Relative paths in
// configuration (Storage:Path) keep resolving against the working directory, as documented.
internal static class ContentRoot
{
    public static string? Resolve(string[] args)
    {
        bool explicitRoot = args.Any(a => a.TrimStart('-', '/').StartsWith("contentRoot", StringComparison.OrdinalIgnoreCase))
            || Environment.GetEnvironmentVariable("ASPNETCORE_CONTENTROOT") is { Length: > 0 }
            || Environment.GetEnvironmentVariable("DOTNET_CONTENTROOT") is { Length: > 0 };
        return explicitRoot ? null : AppContext.BaseDirectory;
    }
}
