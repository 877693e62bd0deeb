// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Persistence;
using EmbeddingStore.Tests.Shared.Conformance;

namespace EmbeddingStore.Core.Tests.TestSupport;

// The engine tests' repository must behave like the real one, or those tests prove nothing about the server.
public sealed class InMemoryRepositoryConformanceTests : RepositoryConformanceTests
{
    protected override IEmbeddingRepository Create() => new InMemoryRepository();

    protected override IEmbeddingRepository Reopen(IEmbeddingRepository repository) => repository;
}
