using Assay.Core.Model;
using Assay.Store.Data;

namespace Assay.Server.Work;

/// <summary>
/// The key under which triage follows a finding across releases. It must be the finding's stable
/// fingerprint from the release-diff library (issue 13), so that triage and the compare view agree.
/// </summary>
internal sealed class FindingKeys : IFindingKeys
{
    public string Of(Finding finding) => throw new NotImplementedException();

    public string Of(Vulnerability vulnerability) => throw new NotImplementedException();
}
