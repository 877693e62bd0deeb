// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Admin.Cli;

// A server address as the commands take it: absolute http(s), with a trailing slash so v1/... resolves under any base path.
internal static class HttpUrl
{
    public static Uri? Parse(string text, out string? error)
    {
        string withSlash = text.EndsWith('/') ? text : text + "/";
        if (Uri.TryCreate(withSlash, UriKind.Absolute, out Uri? uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            error = null;
            return uri;
        }

        error = $"'{text}' is not an http(s) URL";
        return null;
    }
}
