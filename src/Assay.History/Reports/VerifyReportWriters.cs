namespace Assay.History.Reports;

/// <summary>Every build-verification format, sorted by id (STYLE.md rule 2: one explicit registry, no reflection).</summary>
public static class VerifyReportWriters
{
    public static IReadOnlyList<IVerifyReportWriter> All { get; } =
    [
        new InTotoWriter(),
        new VerifyJsonWriter(),
        new VerifySummaryWriter(),
    ];

    public static IVerifyReportWriter? Find(string id) => All.FirstOrDefault(w => string.Equals(w.Id, id, StringComparison.OrdinalIgnoreCase));
}
