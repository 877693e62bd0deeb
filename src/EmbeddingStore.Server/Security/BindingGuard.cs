// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Net;

namespace EmbeddingStore.Server.Security;

// Secure default: a server without API keys is open to anyone who can reach it, so it may only listen on loopback.
// Reads the addresses from configuration before Kestrel binds, so a refused start never opens a socket.
internal static class BindingGuard
{
    public static string? Check(IConfiguration configuration, AuthOptions auth)
    {
        if (auth.Enabled || auth.AllowAnonymousNonLoopback)
        {
            return null;
        }

        var urls = new List<string>();
        foreach (string key in new[] { "urls", "Urls", "ASPNETCORE_URLS" })
        {
            if (configuration[key] is { Length: > 0 } value)
            {
                urls.AddRange(value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            }
        }

        foreach (IConfigurationSection endpoint in configuration.GetSection("Kestrel:Endpoints").GetChildren())
        {
            if (endpoint["Url"] is { Length: > 0 } url)
            {
                urls.Add(url);
            }
        }

        if (configuration["http_ports"] is { Length: > 0 } || configuration["https_ports"] is { Length: > 0 })
        {
            urls.Add("http://*");
        }

        foreach (string url in urls)
        {
            if (!IsLoopback(url))
            {
                return $"refusing to listen on {url} without API keys: configure Auth:Keys, bind to 127.0.0.1, or set Auth:AllowAnonymousNonLoopback=true.";
            }
        }

        return null;
    }

    private static bool IsLoopback(string url)
    {
        string rest = url.Contains("://", StringComparison.Ordinal) ? url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..] : url;
        string host = rest.StartsWith('[') ? rest[1..rest.IndexOf(']', StringComparison.Ordinal)] : rest.Split(':', '/')[0];
        return string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host, out IPAddress? address) && IPAddress.IsLoopback(address));
    }
}
