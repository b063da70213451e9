namespace Assay.Vulnerabilities.Versions;

/// <summary>Every version scheme, sorted by id (STYLE.md rule 2: one explicit registry).</summary>
public static class VersionSchemes
{
    public static IReadOnlyList<IVersionScheme> All { get; } =
    [
        DebianVersionScheme.Instance,
        DropbearVersionScheme.Instance,
        GenericVersionScheme.Instance,
        LinuxKernelVersionScheme.Instance,
        OpenSslVersionScheme.Instance,
        SemverVersionScheme.Instance,
    ];

    /// <summary>The scheme with this id; unknown ids are an error of the caller (the mapping is our data).</summary>
    public static IVersionScheme Get(string id) =>
        All.FirstOrDefault(s => s.Id == id)
        ?? throw new ArgumentException($"unknown version scheme '{id}'; valid: {string.Join(", ", All.Select(s => s.Id))}", nameof(id));
}
