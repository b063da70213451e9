using Assay.Core.Model;
using Assay.Store.Data;

namespace Assay.Server.Work;

/// <summary>
/// The key under which triage follows a finding across releases: the finding's own fingerprint
/// (<see cref="FindingFingerprints"/>, assigned by the engine, issue 13), so triage and the release
/// diff agree. A vulnerability has no fingerprint in the evaluation yet; its key is computed with
/// the same function from the advisory id, the component name and the in-tree key of its location
/// (<see cref="DeliveryTree.Key"/>), so it survives renamed containers and moved carved chunks.
/// </summary>
internal sealed class FindingKeys : IFindingKeys
{
    private const string VulnerabilityEvidence = "component:";

    public EvaluationKeys For(Evaluation evaluation)
    {
        var tree = new DeliveryTree(evaluation.Files);
        return new EvaluationKeys(
            f => f.Fingerprint ?? throw new InvalidDataException($"finding {f.RuleId} at {f.Path} has no fingerprint; the evaluation was written by an Assay older than fingerprints, scan the release again"),
            v => FindingFingerprints.Compute(v.Id, v.Location is null ? "/" : tree.Key(v.Location), VulnerabilityEvidence + v.Component));
    }
}
