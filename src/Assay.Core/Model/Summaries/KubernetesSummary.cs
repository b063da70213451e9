namespace Assay.Core.Model;

/// <summary>One chart of the <c>kubernetes</c> summary.</summary>
public sealed record ChartSummary(string Path, string Name, string Version, int TemplatesRendered, int TemplatesFailed, bool Subchart);

/// <summary>The <c>kubernetes</c> summary: charts, workloads with their images, and how many images the delivery holds.</summary>
public sealed record KubernetesSummary
{
    public IReadOnlyList<ChartSummary> Charts { get; init; } = [];
    public IReadOnlyList<WorkloadSummary> Workloads { get; init; } = [];
    public int DeliveredImages { get; init; }
}

/// <summary>One container of a workload, for the summary: its image and whether the delivery holds it.</summary>
public sealed record ContainerSummary(string Name, string Image, bool Delivered, string? DeliveredAs);

/// <summary>One workload (Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod …), for the summary.</summary>
public sealed record WorkloadSummary(string Kind, string Name, string Source, IReadOnlyList<ContainerSummary> Containers);
