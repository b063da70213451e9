using System.Security.Claims;
using Assay.Store.Access;

namespace Assay.Server.Security;

/// <summary>The Assay principal as claims (API key and UI session carry the same), and back.</summary>
internal static class PrincipalClaims
{
    public const string KeyId = "assay:key";
    public const string Tenant = "assay:tenant";
    public const string Project = "assay:project";
    public const string Role = "assay:role";
    public const string ViaCookie = "assay:cookie";

    public static ClaimsPrincipal ToClaims(Principal principal, string scheme)
    {
        var claims = new List<Claim>
        {
            new(KeyId, principal.KeyId),
            new(ClaimTypes.Name, principal.Name),
            new(Role, principal.Role.Name()),
        };
        if (principal.TenantId is not null)
            claims.Add(new Claim(Tenant, principal.TenantId));
        if (principal.ProjectId is not null)
            claims.Add(new Claim(Project, principal.ProjectId));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme));
    }

    /// <summary>The caller of a request, or null when it is not authenticated.</summary>
    public static Principal? Caller(this HttpContext context)
    {
        var user = context.User;
        if (user.Identity?.IsAuthenticated != true || user.FindFirst(KeyId)?.Value is not { } key || !Roles.TryParse(user.FindFirst(Role)?.Value, out var role))
            return null;
        return new Principal(key, user.Identity.Name ?? "", user.FindFirst(Tenant)?.Value, user.FindFirst(Project)?.Value, role);
    }

    /// <summary>True when the request was authenticated by the UI's session cookie (mutations then need the antiforgery token).</summary>
    public static bool ByCookie(this HttpContext context) =>
        context.User.Identity?.AuthenticationType == AuthSchemes.Cookie;
}
