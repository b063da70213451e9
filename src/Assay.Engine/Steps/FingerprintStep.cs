using Assay.Core.Model;
using Assay.Core.Pipeline;

namespace Assay.Engine.Steps;

/// <summary>The stable identity of every finding (rule, in-tree path, evidence that does not change; <see cref="FindingFingerprints"/>).</summary>
internal sealed class FingerprintStep : IEvaluationStep
{
    public string Id => "fingerprints";

    public Evaluation Apply(Evaluation evaluation, ScanSession session) => FindingFingerprints.Assign(evaluation);
}
