using Assay.Core.Model;

namespace Assay.Core.Pipeline;

/// <summary>
/// The stages of a local scan in order: <see cref="IdentifyStage"/>, <see cref="UnpackStage"/>
/// with the session's inspectors fused in, <see cref="AssembleStage"/>, then each
/// <see cref="IEvaluationStep"/>. A server runs the same stages one job each.
/// </summary>
public static class ScanPipeline
{
    /// <summary>A whole scan in one call, in a session of its own (tests, tools, fuzzing).</summary>
    public static Evaluation Run(ScanOptions options, ScanInput input, IReadOnlyList<IEvaluationStep>? steps = null, CancellationToken cancellationToken = default)
    {
        using var session = new ScanSession(options, cancellationToken);
        return Run(session, input, steps ?? []);
    }

    public static Evaluation Run(ScanSession session, ScanInput input, IReadOnlyList<IEvaluationStep> steps)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(steps);
        var identity = IdentifyStage.Run(session, input);
        var (tree, inspection) = UnpackStage.Run(session, input, identity, session.Options.Inspectors);
        var evaluation = AssembleStage.Run(session, identity, tree, inspection);
        foreach (var step in steps)
        {
            session.CancellationToken.ThrowIfCancellationRequested();
            session.Progress.Stage = step.Id;
            evaluation = step.Apply(evaluation, session);
        }
        return evaluation;
    }
}
