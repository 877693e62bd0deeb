// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Persistence;
using EmbeddingStore.Core.Vectors;
using EmbeddingStore.Core.Versioning;

namespace EmbeddingStore.Core.Collections;

// The checks every id and vector passes before it is stored or searched with, and the form vectors are stored in.
// One place, so a stored vector, a query vector, a fit pair and a derived vector are held to the same rules.
internal static class VectorValidation
{
    public static StoreError Invalid(string message) => new(StoreErrorCode.InvalidArgument, message);

    public static StoreError? ValidateId(string? id, FieldName field, EngineLimits limits)
    {
        if (string.IsNullOrEmpty(id))
        {
            return Invalid($"{field} must be a non-empty string.");
        }

        if (id.Length > limits.MaxIdLength)
        {
            return new StoreError(StoreErrorCode.LimitExceeded, $"{field} is {id.Length} characters; the configured maximum is {limits.MaxIdLength}.");
        }

        for (int i = 0; i < id.Length; i++)
        {
            char c = id[i];
            if (char.IsControl(c))
            {
                return Invalid($"{field} contains the control character U+{(int)c:X4} at position {i}.");
            }

            if (char.IsHighSurrogate(c) && i + 1 < id.Length && char.IsLowSurrogate(id[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return Invalid($"{field} contains an unpaired UTF-16 surrogate at position {i}; ids must be valid Unicode.");
            }
        }

        return null;
    }

    // The version a vector key names, or the refusal naming the field. The upsert resolves it once per distinct key, not
    // per vector: a batch usually names one version for every item, and each parse of "model@version" allocates.
    public static bool TryResolveVersion(VersionRegistry registry, string key, FieldName where, out ModelVersion? version, out StoreError? error)
    {
        if (!registry.TryResolve(key, out ModelVersion found, out error))
        {
            version = null;
            error = error! with { Message = $"{where}: {error.Message}" };
            return false;
        }

        version = found;
        return true;
    }

    // Validates one vector against its version and returns the form that is stored (normalised for cosine).
    public static bool TryPrepareVector(ModelVersion version, float[]? values, FieldName where, out StoredVector? prepared, out StoreError? error)
    {
        prepared = null;
        if (values is null)
        {
            error = Invalid($"{where}: the vector for {version.Id} is null.");
            return false;
        }

        if (!TryCheckVector(version, values, where, out error))
        {
            return false;
        }

        prepared = new StoredVector(version.Id, Prepared(version, values));
        return true;
    }

    // The checks shared by stored vectors and query vectors.
    public static bool TryCheckVector(ModelVersion version, ReadOnlySpan<float> values, FieldName where, out StoreError? error)
    {
        if (values.Length != version.Dimension)
        {
            error = new StoreError(
                StoreErrorCode.DimensionMismatch,
                $"{where}: the vector for {version.Id} has {values.Length} dimensions; {version.Id} expects {version.Dimension}.",
                [version.Id.ToString()]);
            return false;
        }

        if (!VectorMath.AllFinite(values))
        {
            error = new StoreError(StoreErrorCode.InvalidVector, $"{where}: the vector for {version.Id} contains NaN or infinity.");
            return false;
        }

        bool cosine = version.Metric == DistanceMetric.CosineSimilarity;
        float norm = version.Normalized || cosine ? VectorMath.Norm(values) : 0f;
        if (version.Normalized)
        {
            if (!(MathF.Abs(norm - 1f) <= ModelVersion.NormTolerance))
            {
                error = new StoreError(
                    StoreErrorCode.InvalidVector,
                    $"{where}: {version.Id} is declared normalized but the vector's norm is {norm:G6}; normalise it or register the version with normalized=false.");
                return false;
            }
        }

        // The same conditions VectorMath.TryNormalize applies, so every vector that passes here can be normalised.
        if (cosine && !(norm > VectorMath.MinNormalizableNorm))
        {
            error = new StoreError(StoreErrorCode.InvalidVector, $"{where}: the vector for {version.Id} is all zeros, which has no direction under cosine.");
            return false;
        }

        if (cosine && !float.IsFinite(norm))
        {
            error = new StoreError(
                StoreErrorCode.InvalidVector, $"{where}: the vector for {version.Id} is too large to normalise (its norm overflows float32); scale it down.");
            return false;
        }

        error = null;
        return true;
    }

    // The form a checked vector is stored and scanned in: a copy, normalised for cosine so the scan is a dot product.
    // Callers run TryCheckVector first, which rejects vectors too short to normalise.
    public static float[] Prepared(ModelVersion version, ReadOnlySpan<float> values)
    {
        float[] copy = values.ToArray();
        if (version.Metric == DistanceMetric.CosineSimilarity)
        {
            VectorMath.TryNormalize(copy);
        }

        return copy;
    }
}
