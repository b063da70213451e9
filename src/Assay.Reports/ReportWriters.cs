namespace Assay.Reports;

/// <summary>Every report format, sorted by id (STYLE.md rule 2: one explicit registry, no reflection).</summary>
public static class ReportWriters
{
    public static IReadOnlyList<IReportWriter> All { get; } =
    [
        new CycloneDxReportWriter(),
        new JsonReportWriter(),
        new SarifReportWriter(),
        new SpdxReportWriter(),
        new SummaryReportWriter(),
        new HtmlReportWriter(),
    ];

    public static IReportWriter? Find(string id) => All.FirstOrDefault(w => string.Equals(w.Id, id, StringComparison.OrdinalIgnoreCase));
}
