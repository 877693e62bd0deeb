// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Net.Sockets;

namespace EmbeddingStore.Container.Tests;

// Whether a Docker engine answers on this machine, asked the way Testcontainers will (the unix socket, or DOCKER_HOST),
// so that the tests can skip with the reason instead of failing where no engine runs.
internal static class DockerEngine
{
    private static readonly Lazy<Task<string?>> s_unavailable = new(ProbeAsync);

    // Null when an engine answers; otherwise why not.
    public static Task<string?> UnavailableReasonAsync() => s_unavailable.Value;

    // The engine this project's CI starts (Debian's docker.io 20.10) speaks API 1.41, and without a bridge network the
    // resource reaper container cannot be reached; both settings are what Testcontainers needs there.
    public static void ConfigureTestcontainers()
    {
        SetDefault("DOCKER_API_VERSION", "1.41");
        SetDefault("TESTCONTAINERS_RYUK_DISABLED", "true");
    }

    private static void SetDefault(string name, string value)
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(name)))
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }

    // Whether the engine holds an image of that name (the local stand-ins for Microsoft's base images).
    public static async Task<bool> HasImageAsync(string name)
    {
        using HttpClient client = CreateClient();
        using HttpResponseMessage response = await client.GetAsync(new Uri($"http://docker/images/{name}/json"));
        return response.IsSuccessStatusCode;
    }

    // Docker's own view of the container's HEALTHCHECK: starting, healthy or unhealthy (null without a health check).
    public static async Task<string?> HealthStatusAsync(string containerId)
    {
        using HttpClient client = CreateClient();
        string json = await client.GetStringAsync(new Uri($"http://docker/containers/{containerId}/json"));
        return System.Text.Json.Nodes.JsonNode.Parse(json)?["State"]?["Health"]?["Status"]?.GetValue<string>();
    }

    // Removes a container (stopped or not) and then a volume; what is already gone is not an error.
    public static async Task RemoveAsync(IEnumerable<string> containerIds, string volume)
    {
        using HttpClient client = CreateClient();
        foreach (string id in containerIds)
        {
            using HttpResponseMessage removed = await client.DeleteAsync(new Uri($"http://docker/containers/{id}?force=true&v=false"));
        }

        using HttpResponseMessage deleted = await client.DeleteAsync(new Uri($"http://docker/volumes/{volume}"));
    }

    private static string SocketPath
    {
        get
        {
            string? host = Environment.GetEnvironmentVariable("DOCKER_HOST");
            return host is { Length: > 0 } && host.StartsWith("unix://", StringComparison.Ordinal) ? host["unix://".Length..] : "/var/run/docker.sock";
        }
    }

    private static HttpClient CreateClient()
    {
        string socket = SocketPath;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await s.ConnectAsync(new UnixDomainSocketEndPoint(socket), cancellationToken);
                return new NetworkStream(s, ownsSocket: true);
            },
        };
        return new HttpClient(handler, disposeHandler: true) { Timeout = TimeSpan.FromSeconds(10) };
    }

    private static async Task<string?> ProbeAsync()
    {
        string? host = Environment.GetEnvironmentVariable("DOCKER_HOST");
        string socket = SocketPath;
        if (host is { Length: > 0 } && !host.StartsWith("unix://", StringComparison.Ordinal))
        {
            return $"DOCKER_HOST={host} is not a unix socket; these tests only use a local engine";
        }

        if (!File.Exists(socket))
        {
            return $"no Docker engine: {socket} does not exist (start one with deploy/start-docker-engine.sh, as .ci/run does)";
        }

        using HttpClient client = CreateClient();
        try
        {
            string pong = await client.GetStringAsync(new Uri("http://docker/_ping"));
            return pong == "OK" ? null : $"the Docker engine at {socket} answered _ping with '{pong}'";
        }
        catch (Exception ex) when (ex is HttpRequestException or SocketException or TaskCanceledException or IOException)
        {
            return $"no Docker engine answers at {socket}: {ex.Message}";
        }
    }
}
