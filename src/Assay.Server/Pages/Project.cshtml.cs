using Assay.Store;
using Assay.Store.Access;
using Assay.Store.Data;
using Microsoft.AspNetCore.Mvc;

namespace Assay.Server.Pages;

/// <summary>A project: its releases with their newest scan and counts, new release, compare.</summary>
public sealed class ProjectModel(AssayStore store) : LabPage(store)
{
    public ProjectRow Project { get; private set; } = new();
    public IReadOnlyList<ReleaseRow> Releases { get; private set; } = [];
    public Dictionary<string, EvaluationRow> Evaluations { get; } = [];
    public Dictionary<string, ScanRow> Scans { get; } = [];

    public async Task<IActionResult> OnGetAsync(string id)
    {
        if (Scope is null || await Store.Projects.GetAsync(Scope, id, HttpContext.RequestAborted) is not { } project)
            return NotFound();
        Project = project;
        Releases = await Store.Releases.ListAsync(Scope, id, null, 100, HttpContext.RequestAborted);
        foreach (var r in Releases)
        {
            if (await Store.Evaluations.LatestAsync(r.Id, HttpContext.RequestAborted) is { } e)
                Evaluations[r.Id] = e;
            if ((await Store.Scans.ListByReleaseAsync(r.Id, HttpContext.RequestAborted)) is { Count: > 0 } scans)
                Scans[r.Id] = scans[0];
        }
        return Page();
    }

    public async Task<IActionResult> OnPostReleaseAsync(string id, string? version)
    {
        if (Scope is null || await Store.Projects.GetAsync(Scope, id, HttpContext.RequestAborted) is not { } project)
            return NotFound();
        if (!Can(Permission.Upload))
            return Denied();
        if (string.IsNullOrWhiteSpace(version) || version.Length > 200)
        {
            Flash = "A release needs a version (at most 200 characters).";
            return Redirect($"/projects/{id}");
        }
        var row = await Store.Releases.CreateAsync(project.TenantId, project.Id, version.Trim(), HttpContext.RequestAborted);
        if (row is null)
        {
            Flash = $"Release {version} exists already.";
            return Redirect($"/projects/{id}");
        }
        return Redirect($"/releases/{row.Id}");
    }
}
