using System.Globalization;
using System.Text;
using Assay.Network.Inventory;
using Assay.Network.Text;

namespace Assay.Network.Planning;

/// <summary>
/// Replacement cost and crew effort per element type. CSV <c>domain,function,unit_cost[,effort][,currency]</c>;
/// <c>*</c> in domain or function is a default. Lookup order: (domain, function), (domain, *),
/// (*, function), (*, *). Effort is in work units (default 1); <c>--capacity</c> is work units per month.
/// </summary>
public sealed class CostTable
{
    private readonly Dictionary<(string Domain, string Function), (double Cost, double Effort)> _rows = new();

    public string Currency { get; private set; } = "EUR";

    public int Count => _rows.Count;

    /// <summary>A table with one default row (every element costs <paramref name="cost"/>).</summary>
    public static CostTable Uniform(double cost, double effort = 1, string currency = "EUR")
    {
        var t = new CostTable { Currency = currency };
        t._rows[("*", "*")] = (cost, effort);
        return t;
    }

    public void Set(string domain, string function, double cost, double effort = 1) =>
        _rows[(domain.ToLowerInvariant(), function.ToLowerInvariant())] = (cost, effort);

    /// <summary>Cost and effort of one element type, or null when the table has no row for it.</summary>
    public (double Cost, double Effort)? Lookup(NetworkDomain domain, string function)
    {
        var d = domain.ToName();
        var f = function.ToLowerInvariant();
        if (_rows.TryGetValue((d, f), out var v)) return v;
        if (_rows.TryGetValue((d, "*"), out v)) return v;
        if (_rows.TryGetValue(("*", f), out v)) return v;
        if (_rows.TryGetValue(("*", "*"), out v)) return v;
        return null;
    }

    /// <summary>Reads a costs CSV; throws <see cref="InventoryException"/> with every bad line.</summary>
    public static CostTable Load(string path)
    {
        using var stream = InputFiles.OpenBounded(path, InputFiles.MaxSmallFileBytes);
        return Read(new StreamReader(stream, Encoding.UTF8), Path.GetFileName(path));
    }

    public static CostTable Read(TextReader text, string file)
    {
        var errors = new ErrorList(file);
        var table = new CostTable();
        using var reader = new CsvLineReader(text);
        Span<Range> fields = stackalloc Range[CsvLineReader.MaxFields];
        if (!reader.TryReadLine(out var header))
            throw new InventoryException($"{file}: empty; expected domain,function,unit_cost[,effort][,currency]");
        var n = reader.Split(header, fields, out var h, out _);
        int domain = -1, function = -1, cost = -1, effort = -1, currency = -1;
        for (var f = 0; f < n; f++)
        {
            var name = h[fields[f]].Trim().TrimStart('\uFEFF');
            if (name.Equals("domain", StringComparison.OrdinalIgnoreCase)) domain = f;
            else if (name.Equals("function", StringComparison.OrdinalIgnoreCase)) function = f;
            else if (name.Equals("unit_cost", StringComparison.OrdinalIgnoreCase) || name.Equals("cost", StringComparison.OrdinalIgnoreCase)) cost = f;
            else if (name.Equals("effort", StringComparison.OrdinalIgnoreCase)) effort = f;
            else if (name.Equals("currency", StringComparison.OrdinalIgnoreCase)) currency = f;
        }
        if (domain < 0 || function < 0 || cost < 0)
            throw new InventoryException($"{file}:1: the costs header needs domain, function and unit_cost (effort, currency optional); found '{InventoryBuilder.Clip(header)}'");
        var need = new[] { domain, function, cost, effort, currency }.Max() + 1;
        string? seenCurrency = null;
        while (reader.TryReadLine(out var line))
        {
            if (line.IsWhiteSpace())
                continue;
            var count = reader.Split(line, fields, out var t, out var err);
            if (count < need)
            {
                if (!errors.Add(reader.LineNumber, err ?? $"{count} fields, expected {need}"))
                    break;
                continue;
            }
            var d = t[fields[domain]].Trim().ToString();
            var fn = t[fields[function]].Trim().ToString();
            if (d != "*" && !NetworkDomains.TryParse(d, out _))
            {
                errors.Add(reader.LineNumber, $"domain '{d}' is not '*' or one of: {NetworkDomains.ValidNames}");
                continue;
            }
            if (fn.Length is 0 or > InventoryBuilder.MaxFieldLength)
            {
                errors.Add(reader.LineNumber, "function is empty or too long (use * for any)");
                continue;
            }
            if (!double.TryParse(t[fields[cost]], NumberStyles.Float, CultureInfo.InvariantCulture, out var c) || !double.IsFinite(c) || c < 0 || c > 1e12)
            {
                errors.Add(reader.LineNumber, $"unit_cost '{t[fields[cost]]}' is not a number between 0 and 1e12");
                continue;
            }
            var e = 1.0;
            if (effort >= 0 && !t[fields[effort]].IsWhiteSpace()
                && (!double.TryParse(t[fields[effort]], NumberStyles.Float, CultureInfo.InvariantCulture, out e) || !double.IsFinite(e) || e <= 0 || e > 1e6))
            {
                errors.Add(reader.LineNumber, $"effort '{t[fields[effort]]}' is not a positive number up to 1e6");
                continue;
            }
            if (currency >= 0 && !t[fields[currency]].IsWhiteSpace())
            {
                var cur = t[fields[currency]].Trim().ToString();
                if (seenCurrency is not null && cur != seenCurrency)
                {
                    errors.Add(reader.LineNumber, $"currency {cur} differs from {seenCurrency} above; one costs file has one currency");
                    continue;
                }
                seenCurrency = cur;
            }
            var key = (NetworkDomains.TryParse(d, out var nd) ? nd.ToName() : "*", fn.ToLowerInvariant());
            if (table._rows.ContainsKey(key))
            {
                errors.Add(reader.LineNumber, $"a second row for {d},{fn}; keep one");
                continue;
            }
            table._rows[key] = (c, e);
        }
        if (table._rows.Count == 0 && errors.Count == 0)
            errors.Add(0, "no cost rows");
        errors.ThrowIfAny();
        if (seenCurrency is not null)
            table.Currency = seenCurrency;
        return table;
    }
}
