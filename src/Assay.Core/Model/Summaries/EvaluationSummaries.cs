using System.Text.Json.Serialization;

namespace Assay.Core.Model;

/// <summary>
/// The evaluation's summary tables, one typed section per producer (no string keys: a renamed
/// field is a compile error, not a silently empty HTML table). Written in the evaluation as
/// <c>summaries</c> with the sections in key order; an absent section is left out.
/// Adding a section is adding a property here, in key order, and its record beside this file.
/// </summary>
public sealed record EvaluationSummaries
{
    /// <summary>Copies of each component (the component consolidation step).</summary>
    public ComponentsSummary? Components { get; init; }

    /// <summary>Each container image's configuration (the <c>container-images</c> analyzer).</summary>
    [JsonPropertyName("container-images")]
    public IReadOnlyList<ImageSummary>? ContainerImages { get; init; }

    /// <summary>Hardening of every ELF (the <c>elf-hardening</c> analyzer).</summary>
    public HardeningSummary? Hardening { get; init; }

    /// <summary>Helm charts and workloads (the <c>kubernetes</c> analyzer).</summary>
    public KubernetesSummary? Kubernetes { get; init; }

    /// <summary>The per-requirement TS 33.117 table (the TS 33.117 evaluation step).</summary>
    public Ts33117Summary? Ts33117 { get; init; }

    /// <summary>Unsafe C functions called by the binaries (the <c>unsafe-functions</c> analyzer).</summary>
    [JsonPropertyName("unsafe-functions")]
    public UnsafeFunctionSummary? UnsafeFunctions { get; init; }

    /// <summary>No section at all.</summary>
    public static EvaluationSummaries None { get; } = new();

    /// <summary>The sections of <paramref name="other"/> that are set, over these.</summary>
    public EvaluationSummaries Merge(EvaluationSummaries other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new EvaluationSummaries
        {
            Components = other.Components ?? Components,
            ContainerImages = other.ContainerImages ?? ContainerImages,
            Hardening = other.Hardening ?? Hardening,
            Kubernetes = other.Kubernetes ?? Kubernetes,
            Ts33117 = other.Ts33117 ?? Ts33117,
            UnsafeFunctions = other.UnsafeFunctions ?? UnsafeFunctions,
        };
    }
}
