using Assay.Server.Security;
using Assay.Store;
using Assay.Store.Access;
using Assay.Store.Data;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Assay.Server.Pages;

/// <summary>
/// Base of the UI's pages: the caller (from the session), its scope, and the store. Every page
/// reads through the same scoped store calls as the API, so the UI shows exactly what the key may see.
/// </summary>
public abstract class LabPage(AssayStore store) : PageModel
{
    protected AssayStore Store { get; } = store;

    /// <summary>The signed-in principal (pages other than login require a session).</summary>
    public Principal Caller => HttpContext.Caller() ?? throw new InvalidOperationException("page reached without a session");

    /// <summary>The caller's tenant scope; null for a system administrator, who sees no tenant data.</summary>
    public Scope? Scope => Caller.TenantId is null ? null : new Scope(Caller.TenantId, Caller.ProjectId);

    public bool Can(Permission permission) => Caller.Can(permission) && (Scope is not null || permission is Permission.ManageKeys or Permission.ReadAudit);

    /// <summary>A one-line message shown at the top of the page after a form post (success or refusal).</summary>
    [Microsoft.AspNetCore.Mvc.TempData]
    public string? Flash { get; set; }

    /// <summary>403 for a form post the role may not make (the page never offered it).</summary>
    protected Microsoft.AspNetCore.Mvc.IActionResult Denied() => StatusCode(StatusCodes.Status403Forbidden);

    public static string Time(long ms) => Clock.ToTime(ms).UtcDateTime.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);

    public static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1 << 20 => $"{bytes / 1024.0:0.#} KiB",
        < 1 << 30 => $"{bytes / (double)(1 << 20):0.#} MiB",
        _ => $"{bytes / (double)(1L << 30):0.##} GiB",
    };

    /// <summary>The part of a virtual path a reader needs: the last two levels.</summary>
    public static string ShortPath(string? path)
    {
        if (string.IsNullOrEmpty(path))
            return "";
        var parts = path.Split("!/");
        return parts.Length <= 2 ? path : "…!/" + string.Join("!/", parts[^2..]);
    }
}
