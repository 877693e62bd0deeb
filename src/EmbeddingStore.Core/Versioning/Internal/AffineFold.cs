// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Versioning.Internal;

/// <summary>
/// Folds y = (x − μx)·s·M + μy into y = x·A + c, so Apply is one matrix-vector product plus a bias and never subtracts
/// the mean per call. Computed in float from the stored parameters only, so a deserialised bridge folds to the very
/// same bits as the original.
/// </summary>
internal static class AffineFold
{
    public static (float[] Matrix, float[] Bias) Fold(
        float[] coefficients, float scale, float[] sourceMean, float[] targetMean, int sourceDimension, int targetDimension)
    {
        float[] matrix;
        if (scale == 1f)
        {
            matrix = coefficients;
        }
        else
        {
            matrix = new float[coefficients.Length];
            for (int i = 0; i < matrix.Length; i++)
            {
                matrix[i] = coefficients[i] * scale;
            }
        }

        var shift = new float[targetDimension];
        FloatKernels.MultiplyAdd(sourceMean, 1, sourceDimension, matrix, targetDimension, default, shift);
        var bias = new float[targetDimension];
        for (int j = 0; j < targetDimension; j++)
        {
            bias[j] = targetMean[j] - shift[j];
        }

        return (matrix, bias);
    }
}
