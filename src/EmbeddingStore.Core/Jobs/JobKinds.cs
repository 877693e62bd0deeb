// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Jobs;

/// <summary>The stable names of job kinds; each names exactly one <see cref="IJobHandler"/>.</summary>
public static class JobKinds
{
    /// <summary>Stores vectors derived through a link for a collection's items that lack the target version.</summary>
    public const string Derive = "derive";

    /// <summary>Indexes a collection's existing items into a newly declared payload index, then marks it ready.</summary>
    public const string PayloadIndex = "payload-index";

    /// <summary>Builds one segment's graph index in the background, so searches never wait for it (they scan exactly meanwhile).</summary>
    public const string IndexBuild = "index-build";

    /// <summary>Compacts a collection's segments once deletes pass the threshold, repairing graph links around the deleted nodes first.</summary>
    public const string Compact = "compact";
}
