using System.Text.Json;
using Assay.Core.Model;
using Assay.Core.Identifiers;
using Assay.Vulnerabilities.Matching;

namespace Assay.Vulnerabilities.Vex;

/// <summary>
/// Triage statements from an OpenVEX or CycloneDX VEX file, applied to matched vulnerabilities:
/// each vulnerability takes the state of the newest statement (by timestamp, then by order in the
/// file) that names its id or an alias and a product matching its component.
/// </summary>
public sealed class VexDocument
{
    /// <summary>Largest VEX file read.</summary>
    public const long MaxBytes = 256L << 20;

    public IReadOnlyList<VexStatement> Statements { get; }

    public VexDocument(IReadOnlyList<VexStatement> statements) => Statements = statements;

    /// <summary>Reads an OpenVEX or CycloneDX VEX file.</summary>
    /// <exception cref="InvalidDataException">The file is neither, or a statement is malformed (the message names it).</exception>
    public static VexDocument Load(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
            throw new FileNotFoundException($"VEX file '{path}' does not exist", path);
        if (info.Length > MaxBytes)
            throw new InvalidDataException($"VEX file '{path}' is {info.Length:N0} bytes, more than the limit of {MaxBytes:N0}");
        using var stream = info.OpenRead();
        JsonDocument doc;
        try { doc = JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 128 }); }
        catch (JsonException e) { throw new InvalidDataException($"VEX file '{path}' is not valid JSON: {e.Message}", e); }
        using (doc)
        {
            try { return Parse(doc.RootElement, path); }
            catch (InvalidOperationException e) { throw new InvalidDataException($"VEX file '{path}': unreadable value: {e.Message}", e); }
        }
    }

    public static VexDocument Parse(JsonElement root, string path)
    {
        if (OpenVexReader.IsOpenVex(root))
            return new VexDocument(OpenVexReader.Read(root, path));
        if (CycloneDxVexReader.IsCycloneDx(root))
            return new VexDocument(CycloneDxVexReader.Read(root, path));
        throw new InvalidDataException($"'{path}' is neither OpenVEX (\"@context\": \"https://openvex.dev/ns/...\") nor CycloneDX (\"bomFormat\": \"CycloneDX\") VEX");
    }

    /// <summary>The vulnerabilities with <c>VexState</c>/<c>VexJustification</c> set where a statement applies.</summary>
    public IReadOnlyList<Vulnerability> Apply(IReadOnlyList<Vulnerability> vulnerabilities, IReadOnlyList<Component> components)
    {
        var byKey = new Dictionary<(string, string, string?), Component>();
        foreach (var c in components)
            byKey.TryAdd((c.Name, c.Version, c.Location), c);
        var ordered = Statements.Select((s, i) => (s, i)).OrderBy(x => x.s.Timestamp ?? DateTimeOffset.MinValue).ThenBy(x => x.i).Select(x => x.s).ToList();
        var result = new List<Vulnerability>(vulnerabilities.Count);
        foreach (var v in vulnerabilities)
        {
            byKey.TryGetValue((v.Component, v.Version, v.Location), out var component);
            VexStatement? chosen = null;
            foreach (var s in ordered)
                if (NamesVulnerability(s, v.Id) && (s.Products.Count == 0 || s.Products.Any(p => ProductMatches(p, v, component))))
                    chosen = s;
            result.Add(chosen is null ? v : v with { VexState = chosen.Status, VexJustification = chosen.Justification });
        }
        return result;
    }

    private static bool NamesVulnerability(VexStatement s, string id) =>
        string.Equals(s.VulnerabilityId, id, StringComparison.OrdinalIgnoreCase)
        || s.Aliases.Any(a => string.Equals(a, id, StringComparison.OrdinalIgnoreCase));

    internal static bool ProductMatches(string product, Vulnerability v, Component? c)
    {
        if (product.StartsWith("pkg:", StringComparison.OrdinalIgnoreCase))
        {
            var want = PackageUrl.TryParse(product);
            var have = PackageUrl.TryParse(c?.Purl);
            if (want is null || have is null)
                return false;
            return want.Type == have.Type
                && string.Equals(want.Namespace, have.Namespace, StringComparison.OrdinalIgnoreCase)
                && string.Equals(want.Name, have.Name, StringComparison.OrdinalIgnoreCase)
                && (want.Version is null || want.Version == have.Version || want.Version == v.Version || want.Version == c?.PackageVersion);
        }
        if (product.StartsWith("cpe:2.3:", StringComparison.OrdinalIgnoreCase))
        {
            var want = Cpe23.TryParse(product);
            var have = Cpe23.TryParse(c?.Cpe);
            if (want is null)
                return false;
            var keyMatches = have is not null
                ? have.Key == want.Key
                : ProductMap.Default.FindByName(v.Component)?.CpeKeys.Contains(want.Key) == true;
            return keyMatches && (want.Version is "*" or "-" || string.Equals(want.Version, v.Version, StringComparison.OrdinalIgnoreCase));
        }
        return string.Equals(product, v.Component, StringComparison.OrdinalIgnoreCase)
            || string.Equals(product, $"{v.Component}@{v.Version}", StringComparison.OrdinalIgnoreCase)
            || (v.Location is not null && string.Equals(product, v.Location, StringComparison.Ordinal));
    }
}
