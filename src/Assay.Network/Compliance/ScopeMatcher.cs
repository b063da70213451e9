using Assay.Network.Inventory;
using Assay.Network.Policy;

namespace Assay.Network.Compliance;

/// <summary>
/// A rule scope compiled to lookup tables over the inventory's value indices, so that testing an
/// element is five array reads and no string comparison.
/// </summary>
internal sealed class ScopeMatcher
{
    private readonly bool[] _domain = new bool[NetworkDomains.Count];
    private readonly bool[] _function;
    private readonly bool[] _site;
    private readonly bool[] _technology; // index t + 1; [0] is "technology unknown"
    private readonly bool[] _manages = new bool[256];
    private readonly NetworkInventory _inv;

    public ScopeMatcher(NetworkInventory inv, RuleScope scope)
    {
        _inv = inv;
        foreach (var d in NetworkDomains.All)
            _domain[(int)d] = scope.Domains.Count == 0 || scope.Domains.Contains(d);
        _function = new bool[inv.Functions.Count];
        for (var f = 0; f < _function.Length; f++)
            _function[f] = scope.Functions.Count == 0 || scope.Functions.Contains(inv.Functions[f], StringComparer.OrdinalIgnoreCase);
        var classOk = new bool[inv.SiteClasses.Count];
        for (var c = 0; c < classOk.Length; c++)
            classOk[c] = scope.SiteClasses.Count == 0 || scope.SiteClasses.Contains(inv.SiteClasses[c], StringComparer.OrdinalIgnoreCase);
        _site = new bool[inv.Sites.Count];
        for (var s = 0; s < _site.Length; s++)
            _site[s] = classOk[inv.SiteClass[s]];
        _technology = new bool[inv.Technologies.Count + 1];
        _technology[0] = scope.Technology is null || !inv.HasTechnology;
        for (var t = 0; t < inv.Technologies.Count; t++)
            _technology[t + 1] = scope.Technology is null || inv.Technologies[t].Contains(scope.Technology, StringComparison.OrdinalIgnoreCase);
        for (var m = 0; m < 256; m++)
            _manages[m] = scope.ManagedDomains.Count == 0 || m == 255 || scope.ManagedDomains.Contains((NetworkDomain)m);
        // Without a technology column (or a manages column) a rule that names one is applied to the
        // whole scope, conservatively rather than silently skipped, and the checker reports that
        // assumption. With the column, an empty technology means the element is not of any radio
        // technology (a router, an OLT) and a technology rule does not reach it.
        AssumesTechnology = scope.Technology is not null && !inv.HasTechnology;
        AssumesManaged = scope.ManagedDomains.Count > 0 && !inv.HasManages;
    }

    /// <summary>The rule names a technology and some in-inventory elements have none: they were counted in scope.</summary>
    public bool AssumesTechnology { get; }

    /// <summary>The rule names managed domains and the inventory has no <c>manages</c> column.</summary>
    public bool AssumesManaged { get; }

    public bool Matches(int e)
    {
        var inv = _inv;
        return _domain[(int)inv.Domain[e]] && _function[inv.Function[e]] && _site[inv.Site[e]]
            && _technology[inv.Technology[e] + 1] && _manages[inv.Manages[e]];
    }
}
