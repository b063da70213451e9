namespace Assay.History.Reports;

/// <summary>Every release-diff format, sorted by id (STYLE.md rule 2: one explicit registry, no reflection).</summary>
public static class DiffReportWriters
{
    public static IReadOnlyList<IDiffReportWriter> All { get; } =
    [
        new DiffHtmlWriter(),
        new DiffJsonWriter(),
        new DiffSarifWriter(),
        new DiffSummaryWriter(),
    ];

    public static IDiffReportWriter? Find(string id) => All.FirstOrDefault(w => string.Equals(w.Id, id, StringComparison.OrdinalIgnoreCase));
}
