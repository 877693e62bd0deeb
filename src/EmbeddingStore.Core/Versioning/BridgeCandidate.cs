// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Versioning;

/// <summary>
/// One bridge tried by <see cref="BridgeSelector"/> with its holdout report, kept so an operator can see what the chosen
/// bridge beat and by how much, not only the winner.
/// </summary>
/// <param name="Kind">The kind that was fitted.</param>
/// <param name="Bridge">The bridge fitted on the fitting part of the pairs.</param>
/// <param name="Report">Its quality on the held-out part.</param>
public sealed record BridgeCandidate(BridgeKind Kind, VectorBridge Bridge, BridgeQualityReport Report);
