// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Core.Search;

/// <summary>
/// Merges the candidate lists of a search over several versions into one ranking on the primary version's scale. A pure
/// function of plain values (the plans, each plan's candidates, and the collection's item count), so a coordinator over
/// shards merges exactly as a single process does.
/// </summary>
/// <remarks>
/// The two models of the shared MiniLM→Arctic data agree only loosely (the old model recovers a quarter of the new
/// model's top-10), so no global map from one's scores to the other's ranks them well: it lets mediocre native candidates
/// crowd out the other version's best, or the reverse. What works is learnt per query: among one plan's candidates, the
/// ones the reference version also holds show how this query's scores there predict its reference scores (a least-squares
/// line, with its residual spread), and each other candidate then has a predicted reference score and a spread. The merge
/// finds the reference score τ that the k-th best item should have, counting the known scores above it and each predicted
/// one by its chance of lying above it, and ranks the known scores above τ first, then the predicted items by that
/// chance, then the known scores below τ. docs/migrations.md has the measurements; a plan with too few shared items to
/// learn from falls back to placing its candidates by rank share.
/// </remarks>
public static class MixedVersionMerger
{
    /// <summary>
    /// How many candidates a plan of another space supplies when the merge learns from them: enough that the few shared
    /// items among them (a tenth of the pool at 10 % re-embedded) can be fitted, and the predicted ones can reach the top.
    /// </summary>
    public const int CalibrationPool = 200;

    /// <summary>How many candidates each plan should supply so that k distinct items survive de-duplication.</summary>
    public static int CandidatesPerPlan(int k, int plans) => plans <= 1 ? k : k * plans;

    /// <summary>
    /// How many candidates each of these plans should supply: as <see cref="CandidatesPerPlan(int, int)"/>, and at least
    /// <see cref="CalibrationPool"/> when some plan lies in another space than the reference, so its scores can be learnt.
    /// </summary>
    public static int CandidatesPerPlan(int k, IReadOnlyList<VersionPlan> plans)
    {
        ArgumentNullException.ThrowIfNull(plans);
        int perPlan = CandidatesPerPlan(k, plans.Count);
        if (plans.Count > 1)
        {
            string space = plans[ReferencePlan(plans)].Space;
            if (plans.Any(p => !string.Equals(p.Space, space, StringComparison.Ordinal)))
            {
                perPlan = Math.Max(perPlan, CalibrationPool);
            }
        }

        return perPlan;
    }

    /// <summary>
    /// The merged top <paramref name="k"/>. The reference plan (the primary version searched natively, else a single-hop
    /// bridge, else the first) keeps its scores, and so does every plan in the reference's own space (joined to it by
    /// identity links: its scores are already comparable, and placing them by rank share would rank a poor match above an
    /// exact one). Every other plan's candidates are placed on the reference scale by what this query's shared items
    /// teach (see the remarks), or by rank share when there are too few of them. An item found in several plans is
    /// returned once: from the reference plan, else a native plan, else a bridged one, and at equal standing the higher
    /// score; an item the reference version holds is judged by it alone. Every score stays inside the reference metric's
    /// range.
    /// </summary>
    public static List<MergedHit> Merge(IReadOnlyList<VersionPlan> plans, IReadOnlyList<CandidateList> lists, long itemCount, int k)
    {
        ArgumentNullException.ThrowIfNull(plans);
        ArgumentNullException.ThrowIfNull(lists);
        if (plans.Count != lists.Count)
        {
            throw new ArgumentException($"{plans.Count} plans but {lists.Count} candidate lists.", nameof(lists));
        }

        if (plans.Count == 1)
        {
            var single = new List<MergedHit>(Math.Min(k, lists[0].Candidates.Count));
            foreach (Candidate c in lists[0].Candidates.Take(k))
            {
                float score = ScoreMapping.ClampToRange(plans[0].Metric, c.Score);
                single.Add(new MergedHit(0, c.Id, score, score, plans[0].Via ?? c.DerivedVia));
            }

            return single;
        }

        int reference = ReferencePlan(plans);
        DistanceMetric metric = plans[reference].Metric;
        var best = new Dictionary<string, (MergedHit Hit, int Standing)>(StringComparer.Ordinal);
        var predicted = new List<(int Plan, Candidate Candidate, double Mean, double Spread)>();
        for (int p = 0; p < plans.Count; p++)
        {
            bool sameSpace = string.Equals(plans[p].Space, plans[reference].Space, StringComparison.Ordinal);
            IEnumerable<(Candidate Candidate, float Score)> placed;
            if (p == reference)
            {
                placed = lists[p].Candidates.Select(c => (c, c.Score));
            }
            else if (sameSpace)
            {
                placed = lists[p].Candidates.Where(c => !c.IsHeldIn(reference)).Select(c => (c, c.Score));
            }
            else if (QueryCalibration.TryFit(plans[p], lists[p], reference) is { } fit)
            {
                foreach (Candidate c in lists[p].Candidates.Where(c => !c.IsHeldIn(reference)))
                {
                    predicted.Add((p, c, fit.Predict(c), fit.Spread));
                }

                continue;
            }
            else
            {
                placed = RankProportional(p, lists[p], reference, lists[reference], itemCount);
            }

            foreach ((Candidate candidate, float placedScore) in placed)
            {
                Offer(best, plans, p, reference, candidate, ScoreMapping.ClampToRange(metric, placedScore));
            }
        }

        if (predicted.Count > 0)
        {
            PlacePredicted(best, plans, reference, predicted, k);
        }

        var merged = best.Values.Select(v => v.Hit).ToList();
        merged.Sort((a, b) => ScoreMapping.CompareHits(a.Score, a.Id, b.Score, b.Id));
        if (merged.Count > k)
        {
            merged.RemoveRange(k, merged.Count - k);
        }

        return merged;
    }

    // The reference plan: the primary version searched natively, else a single-hop bridge, else the first.
    internal static int ReferencePlan(IReadOnlyList<VersionPlan> plans)
    {
        for (int p = 0; p < plans.Count; p++)
        {
            if (plans[p].IsPrimaryNative)
            {
                return p;
            }
        }

        for (int p = 0; p < plans.Count; p++)
        {
            if (plans[p].Via is { } via && !via.Contains(',', StringComparison.Ordinal))
            {
                return p;
            }
        }

        return 0;
    }

    private static void Offer(Dictionary<string, (MergedHit Hit, int Standing)> best, IReadOnlyList<VersionPlan> plans, int p, int reference, Candidate candidate, float score)
    {
        int standing = p == reference ? 0 : plans[p].Via is null ? 1 : 2;
        var hit = new MergedHit(p, candidate.Id, score, ScoreMapping.ClampToRange(plans[p].Metric, candidate.Score), plans[p].Via ?? candidate.DerivedVia);
        if (!best.TryGetValue(candidate.Id, out var current) || standing < current.Standing
            || (standing == current.Standing && hit.Score > current.Hit.Score))
        {
            best[candidate.Id] = (hit, standing);
        }
    }

    // Places the predicted items among the known reference-scale scores by each item's chance of being in the true top k.
    // τ, the score the k-th best item is expected to have, is where the known scores above it plus each predicted item's
    // chance of a reference score above it sum to k; a predicted item's chance is that of lying above τ. A known item's
    // chance is that fewer than k minus its known rank of the predicted items lie above its own score (their count taken
    // as Poisson, which the sum of many small chances is close to): so a native candidate near the cut keeps its place
    // against a predicted one that is probably worse, and yields it to one that is probably better. Known items keep their
    // scores; each predicted item is put in the gap between the known items its chance ranks it between, so every public
    // score stays a reference-scale score and the list stays sorted by it.
    private static void PlacePredicted(
        Dictionary<string, (MergedHit Hit, int Standing)> best, IReadOnlyList<VersionPlan> plans, int reference,
        List<(int Plan, Candidate Candidate, double Mean, double Spread)> predicted, int k)
    {
        double[] known = [.. best.Values.Select(v => (double)v.Hit.Score).OrderByDescending(s => s)];
        double widest = predicted.Max(p => p.Spread);
        double tau = ExpectedCut(known, predicted, k);

        var chances = new double[predicted.Count];
        for (int i = 0; i < predicted.Count; i++)
        {
            chances[i] = NormalCdf((predicted[i].Mean - tau) / predicted[i].Spread);
        }

        var knownChances = new double[known.Length];
        for (int j = 0; j < known.Length && j < k; j++)
        {
            double expectedAbove = 0;
            foreach ((_, _, double mean, double spread) in predicted)
            {
                expectedAbove += NormalCdf((mean - known[j]) / spread);
            }

            knownChances[j] = PoissonAtMost(k - 1 - j, expectedAbove);
        }

        int[] byChance = [.. Enumerable.Range(0, predicted.Count).OrderByDescending(i => chances[i]).ThenByDescending(i => predicted[i].Mean)];

        // Walk both lists in order of chance (a known item first at equal chance); a run of predicted items between two
        // known ones is spread evenly over the gap between their scores.
        DistanceMetric metric = plans[reference].Metric;
        int nextKnown = 0;
        int nextPredicted = 0;
        var run = new List<int>();
        double? above = null;
        while (nextPredicted < byChance.Length)
        {
            if (nextKnown < known.Length && knownChances[nextKnown] >= chances[byChance[nextPredicted]])
            {
                if (run.Count > 0)
                {
                    PlaceRun(run, above, known[nextKnown]);
                }

                above = known[nextKnown++];
                continue;
            }

            run.Add(byChance[nextPredicted++]);
        }

        if (run.Count > 0)
        {
            PlaceRun(run, above, nextKnown < known.Length ? known[nextKnown] : null);
        }

        void PlaceRun(List<int> members, double? upper, double? lower)
        {
            double low = lower ?? Math.Min(predicted[members[^1]].Mean, (upper ?? tau) - widest);
            double high = upper ?? Math.Max(predicted[members[0]].Mean, low + widest);
            for (int t = 0; t < members.Count; t++)
            {
                (int plan, Candidate candidate, _, _) = predicted[members[t]];
                double placed = high - ((high - low) * (t + 1) / (members.Count + 1));
                Offer(best, plans, plan, reference, candidate, ScoreMapping.ClampToRange(metric, (float)placed));
            }

            members.Clear();
        }
    }

    // τ: where the known scores above it and the predicted items' chances of lying above it sum to k (the lowest score
    // in play when even all of them do not reach k).
    private static double ExpectedCut(double[] known, List<(int Plan, Candidate Candidate, double Mean, double Spread)> predicted, int k)
    {
        double low = known.Length > 0 ? known[^1] : double.PositiveInfinity;
        double high = known.Length > 0 ? known[0] : double.NegativeInfinity;
        foreach ((_, _, double mean, double spread) in predicted)
        {
            low = Math.Min(low, mean - (8 * spread));
            high = Math.Max(high, mean + (8 * spread));
        }

        double ExpectedAbove(double t)
        {
            double count = 0;
            foreach (double score in known)
            {
                if (score <= t)
                {
                    break;
                }

                count++;
            }

            foreach ((_, _, double mean, double spread) in predicted)
            {
                count += NormalCdf((mean - t) / spread);
            }

            return count;
        }

        if (!(ExpectedAbove(low) > k))
        {
            return low;
        }

        for (int i = 0; i < 60; i++)
        {
            double mid = (low + high) / 2;
            if (ExpectedAbove(mid) > k)
            {
                low = mid;
            }
            else
            {
                high = mid;
            }
        }

        return (low + high) / 2;
    }

    // P(N ≤ m) for N Poisson with mean λ; 0 when m is negative.
    private static double PoissonAtMost(int m, double lambda)
    {
        if (m < 0)
        {
            return 0;
        }

        if (lambda > 500)
        {
            // e^-λ underflows long before this matters; the normal approximation is exact enough this far out.
            return NormalCdf((m + 0.5 - lambda) / Math.Sqrt(lambda));
        }

        double term = Math.Exp(-lambda);
        double sum = term;
        for (int i = 1; i <= m; i++)
        {
            term *= lambda / i;
            sum += term;
        }

        return Math.Min(1, sum);
    }

    // The standard normal distribution function, from the complementary error function's rational approximation
    // (Abramowitz and Stegun 7.1.26, absolute error below 1.5e-7): the chance a predicted score lies above τ.
    private static double NormalCdf(double z)
    {
        double x = Math.Abs(z) / Math.Sqrt(2);
        double t = 1 / (1 + (0.3275911 * x));
        double poly = t * (0.254829592 + (t * (-0.284496736 + (t * (1.421413741 + (t * (-1.453152027 + (t * 1.061405429))))))));
        double erfc = poly * Math.Exp(-x * x);
        return z >= 0 ? 1 - (erfc / 2) : erfc / 2;
    }

    // Puts another version's candidates on the reference version's scale by rank, in proportion to how many items each
    // version serves. If the reference version holds a share f of the items (a re-embedding f done), the global top list
    // should take about f of its entries from it; so the r-th candidate found only in the other version is worth what the
    // reference list scores at rank r·f/(1−f), read off (and extrapolated from) the reference list's own scores.
    // Returns (candidate, score on the reference scale).
    private static List<(Candidate Candidate, float Score)> RankProportional(
        int otherPlan, CandidateList other, int reference, CandidateList referenceList, long itemCount)
    {
        var result = new List<(Candidate Candidate, float Score)>(other.Candidates.Count);
        if (referenceList.Candidates.Count == 0)
        {
            result.AddRange(other.Candidates.Select(c => (c, c.Score)));
            return result;
        }

        double share = Math.Clamp(referenceList.LiveVectors / (double)Math.Max(1, itemCount), 0.01, 0.99);
        double ratio = share / (1 - share) / Agreement(otherPlan, other, reference, referenceList);
        int onlyHere = 0;
        foreach (Candidate candidate in other.Candidates)
        {
            if (candidate.IsHeldIn(reference))
            {
                // Held in the reference version too: the reference version has judged it (its native candidate, or its
                // absence from the reference list), so this version's opinion does not enter the merge.
                continue;
            }

            onlyHere++;
            result.Add((candidate, ReferenceScoreAt(referenceList.Candidates, onlyHere * ratio)));
        }

        return result;
    }

    // How far this query's two rankings agree, measured on the items held in both versions: the overlap of the top-m
    // such items by each version's score, as a fraction of m. Candidates from a version that agrees poorly with the
    // reference are worth less than the reference's own candidates at the same proportional rank, so their ranks are
    // stretched by 1/agreement. Without enough shared items there is nothing to measure, and ranks stay proportional.
    private static double Agreement(int otherPlan, CandidateList other, int reference, CandidateList referenceList)
    {
        var fromOther = other.Candidates.Where(c => c.IsHeldIn(reference)).Select(c => c.Id).ToList();
        var fromReference = referenceList.Candidates.Where(c => c.IsHeldIn(otherPlan)).Select(c => c.Id).ToList();
        int m = Math.Min(fromOther.Count, fromReference.Count);
        if (m < 5)
        {
            return 1;
        }

        var top = new HashSet<string>(fromReference.Take(m), StringComparer.Ordinal);
        int shared = fromOther.Take(m).Count(top.Contains);
        return Math.Max(0.05, shared / (double)m);
    }

    // The reference list's score at a fractional 1-based rank, linear between ranks and extrapolated beyond both ends.
    private static float ReferenceScoreAt(IReadOnlyList<Candidate> list, double rank)
    {
        int n = list.Count;
        if (n == 1)
        {
            return list[0].Score - (float)(rank - 1) * 1e-6f;
        }

        if (rank <= 1)
        {
            return list[0].Score + (float)((1 - rank) * (list[0].Score - list[1].Score));
        }

        if (rank >= n)
        {
            return list[n - 1].Score - (float)((rank - n) * (list[n - 2].Score - list[n - 1].Score));
        }

        int lower = (int)Math.Floor(rank);
        double t = rank - lower;
        return (float)(list[lower - 1].Score + (t * (list[lower].Score - list[lower - 1].Score)));
    }
}
