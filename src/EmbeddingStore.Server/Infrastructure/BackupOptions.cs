// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Server.Infrastructure;

/// <summary>Where online backups may be written (<c>Backup:Directory</c>); unset, the backup route refuses.</summary>
public sealed class BackupOptions
{
    public const string SectionName = "Backup";

    /// <summary>
    /// The only directory <c>POST /v1/admin/backup</c> writes into: a request names a file inside it, never an arbitrary
    /// path, so an API key cannot make the server write anywhere else on disk.
    /// </summary>
    public string? Directory { get; set; }
}
