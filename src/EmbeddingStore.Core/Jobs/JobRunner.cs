// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Collections.Concurrent;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Persistence;

namespace EmbeddingStore.Core.Jobs;

/// <summary>
/// Runs durable jobs in the background, one bounded chunk per turn, oldest job first. Between chunks it yields (or
/// pauses for <see cref="PauseBetweenChunks"/>), so searches and writes interleave with a long job; after a restart the
/// jobs that were queued or running continue from their stored cursors.
/// </summary>
/// <remarks>
/// State changes (pause, resume, cancel) and chunks are serialised by one gate, so a change requested during a chunk takes
/// effect when that chunk has committed, never half-way through it; a chunk is short, so the wait is short too.
/// </remarks>
public sealed class JobRunner : IDisposable
{
    private readonly IEmbeddingRepository _repository;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, IJobHandler> _handlers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, JobRecord> _jobs = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly SemaphoreSlim _signal = new(0, int.MaxValue);
    private int _chunkSize = 1_000;

    internal JobRunner(IEmbeddingRepository repository, TimeProvider time)
    {
        _repository = repository;
        _time = time;
    }

    /// <summary>
    /// How long the runner waits after each chunk before the next one: zero (the default) only yields, a positive pause
    /// bounds a job's share of the machine (chunk size × rate).
    /// </summary>
    public TimeSpan PauseBetweenChunks { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// Vectors a chunk writes at most (one transaction under the collection's writer gate): smaller chunks let user
    /// writes to the same collection in sooner, larger ones commit less often.
    /// </summary>
    public int ChunkSize
    {
        get => _chunkSize;
        set => _chunkSize = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "A chunk writes at least one vector.");
    }

    /// <summary>Every job, newest first.</summary>
    public IReadOnlyList<JobRecord> List() =>
        [.. _jobs.Values.OrderByDescending(j => j.CreatedAt).ThenByDescending(j => j.Id, StringComparer.Ordinal)];

    /// <summary>One job.</summary>
    public StoreResult<JobRecord> Get(string id) =>
        id is not null && _jobs.TryGetValue(id, out JobRecord? job) ? job : NotFound(id);

    /// <summary>
    /// Runs jobs until <paramref name="stoppingToken"/> is cancelled, sleeping while there is nothing to do. A job whose
    /// chunk is interrupted by the stop stays <see cref="JobState.Running"/> and resumes at the next start.
    /// </summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            bool ran;
            try
            {
                ran = await RunOneChunkAsync(stoppingToken).ConfigureAwait(false);
                if (!ran)
                {
                    await _signal.WaitAsync(stoppingToken).ConfigureAwait(false);
                }
                else if (PauseBetweenChunks > TimeSpan.Zero)
                {
                    await Task.Delay(PauseBetweenChunks, _time, stoppingToken).ConfigureAwait(false);
                }
                else
                {
                    await Task.Yield();
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>Runs chunks until no job is runnable: the deterministic way for tools and tests to finish the queue.</summary>
    public async Task RunUntilIdleAsync(CancellationToken cancellationToken)
    {
        while (await RunOneChunkAsync(cancellationToken).ConfigureAwait(false))
        {
        }
    }

    /// <summary>Stops a job between chunks; what it committed stays. Cancelling a finished job is refused.</summary>
    public Task<StoreResult<JobRecord>> CancelAsync(string id, CancellationToken cancellationToken) =>
        ChangeStateAsync(id, JobState.Cancelled, cancellationToken);

    /// <summary>Holds a queued or running job between chunks until it is resumed.</summary>
    public Task<StoreResult<JobRecord>> PauseAsync(string id, CancellationToken cancellationToken) =>
        ChangeStateAsync(id, JobState.Paused, cancellationToken);

    /// <summary>Lets a paused job continue from its stored cursor.</summary>
    public Task<StoreResult<JobRecord>> ResumeAsync(string id, CancellationToken cancellationToken) =>
        ChangeStateAsync(id, JobState.Queued, cancellationToken);

    /// <inheritdoc />
    public void Dispose()
    {
        _gate.Dispose();
        _signal.Dispose();
    }

    internal void Register(IJobHandler handler) => _handlers.Add(handler.Kind, handler);

    internal void Load(IEnumerable<JobRecord> jobs)
    {
        _jobs.Clear();
        foreach (JobRecord job in jobs)
        {
            _jobs[job.Id] = job;
        }

        _signal.Release();
    }

    // A queued job not yet stored: for callers that store it in the same transaction as their own write, then Adopt it.
    internal JobRecord NewJob(string kind, string? collection, string parameters, long total)
    {
        DateTimeOffset now = _time.GetUtcNow();
        return new JobRecord("job-" + Guid.NewGuid().ToString("N")[..16], kind, collection, JobState.Queued, parameters, null, 0, total, now, now);
    }

    // Starts running a job the caller has committed itself (NewJob). Takes no gate: the caller may hold a collection's.
    internal void Adopt(JobRecord job)
    {
        _jobs[job.Id] = job;
        _signal.Release();
    }

    // Creates a queued job; the caller has validated its parameters.
    internal async Task<StoreResult<JobRecord>> EnqueueAsync(string kind, string? collection, string parameters, long total, CancellationToken cancellationToken)
    {
        JobRecord job = NewJob(kind, collection, parameters, total);
        using (await EnterAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await _repository.SaveJobAsync(job, cancellationToken).ConfigureAwait(false);
            }
            catch (StorageUnavailableException ex)
            {
                return new StoreError(StoreErrorCode.StorageUnavailable, ex.Message);
            }

            _jobs[job.Id] = job;
        }

        _signal.Release();
        return job;
    }

    private static StoreError NotFound(string? id) => new(StoreErrorCode.JobNotFound, $"No job has id '{id}'.");

    private async Task<Collection.GateScope> EnterAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Collection.GateScope(_gate);
    }

    // One chunk of the oldest runnable job; false when none is runnable. Internal so tests can stop between chunks.
    internal async Task<bool> RunOneChunkAsync(CancellationToken cancellationToken)
    {
        using (await EnterAsync(cancellationToken).ConfigureAwait(false))
        {
            JobRecord? job = _jobs.Values
                .Where(j => j.State is JobState.Queued or JobState.Running)
                .OrderBy(j => j.CreatedAt)
                .ThenBy(j => j.Id, StringComparer.Ordinal)
                .FirstOrDefault();
            if (job is null)
            {
                return false;
            }

            if (!_handlers.TryGetValue(job.Kind, out IJobHandler? handler))
            {
                await SaveAsync(job with { State = JobState.Failed, Error = $"No handler runs jobs of kind '{job.Kind}'.", UpdatedAt = _time.GetUtcNow() }).ConfigureAwait(false);
                return true;
            }

            if (job.State == JobState.Queued)
            {
                job = job with { State = JobState.Running, UpdatedAt = _time.GetUtcNow() };
                await SaveAsync(job).ConfigureAwait(false);
            }

            StoreResult<JobRecord> step;
            try
            {
                step = await handler.RunChunkAsync(job, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
#pragma warning disable CA1031 // A job's failure is recorded in the job; it must not take the runner (or the server) down.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                await SaveAsync(job with { State = JobState.Failed, Error = $"The job stopped on an internal error ({ex.GetType().Name}).", UpdatedAt = _time.GetUtcNow() })
                    .ConfigureAwait(false);
                return true;
            }

            if (step.IsSuccess)
            {
                _jobs[job.Id] = step.Value!;
            }
            else
            {
                await SaveAsync(job with { State = JobState.Failed, Error = step.Error.Message, UpdatedAt = _time.GetUtcNow() }).ConfigureAwait(false);
            }

            return true;
        }
    }

    private async Task<StoreResult<JobRecord>> ChangeStateAsync(string id, JobState target, CancellationToken cancellationToken)
    {
        using (await EnterAsync(cancellationToken).ConfigureAwait(false))
        {
            if (id is null || !_jobs.TryGetValue(id, out JobRecord? job))
            {
                return NotFound(id);
            }

            bool allowed = target switch
            {
                JobState.Cancelled => !JobStateNames.IsFinal(job.State),
                JobState.Paused => job.State is JobState.Queued or JobState.Running or JobState.Paused,
                _ => job.State is JobState.Paused or JobState.Queued or JobState.Running,
            };
            if (!allowed)
            {
                return new StoreError(
                    StoreErrorCode.JobStateConflict,
                    $"Job {id} is {JobStateNames.ToWireName(job.State)}; it cannot become {JobStateNames.ToWireName(target)}.");
            }

            if (target == JobState.Queued && job.State is JobState.Queued or JobState.Running)
            {
                return job;
            }

            if (job.State == target)
            {
                return job;
            }

            JobRecord changed = job with { State = target, UpdatedAt = _time.GetUtcNow() };
            try
            {
                await _repository.SaveJobAsync(changed, cancellationToken).ConfigureAwait(false);
            }
            catch (StorageUnavailableException ex)
            {
                return new StoreError(StoreErrorCode.StorageUnavailable, ex.Message);
            }

            _jobs[id] = changed;
            if (target == JobState.Queued)
            {
                _signal.Release();
            }

            return changed;
        }
    }

    // State changes the runner makes itself. Memory follows even when the store refuses the write (disk full): the runner
    // must not spin on a job it cannot record, and the stored state (running) resumes correctly after a restart.
    private async Task SaveAsync(JobRecord job)
    {
        _jobs[job.Id] = job;
        try
        {
            await _repository.SaveJobAsync(job, CancellationToken.None).ConfigureAwait(false);
        }
        catch (StorageUnavailableException)
        {
            // Nothing was written; see above.
        }
    }
}
