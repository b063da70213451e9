using System.Collections.Concurrent;
using Assay.Core.Model;
using Assay.Core.Pipeline;
using Assay.Core.Plugins;

namespace Assay.Analyzers.Kubernetes;

/// <summary>
/// The Kubernetes side of a cloud-native delivery: Helm charts (found by their Chart.yaml, in a
/// chart archive or a folder) rendered with their default values, and plain manifests; every
/// workload checked against the Pod Security Standards and the 3GPP clauses in cloud-rules.yaml,
/// and every image it runs tied to the images the delivery holds. Templates that cannot be
/// rendered are reported as errors of category <c>unsupported</c> naming the template and why.
/// </summary>
/// <remarks>
/// Limitations: default values only (no operator overrides, no <c>--set</c>); <c>lookup</c> sees no
/// cluster; dependencies count only when their chart is in the delivery; subchart values come
/// from the parent's key of the subchart's name and <c>global</c>; an OCI ref name that is only a
/// tag matches images by digest only. Manifests inside image layers are not deployment manifests
/// and are not checked.
/// </remarks>
public sealed class KubernetesAnalyzer : IInspector
{
    private const long MaxFileBytes = 1 << 20;
    private const long MaxTotalBytes = 128L << 20;

    // Other text files are kept only for a chart's .Files.Get (configs, scripts): small ones, within a smaller budget,
    // so a firmware root filesystem without any chart costs little.
    private const long MaxSideFileBytes = 64 << 10;
    private const long MaxSideTotalBytes = 16L << 20;
    private static readonly string[] TextExtensions = [".yaml", ".yml", ".tpl", ".json", ".txt", ".conf", ".cfg", ".properties", ".toml", ".ini", ".xml", ".sh", ".env", ".pem", ".crt"];

    /// <summary>The rules every workload is checked against (for the TS 33.117 table's check counts).</summary>
    private static readonly string[] WorkloadRules =
    [
        "ASSAY-K8S-CAPABILITIES", "ASSAY-K8S-HOST-NAMESPACE", "ASSAY-K8S-HOSTPATH", "ASSAY-K8S-IMAGE-NOT-DELIVERED", "ASSAY-K8S-IMAGE-TAG", "ASSAY-K8S-NO-LIMITS",
        "ASSAY-K8S-PRIV-ESCALATION", "ASSAY-K8S-PRIVILEGED", "ASSAY-K8S-RUN-AS-ROOT", "ASSAY-K8S-SECRET-PLAIN", "ASSAY-K8S-WRITABLE-ROOTFS",
    ];

    private readonly ConcurrentDictionary<string, string> _texts = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<(string Where, string Name, byte[] Json)> _indexes = [];
    private long _bytes;
    private long _sideBytes;

    public string Id => "kubernetes";

    public bool Wants(FileRecord file)
    {
        if (file.Kind != NodeKind.File || (file.Size ?? 0) > MaxFileBytes)
            return false;
        var name = VirtualPath.Name(file.Path);
        if (file.Layer is null && file.Container is "oci-archive" or "docker-archive" && name is "index.json" or "manifest.json")
            return true;
        // Files inside image layers belong to the image, not to the deployment.
        return file.Layer is null && TextExtensions.Any(e => name.EndsWith(e, StringComparison.OrdinalIgnoreCase));
    }

    public void Inspect(InspectedFile file, InspectionSink sink)
    {
        var name = VirtualPath.Name(file.Path);
        if (file.Record.Container is "oci-archive" or "docker-archive" && file.Record.Layer is null && name is "index.json" or "manifest.json")
        {
            var container = file.Path[..Math.Max(0, file.Path.LastIndexOf("!/", StringComparison.Ordinal))];
            _indexes.Add((container, name, file.ReadBytes((int)MaxFileBytes)));
            return;
        }
        var isYaml = name.EndsWith(".yaml", StringComparison.Ordinal) || name.EndsWith(".yml", StringComparison.Ordinal);
        var chartFile = name is "Chart.yaml" or "values.yaml" || file.Path.Contains("/templates/", StringComparison.Ordinal);
        if (!chartFile && !isYaml)
        {
            // a file a chart may read with .Files.Get
            if (file.Content.Length > MaxSideFileBytes || Interlocked.Add(ref _sideBytes, file.Content.Length) > MaxSideTotalBytes)
                return;
            _texts[file.Path] = file.ReadText((int)MaxSideFileBytes);
            return;
        }
        if (Interlocked.Add(ref _bytes, file.Content.Length) > MaxTotalBytes)
        {
            sink.Add(new ScanError { Path = file.Path, Handler = Id, Category = ErrorCategory.Limit, Message = $"more than {MaxTotalBytes >> 20} MiB of YAML in this delivery; this file was not checked as a chart or manifest" });
            return;
        }
        var text = file.ReadText((int)MaxFileBytes);
        // Only what can matter: charts, their values and templates, and manifests.
        if (chartFile || LooksLikeManifest(text))
            _texts[file.Path] = text;
    }

    public void Complete(IReadOnlyList<FileRecord> files, InspectionSink sink)
    {
        var images = new DeliveredImages();
        foreach (var (where, name, json) in _indexes.OrderBy(i => i.Where, StringComparer.Ordinal))
            images.AddIndex(where, name, json);
        var roots = _texts.Keys.Where(p => VirtualPath.Name(p) == "Chart.yaml").Select(p => p[..p.LastIndexOf('/')]).Order(StringComparer.Ordinal).ToList();
        var workloads = new List<WorkloadSummary>();
        var charts = new List<ChartSummary>();
        var findings = new List<Finding>();
        var inChart = new HashSet<string>(StringComparer.Ordinal);
        var loaded = new Dictionary<string, HelmChart>(StringComparer.Ordinal);
        foreach (var root in roots)
        {
            var chartFiles = _texts.Where(kv => kv.Key.StartsWith(root + "/", StringComparison.Ordinal) && !kv.Key[(root.Length + 1)..].StartsWith("charts/", StringComparison.Ordinal))
                .ToDictionary(kv => kv.Key[(root.Length + 1)..], kv => kv.Value, StringComparer.Ordinal);
            foreach (var key in chartFiles.Keys)
                inChart.Add(root + "/" + key);
            try
            {
                loaded[root] = HelmChart.Load(root, chartFiles);
            }
            catch (TemplateException e)
            {
                sink.Add(new ScanError { Path = root + "/Chart.yaml", Handler = Id, Category = ErrorCategory.Malformed, Message = $"Helm chart not rendered: {e.Message}" });
            }
        }
        foreach (var (root, chart) in loaded.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            // A chart under another chart's charts/ folder is rendered as that chart's subchart.
            var parent = loaded.Keys.Where(r => r != root && IsSubchartOf(root, r)).OrderByDescending(r => r.Length).FirstOrDefault();
            if (parent is not null)
                continue;
            RenderTree(chart, chart.DefaultValues, null, loaded, images, workloads, charts, findings, sink);
        }
        foreach (var (path, text) in _texts.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (inChart.Contains(path) || roots.Any(r => path.StartsWith(r + "/", StringComparison.Ordinal)) || !LooksLikeManifest(text))
                continue;
            CheckDocuments(path, text, images, workloads, findings, sink);
        }
        foreach (var f in findings)
            sink.Add(f);
        if (workloads.Count > 0 || charts.Count > 0)
        {
            sink.SetSummary(new EvaluationSummaries
            {
                Kubernetes = new KubernetesSummary
                {
                    Charts = [.. charts.OrderBy(c => c.Path, StringComparer.Ordinal)],
                    Workloads = [.. workloads.OrderBy(w => w.Source, StringComparer.Ordinal).ThenBy(w => w.Kind, StringComparer.Ordinal).ThenBy(w => w.Name, StringComparer.Ordinal)],
                    DeliveredImages = images.Count,
                },
            });
        }
    }

    private void RenderTree(HelmChart chart, Dictionary<string, object?> values, Dictionary<string, object?>? parentValues, Dictionary<string, HelmChart> loaded,
        DeliveredImages images, List<WorkloadSummary> workloads, List<ChartSummary> charts, List<Finding> findings, InspectionSink sink)
    {
        var subcharts = loaded.Where(kv => IsSubchartOf(kv.Key, chart.Root) && !loaded.Keys.Any(mid => mid != chart.Root && mid != kv.Key && IsSubchartOf(kv.Key, mid) && IsSubchartOf(mid, chart.Root)))
            .OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        var libraries = loaded.Where(kv => IsSubchartOf(kv.Key, chart.Root))
            .SelectMany(kv => kv.Value.Files.Where(f => f.Key.StartsWith("templates/", StringComparison.Ordinal)).Select(f => (kv.Value.Name + "/" + f.Key, f.Value)))
            .ToList();
        var rendered = chart.Render(values, libraries);
        var failed = 0;
        foreach (var template in rendered)
        {
            if (template.Error is not null)
            {
                failed++;
                sink.Add(new ScanError { Path = template.Path, Handler = Id, Category = ErrorCategory.Unsupported, Message = $"Helm template not rendered: {template.Error}" });
                continue;
            }
            CheckDocuments(template.Path, template.Output!, images, workloads, findings, sink);
        }
        charts.Add(new ChartSummary(chart.Root, chart.Name, chart.Metadata.GetValueOrDefault("version") as string ?? TemplateFunctions.Str(chart.Metadata.GetValueOrDefault("version")),
            rendered.Count - failed, failed, parentValues is not null));
        foreach (var (_, sub) in subcharts)
        {
            if (!chart.DependencyEnabled(sub.Name, values))
                continue;
            var subValues = (Dictionary<string, object?>)TemplateFunctions.DeepCopy(sub.DefaultValues)!;
            if (values.GetValueOrDefault(sub.Name) is IDictionary<string, object?> fromParent)
                TemplateFunctions.Merge(subValues, fromParent, overwrite: true);
            if (values.GetValueOrDefault("global") is IDictionary<string, object?> global)
            {
                if (subValues.GetValueOrDefault("global") is not IDictionary<string, object?> subGlobal)
                    subValues["global"] = subGlobal = new Dictionary<string, object?>(StringComparer.Ordinal);
                TemplateFunctions.Merge(subGlobal, global, overwrite: true);
            }
            RenderTree(sub, subValues, values, loaded, images, workloads, charts, findings, sink);
        }
    }

    private void CheckDocuments(string path, string text, DeliveredImages images, List<WorkloadSummary> workloads, List<Finding> findings, InspectionSink sink)
    {
        List<object?> documents;
        try
        {
            documents = YamlValues.ParseAll(text);
        }
        catch (TemplateException e)
        {
            sink.Add(new ScanError { Path = path, Handler = Id, Category = ErrorCategory.Malformed, Message = $"Kubernetes manifest not checked: {e.Message}" });
            return;
        }
        foreach (var doc in documents.OfType<Dictionary<string, object?>>())
        {
            // A List kind wraps objects in items
            var objects = doc.GetValueOrDefault("kind") is "List" && doc.GetValueOrDefault("items") is List<object?> items ? items.OfType<Dictionary<string, object?>>() : [doc];
            foreach (var obj in objects)
            {
                if (WorkloadChecks.Check(obj, path, images, findings) is { } workload)
                {
                    workloads.Add(workload);
                    sink.Checked(WorkloadRules);
                }
                else if (obj.GetValueOrDefault("kind") is "ConfigMap")
                    sink.Checked("ASSAY-K8S-SECRET-PLAIN");
            }
        }
    }

    private static bool IsSubchartOf(string root, string parent) => root.StartsWith(parent + "/charts/", StringComparison.Ordinal);

    /// <summary>A YAML document that declares a Kubernetes object (apiVersion and kind at the top level).</summary>
    private static bool LooksLikeManifest(string text) =>
        (text.StartsWith("apiVersion:", StringComparison.Ordinal) || text.Contains("\napiVersion:", StringComparison.Ordinal))
        && (text.StartsWith("kind:", StringComparison.Ordinal) || text.Contains("\nkind:", StringComparison.Ordinal));
}
