// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace EmbeddingStore.Server.Security;

// Authenticates `X-Api-Key: <key>` or `Authorization: Bearer <key>`. The presented key is hashed and compared with every
// configured hash in constant time (no early exit, FixedTimeEquals), so timing reveals neither which key nor how much
// of it matched. Keys are never logged. With no keys configured every caller gets all scopes (loopback-only mode).
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IOptionsMonitor<AuthOptions> auth)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        AuthOptions settings = auth.CurrentValue;
        if (!settings.Enabled)
        {
            return Task.FromResult(AuthenticateResult.Success(Ticket("anonymous", Scopes.All)));
        }

        string? presented = Request.Headers["X-Api-Key"].FirstOrDefault();
        if (presented is null && Request.Headers.Authorization.FirstOrDefault() is { } header
            && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            presented = header["Bearer ".Length..].Trim();
        }

        if (string.IsNullOrEmpty(presented))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), hash);
        ApiKeyOptions? match = null;
        Span<byte> expected = stackalloc byte[32];
        foreach (ApiKeyOptions key in settings.Keys)
        {
            if (Convert.FromHexString(key.Sha256, expected, out _, out int written) == System.Buffers.OperationStatus.Done
                && written == 32 && CryptographicOperations.FixedTimeEquals(hash, expected))
            {
                match ??= key;
            }
        }

        return Task.FromResult(match is null
            ? AuthenticateResult.Fail("The API key is not valid.")
            : AuthenticateResult.Success(Ticket(match.Name, Scopes.Expand(match.Scopes))));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "ApiKey header=\"X-Api-Key\", Bearer";
        return Task.CompletedTask;
    }

    private AuthenticationTicket Ticket(string name, IEnumerable<string> scopes)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, name) };
        claims.AddRange(scopes.Select(s => new Claim(Scopes.ClaimType, s)));
        return new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName);
    }
}
