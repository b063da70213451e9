using Assay.Server.Security;
using Assay.Store;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Assay.Server.Pages;

/// <summary>The UI's login: an API key becomes a session cookie that names the key (revoking the key ends the session).</summary>
public sealed class LoginModel(AssayStore store) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Error { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(string? key)
    {
        var principal = string.IsNullOrWhiteSpace(key) ? null : await store.Keys.AuthenticateAsync(key.Trim(), HttpContext.RequestAborted);
        if (principal is null)
        {
            HttpContext.Items["assay:audit-actor"] = "login (unknown key)";
            Error = "That key is unknown, revoked or expired. Check it, or ask an administrator for a new one.";
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }
        HttpContext.Items["assay:audit-actor"] = principal.Actor;
        HttpContext.Items["assay:audit-tenant"] = principal.TenantId;
        await HttpContext.SignInAsync(AuthSchemes.Cookie, PrincipalClaims.ToClaims(principal, AuthSchemes.Cookie));
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : principal.TenantId is null ? "/admin" : "/");
    }
}
