using System.Globalization;
using System.Text.Json;

namespace Assay.Vulnerabilities.Vex;

/// <summary>
/// Reads OpenVEX documents (https://github.com/openvex/spec, v0.2.0; schema
/// <c>openvex-0.2.0.schema.json</c>): <c>statements[]</c> with <c>vulnerability</c>
/// (<c>name</c>, <c>@id</c>, <c>aliases</c>), <c>products[]</c> (<c>@id</c>, <c>identifiers.purl/cpe23/cpe22</c>,
/// <c>subcomponents[]</c>), <c>status</c>, <c>justification</c>, <c>impact_statement</c>, <c>timestamp</c>.
/// The string forms of <c>vulnerability</c> and <c>products</c> of pre-0.2 documents are read too.
/// Limitation: a product with subcomponents is matched through its subcomponents only.
/// </summary>
internal static class OpenVexReader
{
    public static bool IsOpenVex(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("@context", out var ctx)
        && ctx.ValueKind == JsonValueKind.String && ctx.GetString()!.Contains("openvex", StringComparison.OrdinalIgnoreCase);

    public static IReadOnlyList<VexStatement> Read(JsonElement root, string path)
    {
        var documentTime = Time(root, "timestamp");
        var statements = new List<VexStatement>();
        if (!root.TryGetProperty("statements", out var list) || list.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"{path}: OpenVEX document has no 'statements' array");
        var index = 0;
        foreach (var s in list.EnumerateArray())
        {
            var where = $"{path}: statements[{index++}]";
            string id;
            var aliases = new List<string>();
            if (!s.TryGetProperty("vulnerability", out var v))
                throw new InvalidDataException($"{where} has no 'vulnerability'");
            if (v.ValueKind == JsonValueKind.String)
                id = v.GetString()!;
            else if (v.ValueKind == JsonValueKind.Object)
            {
                id = Str(v, "name") ?? Str(v, "@id") ?? throw new InvalidDataException($"{where}.vulnerability has neither 'name' nor '@id'");
                if (v.TryGetProperty("aliases", out var a) && a.ValueKind == JsonValueKind.Array)
                    aliases.AddRange(a.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!));
            }
            else
                throw new InvalidDataException($"{where}.vulnerability is {v.ValueKind}, expected an object or a string");

            var status = Str(s, "status") ?? throw new InvalidDataException($"{where} has no 'status'");
            if (!VexStatus.All.Contains(status))
                throw new InvalidDataException($"{where} status '{status}' is not one of {string.Join(", ", VexStatus.All)}");

            var products = new List<string>();
            if (s.TryGetProperty("products", out var ps) && ps.ValueKind == JsonValueKind.Array)
                foreach (var p in ps.EnumerateArray())
                    AddProduct(p, products);
            statements.Add(new VexStatement(id, aliases, products, status,
                Str(s, "justification") ?? Str(s, "impact_statement"), Time(s, "timestamp") ?? documentTime));
        }
        return statements;
    }

    private static void AddProduct(JsonElement p, List<string> products)
    {
        if (p.ValueKind == JsonValueKind.String)
        {
            products.Add(p.GetString()!);
            return;
        }
        if (p.ValueKind != JsonValueKind.Object)
            return;
        if (p.TryGetProperty("subcomponents", out var subs) && subs.ValueKind == JsonValueKind.Array && subs.GetArrayLength() > 0)
        {
            foreach (var sub in subs.EnumerateArray())
                AddProduct(sub, products);
            return;
        }
        if (Str(p, "@id") is { } id)
            products.Add(id);
        if (p.TryGetProperty("identifiers", out var ids) && ids.ValueKind == JsonValueKind.Object)
            foreach (var name in new[] { "purl", "cpe23", "cpe22" })
                if (Str(ids, name) is { } value)
                    products.Add(value);
    }

    internal static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    internal static DateTimeOffset? Time(JsonElement e, string name) =>
        Str(e, name) is { } s && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;
}
