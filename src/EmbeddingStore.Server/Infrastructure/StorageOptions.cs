// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.ComponentModel.DataAnnotations;

namespace EmbeddingStore.Server.Infrastructure;

/// <summary>Where the database lives (<c>Storage:Path</c>, <c>Storage__Path</c>, or <c>--Storage:Path</c>).</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>The SQLite file; relative paths resolve against the working directory. Its folder is created if missing.</summary>
    [Required(AllowEmptyStrings = false)]
    public string Path { get; set; } = "./data/embeddingstore.db";

    /// <summary>
    /// Where built graph indexes are saved so a restart loads them instead of rebuilding (one file per collection,
    /// version and kind). Unset, it is the database path with <c>.indexes</c> appended; an empty string saves none.
    /// </summary>
    public string? IndexDirectory { get; set; }

    /// <summary>The index directory this configuration resolves to, or null when index files are off.</summary>
    public string? ResolvedIndexDirectory => IndexDirectory is null ? Path + ".indexes" : IndexDirectory.Length == 0 ? null : IndexDirectory;

    /// <summary>
    /// Optional cap on the database file's size in bytes. Beyond it writes are refused with 503 storage-unavailable,
    /// exactly as on a full disk, while reads keep working: a quota, and the way the full-disk path is tested.
    /// </summary>
    [Range(1L << 16, long.MaxValue)]
    public long? MaxSizeBytes { get; set; }
}
