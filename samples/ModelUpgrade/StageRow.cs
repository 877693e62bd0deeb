// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Samples.ModelUpgrade;

/// <summary>One stage of the upgrade with its recall@10 figures; null where a figure does not apply.</summary>
internal sealed record StageRow(string Stage, double Fraction, double OldOnly, double? NewOnly, double? NativePart, double? Both);
