namespace Assay.Analyzers.Kubernetes;

/// <summary>What one template of a chart rendered to, or why it could not be rendered.</summary>
/// <param name="Path">Virtual path of the template file.</param>
internal sealed record RenderedTemplate(string Path, string? Output, string? Error);

/// <summary>
/// A Helm chart read from the delivery (an unpacked chart archive or folder): <c>Chart.yaml</c>,
/// <c>values.yaml</c> and <c>templates/</c>, rendered the way <c>helm template</c> would with the
/// chart's default values (Helm v3, docs helm.sh "Charts", "Built-in Objects", "Subcharts and
/// Global Values"). Nothing is fetched: dependencies count only when their chart is in the
/// delivery (under <c>charts/</c>).
/// </summary>
internal sealed class HelmChart
{
    /// <summary>A Kubernetes version to present as <c>.Capabilities.KubeVersion</c>: recent, so version gates pick current APIs.</summary>
    public const string KubeVersion = "v1.31.0";

    private static readonly string[] ApiVersions =
    [
        "v1", "apps/v1", "batch/v1", "autoscaling/v1", "autoscaling/v2", "policy/v1", "networking.k8s.io/v1", "rbac.authorization.k8s.io/v1",
        "storage.k8s.io/v1", "apiextensions.k8s.io/v1", "admissionregistration.k8s.io/v1", "coordination.k8s.io/v1", "discovery.k8s.io/v1",
        "scheduling.k8s.io/v1", "certificates.k8s.io/v1", "events.k8s.io/v1", "node.k8s.io/v1",
    ];

    private HelmChart(string root, Dictionary<string, object?> metadata, Dictionary<string, object?> values, IReadOnlyDictionary<string, string> files)
    {
        Root = root;
        Metadata = metadata;
        DefaultValues = values;
        Files = files;
    }

    /// <summary>Virtual path of the chart folder (where Chart.yaml is).</summary>
    public string Root { get; }

    public Dictionary<string, object?> Metadata { get; }

    public Dictionary<string, object?> DefaultValues { get; }

    /// <summary>Text files of the chart by path relative to <see cref="Root"/> (<c>templates/deployment.yaml</c>).</summary>
    public IReadOnlyDictionary<string, string> Files { get; }

    public string Name => Metadata.TryGetValue("name", out var n) && n is string s && s.Length > 0 ? s : Root[(Root.LastIndexOf('/') + 1)..];

    /// <summary>Reads a chart from its files; a broken Chart.yaml or values.yaml throws <see cref="TemplateException"/>.</summary>
    public static HelmChart Load(string root, IReadOnlyDictionary<string, string> files)
    {
        var metadata = files.TryGetValue("Chart.yaml", out var chartYaml) ? YamlValues.ParseMap(chartYaml) : new Dictionary<string, object?>(StringComparer.Ordinal);
        Dictionary<string, object?> values;
        try
        {
            values = files.TryGetValue("values.yaml", out var valuesYaml) ? YamlValues.ParseMap(valuesYaml) : new Dictionary<string, object?>(StringComparer.Ordinal);
        }
        catch (TemplateException e)
        {
            throw new TemplateException($"values.yaml: {e.Message}");
        }
        return new HelmChart(root, metadata, values, files);
    }

    /// <summary>
    /// Whether a dependency named <paramref name="name"/> is enabled by its <c>condition</c> in
    /// Chart.yaml under <paramref name="values"/> (no condition, or a path that is not set: enabled).
    /// </summary>
    public bool DependencyEnabled(string name, IDictionary<string, object?> values)
    {
        if (!Metadata.TryGetValue("dependencies", out var deps) || deps is not List<object?> list)
            return true;
        foreach (var dep in list.OfType<Dictionary<string, object?>>())
        {
            var depName = dep.GetValueOrDefault("alias") as string ?? dep.GetValueOrDefault("name") as string;
            if (depName != name || dep.GetValueOrDefault("condition") is not string condition)
                continue;
            foreach (var path in condition.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                object? v = values;
                foreach (var part in path.Split('.'))
                    v = v is IDictionary<string, object?> m && m.TryGetValue(part, out var x) ? x : null;
                if (v is bool b)
                    return b;
            }
        }
        return true;
    }

    /// <summary>
    /// Renders every template (files of <c>templates/</c> not starting with '_', NOTES.txt aside)
    /// with <paramref name="values"/>; <paramref name="libraries"/> are the templates of
    /// subcharts, whose <c>define</c>s this chart may include.
    /// </summary>
    public List<RenderedTemplate> Render(Dictionary<string, object?> values, IEnumerable<(string Path, string Text)> libraries)
    {
        var engine = new GoTemplateEngine();
        var results = new List<RenderedTemplate>();
        foreach (var (path, text) in libraries)
        {
            try
            {
                engine.Add(path, text);
            }
            catch (TemplateException)
            {
                // a subchart's own render reports its parse errors
            }
        }
        var bodies = new List<(string Path, IReadOnlyList<TNode> Body)>();
        foreach (var (relative, text) in Files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            if (!relative.StartsWith("templates/", StringComparison.Ordinal))
                continue;
            var path = Root + "/" + relative;
            try
            {
                var body = engine.Add(Name + "/" + relative, text);
                var file = relative[(relative.LastIndexOf('/') + 1)..];
                if (!file.StartsWith('_') && file != "NOTES.txt" && (file.EndsWith(".yaml", StringComparison.Ordinal) || file.EndsWith(".yml", StringComparison.Ordinal) || file.EndsWith(".json", StringComparison.Ordinal)))
                    bodies.Add((path, body));
            }
            catch (TemplateException e)
            {
                results.Add(new RenderedTemplate(path, null, $"cannot be parsed: {e.Message}"));
            }
        }
        foreach (var (path, body) in bodies)
        {
            var relative = path[(Root.Length + 1)..];
            var data = Data(values, relative);
            try
            {
                results.Add(new RenderedTemplate(path, engine.Render(Name + "/" + relative, body, data), null));
            }
            catch (TemplateException e)
            {
                results.Add(new RenderedTemplate(path, null, e.Message));
            }
            catch (OverflowException)
            {
                results.Add(new RenderedTemplate(path, null, "arithmetic overflow while rendering"));
            }
        }
        return results;
    }

    private Dictionary<string, object?> Data(Dictionary<string, object?> values, string relative) => new(StringComparer.Ordinal)
    {
        ["Values"] = values,
        ["Release"] = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["Name"] = "release-name",
            ["Namespace"] = "default",
            ["Service"] = "Helm",
            ["IsInstall"] = true,
            ["IsUpgrade"] = false,
            ["Revision"] = 1L,
        },
        ["Chart"] = ChartObject(),
        ["Capabilities"] = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["KubeVersion"] = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["Version"] = KubeVersion,
                ["GitVersion"] = KubeVersion,
                ["Major"] = "1",
                ["Minor"] = "31",
            },
            ["APIVersions"] = new ApiVersionSet(),
            ["HelmVersion"] = new Dictionary<string, object?>(StringComparer.Ordinal) { ["Version"] = "v3.16.0" },
        },
        ["Template"] = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["Name"] = Name + "/" + relative,
            ["BasePath"] = Name + "/templates",
        },
        ["Files"] = new ChartFiles(Files.Where(f => !f.Key.StartsWith("templates/", StringComparison.Ordinal)).ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal)),
    };

    /// <summary>.Chart: Chart.yaml's keys as Helm's Metadata struct names them (<c>appVersion</c> → <c>AppVersion</c>).</summary>
    private Dictionary<string, object?> ChartObject()
    {
        var chart = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (k, v) in Metadata)
        {
            var key = k switch
            {
                "apiVersion" => "APIVersion",
                "kubeVersion" => "KubeVersion",
                _ => k.Length > 0 ? char.ToUpperInvariant(k[0]) + k[1..] : k,
            };
            chart[key] = v;
        }
        chart.TryAdd("Name", Name);
        chart.TryAdd("Version", "0.0.0");
        chart.TryAdd("AppVersion", "");
        return chart;
    }

    /// <summary>.Capabilities.APIVersions: <c>Has "apps/v1"</c> is true for the built-in APIs of a current cluster.</summary>
    private sealed class ApiVersionSet : ITemplateObject
    {
        public bool TryGetField(string name, out object? value)
        {
            value = null;
            return false;
        }

        public bool TryCall(string name, IReadOnlyList<object?> args, out object? value)
        {
            value = name == "Has" && args.Count == 1 && args[0] is string api && (ApiVersions.Contains(api) || ApiVersions.Any(v => api.StartsWith(v + "/", StringComparison.Ordinal)));
            return name == "Has";
        }
    }

    /// <summary>.Files: Get, GetBytes, Lines, Glob (with AsConfig and AsSecrets) over the chart's non-template files.</summary>
    private sealed class ChartFiles(Dictionary<string, string> files) : Dictionary<string, object?>(files.ToDictionary(f => f.Key, f => (object?)f.Value, StringComparer.Ordinal), StringComparer.Ordinal), ITemplateObject
    {
        public bool TryGetField(string name, out object? value)
        {
            value = null;
            return false;
        }

        public bool TryCall(string name, IReadOnlyList<object?> args, out object? value)
        {
            var arg = args.Count > 0 ? TemplateFunctions.Str(args[0]) : "";
            switch (name)
            {
                case "Get" or "GetBytes":
                    value = files.GetValueOrDefault(arg, "");
                    return true;
                case "Lines":
                    value = files.GetValueOrDefault(arg, "").Split('\n').Select(l => (object?)l).ToList();
                    return true;
                case "Glob":
                    value = new ChartFiles(files.Where(f => System.IO.Enumeration.FileSystemName.MatchesSimpleExpression(arg, f.Key, ignoreCase: false)).ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal));
                    return true;
                case "AsConfig":
                    value = YamlValues.ToYaml(files.ToDictionary(f => f.Key[(f.Key.LastIndexOf('/') + 1)..], f => (object?)f.Value, StringComparer.Ordinal));
                    return true;
                case "AsSecrets":
                    value = YamlValues.ToYaml(files.ToDictionary(f => f.Key[(f.Key.LastIndexOf('/') + 1)..], f => (object?)Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(f.Value)), StringComparer.Ordinal));
                    return true;
                default:
                    value = null;
                    return false;
            }
        }
    }
}
