using System.Collections.Concurrent;
using System.Text.Json;
using Assay.Analyzers.Rules;
using Assay.Core.Model;
using Assay.Core.Plugins;
using Assay.Core.Pipeline;

namespace Assay.Analyzers.Cloud;

/// <summary>
/// The configuration of each container image in the delivery (the OCI / Docker image config that
/// the image handlers lay out as <c>config.json</c> beside <c>rootfs/</c>): reports user, exposed
/// ports, entrypoint, environment (secret values masked), labels and build history as the
/// <c>container-images</c> summary, and fires the image rules (root user, secrets in the
/// environment, insecure ports).
/// </summary>
/// <remarks>
/// Limitations: the config says what the image does by default; a Kubernetes securityContext or
/// a runtime flag may override the user (the Kubernetes rules look at that side). Secrets are
/// recognised by the variable's name, not by the value's shape (the secrets analyzer scans files).
/// </remarks>
public sealed class ContainerImageAnalyzer : IInspector
{
    private const int MaxConfigBytes = 8 << 20;
    private static readonly HashSet<string> ImageContainers = new(StringComparer.Ordinal) { "oci-archive", "docker-archive" };

    /// <summary>Ports of clear-text or unauthenticated services (TS 33.117 §4.3.2.1).</summary>
    private static readonly Dictionary<int, string> InsecurePorts = new()
    {
        [21] = "FTP", [23] = "telnet", [69] = "TFTP", [512] = "rexec", [513] = "rlogin", [514] = "rsh",
    };

    private readonly ConcurrentBag<ImageSummary> _images = [];

    public string Id => "container-image";

    public bool Wants(FileRecord file) =>
        file.Container is { } c && ImageContainers.Contains(c) && file.Layer is null && (file.Size ?? 0) <= MaxConfigBytes
        && VirtualPath.Name(file.Path) == "config.json";

    public void Inspect(InspectedFile file, InspectionSink sink)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(file.ReadBytes(MaxConfigBytes), new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            sink.Add(new ScanError { Path = file.Path, Handler = Id, Message = $"image config is not valid JSON: {e.Message}" });
            return;
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return;
            var config = root.TryGetProperty("config", out var c) && c.ValueKind == JsonValueKind.Object ? c : default;
            var user = Text(config, "User") ?? "";
            var env = Strings(config, "Env");
            var ports = config.ValueKind == JsonValueKind.Object && config.TryGetProperty("ExposedPorts", out var p) && p.ValueKind == JsonValueKind.Object
                ? p.EnumerateObject().Select(x => x.Name).Order(StringComparer.Ordinal).ToList()
                : [];
            var image = new ImageSummary
            {
                Path = file.Path,
                Platform = Text(root, "os") is { } os ? os + "/" + Text(root, "architecture") + (Text(root, "variant") is { } v ? "/" + v : "") : null,
                Created = Text(root, "created"),
                User = user,
                ExposedPorts = ports,
                Entrypoint = Strings(config, "Entrypoint"),
                Cmd = Strings(config, "Cmd"),
                WorkingDir = Text(config, "WorkingDir"),
                Env = [.. env.Select(MaskEnv)],
                Labels = config.ValueKind == JsonValueKind.Object && config.TryGetProperty("Labels", out var l) && l.ValueKind == JsonValueKind.Object
                    ? new SortedDictionary<string, string>(l.EnumerateObject().Where(x => x.Value.ValueKind == JsonValueKind.String).ToDictionary(x => x.Name, x => x.Value.GetString()!), StringComparer.Ordinal)
                    : new SortedDictionary<string, string>(StringComparer.Ordinal),
                History = root.TryGetProperty("history", out var h) && h.ValueKind == JsonValueKind.Array
                    ? [.. h.EnumerateArray().Select(x => Text(x, "created_by") ?? Text(x, "comment") ?? "").Select(Mask)]
                    : [],
                Layers = root.TryGetProperty("rootfs", out var r) ? Strings(r, "diff_ids").Count : 0,
            };
            _images.Add(image);
            sink.Checked("ASSAY-IMG-ENV-SECRET", "ASSAY-IMG-INSECURE-PORT", "ASSAY-IMG-ROOT-USER");
            Check(file.Path, image, env, sink);
        }
    }

    public void Complete(IReadOnlyList<FileRecord> files, InspectionSink sink)
    {
        if (!_images.IsEmpty)
            sink.SetSummary(new EvaluationSummaries { ContainerImages = [.. _images.OrderBy(i => i.Path, StringComparer.Ordinal)] });
    }

    private static void Check(string path, ImageSummary image, List<string> env, InspectionSink sink)
    {
        var user = image.User.Split(':')[0];
        if (user is "" or "0" or "root")
            sink.Add(RuleCatalog.Finding("ASSAY-IMG-ROOT-USER", path, image.User.Length == 0 ? "User: (not set, runs as root)" : $"User: {image.User}"));
        foreach (var variable in env)
        {
            var eq = variable.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0 && eq < variable.Length - 1 && SecretNames.IsSecretName(variable[..eq]) && !SecretNames.IsReference(variable[(eq + 1)..]))
                sink.Add(RuleCatalog.Finding("ASSAY-IMG-ENV-SECRET", path, MaskEnv(variable), secretFingerprint: SecretNames.Fingerprint(variable[(eq + 1)..])));
        }
        foreach (var port in image.ExposedPorts)
        {
            var number = port.Split('/')[0];
            if (int.TryParse(number, out var n) && InsecurePorts.TryGetValue(n, out var service))
                sink.Add(RuleCatalog.Finding("ASSAY-IMG-INSECURE-PORT", path, $"ExposedPorts: {port} ({service})"));
        }
    }

    /// <summary><c>DB_PASSWORD=hunter2-secret</c> → <c>DB_PASSWORD=hunt*****cret</c>; other variables as they are.</summary>
    private static string MaskEnv(string variable)
    {
        var eq = variable.IndexOf('=', StringComparison.Ordinal);
        return eq > 0 && SecretNames.IsSecretName(variable[..eq]) ? variable[..(eq + 1)] + SecretsAnalyzer.Mask(variable[(eq + 1)..]) : variable;
    }

    /// <summary>History lines can carry build arguments: mask the values of secret-named ones.</summary>
    private static string Mask(string createdBy) => SecretNames.MaskAssignments(createdBy);

    private static string? Text(JsonElement e, string property) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(property, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;

    private static List<string> Strings(JsonElement e, string property) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(property, out var p) && p.ValueKind == JsonValueKind.Array
            ? [.. p.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!)]
            : [];
}
