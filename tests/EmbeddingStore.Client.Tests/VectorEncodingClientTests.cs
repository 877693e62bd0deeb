// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Runtime.InteropServices;
using EmbeddingStore.Client.Tests.TestSupport;
using EmbeddingStore.Contracts;

namespace EmbeddingStore.Client.Tests;

// The SDK sends vectors as base64 unless told otherwise; both encodings store exactly the same bits.
public sealed class VectorEncodingClientTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly float[] s_awkward =
    [
        -0.0f, float.Epsilon, BitConverter.Int32BitsToSingle(0x007FFFFF), float.MaxValue,
        BitConverter.Int32BitsToSingle(0x3DCCCCCD), BitConverter.Int32BitsToSingle(0x3F7FFFFF), -3.14159274f, 1e-30f,
    ];

    private EmbeddingStoreClient Create(VectorEncoding encoding, RecordingHandler recorder) =>
        new(new EmbeddingStoreClientOptions { BaseAddress = server.Address, VectorEncoding = encoding, MaxRetries = 0 }, recorder);

    [Fact]
    public async Task UpsertItems_DefaultAndArrayEncodings_StoreBitwiseIdenticalVectors()
    {
        var base64Recorder = new RecordingHandler();
        var arrayRecorder = new RecordingHandler();
        using EmbeddingStoreClient base64 = Create(new EmbeddingStoreClientOptions().VectorEncoding, base64Recorder);
        using EmbeddingStoreClient array = Create(VectorEncoding.Array, arrayRecorder);
        await base64.RegisterModelVersionAsync("enc", "v1", new ModelVersionRequest { Dimension = 8, Metric = "dot" }, Ct);
        await base64.PutCollectionAsync("enc", new CollectionRequest { ServingVersion = "enc@v1" }, Ct);
        var random = new Random(31);
        List<float[]> vectors = [s_awkward, .. Enumerable.Range(0, 10).Select(_ => Enumerable.Range(0, 8).Select(_ => BitConverter.Int32BitsToSingle(random.Next() & 0x7EFFFFFF)).ToArray())];

        await base64.UpsertItemsAsync("enc", new UpsertItemsRequest { Items = [.. vectors.Select((v, i) => Item("b" + i, v))] }, Ct);
        await array.UpsertItemsAsync("enc", new UpsertItemsRequest { Items = [.. vectors.Select((v, i) => Item("a" + i, v))] }, Ct);

        string expectedBase64 = Convert.ToBase64String(MemoryMarshal.AsBytes(s_awkward.AsSpan()));
        Assert.Contains("\"" + expectedBase64 + "\"", base64Recorder.LastUpsertBody, StringComparison.Ordinal);
        Assert.DoesNotContain(expectedBase64, arrayRecorder.LastUpsertBody, StringComparison.Ordinal);
        Assert.Contains("\"enc@v1\":[", arrayRecorder.LastUpsertBody, StringComparison.Ordinal);
        for (int i = 0; i < vectors.Count; i++)
        {
            float[] fromBase64 = (await base64.GetItemAsync("enc", "b" + i, withVectors: true, Ct)).Vectors!["enc@v1"];
            float[] fromArray = (await base64.GetItemAsync("enc", "a" + i, withVectors: true, Ct)).Vectors!["enc@v1"];
            Assert.Equal(Bits(vectors[i]), Bits(fromBase64));
            Assert.Equal(Bits(vectors[i]), Bits(fromArray));
        }
    }

    [Fact]
    public void Options_UndefinedVectorEncoding_ValidateNamesSetting()
    {
        var options = new EmbeddingStoreClientOptions { BaseAddress = server.Address, VectorEncoding = (VectorEncoding)7 };

        ArgumentException ex = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Contains("VectorEncoding", ex.Message, StringComparison.Ordinal);
    }

    private static ItemRequest Item(string id, float[] v) => new() { Id = id, Vectors = new() { ["enc@v1"] = v } };

    private static int[] Bits(float[] v) => MemoryMarshal.Cast<float, int>(v.AsSpan()).ToArray();

    // Records the request body of upserts on the way to the real network.
    private sealed class RecordingHandler() : DelegatingHandler(new SocketsHttpHandler())
    {
        public string LastUpsertBody { get; private set; } = string.Empty;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Content is not null && request.RequestUri!.AbsolutePath.EndsWith("/items", StringComparison.Ordinal))
            {
                LastUpsertBody = await request.Content.ReadAsStringAsync(cancellationToken);
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }
}
