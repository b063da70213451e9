using System.Runtime.CompilerServices;
namespace Assay.Network.Inventory;

/// <summary>
/// The part of a network an element belongs to. The names are the scopes of the policy packs in
/// <c>research/telecom-standards.md</c> (appendix b): core, ran, transport, management, oss and
/// fixed-access (the UK 35% cap covers full-fibre access as well as mobile access, S32).
/// </summary>
public enum NetworkDomain : byte
{
    Core = 0,
    Ran = 1,
    Transport = 2,
    Management = 3,
    Oss = 4,
    FixedAccess = 5,
}

/// <summary>Names and parsing of <see cref="NetworkDomain"/>.</summary>
public static class NetworkDomains
{
    /// <summary>Number of domains; arrays indexed by domain have this length.</summary>
    public const int Count = 6;

    /// <summary>Every domain, in enum order.</summary>
    public static IReadOnlyList<NetworkDomain> All { get; } =
        [NetworkDomain.Core, NetworkDomain.Ran, NetworkDomain.Transport, NetworkDomain.Management, NetworkDomain.Oss, NetworkDomain.FixedAccess];

    /// <summary>The names accepted in inventories and packs, for error messages.</summary>
    public const string ValidNames = "core, ran, transport, management, oss, fixed-access";

    /// <summary>The lower-case name used in files and output.</summary>
    public static string ToName(this NetworkDomain domain) => domain switch
    {
        NetworkDomain.Core => "core",
        NetworkDomain.Ran => "ran",
        NetworkDomain.Transport => "transport",
        NetworkDomain.Management => "management",
        NetworkDomain.Oss => "oss",
        NetworkDomain.FixedAccess => "fixed-access",
        _ => throw new ArgumentOutOfRangeException(nameof(domain), domain, null),
    };

    /// <summary>Parses a domain name (case-insensitive; <c>access</c> means ran, <c>fixed</c> means fixed-access).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryParse(ReadOnlySpan<char> text, out NetworkDomain domain)
    {
        text = text.Trim();
        if (text.Equals("core", StringComparison.OrdinalIgnoreCase)) { domain = NetworkDomain.Core; return true; }
        if (text.Equals("ran", StringComparison.OrdinalIgnoreCase) || text.Equals("access", StringComparison.OrdinalIgnoreCase)) { domain = NetworkDomain.Ran; return true; }
        if (text.Equals("transport", StringComparison.OrdinalIgnoreCase)) { domain = NetworkDomain.Transport; return true; }
        if (text.Equals("management", StringComparison.OrdinalIgnoreCase)) { domain = NetworkDomain.Management; return true; }
        if (text.Equals("oss", StringComparison.OrdinalIgnoreCase)) { domain = NetworkDomain.Oss; return true; }
        if (text.Equals("fixed-access", StringComparison.OrdinalIgnoreCase) || text.Equals("fixed", StringComparison.OrdinalIgnoreCase)) { domain = NetworkDomain.FixedAccess; return true; }
        domain = default;
        return false;
    }
}
