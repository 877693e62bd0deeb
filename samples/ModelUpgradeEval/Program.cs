// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using System.Text;
using EmbeddingStore.Core.Versioning;

namespace EmbeddingStore.Tools.Eval;

/// <summary>
/// Fits every bridge kind on the shared real data (corpus items 0..4999, Arctic = new, MiniLM = old) and prints recall@10
/// against the Arctic ground truth, fidelity on held-out items 5000..9999, fit and apply times, then the mixed-version
/// (partial re-embed) merge experiment. Usage: Eval [fortunes-dir] [--quick] [--out file.md]
/// </summary>
internal static class Program
{
    private const int FitItems = 5000;

    private static int Main(string[] args)
    {
        string? outPath = args.SkipWhile(a => a != "--out").Skip(1).FirstOrDefault();
        string? root = args.Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal) && (i == 0 || args[i - 1] != "--out")).FirstOrDefault()
            ?? FindFortunes();
        if (root is null || !Directory.Exists(root))
        {
            Console.Error.WriteLine("shared/data/fortunes not found; pass its path.");
            return 2;
        }

        bool quick = args.Contains("--quick");
        var data = Dataset.Load(root);
        var output = new StringBuilder();
        void Print(string line)
        {
            Console.WriteLine(line);
            output.AppendLine(line);
        }

        Print($"Data: {root} — corpus {data.Count} × {data.Dimension}, {data.QueryCount} queries; fit on items 0..{FitItems - 1}, " +
            $"held out {FitItems}..{data.Count - 1}. CPU: {Environment.ProcessorCount} cores, " +
            $"Vector512 accelerated: {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}.");
        Print("");
        RunBridgeTable(data, quick, Print);
        if (!quick)
        {
            Print("");
            RunVariants(data, Print);
            Print("");
            RunSelector(data, Print);
        }

        Print("");
        MixedVersion.Run(data, Print);
        if (outPath is not null)
        {
            File.WriteAllText(outPath, output.ToString());
        }

        return 0;
    }

    private static void RunBridgeTable(Dataset data, bool quick, Action<string> print)
    {
        int d = data.Dimension;
        double noMap = data.RecallAgainstArctic(data.ArcticQueries, data.MiniCorpus);
        double miniItself = data.RecallAgainstArctic(data.MiniQueries, data.MiniCorpus);
        print("### Bridges fitted on 5,000 pairs (items 0..4999)");
        print("");
        print("Forward = Arctic query mapped into MiniLM space, searching all 10,000 MiniLM corpus vectors. Reverse = a MiniLM→Arctic " +
            "bridge applied to all 10,000 MiniLM corpus vectors, searched with the raw Arctic query. Recall@10 is against the Arctic " +
            "ground truth (gt.arctic.ivecs). Mean cosine and holdout recall (BridgeEvaluator: mapped vs the target model's own top-10 " +
            "among the 5,000 held-out items) are on items 5000..9999. Times are single-threaded, this machine.");
        print("");
        print("| bridge | fwd recall@10 | vs MiniLM-itself | vs no-map | rev recall@10 | mean cos (held out) | holdout R@10 (evaluator) | fit fwd | apply / query | params |");
        print("|---|---|---|---|---|---|---|---|---|");
        print($"| no map | {noMap:F4} | {noMap / miniItself:P0} | 1.0× | {noMap:F4} | {MeanCosine(data.ArcticCorpus, data.MiniCorpus, FitItems, data.Count, d):F4} | – | – | – | – |");
        foreach (BridgeKind kind in BridgeSelector.AllKinds.Where(k => k != BridgeKind.Identity))
        {
            if (quick && kind == BridgeKind.RandomFourierRidge)
            {
                continue;
            }

            var options = new BridgeFitOptions { NormalizeOutput = true };
            var stopwatch = Stopwatch.StartNew();
            VectorBridge forward = BridgeFitter.Fit(kind, data.ArcticCorpus.AsSpan(0, FitItems * d), d, data.MiniCorpus.AsSpan(0, FitItems * d), d, options);
            double fitSeconds = stopwatch.Elapsed.TotalSeconds;
            double applyMicros = ApplyMicroseconds(forward, data.ArcticQueries, data.QueryCount, d);
            float[] mappedQueries = ApplyAll(forward, data.ArcticQueries, data.QueryCount);
            double forwardRecall = data.RecallAgainstArctic(mappedQueries, data.MiniCorpus);

            VectorBridge reverse = BridgeFitter.Fit(kind, data.MiniCorpus.AsSpan(0, FitItems * d), d, data.ArcticCorpus.AsSpan(0, FitItems * d), d, options);
            float[] mappedCorpus = ApplyAll(reverse, data.MiniCorpus, data.Count);
            double reverseRecall = data.RecallAgainstArctic(data.ArcticQueries, mappedCorpus);

            float[] heldOutMapped = ApplyAll(forward, data.ArcticCorpus.AsSpan(FitItems * d).ToArray(), data.Count - FitItems);
            double meanCos = MeanCosine(heldOutMapped, data.MiniCorpus.AsSpan(FitItems * d).ToArray(), 0, data.Count - FitItems, d);
            BridgeQualityReport report = BridgeEvaluator.Evaluate(
                forward, data.ArcticCorpus.AsSpan(FitItems * d), data.MiniCorpus.AsSpan(FitItems * d), data.Count - FitItems);
            print($"| {kind} | {forwardRecall:F4} | {forwardRecall / miniItself:P0} | {forwardRecall / noMap:F1}× | {reverseRecall:F4} | {meanCos:F4} | " +
                $"{report.RecallAt10:F4} | {fitSeconds:F2} s | {applyMicros:F1} µs | {Describe(forward)} |");
        }

        print($"| MiniLM answering its own queries (keep the old model) | {miniItself:F4} | 100% | {miniItself / noMap:F1}× | – | – | – | – | – | – |");
        print("");
        print($"Target: bridged ≥ 0.95 × MiniLM-itself = {0.95 * miniItself:F4} and ≥ 10 × no-map = {10 * noMap:F4}.");
    }

    private static void RunVariants(Dataset data, Action<string> print)
    {
        int d = data.Dimension;
        print("### Variants tried for the forward (query-side) direction");
        print("");
        print("| variant | fwd recall@10 | rev recall@10 | fit fwd | apply / query |");
        print("|---|---|---|---|---|");
        foreach (double lambda in new[] { 0.0, 0.01, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0 })
        {
            Variant($"Ridge, fixed λ = {lambda}", BridgeKind.Ridge, new BridgeFitOptions { NormalizeOutput = true, RidgeLambdas = [lambda] });
        }

        foreach (int rank in new[] { 32, 64, 128, 256 })
        {
            Variant($"LowRankAffine, rank {rank}", BridgeKind.LowRankAffine, new BridgeFitOptions { NormalizeOutput = true, Rank = rank });
        }

        foreach ((int features, double scale) in new[] { (1024, 0.5), (1024, 2.0), (2048, 1.0), (4096, 1.0) })
        {
            Variant(
                $"RandomFourierRidge, D = {features}, σ = {scale} × median", BridgeKind.RandomFourierRidge,
                new BridgeFitOptions { NormalizeOutput = true, FourierFeatures = features, KernelBandwidthScale = scale });
        }

        // Query-side centring: Arctic queries carry a prefix and sit away from the corpus mean; shift them onto it first.
        float[] centredQueries = ShiftMean(data.ArcticQueries, data.QueryCount, d, MeanRow(data.ArcticCorpus, FitItems, d));
        var ridge = BridgeFitter.Fit(BridgeKind.Ridge, data.ArcticCorpus.AsSpan(0, FitItems * d), d, data.MiniCorpus.AsSpan(0, FitItems * d), d,
            new BridgeFitOptions { NormalizeOutput = true });
        double centred = data.RecallAgainstArctic(ApplyAll(ridge, centredQueries, data.QueryCount), data.MiniCorpus);
        print($"| Ridge + query mean shifted onto the corpus mean (uses the 500 test queries' mean: transductive) | {centred:F4} | – | – | – |");

        void Variant(string name, BridgeKind kind, BridgeFitOptions options)
        {
            var stopwatch = Stopwatch.StartNew();
            VectorBridge forward = BridgeFitter.Fit(kind, data.ArcticCorpus.AsSpan(0, FitItems * d), d, data.MiniCorpus.AsSpan(0, FitItems * d), d, options);
            double fitSeconds = stopwatch.Elapsed.TotalSeconds;
            double forwardRecall = data.RecallAgainstArctic(ApplyAll(forward, data.ArcticQueries, data.QueryCount), data.MiniCorpus);
            VectorBridge reverse = BridgeFitter.Fit(kind, data.MiniCorpus.AsSpan(0, FitItems * d), d, data.ArcticCorpus.AsSpan(0, FitItems * d), d, options);
            double reverseRecall = data.RecallAgainstArctic(data.ArcticQueries, ApplyAll(reverse, data.MiniCorpus, data.Count));
            print($"| {name} | {forwardRecall:F4} | {reverseRecall:F4} | {fitSeconds:F2} s | {ApplyMicroseconds(forward, data.ArcticQueries, data.QueryCount, d):F1} µs |");
        }
    }

    private static void RunSelector(Dataset data, Action<string> print)
    {
        int d = data.Dimension;
        var stopwatch = Stopwatch.StartNew();
        BridgeSelection selection = BridgeSelector.Select(
            data.ArcticCorpus.AsSpan(0, FitItems * d), d, data.MiniCorpus.AsSpan(0, FitItems * d), d, new BridgeFitOptions { NormalizeOutput = true });
        double seconds = stopwatch.Elapsed.TotalSeconds;
        print($"### BridgeSelector (auto) on the 5,000 Arctic→MiniLM pairs (80/20 holdout), {seconds:F1} s in total");
        print("");
        print("| kind | holdout R@1 | R@10 | R@100 | no-map R@10 | mean cos | identity mean cos | chosen |");
        print("|---|---|---|---|---|---|---|---|");
        foreach (BridgeCandidate candidate in selection.Candidates)
        {
            BridgeQualityReport r = candidate.Report;
            print($"| {candidate.Kind} | {r.RecallAt1:F4} | {r.RecallAt10:F4} | {r.RecallAt100:F4} | {r.NoMapRecallAt10:F4} | {r.MeanCosine:F4} | " +
                $"{r.IdentityMeanCosine:F4} | {(ReferenceEquals(candidate.Bridge, selection.Bridge) ? "yes" : "")} |");
        }
    }

    internal static string Describe(VectorBridge bridge) => bridge switch
    {
        OrthogonalBridge o => $"scale {o.Scale:F3}",
        AffineBridge a => $"λ {a.Lambda}",
        LowRankAffineBridge l => $"rank {l.Rank}, λ {l.Lambda}",
        RandomFourierBridge f => $"D {f.Features}, σ {f.Bandwidth:F3}, λ {f.Lambda}, λφ {f.FeatureLambda}",
        _ => "",
    };

    internal static float[] ApplyAll(VectorBridge bridge, ReadOnlySpan<float> sources, int count)
    {
        var result = new float[count * bridge.TargetDimension];
        bridge.ApplyBatch(sources, count, result);
        return result;
    }

    private static double ApplyMicroseconds(VectorBridge bridge, float[] queries, int count, int d)
    {
        var destination = new float[bridge.TargetDimension];
        for (int i = 0; i < count; i++)
        {
            bridge.Apply(queries.AsSpan(i * d, d), destination);
        }

        // Best of five passes over the 500 queries: the machine is shared, and the minimum is the least disturbed figure.
        double best = double.MaxValue;
        for (int r = 0; r < 5; r++)
        {
            var stopwatch = Stopwatch.StartNew();
            for (int i = 0; i < count; i++)
            {
                bridge.Apply(queries.AsSpan(i * d, d), destination);
            }

            best = Math.Min(best, stopwatch.Elapsed.TotalMicroseconds / count);
        }

        return best;
    }

    private static double MeanCosine(float[] a, float[] b, int from, int to, int d)
    {
        double sum = 0;
        for (int i = from; i < to; i++)
        {
            sum += TensorPrimitives.CosineSimilarity(a.AsSpan(i * d, d), b.AsSpan(i * d, d));
        }

        return sum / (to - from);
    }

    private static float[] MeanRow(float[] x, int count, int d)
    {
        var mean = new float[d];
        for (int i = 0; i < count; i++)
        {
            TensorPrimitives.Add(mean, x.AsSpan(i * d, d), mean);
        }

        TensorPrimitives.Multiply(mean, 1f / count, mean);
        return mean;
    }

    private static float[] ShiftMean(float[] x, int count, int d, float[] newMean)
    {
        float[] mean = MeanRow(x, count, d);
        var result = new float[x.Length];
        for (int i = 0; i < count; i++)
        {
            Span<float> row = result.AsSpan(i * d, d);
            TensorPrimitives.Subtract(x.AsSpan(i * d, d), mean, row);
            TensorPrimitives.Add(row, newMean, row);
        }

        return result;
    }

    private static string? FindFortunes()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null)
        {
            string candidate = Path.Combine(directory.FullName, "shared", "data", "fortunes");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }

            directory = directory.Parent;
        }

        return null;
    }

    internal static string Format(double value) => value.ToString("F4", CultureInfo.InvariantCulture);
}
