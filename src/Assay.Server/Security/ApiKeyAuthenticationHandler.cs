using System.Text.Encodings.Web;
using Assay.Store;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Assay.Server.Security;

/// <summary><c>Authorization: Bearer ask_…</c>: the key is looked up by its prefix and compared by hash (see <see cref="Store.Data.ApiKeyStore"/>).</summary>
internal sealed class ApiKeyAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, AssayStore store)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return AuthenticateResult.NoResult();
        var principal = await store.Keys.AuthenticateAsync(header["Bearer ".Length..].Trim(), Context.RequestAborted);
        return principal is null
            ? AuthenticateResult.Fail("the API key is unknown, revoked or expired")
            : AuthenticateResult.Success(new AuthenticationTicket(PrincipalClaims.ToClaims(principal, AuthSchemes.ApiKey), AuthSchemes.ApiKey));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer realm=\"assay\"";
        return Task.CompletedTask;
    }
}
