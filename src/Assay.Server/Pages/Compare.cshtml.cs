using Assay.History.Diff;
using Assay.Server.Api;
using Assay.Store;
using Assay.Store.Access;
using Assay.Store.Data;
using Microsoft.AspNetCore.Mvc;

namespace Assay.Server.Pages;

/// <summary>Two releases of a project side by side: the history library's release diff, with the project's triage beside each finding.</summary>
public sealed class CompareModel(AssayStore store) : LabPage(store)
{
    [BindProperty(SupportsGet = true, Name = "base")]
    public string? BaseId { get; set; }

    [BindProperty(SupportsGet = true, Name = "head")]
    public string? HeadId { get; set; }

    public ProjectRow Project { get; private set; } = new();
    public ReleaseRow Base { get; private set; } = new();
    public ReleaseRow Head { get; private set; } = new();
    public ReleaseDiffResult Diff { get; private set; } = null!;
    public IReadOnlyDictionary<string, TriageRow> Triage { get; private set; } = new Dictionary<string, TriageRow>();

    /// <summary>Findings present in both releases whose decision therefore holds for the head release.</summary>
    public List<(FindingRef Finding, TriageRow Decision)> Carried { get; } = [];

    public async Task<IActionResult> OnGetAsync()
    {
        var ct = HttpContext.RequestAborted;
        if (!Can(Permission.Export))
            return Denied();
        if (Scope is null || BaseId is null || HeadId is null
            || await Store.Releases.GetAsync(Scope, BaseId, ct) is not { } b || await Store.Releases.GetAsync(Scope, HeadId, ct) is not { } h || b.ProjectId != h.ProjectId)
            return NotFound();
        var be = await Store.Evaluations.LatestAsync(b.Id, ct);
        var he = await Store.Evaluations.LatestAsync(h.Id, ct);
        if (be is null || he is null)
        {
            Flash = "Both releases need a finished scan to be compared.";
            return Redirect($"/projects/{b.ProjectId}");
        }
        Base = b;
        Head = h;
        Project = (await Store.Projects.GetAsync(Scope, b.ProjectId, ct))!;
        Diff = await ReleaseComparison.CompareAsync(Store, be, he, ct);
        Triage = await Store.Triage.ForProjectAsync(Project.Id, ct);
        foreach (var f in Diff.Findings.UnchangedFindings.Concat(Diff.Findings.Updated))
        {
            if (Triage.TryGetValue(f.Fingerprint, out var t))
                Carried.Add((f, t));
        }
        return Page();
    }
}
