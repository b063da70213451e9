using Assay.Server.Api;
using Assay.Store;
using Assay.Store.Access;
using Assay.Store.Data;
using Microsoft.AspNetCore.Mvc;

namespace Assay.Server.Pages;

/// <summary>The project list: keyset-paginated by name, filtered by name or vendor.</summary>
public sealed class IndexModel(AssayStore store) : LabPage(store)
{
    private const int PageSize = 50;

    [BindProperty(SupportsGet = true)]
    public string? Q { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? After { get; set; }

    public IReadOnlyList<ProjectSummary> Projects { get; private set; } = [];
    public long Total { get; private set; }
    public string? Next { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        if (Scope is null)
            return Page();
        string[]? after;
        try
        {
            after = PageTokens.Decode(After, 2);
        }
        catch (FormatException)
        {
            after = null;
        }
        Projects = await Store.Projects.ListAsync(Scope, after is null ? null : (after[0], after[1]), PageSize, Q, HttpContext.RequestAborted);
        Total = await Store.Projects.CountAsync(Scope, HttpContext.RequestAborted);
        Next = Projects.Count == PageSize ? PageTokens.Encode(Projects[^1].Name, Projects[^1].Id) : null;
        return Page();
    }

    public async Task<IActionResult> OnPostCreateAsync(string? name, string? vendor, string? networkFunction)
    {
        if (Scope is null || Scope.ProjectId is not null || !Can(Permission.CreateProject))
            return Denied();
        if (string.IsNullOrWhiteSpace(name) || string.IsNullOrWhiteSpace(vendor) || name.Length > 200 || vendor.Length > 200)
        {
            Flash = "A project needs a name and a vendor (at most 200 characters each).";
            return Redirect("/");
        }
        var row = await Store.Projects.CreateAsync(Scope.TenantId, name.Trim(), vendor.Trim(), string.IsNullOrWhiteSpace(networkFunction) ? null : networkFunction.Trim(), HttpContext.RequestAborted);
        if (row is null)
        {
            Flash = $"The tenant has a project named '{name}' already.";
            return Redirect("/");
        }
        return Redirect($"/projects/{row.Id}");
    }
}
