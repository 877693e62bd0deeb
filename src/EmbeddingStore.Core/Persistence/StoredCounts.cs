// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Persistence;

/// <summary>What the store holds for one collection, as a verification compares it with memory.</summary>
/// <param name="Items">Items stored.</param>
/// <param name="Vectors">Vectors stored per version (<c>model@version</c>).</param>
/// <param name="DerivedVectors">Vectors whose lineage says they were derived through a link.</param>
/// <param name="DerivedWithoutLink">Derived vectors whose link no longer exists (or was never named): a lineage fault.</param>
/// <param name="BadLengths">Vectors whose stored length does not match their version's dimension: corruption.</param>
public sealed record StoredCounts(long Items, IReadOnlyDictionary<string, long> Vectors, long DerivedVectors, long DerivedWithoutLink, long BadLengths);
