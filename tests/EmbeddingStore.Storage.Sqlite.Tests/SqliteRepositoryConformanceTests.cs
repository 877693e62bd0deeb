// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Persistence;
using EmbeddingStore.Tests.Shared.Conformance;

namespace EmbeddingStore.Storage.Sqlite.Tests;

// The SQLite repository against the shared suite; "reopen" closes the file and opens it again, as a restart does.
public sealed class SqliteRepositoryConformanceTests : RepositoryConformanceTests
{
    private readonly TempDatabase _db = new();
    private readonly List<SqliteEmbeddingRepository> _open = [];

    protected override IEmbeddingRepository Create() => Open();

    protected override IEmbeddingRepository Reopen(IEmbeddingRepository repository)
    {
        ((SqliteEmbeddingRepository)repository).Dispose();
        return Open();
    }

    public override void Dispose()
    {
        foreach (SqliteEmbeddingRepository repository in _open)
        {
            repository.Dispose();
        }

        _db.Dispose();
        base.Dispose();
    }

    private SqliteEmbeddingRepository Open()
    {
        SqliteEmbeddingRepository repository = SqliteEmbeddingRepository.Open(_db.FilePath);
        _open.Add(repository);
        return repository;
    }
}
