// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Versioning;

namespace EmbeddingStore.Core.Persistence;

/// <summary>
/// One stored vector with its lineage. Lineage is recorded from the first write so that a vector derived by a fitted
/// map can always be told apart from one the model produced.
/// </summary>
/// <param name="Version">The version whose space the vector lives in.</param>
/// <param name="Values">The components, already normalised for cosine versions.</param>
/// <param name="Origin">How the vector came to be.</param>
/// <param name="LinkId">The link that derived it, when <paramref name="Origin"/> is <see cref="VectorOrigin.Derived"/>.</param>
public sealed record StoredVector(ModelVersionId Version, float[] Values, VectorOrigin Origin = VectorOrigin.Native, string? LinkId = null);
