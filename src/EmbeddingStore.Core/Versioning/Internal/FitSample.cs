// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Versioning.Internal;

/// <summary>
/// The fitting pairs in the forms the fitter needs (float as given, double for the normal equations) with the seeded
/// train/validation split used to choose hyper-parameters. Built once per fit.
/// </summary>
internal sealed class FitSample
{
    private PairMoments? _train;
    private PairMoments? _validation;
    private PairMoments? _all;

    public FitSample(ReadOnlySpan<float> sources, int sourceDimension, ReadOnlySpan<float> targets, int targetDimension, int count, BridgeFitOptions options)
    {
        Count = count;
        SourceDimension = sourceDimension;
        TargetDimension = targetDimension;
        Sources = sources.ToArray();
        Targets = targets.ToArray();
        var random = new Random(DeriveSeed(options.Seed, 1));
        (int[] train, int[] validation) = SeededSampling.Split(count, options.ValidationFraction, random);

        // A split with fewer than two rows on either side cannot rank candidates; fall back to fixed defaults.
        HasValidation = train.Length >= 2 && validation.Length >= 2;
        TrainRows = HasValidation ? train : AllRows(count);
        ValidationRows = HasValidation ? validation : [];
    }

    public int Count { get; }

    public int SourceDimension { get; }

    public int TargetDimension { get; }

    public float[] Sources { get; }

    public float[] Targets { get; }

    public bool HasValidation { get; }

    public int[] TrainRows { get; }

    public int[] ValidationRows { get; }

    public PairMoments TrainMoments => _train ??= Moments(TrainRows);

    public PairMoments ValidationMoments => _validation ??= Moments(ValidationRows);

    /// <summary>Moments of every fitting pair; the sum of the two parts when a split exists, so it costs no extra pass.</summary>
    public PairMoments AllMoments => _all ??= HasValidation ? PairMoments.Combine(TrainMoments, ValidationMoments) : TrainMoments;

    /// <summary>Derives an independent stream per purpose from the user's seed, so adding one random step never shifts another.</summary>
    public static int DeriveSeed(int seed, int purpose) => unchecked((seed * 486_187_739) + (purpose * 16_777_619) + 97);

    public float[] GatherSources(int[] rows) => GatherFloat(Sources, SourceDimension, rows);

    public float[] GatherTargets(int[] rows) => GatherFloat(Targets, TargetDimension, rows);

    public static float[] GatherFloat(float[] data, int dimension, int[] rows)
    {
        var result = new float[rows.Length * dimension];
        for (int i = 0; i < rows.Length; i++)
        {
            Array.Copy(data, rows[i] * dimension, result, i * dimension, dimension);
        }

        return result;
    }

    private PairMoments Moments(int[] rows)
    {
        double[] x = DenseMatrix.GatherRows(Sources, SourceDimension, rows);
        double[] y = DenseMatrix.GatherRows(Targets, TargetDimension, rows);
        return PairMoments.Compute(x, y, rows.Length, SourceDimension, TargetDimension);
    }

    private static int[] AllRows(int count)
    {
        var rows = new int[count];
        for (int i = 0; i < count; i++)
        {
            rows[i] = i;
        }

        return rows;
    }
}
