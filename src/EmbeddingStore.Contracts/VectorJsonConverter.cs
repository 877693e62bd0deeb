// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace EmbeddingStore.Contracts;

/// <summary>
/// Reads a vector given either as a JSON array of numbers or as a base64 string of little-endian float32 values, and
/// writes it in the one form it was made for. Registered for every <c>float[]</c> of the wire types, so every place a
/// vector goes accepts both forms.
/// </summary>
/// <remarks>
/// <para>The base64 form is decoded straight into the array that is returned (no intermediate byte buffer), so it costs
/// one allocation and a memory-speed copy where the array form costs a decimal parse per number. Its values are taken
/// bit for bit: <c>-0.0</c>, subnormals, NaN and infinities arrive as sent; the server's vector validation then refuses
/// NaN and infinities exactly as it would have refused them in any other form.</para>
/// <para>Strict: the string must be padded base64 (length a multiple of 4, no whitespace, no base64url alphabet, zero
/// bits after the last byte) of a whole number of float32 values; anything else is a <see cref="JsonException"/>
/// (a 400 problem on the server) that says what is wrong.</para>
/// </remarks>
public sealed class VectorJsonConverter : JsonConverter<float[]>
{
    private const int StackFloats = 1024;
    private readonly bool _writeBase64;

    /// <summary>A converter that writes JSON arrays: the default for responses, readable by any JSON tool.</summary>
    public VectorJsonConverter()
        : this(VectorEncoding.Array)
    {
    }

    /// <summary>A converter that writes vectors in <paramref name="encoding"/>; it reads both forms either way.</summary>
    /// <param name="encoding">The form written.</param>
    public VectorJsonConverter(VectorEncoding encoding)
    {
        if (!Enum.IsDefined(encoding))
        {
            throw new ArgumentOutOfRangeException(nameof(encoding), encoding, "Unknown vector encoding.");
        }

        Encoding = encoding;
        _writeBase64 = encoding == VectorEncoding.Base64;
    }

    /// <summary>The form this converter writes.</summary>
    public VectorEncoding Encoding { get; }

    /// <inheritdoc/>
    public override float[] Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.String => ReadBase64(ref reader),
        JsonTokenType.StartArray => ReadArray(ref reader),
        _ => throw new JsonException(
            $"A vector must be an array of numbers or a base64 string of little-endian float32 values; found {Describe(reader.TokenType)}."),
    };

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, float[] value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        if (_writeBase64)
        {
            WriteBase64(writer, value);
            return;
        }

        writer.WriteStartArray();
        foreach (float v in value)
        {
            writer.WriteNumberValue(v);
        }

        writer.WriteEndArray();
    }

    /// <summary>
    /// Decodes a base64 vector held as UTF-8 bytes, as <see cref="Read"/> does for a JSON string; for callers that hold the
    /// text outside JSON (a file, a header). Throws <see cref="FormatException"/> with the reason when it is not one.
    /// </summary>
    /// <param name="utf8">The base64 text.</param>
    public static float[] DecodeBase64(ReadOnlySpan<byte> utf8) =>
        TryDecodeBase64(utf8, out float[]? vector, out string? error) ? vector : throw new FormatException(error);

    private static float[] ReadBase64(ref Utf8JsonReader reader)
    {
        if (!reader.HasValueSequence && !reader.ValueIsEscaped)
        {
            return TryDecodeBase64(reader.ValueSpan, out float[]? vector, out string? error) ? vector : throw new JsonException(error);
        }

        // Rare: a string split across buffers or written with JSON escapes (\/ or \u002B); unescape into a pooled buffer.
        int length = checked((int)(reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length));
        byte[] rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            int written = reader.CopyString(rented);
            return TryDecodeBase64(rented.AsSpan(0, written), out float[]? vector, out string? error) ? vector : throw new JsonException(error);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static bool TryDecodeBase64(
        ReadOnlySpan<byte> utf8, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out float[]? vector, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        vector = null;
        if (utf8.Length % 4 != 0)
        {
            error = $"A base64 vector must be padded base64 whose length is a multiple of 4 characters; this one has {utf8.Length}.";
            return false;
        }

        int padding = utf8.Length == 0 ? 0 : utf8[^1] != (byte)'=' ? 0 : utf8[^2] == (byte)'=' ? 2 : 1;
        int bytes = (utf8.Length / 4 * 3) - padding;
        if (bytes % sizeof(float) != 0)
        {
            error = $"A base64 vector must decode to whole float32 values (4 bytes each); this one decodes to {bytes} bytes.";
            return false;
        }

        // Bits after the last byte must be zero, or two different strings would mean the same vector.
        if (padding > 0 && (Base64Value(utf8[^(padding + 1)]) & (padding == 2 ? 0x0F : 0x03)) != 0)
        {
            error = "A base64 vector has non-zero bits in its padding; it is not canonical base64.";
            return false;
        }

        var values = new float[bytes / sizeof(float)];
        OperationStatus status = Base64.DecodeFromUtf8(utf8, MemoryMarshal.AsBytes(values.AsSpan()), out int consumed, out int decoded, isFinalBlock: true);
        if (status != OperationStatus.Done || consumed != utf8.Length || decoded != bytes)
        {
            error = $"A base64 vector contains a character that is not standard base64 (A-Z, a-z, 0-9, '+', '/', '=' only at the end), near position {consumed}.";
            return false;
        }

        if (!BitConverter.IsLittleEndian)
        {
            Span<int> raw = MemoryMarshal.Cast<float, int>(values.AsSpan());
            BinaryPrimitives.ReverseEndianness(raw, raw);
        }

        vector = values;
        error = null;
        return true;
    }

    private static int Base64Value(byte c) => c switch
    {
        >= (byte)'A' and <= (byte)'Z' => c - 'A',
        >= (byte)'a' and <= (byte)'z' => c - 'a' + 26,
        >= (byte)'0' and <= (byte)'9' => c - '0' + 52,
        (byte)'+' => 62,
        (byte)'/' => 63,
        _ => 0, // not base64 at all: the decoder reports it
    };

    private static float[] ReadArray(ref Utf8JsonReader reader)
    {
        // Numbers are parsed into a stack (or pooled) buffer and copied once into an array of the exact length, instead of
        // a growing list and a final ToArray.
        Span<float> stack = stackalloc float[StackFloats];
        float[]? rented = null;
        Span<float> buffer = stack;
        int count = 0;
        try
        {
            while (true)
            {
                if (!reader.Read())
                {
                    throw new JsonException("A vector array ended before its closing bracket.");
                }

                if (reader.TokenType == JsonTokenType.EndArray)
                {
                    break;
                }

                if (reader.TokenType != JsonTokenType.Number)
                {
                    throw new JsonException($"A vector array must hold only numbers; element {count} is {Describe(reader.TokenType)}.");
                }

                if (count == buffer.Length)
                {
                    float[] larger = ArrayPool<float>.Shared.Rent(buffer.Length * 2);
                    buffer.CopyTo(larger);
                    if (rented is not null)
                    {
                        ArrayPool<float>.Shared.Return(rented);
                    }

                    rented = larger;
                    buffer = larger;
                }

                buffer[count++] = reader.GetSingle();
            }

            return buffer[..count].ToArray();
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<float>.Shared.Return(rented);
            }
        }
    }

    private static void WriteBase64(Utf8JsonWriter writer, float[] value)
    {
        if (BitConverter.IsLittleEndian)
        {
            writer.WriteBase64StringValue(MemoryMarshal.AsBytes(value.AsSpan()));
            return;
        }

        int[] swapped = ArrayPool<int>.Shared.Rent(value.Length);
        try
        {
            Span<int> raw = swapped.AsSpan(0, value.Length);
            BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<float, int>(value.AsSpan()), raw);
            writer.WriteBase64StringValue(MemoryMarshal.AsBytes(raw));
        }
        finally
        {
            ArrayPool<int>.Shared.Return(swapped);
        }
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.Null => "null",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Number => "a number",
        JsonTokenType.String => "a string",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        _ => token.ToString(),
    };
}
