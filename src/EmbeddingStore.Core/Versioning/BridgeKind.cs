// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Versioning;

/// <summary>
/// The family of a fitted bridge between two embedding spaces. The numeric values are persisted in serialised bridges
/// (<see cref="VectorBridge.Serialize"/>), so they must never be renumbered; add new kinds at the end.
/// </summary>
public enum BridgeKind
{
    /// <summary>
    /// No map: source vectors are compared with target vectors as they are. Only meaningful for versions declared
    /// harmonic (trained to be compatible); between independent models it is the floor every fitted bridge must beat.
    /// </summary>
    Identity = 0,

    /// <summary>
    /// Centred orthogonal Procrustes: a rotation (semi-orthogonal when dimensions differ) between mean-centred spaces.
    /// Preserves every distance and angle of the source, so it cannot overfit and is exactly invertible.
    /// </summary>
    Procrustes = 1,

    /// <summary>Procrustes with one global scale factor, for spaces whose spread differs but whose geometry agrees.</summary>
    ScaledProcrustes = 2,

    /// <summary>
    /// Ridge-regularised affine least squares. Can reshape the space (stretch, shear) where the two models disagree,
    /// with the penalty chosen on a validation split so it does not memorise the fitting pairs.
    /// </summary>
    Ridge = 3,

    /// <summary>
    /// Reduced-rank affine regression: the ridge map restricted to the top principal directions of its own fitted
    /// values. Fewer parameters and a cheaper apply, at some loss when the target space is genuinely high-rank.
    /// </summary>
    LowRankAffine = 4,

    /// <summary>
    /// A ridge map plus a non-linear correction on random Fourier features (an approximate Gaussian-kernel ridge
    /// regression). Captures curvature a linear map cannot, at a higher apply cost.
    /// </summary>
    RandomFourierRidge = 5,
}
