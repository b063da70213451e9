namespace Assay.Store.Access;

/// <summary>
/// What a key may do, tenant-wide or in one project. Stored as the lower-case name; the order is
/// not a hierarchy (an auditor reads more than an analyst and writes nothing).
/// </summary>
public enum Role
{
    /// <summary>Reads releases, evaluations, findings and triage.</summary>
    Viewer,

    /// <summary>Reads everything, including the audit log, triage history and exports; writes nothing (a regulator's inspector).</summary>
    Auditor,

    /// <summary>A machine: creates releases, uploads deliveries, starts scans.</summary>
    Uploader,

    /// <summary>Triage, compare, exports.</summary>
    Analyst,

    /// <summary>Analyst, plus approves not_affected/false_positive on high and critical findings (four eyes) and creates projects.</summary>
    Lead,

    /// <summary>Everything in its tenant (keys, projects, audit); with no tenant, a system administrator.</summary>
    Admin,
}

/// <summary>Parsing and printing of <see cref="Role"/> as the API spells it.</summary>
public static class Roles
{
    /// <summary>The API spellings, in the order of <see cref="Role"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["viewer", "auditor", "uploader", "analyst", "lead", "admin"];

    public static string Name(this Role role) => Names[(int)role];

    public static bool TryParse(string? text, out Role role)
    {
        var index = text is null ? -1 : Names.ToList().IndexOf(text.Trim().ToLowerInvariant());
        role = index < 0 ? Role.Viewer : (Role)index;
        return index >= 0;
    }
}
