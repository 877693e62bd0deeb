// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace EmbeddingStore.Contracts.Tests;

public sealed class VectorJsonConverterTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(384)]
    [InlineData(1537)]
    public void Serialize_Base64ThenDefault_RoundTripsBitsAtEveryLength(int length)
    {
        var random = new Random(length);
        float[] v = [.. Enumerable.Range(0, length).Select(_ => BitConverter.Int32BitsToSingle(random.Next()))];
        var request = new SearchRequest { Vector = v };

        string base64 = JsonSerializer.Serialize(request, EmbeddingStoreJsonContext.Base64Vectors.SearchRequest);
        string array = JsonSerializer.Serialize(new SearchRequest { Vector = [.. v.Where(float.IsFinite)] }, EmbeddingStoreJsonContext.Default.SearchRequest);

        float[] back = JsonSerializer.Deserialize(base64, EmbeddingStoreJsonContext.Default.SearchRequest)!.Vector!;
        Assert.Equal(MemoryMarshal.Cast<float, int>(v).ToArray(), MemoryMarshal.Cast<float, int>(back).ToArray());
        Assert.Contains("\"vector\":\"" + Convert.ToBase64String(MemoryMarshal.AsBytes(v.AsSpan())) + "\"", base64, StringComparison.Ordinal);
        Assert.Equal(
            v.Where(float.IsFinite).ToArray(),
            JsonSerializer.Deserialize(array, EmbeddingStoreJsonContext.Base64Vectors.SearchRequest)!.Vector!);
    }

    [Fact]
    public void Deserialize_StringSplitAcrossSegments_DecodesLikeContiguous()
    {
        float[] v = [1.5f, -2, 3, 4];
        byte[] json = Encoding.UTF8.GetBytes("{\"vector\":\"" + Convert.ToBase64String(MemoryMarshal.AsBytes(v.AsSpan())) + "\"}");
        var reader = new Utf8JsonReader(Segments(json, 5), new JsonReaderOptions());

        SearchRequest request = JsonSerializer.Deserialize(ref reader, EmbeddingStoreJsonContext.Default.SearchRequest)!;

        Assert.Equal(v, request.Vector);
    }

    [Theory]
    [InlineData("AAAAAA")]
    [InlineData("AAA=")]
    [InlineData("AAAAAB==")]
    [InlineData("AAAA AAA")]
    [InlineData("AAAA-_==")]
    public void DecodeBase64_Malformed_FormatExceptionWithReason(string text)
    {
        FormatException ex = Assert.Throws<FormatException>(() => VectorJsonConverter.DecodeBase64(Encoding.ASCII.GetBytes(text)));

        Assert.Contains("base64", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"vector\": true}")]
    [InlineData("{\"vector\": {}}")]
    [InlineData("{\"vector\": [1, \"2\"]}")]
    [InlineData("{\"vector\": [1, [2]]}")]
    public void Deserialize_NeitherArrayOfNumbersNorString_JsonException(string json) =>
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(json, EmbeddingStoreJsonContext.Default.SearchRequest));

    private static System.Buffers.ReadOnlySequence<byte> Segments(byte[] data, int size)
    {
        Segment first = new(data.AsMemory(0, Math.Min(size, data.Length)), 0);
        Segment last = first;
        for (int offset = size; offset < data.Length; offset += size)
        {
            last = last.Append(data.AsMemory(offset, Math.Min(size, data.Length - offset)));
        }

        return new System.Buffers.ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : System.Buffers.ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long index)
        {
            Memory = memory;
            RunningIndex = index;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
