namespace Assay.Core.Model;

/// <summary>
/// A third-party component found in the image: one per (name, version, location), with all the
/// evidence that supports it.
/// </summary>
public sealed record Component
{
    /// <summary>Canonical lower-case name (<c>openssl</c>, <c>busybox</c>, <c>linux-kernel</c>).</summary>
    public required string Name { get; init; }

    public required string Version { get; init; }

    /// <summary>The virtual path of the file or package database that carries the evidence.</summary>
    public required string Location { get; init; }

    /// <summary>deb, opkg, apk, rpm, python, npm, go-module, cargo, binary, kernel, firmware.</summary>
    public string Type { get; init; } = "binary";

    public string? Purl { get; init; }
    public string? Cpe { get; init; }

    /// <summary>0..1: how sure the catalog is of name and version together.</summary>
    public double Confidence { get; init; } = 1.0;

    /// <summary>How the component is present: package, shared, static, vendored, runtime.</summary>
    public string? Linkage { get; init; }

    /// <summary>Distribution package version when known from a package database (e.g. <c>3.0.20-1~deb12u2</c>).</summary>
    public string? PackageVersion { get; init; }

    /// <summary>Upstream/source package name where it differs (dpkg Source:).</summary>
    public string? SourcePackage { get; init; }

    public string? Supplier { get; init; }
    public IReadOnlyList<string> Licenses { get; init; } = [];

    /// <summary>
    /// Names of the packages this package depends on, as its package database declares them
    /// (dpkg/opkg <c>Depends</c> and <c>Pre-Depends</c>, apk <c>D:</c>), sorted; version constraints
    /// dropped, every alternative of an <c>a | b</c> group listed. Empty for other components.
    /// </summary>
    public IReadOnlyList<string> DependsOn { get; init; } = [];

    /// <summary>Files owned by the package (from package databases), as virtual paths.</summary>
    public IReadOnlyList<string> Files { get; init; } = [];

    /// <summary>End of support of the release branch, when the data table knows it.</summary>
    public SupportStatus? Support { get; init; }

    public IReadOnlyList<Evidence> Evidence { get; init; } = [];
}

/// <summary>One piece of evidence for a component.</summary>
public sealed record Evidence
{
    /// <summary>Cataloger id (<c>dpkg-status</c>, <c>binary-signature</c>, <c>go-buildinfo</c>).</summary>
    public required string Source { get; init; }

    public required string Path { get; init; }
    public long? Offset { get; init; }

    /// <summary>The text that matched (bounded, never a secret).</summary>
    public string? Text { get; init; }

    public double Confidence { get; init; } = 1.0;
}

/// <summary>Whether the release branch of a component still receives fixes.</summary>
public sealed record SupportStatus
{
    public required string Branch { get; init; }
    public DateOnly? EndOfSupport { get; init; }
    public required bool Supported { get; init; }
    public string? Source { get; init; }
}
