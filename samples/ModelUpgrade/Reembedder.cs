// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Numerics.Tensors;
using EmbeddingStore.Client;
using EmbeddingStore.Contracts;
using SentenceTransformers;

namespace EmbeddingStore.Samples.ModelUpgrade;

/// <summary>
/// The re-embedding worker: takes the next pending items in the migration's order, embeds their payload text with the
/// new model and uploads the vectors. The pending list is a view, not a lease, so a page is re-read after each upload
/// instead of walking a cursor: what was uploaded has left it.
/// </summary>
internal sealed class Reembedder(EmbeddingStoreClient client, string collection, string migration, ISentenceEncoder encoder, float[][] reference)
{
    private const int Page = 100;

    /// <summary>The largest |1 − cos| between an uploaded vector and the reference embedding of the same text.</summary>
    public double MaxDeviation { get; private set; }

    /// <summary>Re-embeds up to <paramref name="count"/> pending items (all of them with <see cref="int.MaxValue"/>).</summary>
    public async Task<MigrationResponse> RunAsync(int count)
    {
        MigrationResponse migrationState = await client.GetMigrationAsync(collection, migration);
        int done = 0;
        while (done < count)
        {
            PendingItemsResponse pending = await client.GetPendingItemsAsync(collection, migration, Math.Min(Page, count - done));
            if (pending.Items.Count == 0)
            {
                break;
            }

            string[] texts = [.. pending.Items.Select(i => i.Payload!.Value.GetProperty("text").GetString()!)];
            float[][] vectors = encoder.Encode(texts, CancellationToken.None);
            var upload = new List<MigrationVectorItem>(vectors.Length);
            for (int i = 0; i < vectors.Length; i++)
            {
                string id = pending.Items[i].Id;
                float[] expected = reference[int.Parse(id, CultureInfo.InvariantCulture)];
                MaxDeviation = Math.Max(MaxDeviation, Math.Abs(1 - TensorPrimitives.Dot(vectors[i], expected)));
                upload.Add(new MigrationVectorItem { Id = id, Vector = vectors[i] });
            }

            MigrationVectorsResponse stored = await client.AddMigrationVectorsAsync(collection, migration, upload);
            migrationState = stored.Migration;
            done += stored.Stored;
            string firstIds = string.Join(",", pending.Items.Take(5).Select(i => i.Id));
            Console.WriteLine(
                $"  pending {pending.Remaining} -> uploaded {stored.Stored} (first ids {firstIds}, ...): native {migrationState.NativeVectors}/{migrationState.Items} "
                + $"({migrationState.NativeFraction:P1}), {migrationState.State}, link {migrationState.Link ?? "none"}"
                + (migrationState.LinkRecallAt10 is double r ? $" (R@10 {r:F3})" : string.Empty));
        }

        return migrationState;
    }
}
