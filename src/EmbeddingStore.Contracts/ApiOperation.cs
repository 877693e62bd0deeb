// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text;

namespace EmbeddingStore.Contracts;

/// <summary>
/// One operation of the REST API: its name (the endpoint name and OpenAPI <c>operationId</c>), HTTP method, route
/// template and <see cref="ApiOperationKind"/>. The rows live in <see cref="ApiOperations"/>, the one list that the
/// server's endpoint metadata and the client's retry policy both read, so "which requests are writes" is decided once.
/// </summary>
/// <param name="Name">The endpoint name (<c>.WithName()</c> on the server) and OpenAPI <c>operationId</c>; stable, because scripts and generated clients use it.</param>
/// <param name="Method">The HTTP method in upper case (<c>GET</c>, <c>PUT</c>, <c>POST</c>, <c>DELETE</c>).</param>
/// <param name="Route">The route template as the server maps it, e.g. <c>/v1/collections/{name}/items</c>.</param>
/// <param name="Kind">What repeating the operation does.</param>
public sealed record ApiOperation(string Name, string Method, string Route, ApiOperationKind Kind)
{
    /// <summary>Whether the operation changes state: the server records answers to keyed requests only for writes.</summary>
    public bool IsWrite => Kind != ApiOperationKind.Read;

    /// <summary>Whether a repeat is harmless, so a client may retry it after a lost answer without an idempotency key.</summary>
    public bool IsIdempotent => Kind != ApiOperationKind.Write;

    /// <summary>
    /// The route with its parameters filled in, in order, each escaped as one path segment, and without the leading
    /// slash, so it resolves under a client's base address (which may carry a path of its own).
    /// </summary>
    /// <param name="values">One value per <c>{parameter}</c> of <see cref="Route"/>, in order; escaped here.</param>
    /// <returns>For example <c>v1/collections/docs/items</c>.</returns>
    /// <exception cref="ArgumentException">The number of values differs from the route's parameters, or a value is empty.</exception>
    public string Path(params ReadOnlySpan<string> values)
    {
        var path = new StringBuilder(Route.Length + 16);
        int next = 0;
        for (int i = Route.StartsWith('/') ? 1 : 0; i < Route.Length; i++)
        {
            if (Route[i] != '{')
            {
                path.Append(Route[i]);
                continue;
            }

            int close = Route.IndexOf('}', i);
            if (next >= values.Length)
            {
                throw new ArgumentException($"{Name} ({Route}) needs a value for {Route[i..(close + 1)]}; {values.Length} given.", nameof(values));
            }

            ArgumentException.ThrowIfNullOrEmpty(values[next], nameof(values));
            path.Append(Uri.EscapeDataString(values[next++]));
            i = close;
        }

        if (next != values.Length)
        {
            throw new ArgumentException($"{Name} ({Route}) has {next} parameters; {values.Length} values given.", nameof(values));
        }

        return path.ToString();
    }
}
