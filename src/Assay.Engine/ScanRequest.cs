using Assay.Core.Pipeline;

namespace Assay.Engine;

/// <summary>What one scan is asked to do: the same request from <c>assay scan</c>, <c>assay sbom</c>, the service or a test.</summary>
public sealed record ScanRequest(string InputPath)
{
    public ScanLimits Limits { get; init; } = new();

    /// <summary>Folder to write the unpacked tree into (through <see cref="Core.Extraction.ExtractionRoot"/>); null: nothing is written.</summary>
    public string? ExtractDirectory { get; init; }

    public int Parallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Vulnerability database to match against; null: the default one if it exists.</summary>
    public string? DatabasePath { get; init; }

    public bool SkipVulnerabilities { get; init; }

    /// <summary>OpenVEX or CycloneDX VEX document with triage states for the vulnerabilities.</summary>
    public string? VexPath { get; init; }

    /// <summary>
    /// False: unpack and hash only, without catalogers, analyzers and the evaluation-wide steps
    /// (a build comparison needs the tree, not its findings); <see cref="ExtraInspectors"/> still run.
    /// </summary>
    public bool Analysis { get; init; } = true;

    /// <summary>Inspectors run beside the catalogers and analyzers, fresh instances for this scan (e.g. the build-facts recorder of <c>assay verify-build</c>).</summary>
    public IReadOnlyList<Core.Plugins.IInspector> ExtraInspectors { get; init; } = [];

    /// <summary>Told of each container's entries in stored order; null: nobody asks.</summary>
    public Core.Plugins.IEntryObserver? EntryObserver { get; init; }
}
