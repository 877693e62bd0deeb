// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Diagnostics.CodeAnalysis;

namespace EmbeddingStore.Core.Versioning;

/// <summary>
/// Names one version of one embedding model, written <c>model@version</c> everywhere it is referenced.
/// </summary>
/// <remarks>
/// Names are restricted to <c>[A-Za-z0-9._-]</c> (1–64 characters each, starting with a letter or digit, so never
/// <c>.</c> or <c>..</c>) so that they are safe in URLs, file
/// names and log lines, and so that <c>@</c> is never ambiguous. Comparison is ordinal and case-sensitive.
/// </remarks>
public readonly record struct ModelVersionId
{
    /// <summary>The longest model or version name accepted; long enough for real model names, short enough to index.</summary>
    public const int MaxPartLength = 64;

    private ModelVersionId(string model, string version)
    {
        Model = model;
        Version = version;
    }

    /// <summary>The model's name, e.g. <c>text</c>.</summary>
    public string Model { get; }

    /// <summary>The version within the model, e.g. <c>v2</c>.</summary>
    public string Version { get; }

    /// <summary>Creates an id from its two parts, rejecting names that could not round-trip through <c>model@version</c>.</summary>
    public static ModelVersionId Create(string model, string version)
    {
        if (!IsValidPart(model))
        {
            throw new ArgumentException($"Model name '{model}' must be 1-{MaxPartLength} characters of A-Z, a-z, 0-9, '.', '_' or '-'.", nameof(model));
        }

        if (!IsValidPart(version))
        {
            throw new ArgumentException($"Version name '{version}' must be 1-{MaxPartLength} characters of A-Z, a-z, 0-9, '.', '_' or '-'.", nameof(version));
        }

        return new ModelVersionId(model, version);
    }

    /// <summary>Parses <c>model@version</c>; returns false rather than throwing because the text usually comes from a request.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out ModelVersionId id)
    {
        id = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        int at = text.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || at != text.LastIndexOf('@'))
        {
            return false;
        }

        string model = text[..at];
        string version = text[(at + 1)..];
        if (!IsValidPart(model) || !IsValidPart(version))
        {
            return false;
        }

        id = new ModelVersionId(model, version);
        return true;
    }

    /// <summary>Whether <paramref name="part"/> is an acceptable model or version name.</summary>
    public static bool IsValidPart([NotNullWhen(true)] string? part)
    {
        if (string.IsNullOrEmpty(part) || part.Length > MaxPartLength || !char.IsAsciiLetterOrDigit(part[0]))
        {
            return false;
        }

        foreach (char c in part)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The canonical <c>model@version</c> form used on the wire and in messages.</summary>
    public override string ToString() => Model is null ? string.Empty : $"{Model}@{Version}";
}
