using Assay.Core.Model;
using Assay.Core.Plugins;
using Assay.Core.Identifiers;

namespace Assay.Catalog.Ecosystems;

/// <summary>
/// Installed Python distributions: <c>*.dist-info/METADATA</c> (PEP 566 / core metadata, email
/// header syntax) and legacy <c>*.egg-info/PKG-INFO</c>. Name, Version, License and Author give
/// the component; <c>pkg:pypi/NAME@VERSION</c> with the name normalized as PEP 503 says
/// (lower case, runs of <c>-_.</c> → <c>-</c>).
/// <para>Limitations: RECORD (owned files) is not read; only the header part before the first
/// blank line is parsed.</para>
/// </summary>
public sealed class PythonDistInfoCataloger : IInspector
{
    public const string CatalogerId = "python-dist-info";
    public const int MaxBytes = 1 << 20;

    public string Id => CatalogerId;

    /// <summary>Keeps no state of its own: its results for a file are cached by the file's content.</summary>
    public bool CacheableByContent => true;

    public bool Wants(FileRecord file)
    {
        if (file.Kind != NodeKind.File || file.Size is null or > 16 << 20)
            return false;
        var inner = Core.Pipeline.VirtualPath.Inner(file.Path);
        return (inner.EndsWith("/METADATA", StringComparison.Ordinal) && ParentEndsWith(inner, ".dist-info"))
            || (inner.EndsWith("/PKG-INFO", StringComparison.Ordinal) && ParentEndsWith(inner, ".egg-info"));
    }

    private static bool ParentEndsWith(string inner, string suffix)
    {
        var slash = inner.LastIndexOf('/');
        return slash > 0 && inner[..slash].EndsWith(suffix, StringComparison.Ordinal);
    }

    public void Inspect(InspectedFile file, InspectionSink sink)
    {
        var headers = ParseHeaders(file.ReadText(MaxBytes));
        var name = headers.GetValueOrDefault("Name");
        var version = headers.GetValueOrDefault("Version");
        if (string.IsNullOrWhiteSpace(name) || string.IsNullOrWhiteSpace(version))
        {
            sink.Add(new ScanError { Path = file.Path, Handler = Id, Message = "core metadata without a Name or Version header; expected 'Name: x' and 'Version: y' before the first blank line" });
            return;
        }
        var license = headers.GetValueOrDefault("License-Expression") ?? headers.GetValueOrDefault("License");
        var normalized = Normalize(name);
        sink.Add(new Component
        {
            Name = normalized,
            Version = version,
            Location = file.Path,
            Type = "python",
            Purl = PackageUrl.Create("pypi", null, normalized, version),
            Linkage = "package",
            Supplier = headers.GetValueOrDefault("Author"),
            Licenses = string.IsNullOrWhiteSpace(license) || license.Length > 200 || license == "UNKNOWN" ? [] : [license],
            Evidence = [new Evidence { Source = Id, Path = file.Path, Text = $"Name: {name} Version: {version}" }],
        });
    }

    /// <summary>PEP 503 normalization.</summary>
    internal static string Normalize(string name)
    {
        var sb = new System.Text.StringBuilder(name.Length);
        var dash = false;
        foreach (var c in name.Trim().ToLowerInvariant())
        {
            if (c is '-' or '_' or '.')
            {
                dash = true;
                continue;
            }
            if (dash && sb.Length > 0)
                sb.Append('-');
            dash = false;
            sb.Append(c);
        }
        return sb.ToString();
    }

    internal static Dictionary<string, string> ParseHeaders(string text)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var raw in text.AsSpan().EnumerateLines())
        {
            if (raw.IsWhiteSpace())
                break;
            if (raw[0] is ' ' or '\t')
                continue;
            var colon = raw.IndexOf(':');
            if (colon > 0)
                headers.TryAdd(raw[..colon].Trim().ToString(), raw[(colon + 1)..].Trim().ToString());
        }
        return headers;
    }
}
