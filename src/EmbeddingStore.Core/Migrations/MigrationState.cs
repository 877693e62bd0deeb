// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Migrations;

/// <summary>
/// Where a migration is in its life; the wire names are in <see cref="MigrationStateNames"/>. A transform's running,
/// paused, completed, failed and cancelled states follow its job; cut-over and rolled-back are the migration's own.
/// </summary>
public enum MigrationState
{
    /// <summary>Recorded with its plan (what it would do, whether its gates pass) but not started.</summary>
    Planned,

    /// <summary>Working: a transform's job is running, or a re-embedding is waiting for vectors.</summary>
    Running,

    /// <summary>Held on request; resuming continues from the stored cursor.</summary>
    Paused,

    /// <summary>Every item has what the strategy promised (a derived or native new-version vector); not yet serving.</summary>
    Completed,

    /// <summary>Stopped by an error, named in the migration; what was written stays.</summary>
    Failed,

    /// <summary>Stopped on request; what was written stays, and the collection serves the old version.</summary>
    Cancelled,

    /// <summary>The collection serves the new version; the old vectors are kept, so a rollback is one switch.</summary>
    CutOver,

    /// <summary>Switched back to the old version after a cut-over; a second cut-over is allowed.</summary>
    RolledBack,
}
