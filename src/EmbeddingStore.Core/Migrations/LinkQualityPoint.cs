// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Migrations;

/// <summary>
/// One entry of a migration's link history: each refit on a larger set of re-embedded pairs adds one, so an operator
/// sees whether the bridge improved as the native fraction grew.
/// </summary>
/// <param name="At">When the link was adopted by the migration.</param>
/// <param name="LinkId">The link.</param>
/// <param name="Pairs">How many pairs it was fitted on (null for a declared identity).</param>
/// <param name="RecallAt10">Its held-out recall@10 (null for a declared identity).</param>
/// <param name="NativeFraction">The fraction of items holding a native new-version vector at that moment.</param>
public sealed record LinkQualityPoint(DateTimeOffset At, string LinkId, int? Pairs, double? RecallAt10, double NativeFraction);
