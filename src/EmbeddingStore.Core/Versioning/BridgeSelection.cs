// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Versioning;

/// <summary>
/// The outcome of automatic bridge selection: the chosen bridge, its report, and every candidate that was tried.
/// </summary>
/// <param name="Bridge">The chosen bridge, exactly as evaluated (fitted on the fitting part only, so its report is honest).</param>
/// <param name="Report">The chosen bridge's holdout report.</param>
/// <param name="Candidates">All candidates in the order they were tried, the chosen one included.</param>
public sealed record BridgeSelection(VectorBridge Bridge, BridgeQualityReport Report, IReadOnlyList<BridgeCandidate> Candidates);
