using Assay.Analyzers.Cloud;
using Assay.Analyzers.Rules;
using Assay.Core.Model;

namespace Assay.Analyzers.Kubernetes;

/// <summary>
/// The checks on one Kubernetes object, each a rule of cloud-rules.yaml citing the Pod Security
/// Standard (Baseline or Restricted control) or 3GPP clause it comes from. Pod-level settings
/// (securityContext, hostNetwork, volumes) and container-level settings combine as the kubelet
/// combines them: a container's securityContext overrides the pod's.
/// </summary>
internal static class WorkloadChecks
{
    /// <summary>Capabilities the Baseline profile allows to be added (PSS "Capabilities").</summary>
    private static readonly HashSet<string> BaselineCapabilities = new(StringComparer.Ordinal)
    {
        "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
    };

    private static readonly HashSet<string> PodControllers = new(StringComparer.Ordinal)
    {
        "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController",
    };

    /// <summary>Checks one object; returns the workload summary when it runs containers.</summary>
    public static WorkloadSummary? Check(Dictionary<string, object?> obj, string path, DeliveredImages images, List<Finding> findings)
    {
        var kind = obj.GetValueOrDefault("kind") as string ?? "";
        var name = Get(obj, "metadata", "name") as string ?? "(unnamed)";
        var what = $"{kind} {name}";
        if (kind == "ConfigMap")
        {
            ConfigMap(obj, path, what, findings);
            return null;
        }
        var spec = kind switch
        {
            "Pod" => Get(obj, "spec"),
            "CronJob" => Get(obj, "spec", "jobTemplate", "spec", "template", "spec"),
            _ when PodControllers.Contains(kind) => Get(obj, "spec", "template", "spec"),
            _ => null,
        } as Dictionary<string, object?>;
        if (spec is null)
            return null;

        foreach (var ns in new[] { "hostNetwork", "hostPID", "hostIPC" })
        {
            if (spec.GetValueOrDefault(ns) is true)
                findings.Add(RuleCatalog.Finding("ASSAY-K8S-HOST-NAMESPACE", path, $"{what}: {ns}: true"));
        }
        foreach (var volume in List(spec.GetValueOrDefault("volumes")).OfType<Dictionary<string, object?>>())
        {
            if (volume.GetValueOrDefault("hostPath") is Dictionary<string, object?> host)
                findings.Add(RuleCatalog.Finding("ASSAY-K8S-HOSTPATH", path, $"{what}: volume {volume.GetValueOrDefault("name")} hostPath {host.GetValueOrDefault("path")}"));
        }
        var podContext = spec.GetValueOrDefault("securityContext") as Dictionary<string, object?>;
        var containers = new List<ContainerSummary>();
        foreach (var (list, initial) in new[] { ("containers", false), ("initContainers", true), ("ephemeralContainers", false) })
        {
            foreach (var container in List(spec.GetValueOrDefault(list)).OfType<Dictionary<string, object?>>())
                containers.Add(Container(container, podContext, path, what, initial, images, findings));
        }
        return new WorkloadSummary(kind, name, path, containers);
    }

    private static ContainerSummary Container(Dictionary<string, object?> c, Dictionary<string, object?>? pod, string path, string what, bool initial, DeliveredImages images, List<Finding> findings)
    {
        var name = c.GetValueOrDefault("name") as string ?? "(unnamed)";
        var where = $"{what} / {(initial ? "init container" : "container")} {name}";
        var sc = c.GetValueOrDefault("securityContext") as Dictionary<string, object?>;
        object? Effective(string key) => sc is not null && sc.TryGetValue(key, out var v) && v is not null ? v : pod?.GetValueOrDefault(key);

        if (sc?.GetValueOrDefault("privileged") is true)
            findings.Add(RuleCatalog.Finding("ASSAY-K8S-PRIVILEGED", path, $"{where}: securityContext.privileged: true"));
        var added = List(Get(sc, "capabilities", "add")).Select(x => (x as string ?? "").ToUpperInvariant()).Where(x => x.Length > 0).ToList();
        var extra = added.Select(a => a.StartsWith("CAP_", StringComparison.Ordinal) ? a[4..] : a).Where(a => !BaselineCapabilities.Contains(a)).Distinct().Order(StringComparer.Ordinal).ToList();
        if (extra.Count > 0)
            findings.Add(RuleCatalog.Finding("ASSAY-K8S-CAPABILITIES", path, $"{where}: capabilities.add {string.Join(", ", extra)}",
                severity: extra.Any(x => x is "SYS_ADMIN" or "ALL" or "SYS_MODULE" or "SYS_PTRACE") ? Severity.Critical : null));
        var runAsUser = Effective("runAsUser");
        var nonRoot = Effective("runAsNonRoot") is true;
        if (runAsUser is long uid && uid == 0)
            findings.Add(RuleCatalog.Finding("ASSAY-K8S-RUN-AS-ROOT", path, $"{where}: runAsUser: 0"));
        else if (!nonRoot && runAsUser is null)
            findings.Add(RuleCatalog.Finding("ASSAY-K8S-RUN-AS-ROOT", path, $"{where}: neither runAsNonRoot: true nor a non-zero runAsUser"));
        if (sc?.GetValueOrDefault("allowPrivilegeEscalation") is not false && sc?.GetValueOrDefault("privileged") is not true)
            findings.Add(RuleCatalog.Finding("ASSAY-K8S-PRIV-ESCALATION", path, $"{where}: allowPrivilegeEscalation is not false"));
        if (sc?.GetValueOrDefault("readOnlyRootFilesystem") is not true)
            findings.Add(RuleCatalog.Finding("ASSAY-K8S-WRITABLE-ROOTFS", path, $"{where}: readOnlyRootFilesystem is not true"));
        if (Get(c, "resources", "limits") is not Dictionary<string, object?> limits || !limits.ContainsKey("memory") || !limits.ContainsKey("cpu"))
            findings.Add(RuleCatalog.Finding("ASSAY-K8S-NO-LIMITS", path, $"{where}: resources.limits lacks {MissingLimits(Get(c, "resources", "limits") as Dictionary<string, object?>)}"));
        foreach (var env in List(c.GetValueOrDefault("env")).OfType<Dictionary<string, object?>>())
        {
            if (env.GetValueOrDefault("name") is string envName && env.GetValueOrDefault("value") is { } value && value is not (IDictionary<string, object?> or IList<object?>)
                && SecretNames.IsSecretName(envName) && TemplateFunctions.Str(value) is var text && !SecretNames.IsReference(text))
                findings.Add(RuleCatalog.Finding("ASSAY-K8S-SECRET-PLAIN", path, $"{where}: env {envName}={SecretsAnalyzer.Mask(text)}", secretFingerprint: SecretNames.Fingerprint(text)));
        }
        var imageText = c.GetValueOrDefault("image") as string ?? "";
        var reference = ImageReference.Parse(imageText);
        var deliveredAs = reference is null ? null : images.Find(reference);
        if (reference is null)
            findings.Add(RuleCatalog.Finding("ASSAY-K8S-IMAGE-NOT-DELIVERED", path, $"{where}: image '{imageText}' is empty or not a valid reference"));
        else
        {
            if (reference.Digest is null)
                findings.Add(RuleCatalog.Finding("ASSAY-K8S-IMAGE-TAG", path, $"{where}: image {imageText}",
                    severity: reference.EffectiveTag == "latest" ? Severity.High : null));
            if (deliveredAs is null)
                findings.Add(RuleCatalog.Finding("ASSAY-K8S-IMAGE-NOT-DELIVERED", path, $"{where}: image {imageText}"));
        }
        return new ContainerSummary(name, imageText, deliveredAs is not null, deliveredAs);
    }

    /// <summary>ConfigMap data keys whose name says credential, holding a literal value (PSS does not cover this; the Secrets good-practice guide does).</summary>
    private static void ConfigMap(Dictionary<string, object?> obj, string path, string what, List<Finding> findings)
    {
        if (obj.GetValueOrDefault("data") is not Dictionary<string, object?> data)
            return;
        foreach (var (key, value) in data.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var text = TemplateFunctions.Str(value);
            if (SecretNames.IsSecretName(key) && !SecretNames.IsReference(text) && !text.Contains('\n', StringComparison.Ordinal))
                findings.Add(RuleCatalog.Finding("ASSAY-K8S-SECRET-PLAIN", path, $"{what}: data.{key}={SecretsAnalyzer.Mask(text)}", secretFingerprint: SecretNames.Fingerprint(text)));
            else if (text.Contains('\n', StringComparison.Ordinal))
            {
                // an embedded config file: look for secret-named assignments in it (key: value, key=value)
                foreach (var line in text.Split('\n'))
                {
                    var sep = line.IndexOfAny([':', '=']);
                    if (sep <= 0)
                        continue;
                    var name = line[..sep].Trim().Trim('"', '\'');
                    var v = line[(sep + 1)..].Trim().Trim('"', '\'', ',');
                    if (name.Length is > 0 and < 64 && !name.Contains(' ', StringComparison.Ordinal) && SecretNames.IsSecretName(name) && v.Length >= 4 && !SecretNames.IsReference(v))
                        findings.Add(RuleCatalog.Finding("ASSAY-K8S-SECRET-PLAIN", path, $"{what}: data.{key}: {name}={SecretsAnalyzer.Mask(v)}", secretFingerprint: SecretNames.Fingerprint(v)));
                }
            }
        }
    }

    private static string MissingLimits(Dictionary<string, object?>? limits)
    {
        var missing = new[] { "cpu", "memory" }.Where(k => limits is null || !limits.ContainsKey(k)).ToList();
        return string.Join(" and ", missing);
    }

    internal static object? Get(object? obj, params string[] path)
    {
        foreach (var p in path)
            obj = obj is Dictionary<string, object?> m && m.TryGetValue(p, out var v) ? v : null;
        return obj;
    }

    private static List<object?> List(object? v) => v as List<object?> ?? [];
}
