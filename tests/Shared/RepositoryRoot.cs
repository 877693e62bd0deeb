// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Tests.Shared;

internal static class RepositoryRoot
{
    // The folder holding EmbeddingStore.sln, found by walking up from the test binaries.
    public static string Path { get; } = Find();

    // Debug or Release: the configuration these tests were built in (bin/<Configuration>/net10.0/).
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(System.IO.Path.DirectorySeparatorChar)).Parent!.Name;

    private static string Find()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "EmbeddingStore.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No EmbeddingStore.sln above {AppContext.BaseDirectory}.");
    }
}
