// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Migrations;

/// <summary>
/// In which order a re-embedding hands out its pending items; the wire names are in <see cref="PendingOrderNames"/>.
/// The order is a choice, not an accident: the first few hundred re-embedded items are what the next bridge is fitted on.
/// </summary>
public enum PendingOrder
{
    /// <summary>
    /// Round-robin over k-means clusters of the old vectors, so every region of the corpus is represented early and a
    /// bridge refitted on the first items generalises to the whole collection.
    /// </summary>
    Stratified,

    /// <summary>A seeded shuffle: the baseline the stratified order is measured against.</summary>
    Random,

    /// <summary>Item id order: predictable, and what a hand-written script would do.</summary>
    Id,
}
