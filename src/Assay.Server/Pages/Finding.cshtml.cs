using Assay.Core.Model;
using Assay.Reports;
using Assay.Server.Api;
using Assay.Store;
using Assay.Store.Access;
using Assay.Store.Data;
using Microsoft.AspNetCore.Mvc;

namespace Assay.Server.Pages;

/// <summary>One finding of a release: its facts from the evaluation, the triage panel and the hash-chained trail.</summary>
public sealed class FindingModel(AssayStore store) : LabPage(store)
{
    public ProjectRow Project { get; private set; } = new();
    public ReleaseRow Release { get; private set; } = new();
    public FindingView Finding { get; private set; } = new();
    public TriageEndpoints.TriageDto Triage { get; private set; } = null!;
    public List<(string, string)> Details { get; } = [];

    public async Task<IActionResult> OnGetAsync(string id, string fingerprint)
    {
        if (!await LoadAsync(id, fingerprint))
            return NotFound();
        await LoadDetailsAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostTriageAsync(string id, string fingerprint, string? state, string? justification, string? detail, long? version)
    {
        if (!await LoadAsync(id, fingerprint))
            return NotFound();
        if (!Can(Permission.Triage))
            return Denied();
        var (outcome, _, problem) = await TriageEndpoints.SetAsync(Store, Caller, Project, fingerprint, new TriageEndpoints.SetTriage(state, justification, detail), version, HttpContext.RequestAborted);
        Flash = problem is not null
            ? (problem as IValueHttpResult)?.Value is Microsoft.AspNetCore.Mvc.ProblemDetails p ? p.Detail : "The decision was refused."
            : outcome == TriageOutcome.PendingApproval ? $"Proposed {state}: it waits for a lead's approval (four eyes)." : $"Saved: {state}.";
        return Redirect($"/releases/{id}/findings/{fingerprint}");
    }

    public async Task<IActionResult> OnPostDecideAsync(string id, string fingerprint, bool approve, string? comment)
    {
        if (!await LoadAsync(id, fingerprint))
            return NotFound();
        if (!Can(Permission.Approve))
            return Denied();
        var (outcome, _) = await Store.Triage.DecideAsync(Project.Id, fingerprint, approve, Caller.Actor, comment, HttpContext.RequestAborted);
        Flash = outcome == TriageOutcome.NothingToApprove ? "Nothing to approve here, or you proposed it yourself (four eyes: another lead decides)." : approve ? "Approved." : "Rejected.";
        return Redirect($"/releases/{id}/findings/{fingerprint}");
    }

    private async Task<bool> LoadAsync(string id, string fingerprint)
    {
        var ct = HttpContext.RequestAborted;
        if (Scope is null || await Store.Releases.GetAsync(Scope, id, ct) is not { } release)
            return false;
        Release = release;
        Project = (await Store.Projects.GetAsync(Scope, release.ProjectId, ct))!;
        if (await Store.Evaluations.LatestAsync(release.Id, ct) is not { } evaluation
            || await Store.Evaluations.FindingAsync(evaluation.ScanId, Project.Id, fingerprint, ct) is not { } finding)
            return false;
        Finding = finding;
        Triage = await TriageEndpoints.ReadAsync(Store, Project.Id, fingerprint, ct);
        return true;
    }

    /// <summary>Evidence, remediation and references from the evaluation document itself.</summary>
    private async Task LoadDetailsAsync()
    {
        var row = await Store.Evaluations.GetAsync(Finding.ScanId, HttpContext.RequestAborted);
        if (row is null)
            return;
        Evaluation evaluation;
        await using (var stream = Store.Blobs.Open(row.BlobSha256))
            evaluation = JsonReportWriter.Read(stream);
        if (Finding.Kind == EvaluationStore.FindingKind && evaluation.Findings.FirstOrDefault(f => f.Fingerprint == Finding.Fingerprint) is { } f)
        {
            if (f.Line is { } line) Details.Add(("Line", line.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            if (f.Evidence is not null) Details.Add(("Evidence", f.Evidence));
            if (f.Remediation is not null) Details.Add(("Remediation", f.Remediation));
            if (f.Requirements.Count > 0) Details.Add(("TS 33.117", string.Join(", ", f.Requirements)));
            if (f.References.Count > 0) Details.Add(("References", string.Join(" · ", f.References)));
        }
        else if (evaluation.Vulnerabilities.FirstOrDefault(v => v.Id == Finding.RuleId && $"{v.Component}@{v.Version}" == Finding.Component) is { } v)
        {
            if (v.CvssV31Score is { } score) Details.Add(("CVSS 3.1", $"{score:0.0} {v.CvssV31Vector}"));
            if (v.Description is not null) Details.Add(("Description", v.Description));
            if (v.MatchedBy is not null) Details.Add(("Matched by", v.MatchedBy));
            if (v.MayBeBackported) Details.Add(("Note", "from a distribution package: the fix may be back-ported"));
        }
    }
}
