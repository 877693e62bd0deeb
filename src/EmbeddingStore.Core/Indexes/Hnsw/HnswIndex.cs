// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Indexes.Exact;
using EmbeddingStore.Core.Indexes.Quantized;

namespace EmbeddingStore.Core.Indexes.Hnsw;

// An HNSW graph behind the index seam. Built on the write side from the segment's live rows, then kept current by every
// upsert (an insert, or a re-link of an overwritten row); deletes stay tombstones the search walks through but never
// returns. Compaction renumbers rows: the graph is remapped to the new rows and the links that went through deleted
// nodes are repaired (HnswGraph.Repair.cs), so a compaction never rebuilds. TrySave/TryLoad write and read the graph
// file the engine keeps beside the database (HnswGraph.File.cs; Indexes/IndexFiles.cs).
internal sealed class HnswIndex(VectorSegment segment, HnswParameters parameters) : IVectorIndex, IChunkedBuild, ITombstoneRepair
{
    // Rows of the filter sample the planner draws; a few hundred Accept calls cost far less than one graph search.
    private const int PlannerSampleRows = 256;

    // The unfiltered rule, unchanged from the first planner: a segment of at most this many rows per unit of ef is scanned.
    private const int UnfilteredExactRowsPerEf = 16;

    // One payload filter evaluation in row scores: about 333 ns per payload (issue 11's FilterBenchmarks) against about
    // 40 ns for one 384-d row score here.
    private const double PayloadFilterCostRows = 8;

    // Payload evaluations a filtered walk makes per unit of ef at selectivity 1 (divided by the selectivity): fortunes
    // MiniLM at 10 %, ef 32, without an index took 1.14 ms longer than with one, about 3,400 evaluations (10.6 × 32 / 0.1).
    private const double PayloadEvaluationsPerEf = 10;

    // Below this share of matching rows the two-hop walk of an ordinary HNSW graph loses recall, so the scan runs: on a
    // 100k clustered set the walk reached recall@10 0.97 at ef 16 with 10 % matching, but only 0.81 at ef 16 and 0.92 at
    // ef 64 with 5 %, and 0.52 at ef 64 with 1 % (docs/bench/issue-10-filtered.md).
    private const double MinGraphSelectivity = 0.10;

    private readonly HnswScratchPool _scratch = new();
    private HnswGraph? _graph;

    public IndexKind Kind => IndexKind.Hnsw;

    public bool NeedsBuild => _graph is null && segment.LiveCount > 0;

    public long MemoryBytes => _graph?.MemoryBytes ?? 0;

    public IndexSettings Settings => new(parameters.M, parameters.EfConstruction, parameters.BuildThreads, parameters.KeepPrunedConnections);

    internal HnswParameters Parameters => parameters;

    // Live rows that are graph nodes: every live row once built (upserts insert as they go).
    public long VectorsIndexed(VectorSegment owner)
    {
        if (_graph is not { } graph)
        {
            return 0;
        }

        long count = 0;
        for (int row = 0; row < owner.RowCount; row++)
        {
            count += graph.Contains(row) && owner.ItemAt(row) is not null ? 1 : 0;
        }

        return count;
    }

    internal HnswGraph? Graph => _graph;

    public void Search(IndexSearch search, ReadOnlySpan<float> query, TopKCollector top)
    {
        int ef = Math.Max(search.Options.Ef ?? search.Limits.DefaultEf, top.Capacity);
        Run(Choose(search, ef), search, query, ef, top);
    }

    public void SearchBatch(IndexSearch search, float[] queries, TopKCollector[] tops)
    {
        // Planned once for the batch: the choice depends on the segment, the filter and ef, never on the query vector.
        // Then one query per thread: a graph search is latency-bound pointer chasing, with nothing to share between queries.
        int capacity = 1;
        foreach (TopKCollector top in tops)
        {
            capacity = Math.Max(capacity, top.Capacity);
        }

        SearchPlan plan = Choose(search, Math.Max(search.Options.Ef ?? search.Limits.DefaultEf, capacity));
        int dimension = search.Segment.Dimension;
        Parallel.For(0, tops.Length, new ParallelOptions { MaxDegreeOfParallelism = search.Parallelism, CancellationToken = search.CancellationToken }, i =>
            Run(plan, search, queries.AsSpan(i * dimension, dimension), Math.Max(search.Options.Ef ?? search.Limits.DefaultEf, tops[i].Capacity), tops[i]));
    }

    private void Run(SearchPlan plan, IndexSearch search, ReadOnlySpan<float> query, int ef, TopKCollector top)
    {
        if (plan is not (SearchPlan.Hnsw or SearchPlan.HnswFiltered) || _graph is not { } graph)
        {
            ExactScan.Scan(search, query, top);
            search.Record(search.ExactPlan);
            return;
        }

        HnswScratch scratch = _scratch.Rent();
        HnswCodeWalk? walk = null;
        bool exhausted;
        try
        {
            if (CodesFor(search) is { } codes)
            {
                walk = scratch.CodeWalk;
                walk.Prepare(codes, query, search.Segment.Version.Metric, graph.Parameters.MaxLinks0);
                plan = plan == SearchPlan.HnswFiltered ? SearchPlan.HnswInt8Filtered : SearchPlan.HnswInt8;
            }

            if (plan is SearchPlan.HnswFiltered or SearchPlan.HnswInt8Filtered)
            {
                graph.SearchFiltered(search.Segment, query, ef, search, scratch, walk);
            }
            else
            {
                graph.Search(search.Segment, query, ef, search, scratch, walk);
            }

            // A filtered walk that ran out of passing rows before it found k (the matches sit where two hops do not reach
            // from its start) is answered by the exact scan instead, so a filter never loses hits that exist.
            ScoredRowHeap results = scratch.Results;
            exhausted = plan is SearchPlan.HnswFiltered or SearchPlan.HnswInt8Filtered && results.Count < top.Capacity;
            ReadOnlySpan<float> scores = exhausted || walk is null ? default : scratch.Rescore(search.Segment, query, results);
            for (int i = 0; i < results.Count && !exhausted; i++)
            {
                float score = walk is null ? results.ScoreAt(i) : scores[i];
                if (top.Admits(score) && search.Accept(results.RowAt(i)) is { } item)
                {
                    top.Offer(score, item);
                }
            }
        }
        finally
        {
            walk?.Release();
            _scratch.Return(scratch);
        }

        if (exhausted)
        {
            ExactScan.Scan(search, query, top);
            search.Record(SearchPlan.ExactFiltered);
            return;
        }

        search.Record(plan);
    }

    // The int8 codes a search walks on: only when it asked for them (IndexOptions.Quantized) and the segment has them (its
    // int8 index is built; the engine ensures it for such a search, and every write keeps it row for row with the floats).
    private static Int8Segment? CodesFor(IndexSearch search) =>
        search.Options.Quantized == true && search.Segment.FindIndex(IndexKind.Int8) is Int8Index { Codes: { } codes } && codes.Count >= search.Segment.RowCount
            ? codes
            : null;

    public void OnUpsert(int row, ReadOnlySpan<float> vector)
    {
        if (_building is { } building && row < building.NextRow)
        {
            // Behind a background build's cursor: inserted (or re-linked) now; rows ahead of it the build reaches itself.
            HnswScratch buildScratch = _scratch.Rent();
            building.Graph.Insert(segment, row, buildScratch);
            _scratch.Return(buildScratch);
        }

        if (_graph is not { } graph)
        {
            // Unbuilt: the first Build takes every row.
            return;
        }

        HnswScratch scratch = _scratch.Rent();
        graph.Insert(segment, row, scratch);
        _scratch.Return(scratch);
    }

    // The node stays as a waypoint: its links keep the graph connected, and Accept keeps it out of every answer.
    public void OnDelete(int row)
    {
    }

    // Remapped to the compacted rows, the deleted nodes' neighbours re-linked around them (the segment has already moved
    // its rows, and Remap reads only surviving ones).
    public void OnCompacted(ReadOnlySpan<int> oldToNew, int newRowCount)
    {
        HnswScratch scratch;
        if (_building is { } building)
        {
            // The cursor moves to the first surviving row at or after it (rows keep their order).
            int next = newRowCount;
            for (int row = building.NextRow; row < oldToNew.Length; row++)
            {
                if (oldToNew[row] >= 0)
                {
                    next = oldToNew[row];
                    break;
                }
            }

            scratch = _scratch.Rent();
            _building = new PendingBuild(building.Graph.Remap(oldToNew, segment, scratch), next);
            _scratch.Return(scratch);
        }

        if (_graph is not { } graph)
        {
            return;
        }

        scratch = _scratch.Rent();
        _graph = newRowCount == 0 ? null : graph.Remap(oldToNew, segment, scratch);
        _scratch.Return(scratch);
        _scratch.Clear();
    }

    // Rows below which a parallel build is not worth starting threads for.
    private const int MinRowsPerBuildThread = 1_024;

    // Inserts the live rows in row order into a new graph and publishes it only when complete, so a cancelled build leaves
    // the previous graph serving. Single-threaded by default, so the graph (and every answer) is the same on every build;
    // with BuildThreads above 1 (capped at the processor count) the rows are linked concurrently and the graph varies.
    public void Build(VectorSegment owner, CancellationToken cancellationToken)
    {
        var graph = new HnswGraph(parameters);
        graph.EnsureCapacity(owner.RowCount);
        graph.SetCentre(HnswGraph.ChooseCentre(owner), owner);
        int threads = Math.Min(Math.Min(parameters.BuildThreads, Environment.ProcessorCount), Math.Max(1, owner.LiveCount / MinRowsPerBuildThread));
        if (threads > 1)
        {
            graph.LinkConcurrently(owner, threads, _scratch, cancellationToken);
        }
        else
        {
            HnswScratch scratch = _scratch.Rent();
            for (int row = 0; row < owner.RowCount; row++)
            {
                if ((row & 255) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                if (owner.ItemAt(row) is not null)
                {
                    graph.Insert(owner, row, scratch);
                }
            }

            _scratch.Return(scratch);
        }

        _graph = owner.LiveCount == 0 ? null : graph;
    }

    // The compact job's first half: the deleted nodes dropped and their neighbours re-linked (HnswGraph.Remap with every
    // live row kept in place), built beside the serving graph and then published; searches in flight keep the old one.
    public int RepairTombstones()
    {
        if (_graph is not { } graph || _building is not null)
        {
            return 0;
        }

        var keep = new int[segment.RowCount];
        int removed = 0;
        for (int row = 0; row < keep.Length; row++)
        {
            bool live = segment.ItemAt(row) is not null;
            keep[row] = live ? row : -1;
            removed += !live && graph.Contains(row) ? 1 : 0;
        }

        if (removed == 0)
        {
            return 0;
        }

        HnswScratch scratch = _scratch.Rent();
        HnswGraph repaired = graph.Remap(keep, segment, scratch);
        _scratch.Return(scratch);
        Volatile.Write(ref _graph, segment.LiveCount == 0 ? null : repaired);
        return removed;
    }

    // ----- the background build (a job, Core/Jobs/IndexBuildJobHandler.cs) -----

    // A graph being built while searches use the exact scan: rows below NextRow are linked. Only the job's chunks (under
    // the collection's read lock, one at a time) and writes (under its write lock) touch it, never both at once.
    private sealed record PendingBuild(HnswGraph Graph, int NextRow);

    private PendingBuild? _building;

    // Whether a background build has started and not yet published its graph.
    public bool IsBuilding => _building is not null;

    // Starts a background build: the current graph (if any) is dropped, so searches scan exactly until the new one is
    // published. Under the collection's write lock.
    public void BeginBuild()
    {
        _graph = null;
        var graph = new HnswGraph(parameters);
        graph.EnsureCapacity(segment.RowCount);
        graph.SetCentre(HnswGraph.ChooseCentre(segment), segment);
        _building = new PendingBuild(graph, 0);
    }

    // Links the next `rows` rows of the background build (on BuildThreads threads, as a full build would) and publishes
    // the graph once every row is linked. Under the collection's read lock: searches run beside it (on the exact scan),
    // writes wait. Returns rows covered so far and rows in all; finished once the graph serves.
    public (int Done, int Total, bool Finished) BuildChunk(int rows, CancellationToken cancellationToken)
    {
        if (_building is not { } building)
        {
            return (segment.RowCount, segment.RowCount, true);
        }

        int end = (int)Math.Min(segment.RowCount, (long)building.NextRow + rows);
        HnswGraph graph = building.Graph;
        graph.EnsureCapacity(segment.RowCount);
        int threads = Math.Min(Math.Min(parameters.BuildThreads, Environment.ProcessorCount), Math.Max(1, (end - building.NextRow) / MinRowsPerBuildThread));
        if (threads > 1)
        {
            graph.LinkConcurrently(segment, threads, _scratch, cancellationToken, building.NextRow, end);
        }
        else
        {
            HnswScratch scratch = _scratch.Rent();
            for (int row = building.NextRow; row < end; row++)
            {
                if ((row & 255) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                if (segment.ItemAt(row) is not null && !graph.Contains(row))
                {
                    graph.Insert(segment, row, scratch);
                }
            }

            _scratch.Return(scratch);
        }

        if (end < segment.RowCount)
        {
            _building = building with { NextRow = end };
            return (end, segment.RowCount, false);
        }

        _graph = segment.LiveCount == 0 ? null : graph;
        _building = null;
        return (end, segment.RowCount, true);
    }

    // The graph file (HnswGraph.File.cs): versioned, checksummed, and bound to the segment's row count and content
    // fingerprint, so a stale or damaged file is refused and the caller rebuilds instead.
    public bool TrySave(Stream destination)
    {
        if (_graph is not { } graph)
        {
            return false;
        }

        graph.Save(destination, segment);
        return true;
    }

    // What the last TryLoad found: nodes matched, dropped (and repaired around), and live rows inserted because the file
    // did not have them (written after it was saved). Null before any load.
    internal IndexLoadReport? LastLoad { get; private set; }

    // Replaces the graph only with a file that passes every check; otherwise the index is unchanged (and NeedsBuild says
    // whether it must be built). Live rows the file lacks are inserted, so writes made after the save are searchable.
    public bool TryLoad(Stream source, VectorSegment owner)
    {
        HnswScratch scratch = _scratch.Rent();
        try
        {
            HnswGraph? graph = HnswGraph.TryLoad(source, owner, parameters, scratch, out GraphLoadReport report);
            if (graph is null)
            {
                LastLoad = new IndexLoadReport(false, report.Matched, report.Dropped, 0);
                return false;
            }

            graph.EnsureCapacity(owner.RowCount);
            int inserted = 0;
            for (int row = 0; row < owner.RowCount; row++)
            {
                if (owner.ItemAt(row) is not null && !graph.Contains(row))
                {
                    graph.Insert(owner, row, scratch);
                    inserted++;
                }
            }

            LastLoad = new IndexLoadReport(true, report.Matched, report.Dropped, inserted);
            _graph = owner.LiveCount == 0 ? null : graph;
            return true;
        }
        finally
        {
            _scratch.Return(scratch);
            _scratch.Clear();
        }
    }

    // The planner, a cost estimate in units of one row scored. Unfiltered, the graph serves unless the segment has at most
    // UnfilteredExactRowsPerEf × ef rows. Filtered, the exact scan scores every row of the segment, or only the matching
    // ones when a payload index lists them and they are few (ExactScan.VisitsOnly); the filtered walk costs
    // FilteredGraphCostRowsPerEf rows per unit of ef, plus, when the filter is left to payloads, about
    // PayloadEvaluationsPerEf / selectivity evaluations per unit of ef at PayloadFilterCostRows rows each (the walk meets
    // 1 / selectivity rows for every match it takes). The cheaper plan runs, ties to the scan (recall 1); below
    // MinGraphSelectivity (10 %), or with fewer matches than ef, the scan runs whatever the estimate, because the two-hop
    // walk then loses recall (measured, docs/bench/issue-10-filtered.md). Matches are counted exactly when a payload index
    // answered the whole filter, else estimated on an evenly spaced sample (tombstones counting as misses).
    internal SearchPlan Choose(IndexSearch search, int ef)
    {
        if (_graph is null)
        {
            return search.ExactPlan;
        }

        int rows = search.Segment.RowCount;
        if (!search.IsFiltered)
        {
            return rows <= (long)UnfilteredExactRowsPerEf * ef ? SearchPlan.Exact : SearchPlan.Hnsw;
        }

        double matches = EstimateMatches(search, out double selectivity);
        if (matches < ef)
        {
            return SearchPlan.ExactFiltered;
        }

        int perEf = search.Limits.FilteredGraphCostRowsPerEf;
        if (perEf == 0)
        {
            return SearchPlan.HnswFiltered;
        }

        if (selectivity < MinGraphSelectivity)
        {
            return SearchPlan.ExactFiltered;
        }

        double exactCost = search.Rows is { } listed && ExactScan.VisitsOnly(listed, search.Segment) ? listed.Count : rows;
        double graphCost = ef * (perEf + (search.Filter is null ? 0 : PayloadEvaluationsPerEf * PayloadFilterCostRows / selectivity));
        return exactCost <= graphCost ? SearchPlan.ExactFiltered : SearchPlan.HnswFiltered;
    }

    // Matching rows, and their share of the segment's rows.
    private static double EstimateMatches(IndexSearch search, out double selectivity)
    {
        int rows = search.Segment.RowCount;
        if (search.Rows is { } listed && search.Filter is null)
        {
            selectivity = (double)listed.Count / Math.Max(1, rows);
            return listed.Count;
        }

        // Sampled among the listed rows when an index narrowed the filter (the residual is what is left to estimate).
        int population = search.Rows?.Count ?? rows;
        int sample = Math.Min(PlannerSampleRows, population);
        int matched = 0;
        if (sample > 0)
        {
            double step = (double)population / sample;
            int[]? listedRows = search.Rows?.Rows;
            for (int i = 0; i < sample; i++)
            {
                int index = (int)(i * step);
                matched += search.Passes(listedRows is null ? index : listedRows[index]) ? 1 : 0;
            }
        }

        double matches = sample == 0 ? 0 : (double)matched / sample * population;
        selectivity = matches / Math.Max(1, rows);
        return matches;
    }
}

internal sealed class HnswIndexFactory(HnswParameters parameters) : IVectorIndexFactory
{
    public HnswIndexFactory()
        : this(HnswParameters.Default)
    {
    }

    public IndexKind Kind => IndexKind.Hnsw;

    public IVectorIndex Create(VectorSegment segment) => new HnswIndex(segment, parameters);

    public IVectorIndex Create(VectorSegment segment, IndexSettings settings) => new HnswIndex(segment, Resolve(settings));

    public StoreError? Validate(IndexOptions options, EngineLimits limits) => options.ValidateOversampling(limits) ?? options.ValidateEf(limits);

    // m from 2 (one link a node cannot navigate), efConstruction at least m (the heuristic chooses m links from the ef
    // candidates an insert finds), threads from 1; each up to its engine limit.
    public StoreError? Validate(IndexSettings settings, EngineLimits limits)
    {
        if (settings.M is { } m && (m < 2 || m > limits.MaxHnswM))
        {
            return Refuse(m < 2, $"m must be from 2 to {limits.MaxHnswM}; it was {m}.");
        }

        int resolvedM = settings.M ?? parameters.M;
        if (settings.EfConstruction is { } ef && (ef < resolvedM || ef > limits.MaxEfConstruction))
        {
            return Refuse(ef < resolvedM, $"efConstruction must be from m ({resolvedM}) to {limits.MaxEfConstruction}; it was {ef}.");
        }

        if (settings.BuildThreads is { } threads && (threads < 1 || threads > limits.MaxIndexBuildThreads))
        {
            return Refuse(threads < 1, $"buildThreads must be from 1 to {limits.MaxIndexBuildThreads}; it was {threads}.");
        }

        return null;

        static StoreError Refuse(bool tooSmall, string message) =>
            new(tooSmall ? StoreErrorCode.InvalidArgument : StoreErrorCode.LimitExceeded, message);
    }

    private HnswParameters Resolve(IndexSettings settings) => parameters with
    {
        M = settings.M ?? parameters.M,
        EfConstruction = settings.EfConstruction ?? parameters.EfConstruction,
        BuildThreads = settings.BuildThreads ?? parameters.BuildThreads,
        KeepPrunedConnections = settings.KeepPrunedConnections ?? parameters.KeepPrunedConnections,
    };
}
