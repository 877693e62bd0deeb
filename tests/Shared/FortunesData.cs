// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Tests.Shared;

// Where the real embeddings live: shared/data/fortunes beside the repository (as here and in CI), found by walking up
// from the test binaries; every test project that reads them links this file. Null when absent: the caller skips with
// the reason rather than passing.
internal static class FortunesData
{
    public const string MissingReason = "shared/data/fortunes not found above the test directory.";

    public static string? Find()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            string candidate = Path.Combine(directory.FullName, "shared", "data", "fortunes");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
