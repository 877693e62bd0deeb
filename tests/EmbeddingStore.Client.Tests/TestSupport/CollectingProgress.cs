// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Client.Tests.TestSupport;

// Progress<T> posts to the thread pool, so reports could arrive after the call returns; this one records synchronously.
public sealed class CollectingProgress<T> : IProgress<T>
{
    public List<T> Reports { get; } = [];

    public void Report(T value)
    {
        lock (Reports)
        {
            Reports.Add(value);
        }
    }
}
