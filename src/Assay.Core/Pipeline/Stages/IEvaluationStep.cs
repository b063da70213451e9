using Assay.Core.Model;

namespace Assay.Core.Pipeline;

/// <summary>
/// An evaluation-wide step after assembly (one component per name, version and location; the
/// TS 33.117 table; vulnerability matching and VEX), registered by the composition root in the
/// order they run. A step takes the evaluation and returns the next one; it may add notices to the
/// session (a missing database) and must be deterministic.
/// </summary>
public interface IEvaluationStep
{
    /// <summary>Stable lower-case id (<c>consolidate</c>, <c>ts33117</c>, <c>vulnerabilities</c>).</summary>
    string Id { get; }

    Evaluation Apply(Evaluation evaluation, ScanSession session);
}
