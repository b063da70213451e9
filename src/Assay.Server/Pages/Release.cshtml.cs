using Assay.Engine;
using Assay.Server.Api;
using Assay.Server.Work;
using Assay.Store;
using Assay.Store.Access;
using Assay.Store.Data;
using Microsoft.AspNetCore.Mvc;

namespace Assay.Server.Pages;

/// <summary>A release: delivery and upload, the newest scan's stages, the evaluation's counts, findings, components and the file tree.</summary>
public sealed class ReleaseModel(AssayStore store, IScanDispatcher dispatcher) : LabPage(store)
{
    private const int Rows = 500;
    private const int TreeRows = 20_000;

    /// <summary>A row of the file tree: a folder (container or directory) with its entry count, or a file.</summary>
    public sealed record TreeNode(string Name, string Prefix, bool IsFolder, int Count, string Kind, long Size, string? Sha256);

    public ProjectRow Project { get; private set; } = new();
    public ReleaseRow Release { get; private set; } = new();
    public ScanRow? Scan { get; private set; }
    public IReadOnlyList<StageRow> Stages { get; private set; } = [];
    public EvaluationRow? Evaluation { get; private set; }
    public IReadOnlyList<FindingView> Findings { get; private set; } = [];
    public IReadOnlyList<ComponentRow> Components { get; private set; } = [];
    public List<TreeNode> Tree { get; } = [];
    public List<(string Label, string Prefix)> TreeCrumbs { get; } = [];

    [BindProperty(SupportsGet = true)]
    public string Tab { get; set; } = "findings";

    [BindProperty(SupportsGet = true, Name = "path")]
    public string? TreePath { get; set; }

    public async Task<IActionResult> OnGetAsync(string id)
    {
        var ct = HttpContext.RequestAborted;
        if (!await LoadAsync(id, ct))
            return NotFound();
        if (Evaluation is null)
            return Page();
        switch (Tab)
        {
            case "vulnerabilities":
                Findings = await Store.Evaluations.FindingsAsync(Evaluation.ScanId, Project.Id, -1, Rows, EvaluationStore.VulnerabilityKind, 0, ct);
                break;
            case "components":
                Components = await Store.Evaluations.ComponentsAsync(Evaluation.ScanId, -1, Rows, ct);
                break;
            case "files":
                await LoadTreeAsync(ct);
                break;
            default:
                Tab = "findings";
                Findings = [.. (await Store.Evaluations.FindingsAsync(Evaluation.ScanId, Project.Id, -1, Rows * 4, EvaluationStore.FindingKind, 0, ct))
                    .OrderByDescending(f => f.SeverityRank).ThenBy(f => f.RuleId, StringComparer.Ordinal).Take(Rows)];
                break;
        }
        return Page();
    }

    public async Task<IActionResult> OnPostScanAsync(string id)
    {
        var ct = HttpContext.RequestAborted;
        if (!await LoadAsync(id, ct))
            return NotFound();
        if (!Can(Permission.Upload))
            return Denied();
        if (Release.DeliverySha256 is null)
        {
            Flash = "Upload the delivery before scanning.";
            return Redirect($"/releases/{id}");
        }
        var scan = await Store.Scans.CreateAsync(Release, Caller.Actor, ScanEngine.ToolVersion, ScanEndpoints.InteractivePriority, ct);
        await dispatcher.DispatchAsync(scan.Id, ct);
        return Redirect($"/releases/{id}");
    }

    private async Task<bool> LoadAsync(string id, CancellationToken ct)
    {
        if (Scope is null || await Store.Releases.GetAsync(Scope, id, ct) is not { } release)
            return false;
        Release = release;
        Project = (await Store.Projects.GetAsync(Scope, release.ProjectId, ct))!;
        var scans = await Store.Scans.ListByReleaseAsync(release.Id, ct);
        Scan = scans.Count > 0 ? scans[0] : null;
        if (Scan is not null)
            Stages = await Store.Scans.StagesAsync(Scan.Id, ct);
        Evaluation = await Store.Evaluations.LatestAsync(release.Id, ct);
        return true;
    }

    /// <summary>One level of the virtual tree under <see cref="TreePath"/>: '/' and '!/' both open a level.</summary>
    private async Task LoadTreeAsync(CancellationToken ct)
    {
        var prefix = string.IsNullOrEmpty(TreePath) ? "" : TreePath;
        var files = await Store.Evaluations.FilesAsync(Evaluation!.ScanId, prefix.Length == 0 ? null : prefix, -1, TreeRows, ct);
        var folders = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var f in files)
        {
            var rest = f.Path[prefix.Length..];
            var cut = rest.IndexOf('/', StringComparison.Ordinal);
            if (cut >= 0 && cut < rest.Length - 1)
            {
                var name = rest[..(cut + 1)];
                folders[name] = folders.GetValueOrDefault(name) + 1;
            }
            else if (rest.Length > 0)
            {
                Tree.Add(new TreeNode(rest, f.Path, false, 0, f.Kind, f.Size, f.Sha256));
            }
        }
        Tree.InsertRange(0, folders.Select(kv => new TreeNode(kv.Key, prefix + kv.Key, true, kv.Value, kv.Key.EndsWith("!/", StringComparison.Ordinal) ? "container" : "directory", 0, null)));
        var at = 0;
        foreach (var part in prefix.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            at = prefix.IndexOf(part + "/", at, StringComparison.Ordinal) + part.Length + 1;
            TreeCrumbs.Add((part + "/", prefix[..at]));
        }
    }
}
