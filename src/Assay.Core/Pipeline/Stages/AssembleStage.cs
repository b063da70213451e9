using Assay.Core.Model;

namespace Assay.Core.Pipeline;

/// <summary>
/// Stage 4: the evaluation document from the stages' outputs, in its deterministic order. The
/// evaluation-wide steps (<see cref="IEvaluationStep"/>: consolidation, TS 33.117, vulnerabilities)
/// run on what this returns.
/// </summary>
public static class AssembleStage
{
    public const string Id = "assemble";

    public static Evaluation Run(ScanSession session, IdentifyResult identity, UnpackResult tree, params IReadOnlyList<InspectResult?> inspections)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(tree);
        session.Progress.Stage = Id;
        var present = inspections.OfType<InspectResult>().ToList();
        var summaries = EvaluationSummaries.None;
        foreach (var inspection in present)
            summaries = summaries.Merge(inspection.Summaries);
        return new Evaluation
        {
            Tool = new ToolInfo(session.Options.ToolName, session.Options.ToolVersion),
            Input = identity.Input,
            StartedAt = identity.StartedAt,
            FinishedAt = DateTimeOffset.UtcNow,
            Limits = session.Limits.ToTable(),
            Files = tree.Files,
            Chunks = tree.Chunks,
            Components = EvaluationOrder.Components(present.SelectMany(i => i.Components)),
            Findings = EvaluationOrder.Findings(present.SelectMany(i => i.Findings)),
            Errors = EvaluationOrder.Errors(tree.Errors.Concat(present.SelectMany(i => i.Errors))),
            RuleChecks = InspectStage.SumChecks(present.Select(i => i.RuleChecks)),
            Summaries = summaries,
        };
    }
}
