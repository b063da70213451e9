using Assay.Store;
using Assay.Store.Data;
using Microsoft.AspNetCore.Mvc;

namespace Assay.Server.Pages;

/// <summary>Search across the caller's releases (the API's search, scoped the same way).</summary>
public sealed class SearchModel(AssayStore store) : LabPage(store)
{
    [BindProperty(SupportsGet = true)]
    public string? Q { get; set; }

    public IReadOnlyList<SearchHit> Hits { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync()
    {
        if (Scope is null)
            return Redirect("/admin");
        if (!string.IsNullOrWhiteSpace(Q) && Q.Length <= 500)
            Hits = await Store.Search.SearchAsync(Scope, Q, 200, HttpContext.RequestAborted);
        return Page();
    }
}
