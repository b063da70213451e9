namespace Assay.History.Build;

/// <summary>
/// What <c>assay verify-build</c> may set aside when it compares a delivered build with a rebuild
/// (<c>--normalise mtime,owner,order,signatures</c>). Nothing is set aside unless declared, and each
/// one only where the format says the bytes are of that kind; code and data never are.
/// </summary>
[Flags]
public enum Normalisations
{
    /// <summary>Strict: every difference counts.</summary>
    None = 0,

    /// <summary>File and archive timestamps: entries' modification times, a FIT's <c>/timestamp</c>.</summary>
    Mtime = 1,

    /// <summary>Owners: uid and gid of entries.</summary>
    Owner = 2,

    /// <summary>Archive member order (tar, cpio, zip ...; filesystems have none to compare).</summary>
    Order = 4,

    /// <summary>
    /// Signature blocks a signer appends or embeds: a kernel module's appended PKCS#7 signature
    /// (<c>~Module signature appended~</c>), FIT signature nodes, detached signature files
    /// (<c>.sig</c>, <c>.asc</c>, <c>.p7s</c> whose content is an OpenPGP, CMS or SSH signature).
    /// </summary>
    Signatures = 8,
}

/// <summary>The names of <see cref="Normalisations"/> on the command line and in reports.</summary>
public static class NormalisationNames
{
    /// <summary>Every name, in the order reports list them.</summary>
    public static IReadOnlyList<(string Name, Normalisations Value)> All { get; } =
    [
        ("mtime", Normalisations.Mtime),
        ("owner", Normalisations.Owner),
        ("order", Normalisations.Order),
        ("signatures", Normalisations.Signatures),
    ];

    /// <summary>Parses a comma-separated list; throws <see cref="ArgumentException"/> naming the valid choices for anything else.</summary>
    public static Normalisations Parse(string? list)
    {
        var result = Normalisations.None;
        if (string.IsNullOrWhiteSpace(list))
            return result;
        foreach (var part in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var match = All.FirstOrDefault(n => string.Equals(n.Name, part, StringComparison.OrdinalIgnoreCase));
            if (match.Name is null)
                throw new ArgumentException($"unknown normalisation '{part}'; valid: {string.Join(", ", All.Select(n => n.Name))} (comma-separated)");
            result |= match.Value;
        }
        return result;
    }

    /// <summary>The names set in <paramref name="value"/>, in <see cref="All"/> order.</summary>
    public static IReadOnlyList<string> Names(Normalisations value) => [.. All.Where(n => value.HasFlag(n.Value)).Select(n => n.Name)];
}
