// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Diagnostics.CodeAnalysis;

namespace EmbeddingStore.Core.Collections;

/// <summary>
/// The outcome of an engine operation: a value or a <see cref="StoreError"/>. Refusals are expected traffic
/// (bad input from clients), so they are values, not exceptions.
/// </summary>
/// <typeparam name="T">The value on success.</typeparam>
public readonly struct StoreResult<T>
{
    private StoreResult(T? value, StoreError? error)
    {
        Value = value;
        Error = error;
    }

    /// <summary>The value; meaningful only when <see cref="IsSuccess"/>.</summary>
    public T? Value { get; }

    /// <summary>Why the operation was refused; null on success.</summary>
    public StoreError? Error { get; }

    /// <summary>Whether the operation succeeded.</summary>
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Error is null;

    /// <summary>Wraps a successful value.</summary>
    public static StoreResult<T> Success(T value) => new(value, null);

    /// <summary>Wraps a refusal.</summary>
    public static StoreResult<T> Failure(StoreError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new(default, error);
    }

    /// <summary>Lets an operation return a <see cref="StoreError"/> directly.</summary>
    public static implicit operator StoreResult<T>(StoreError error) => Failure(error);

    /// <summary>Lets an operation return its value directly.</summary>
    public static implicit operator StoreResult<T>(T value) => Success(value);
}
