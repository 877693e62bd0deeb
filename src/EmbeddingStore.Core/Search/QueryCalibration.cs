// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Search;

// What one query's shared items teach about one plan: a least-squares line from the plan's evidence for an item (its
// own score, the corpus-side mapped score, or both) to the reference version's score, and the residual spread around
// it. The evidence is chosen by what it carries: a native plan searched with the caller's own vector of that version
// knows something the reference query does not, so its score is kept beside the mapped one; a bridged plan's score is
// a function of the reference query already and only duplicates the mapped score (the two fitted together on a few
// dozen items overfit), so the mapped score, the better estimate, replaces it when there is one.
internal sealed class QueryCalibration
{
    // Fewer shared items than this per fitted coefficient and the line is noise.
    private const int PairsPerCoefficient = 4;

    private readonly double[] _weights;
    private readonly bool _usesScore;
    private readonly bool _usesMapped;

    private QueryCalibration(double[] weights, bool usesScore, bool usesMapped, double spread)
    {
        _weights = weights;
        _usesScore = usesScore;
        _usesMapped = usesMapped;
        Spread = spread;
    }

    // The residual standard deviation of the fit: how far a predicted reference score may be off.
    public double Spread { get; }

    // A fit for this plan's candidates, or null when the shared items are too few or teach nothing (then the caller
    // places the candidates by rank share instead).
    public static QueryCalibration? TryFit(VersionPlan plan, CandidateList list, int reference)
    {
        IReadOnlyList<Candidate> candidates = list.Candidates;
        bool hasMapped = candidates.Count > 0 && candidates.All(c => float.IsFinite(c.MappedScore));
        (bool Score, bool Mapped)[] choices = (plan.Via is null, hasMapped) switch
        {
            (true, true) => [(true, true), (true, false)],
            (false, true) => [(false, true), (true, false)],
            _ => [(true, false)],
        };

        var shared = candidates.Where(c => c.IsHeldIn(reference) && float.IsFinite(c.ReferenceScore)).ToList();
        foreach ((bool score, bool mapped) in choices)
        {
            int coefficients = 1 + (score ? 1 : 0) + (mapped ? 1 : 0);
            if (shared.Count < PairsPerCoefficient * coefficients)
            {
                continue;
            }

            if (Fit(shared, score, mapped, coefficients) is { } fit)
            {
                return fit;
            }
        }

        return null;
    }

    public double Predict(Candidate candidate)
    {
        double value = _weights[0];
        int next = 1;
        if (_usesScore)
        {
            value += _weights[next++] * candidate.Score;
        }

        if (_usesMapped)
        {
            value += _weights[next] * candidate.MappedScore;
        }

        return value;
    }

    private static QueryCalibration? Fit(List<Candidate> shared, bool score, bool mapped, int coefficients)
    {
        // Normal equations, with a ridge too small to bias the fit but enough to keep a degenerate system solvable.
        var normal = new double[coefficients, coefficients];
        var right = new double[coefficients];
        var row = new double[coefficients];
        double mean = shared.Average(c => (double)c.ReferenceScore);
        foreach (Candidate c in shared)
        {
            Features(c, score, mapped, row);
            for (int i = 0; i < coefficients; i++)
            {
                right[i] += row[i] * c.ReferenceScore;
                for (int j = 0; j < coefficients; j++)
                {
                    normal[i, j] += row[i] * row[j];
                }
            }
        }

        for (int i = 1; i < coefficients; i++)
        {
            normal[i, i] += 1e-9 * shared.Count;
        }

        if (Solve(normal, right) is not { } weights || (coefficients == 2 && !(weights[1] > 0)))
        {
            return null;
        }

        double residual = 0;
        double total = 0;
        foreach (Candidate c in shared)
        {
            Features(c, score, mapped, row);
            double predicted = 0;
            for (int i = 0; i < coefficients; i++)
            {
                predicted += weights[i] * row[i];
            }

            residual += (c.ReferenceScore - predicted) * (c.ReferenceScore - predicted);
            total += (c.ReferenceScore - mean) * (c.ReferenceScore - mean);
        }

        // A line that explains none of the spread teaches nothing; its predictions would all sit at the mean.
        if (!(residual < total) || !double.IsFinite(residual))
        {
            return null;
        }

        double spread = Math.Max(Math.Sqrt(residual / shared.Count), 1e-4);
        return new QueryCalibration(weights, score, mapped, spread);
    }

    private static void Features(Candidate c, bool score, bool mapped, double[] row)
    {
        int next = 0;
        row[next++] = 1;
        if (score)
        {
            row[next++] = c.Score;
        }

        if (mapped)
        {
            row[next] = c.MappedScore;
        }
    }

    // Gaussian elimination with partial pivoting on a system of at most three unknowns; null when it is singular.
    private static double[]? Solve(double[,] a, double[] b)
    {
        int n = b.Length;
        for (int col = 0; col < n; col++)
        {
            int pivot = col;
            for (int r = col + 1; r < n; r++)
            {
                if (Math.Abs(a[r, col]) > Math.Abs(a[pivot, col]))
                {
                    pivot = r;
                }
            }

            if (!(Math.Abs(a[pivot, col]) > 1e-15))
            {
                return null;
            }

            if (pivot != col)
            {
                for (int j = 0; j < n; j++)
                {
                    (a[col, j], a[pivot, j]) = (a[pivot, j], a[col, j]);
                }

                (b[col], b[pivot]) = (b[pivot], b[col]);
            }

            for (int r = col + 1; r < n; r++)
            {
                double factor = a[r, col] / a[col, col];
                for (int j = col; j < n; j++)
                {
                    a[r, j] -= factor * a[col, j];
                }

                b[r] -= factor * b[col];
            }
        }

        var x = new double[n];
        for (int r = n - 1; r >= 0; r--)
        {
            double sum = b[r];
            for (int j = r + 1; j < n; j++)
            {
                sum -= a[r, j] * x[j];
            }

            x[r] = sum / a[r, r];
        }

        return double.IsFinite(x.Sum()) ? x : null;
    }
}
