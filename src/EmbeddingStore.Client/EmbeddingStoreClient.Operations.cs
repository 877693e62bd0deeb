// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Contracts;

namespace EmbeddingStore.Client;

// The operator's calls: background jobs, aliases, backup and verification. esadmin is built on these alone.
public sealed partial class EmbeddingStoreClient
{
    /// <summary>
    /// Starts a derive job: vectors mapped through the link for every item lacking the target version, in chunks that
    /// commit with the job's cursor. Not retried: a blind repeat would start a second job.
    /// </summary>
    /// <param name="linkId">The link to derive through.</param>
    /// <param name="request">The collection and the direction.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The accepted job; follow it with <see cref="GetJobAsync"/>.</returns>
    public Task<JobResponse> DeriveVectorsAsync(string linkId, DeriveVectorsRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(ApiOperations.DeriveVectors, ApiOperations.DeriveVectors.Path(Required(linkId)), request, _json.DeriveVectorsRequest, _json.JobResponse, null,
            cancellationToken);

    /// <summary>Lists background jobs (derive, later migrations), newest first, so an operator can see what runs.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<JobListResponse> ListJobsAsync(CancellationToken cancellationToken = default) =>
        GetAsync(ApiOperations.ListJobs, ApiOperations.ListJobs.Path(), _json.JobListResponse, cancellationToken);

    /// <summary>Gets one job: poll it until its state is final to follow a long operation.</summary>
    /// <param name="id">The job's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="EmbeddingStoreNotFoundException">No such job.</exception>
    public Task<JobResponse> GetJobAsync(string id, CancellationToken cancellationToken = default) =>
        GetAsync(ApiOperations.GetJob, ApiOperations.GetJob.Path(Required(id)), _json.JobResponse, cancellationToken);

    /// <summary>Cancels a job between chunks; what it committed stays. Cancelled is final, so a retried cancel is harmless.</summary>
    /// <param name="id">The job's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="EmbeddingStoreConflictException">The job is already final.</exception>
    public Task<JobResponse> CancelJobAsync(string id, CancellationToken cancellationToken = default) =>
        PostAsync(ApiOperations.CancelJob, ApiOperations.CancelJob.Path(Required(id)), _json.JobResponse, cancellationToken);

    /// <summary>Pauses a job between chunks, to free resources without losing its place.</summary>
    /// <param name="id">The job's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="EmbeddingStoreConflictException">The job cannot be paused from its state.</exception>
    public Task<JobResponse> PauseJobAsync(string id, CancellationToken cancellationToken = default) =>
        PostAsync(ApiOperations.PauseJob, ApiOperations.PauseJob.Path(Required(id)), _json.JobResponse, cancellationToken);

    /// <summary>Resumes a paused job from its stored cursor.</summary>
    /// <param name="id">The job's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="EmbeddingStoreConflictException">The job is not paused.</exception>
    public Task<JobResponse> ResumeJobAsync(string id, CancellationToken cancellationToken = default) =>
        PostAsync(ApiOperations.ResumeJob, ApiOperations.ResumeJob.Path(Required(id)), _json.JobResponse, cancellationToken);

    /// <summary>
    /// Points an alias at a collection, creating it or switching it atomically: clients searching through the alias see
    /// the old collection or the new one, never an error (PUT: repeating it is harmless).
    /// </summary>
    /// <param name="alias">The alias.</param>
    /// <param name="collection">The collection it should name, by its own name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="EmbeddingStoreConflictException">The alias is a collection's name.</exception>
    public Task<AliasResponse> PutAliasAsync(string alias, string collection, CancellationToken cancellationToken = default) =>
        SendAsync(ApiOperations.PutAlias, ApiOperations.PutAlias.Path(Required(alias)), new AliasRequest { Collection = Required(collection) }, _json.AliasRequest,
            _json.AliasResponse, null, cancellationToken);

    /// <summary>Lists aliases and the collections they name.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<AliasListResponse> ListAliasesAsync(CancellationToken cancellationToken = default) =>
        GetAsync(ApiOperations.ListAliases, ApiOperations.ListAliases.Path(), _json.AliasListResponse, cancellationToken);

    /// <summary>Gets one alias and the collection it names now.</summary>
    /// <param name="alias">The alias.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="EmbeddingStoreNotFoundException">No such alias.</exception>
    public Task<AliasResponse> GetAliasAsync(string alias, CancellationToken cancellationToken = default) =>
        GetAsync(ApiOperations.GetAlias, ApiOperations.GetAlias.Path(Required(alias)), _json.AliasResponse, cancellationToken);

    /// <summary>Deletes an alias; the collection it named stays.</summary>
    /// <param name="alias">The alias.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="EmbeddingStoreNotFoundException">No such alias.</exception>
    public async Task DeleteAliasAsync(string alias, CancellationToken cancellationToken = default)
    {
        using HttpRequestMessage request = Request(ApiOperations.DeleteAlias, ApiOperations.DeleteAlias.Path(Required(alias)));
        using HttpResponseMessage response = await SendCoreAsync(request, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Declares a payload index on a field so filters on it stop reading every payload; repeating the same declaration
    /// changes nothing, another type replaces the index. The index is built by a job (<see cref="PayloadIndexResponse.JobId"/>)
    /// and used once its state is <c>ready</c>; answers are the same before and after, only faster.
    /// </summary>
    /// <param name="collection">The collection.</param>
    /// <param name="field">The payload field; dots address nested objects (<c>meta.src</c>), array fields index every element.</param>
    /// <param name="type"><c>keyword</c> (strings), <c>integer</c> (integral numbers), <c>float</c> (all numbers) or <c>bool</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="EmbeddingStoreValidationException">An unknown type, a malformed field, or too many indexes.</exception>
    /// <exception cref="EmbeddingStoreNotFoundException">No such collection.</exception>
    public Task<PayloadIndexResponse> PutPayloadIndexAsync(string collection, string field, string type, CancellationToken cancellationToken = default) =>
        SendAsync(ApiOperations.PutPayloadIndex, ApiOperations.PutPayloadIndex.Path(Required(collection), Required(field)), new PayloadIndexRequest { Type = Required(type) },
            _json.PayloadIndexRequest, _json.PayloadIndexResponse, null, cancellationToken);

    /// <summary>Lists a collection's payload indexes with their build state.</summary>
    /// <param name="collection">The collection.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="EmbeddingStoreNotFoundException">No such collection.</exception>
    public Task<PayloadIndexListResponse> ListPayloadIndexesAsync(string collection, CancellationToken cancellationToken = default) =>
        GetAsync(ApiOperations.ListPayloadIndexes, ApiOperations.ListPayloadIndexes.Path(Required(collection)), _json.PayloadIndexListResponse, cancellationToken);

    /// <summary>Gets one payload index: its type, whether it is built yet, and how much it holds.</summary>
    /// <param name="collection">The collection.</param>
    /// <param name="field">The indexed field.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="EmbeddingStoreNotFoundException">No such collection, or no index on that field.</exception>
    public Task<PayloadIndexResponse> GetPayloadIndexAsync(string collection, string field, CancellationToken cancellationToken = default) =>
        GetAsync(ApiOperations.GetPayloadIndex, ApiOperations.GetPayloadIndex.Path(Required(collection), Required(field)), _json.PayloadIndexResponse, cancellationToken);

    /// <summary>Deletes a payload index; filters on its field give the same answers, reading payloads again.</summary>
    /// <param name="collection">The collection.</param>
    /// <param name="field">The indexed field.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="EmbeddingStoreNotFoundException">No such collection, or no index on that field.</exception>
    public async Task DeletePayloadIndexAsync(string collection, string field, CancellationToken cancellationToken = default)
    {
        using HttpRequestMessage request = Request(ApiOperations.DeletePayloadIndex, ApiOperations.DeletePayloadIndex.Path(Required(collection), Required(field)));
        using HttpResponseMessage response = await SendCoreAsync(request, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Takes an online backup into the server's backup directory: a consistent copy while writes go on. Not retried: a
    /// repeat is refused because the file then exists.
    /// </summary>
    /// <param name="path">The backup's file name (or relative path) inside the server's <c>Backup:Directory</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="EmbeddingStoreValidationException">Backups are not configured, the path leaves the directory, or the file exists.</exception>
    public Task<BackupResponse> BackupAsync(string path, CancellationToken cancellationToken = default) =>
        SendAsync(ApiOperations.Backup, ApiOperations.Backup.Path(), new BackupRequest { Path = Required(path) }, _json.BackupRequest, _json.BackupResponse, null,
            cancellationToken);

    /// <summary>Verifies the running store: integrity check, stored counts against memory per collection, and lineage.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<VerifyResponse> VerifyAsync(CancellationToken cancellationToken = default) =>
        GetAsync(ApiOperations.Verify, ApiOperations.Verify.Path(), _json.VerifyResponse, cancellationToken);

    private async Task<T> PostAsync<T>(ApiOperation operation, string path, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> responseType, CancellationToken cancellationToken)
    {
        using HttpRequestMessage request = Request(operation, path);
        using HttpResponseMessage response = await SendCoreAsync(request, cancellationToken).ConfigureAwait(false);
        return await ReadAsync(response, responseType, cancellationToken).ConfigureAwait(false);
    }
}
