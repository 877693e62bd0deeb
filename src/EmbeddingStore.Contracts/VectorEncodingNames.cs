// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Diagnostics.CodeAnalysis;

namespace EmbeddingStore.Contracts;

/// <summary>
/// The one table of vector-encoding wire names, shared by server and client so the query parameter and its values are
/// spelt the same on both sides.
/// </summary>
public static class VectorEncodingNames
{
    /// <summary>The query parameter that chooses how vectors in a response are encoded: <c>vectorEncoding</c>.</summary>
    public const string Parameter = "vectorEncoding";

    /// <summary>The wire name of <see cref="VectorEncoding.Array"/>: <c>array</c>.</summary>
    public const string Array = "array";

    /// <summary>The wire name of <see cref="VectorEncoding.Base64"/>: <c>base64</c>.</summary>
    public const string Base64 = "base64";

    /// <summary>Every wire name, in the order documentation lists them.</summary>
    public static IReadOnlyList<string> All { get; } = [Array, Base64];

    /// <summary>The wire name of an encoding.</summary>
    /// <param name="encoding">The encoding.</param>
    public static string ToWireName(VectorEncoding encoding) => encoding switch
    {
        VectorEncoding.Array => Array,
        VectorEncoding.Base64 => Base64,
        _ => throw new ArgumentOutOfRangeException(nameof(encoding), encoding, "Unknown vector encoding."),
    };

    /// <summary>Parses a wire name exactly (names are case-sensitive, like every other wire name); false for anything else.</summary>
    /// <param name="name">The wire name.</param>
    /// <param name="encoding">The encoding, when the name is known.</param>
    public static bool TryParse([NotNullWhen(true)] string? name, out VectorEncoding encoding)
    {
        switch (name)
        {
            case Array:
                encoding = VectorEncoding.Array;
                return true;
            case Base64:
                encoding = VectorEncoding.Base64;
                return true;
            default:
                encoding = default;
                return false;
        }
    }
}
