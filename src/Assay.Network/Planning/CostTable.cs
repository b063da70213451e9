using System.Globalization;
using System.Text;
using Assay.Network.Inventory;
using Assay.Network.Text;

namespace Assay.Network.Planning;

/// <summary>
/// Cost and crew effort of replacing one element of a type. <see cref="Expected"/> is the figure the
/// plan schedules with; <see cref="Low"/> and <see cref="High"/> are the ends of a published range
/// (equal to <see cref="Expected"/> when the source gives one figure).
/// </summary>
public readonly record struct CostRow(double Low, double Expected, double High, double Effort)
{
    /// <summary>True when the row carries a range rather than one figure.</summary>
    public bool IsRange => Low != Expected || High != Expected;
}

/// <summary>
/// Replacement cost and crew effort per element type. CSV
/// <c>domain,function,unit_cost[,unit_cost_low,unit_cost_high][,effort][,currency][,year][,unit][,source]</c>;
/// <c>*</c> in domain or function is a default. Lookup order: (domain, function), (domain, *),
/// (*, function), (*, *). Effort is in work units (default 1); <c>--capacity</c> is work units per
/// month. Several tables combine with <see cref="Overlay"/>: a later table's rows replace an earlier
/// one's, so a user's figures override a published table's.
/// </summary>
public sealed class CostTable
{
    /// <summary>Header of the costs CSV in its full form (docs/network.md, "Costs").</summary>
    public const string FullHeader = "domain,function,unit_cost,unit_cost_low,unit_cost_high,effort,currency,year,unit,source";

    private readonly Dictionary<(string Domain, string Function), CostRow> _rows = new();
    private readonly Dictionary<(string Domain, string Function), (string? Unit, string? Source)> _about = new();

    public string Currency { get; private set; } = "EUR";

    /// <summary>Price year of the figures (e.g. 2021), when the table says.</summary>
    public int? Year { get; private set; }

    /// <summary>Where the table came from (file names, in overlay order).</summary>
    public string Origin { get; private set; } = "";

    public int Count => _rows.Count;

    /// <summary>True when any row carries a low-high range.</summary>
    public bool HasRanges => _rows.Values.Any(r => r.IsRange);

    /// <summary>A table with one default row (every element costs <paramref name="cost"/>).</summary>
    public static CostTable Uniform(double cost, double effort = 1, string currency = "EUR")
    {
        var t = new CostTable { Currency = currency, Origin = "uniform" };
        t._rows[("*", "*")] = new CostRow(cost, cost, cost, effort);
        return t;
    }

    public void Set(string domain, string function, double cost, double effort = 1) =>
        Set(domain, function, new CostRow(cost, cost, cost, effort));

    public void Set(string domain, string function, CostRow row)
    {
        if (!(row.Low <= row.Expected && row.Expected <= row.High) || row.Low < 0 || !(row.Effort > 0))
            throw new ArgumentOutOfRangeException(nameof(row), row, "a cost row needs 0 <= low <= expected <= high and a positive effort");
        _rows[(domain.ToLowerInvariant(), function.ToLowerInvariant())] = row;
    }

    /// <summary>Cost and effort of one element type, or null when the table has no row for it.</summary>
    public (double Cost, double Effort)? Lookup(NetworkDomain domain, string function) =>
        LookupRow(domain, function) is { } r ? (r.Expected, r.Effort) : null;

    /// <summary>The row for one element type (most specific first), or null when the table has none.</summary>
    public CostRow? LookupRow(NetworkDomain domain, string function) =>
        Key(domain, function) is { } key ? _rows[key] : null;

    /// <summary>The unit and source noted for the row an element type uses, when the table gives them.</summary>
    public (string? Unit, string? Source) About(NetworkDomain domain, string function) =>
        Key(domain, function) is { } key && _about.TryGetValue(key, out var a) ? a : (null, null);

    private (string, string)? Key(NetworkDomain domain, string function)
    {
        var d = domain.ToName();
        var f = function.ToLowerInvariant();
        foreach (var key in new[] { (d, f), (d, "*"), ("*", f), ("*", "*") })
            if (_rows.ContainsKey(key))
                return key;
        return null;
    }

    /// <summary>
    /// This table with <paramref name="top"/>'s rows laid over it (a row of <paramref name="top"/>
    /// replaces the same row here). Throws <see cref="InventoryException"/> when the currencies differ:
    /// Assay does not convert currencies.
    /// </summary>
    public CostTable Overlay(CostTable top)
    {
        if (top.Currency != Currency)
            throw new InventoryException($"{top.Origin}: costs in {top.Currency} cannot override {Origin} in {Currency}; give every table in one currency");
        var t = new CostTable { Currency = Currency, Year = top.Year ?? Year, Origin = $"{Origin} + {top.Origin}" };
        foreach (var (k, v) in _rows)
            t._rows[k] = v;
        foreach (var (k, v) in _about)
            t._about[k] = v;
        foreach (var (k, v) in top._rows)
        {
            t._rows[k] = v;
            t._about.Remove(k);
        }
        foreach (var (k, v) in top._about)
            t._about[k] = v;
        return t;
    }

    /// <summary>
    /// Name of the FCC's final Catalog of Eligible Expenses and Estimated Costs (Public Notice DA 21-947,
    /// Appendix C, 3 Aug 2021) as a built-in table. Assay does not ship it: its rows could not be
    /// obtained when the table was to be built, and no figure is taken from memory (docs/network.md,
    /// "Public cost data"). Asking for it by name says so instead of "file not found".
    /// </summary>
    public const string FccCatalogName = "fcc-2021";

    /// <summary>Reads a costs CSV; throws <see cref="InventoryException"/> with every bad line.</summary>
    public static CostTable Load(string path)
    {
        if (string.Equals(path, FccCatalogName, StringComparison.OrdinalIgnoreCase) && !File.Exists(path))
            throw new InventoryException($"--costs {FccCatalogName}: this build has no built-in copy of the FCC's Catalog of Eligible Expenses " +
                "and Estimated Costs (DA 21-947, Appendix C, 2021 US dollars): its rows could not be obtained and Assay invents no figures. " +
                $"Put the catalog's rows in a CSV ({FullHeader}; one row per element type, low and high from the catalog's range) " +
                "and pass that file to --costs (docs/network.md, \"Public cost data\").");
        using var stream = InputFiles.OpenBounded(path, InputFiles.MaxSmallFileBytes);
        return Read(new StreamReader(stream, Encoding.UTF8), Path.GetFileName(path));
    }

    private enum Col { Domain, Function, Cost, Low, High, Effort, Currency, Year, Unit, Source }

    private static readonly (string Name, Col Col)[] Names =
    [
        ("domain", Col.Domain), ("function", Col.Function), ("unit_cost", Col.Cost), ("cost", Col.Cost),
        ("unit_cost_low", Col.Low), ("low", Col.Low), ("unit_cost_high", Col.High), ("high", Col.High),
        ("effort", Col.Effort), ("currency", Col.Currency), ("year", Col.Year), ("unit", Col.Unit), ("source", Col.Source),
    ];

    public static CostTable Read(TextReader text, string file)
    {
        var errors = new ErrorList(file);
        var table = new CostTable { Origin = file };
        using var reader = new CsvLineReader(text);
        Span<Range> fields = stackalloc Range[CsvLineReader.MaxFields];
        if (!reader.TryReadLine(out var header))
            throw new InventoryException($"{file}: empty; expected {FullHeader} (domain, function and unit_cost required)");
        var n = reader.Split(header, fields, out var h, out var herr);
        if (n < 0)
            throw new InventoryException($"{file}:1: {herr}");
        var map = new int[Enum.GetValues<Col>().Length];
        Array.Fill(map, -1);
        for (var f = 0; f < n; f++)
        {
            var name = h[fields[f]].Trim().TrimStart('\uFEFF');
            foreach (var (alias, col) in Names)
                if (name.Equals(alias, StringComparison.OrdinalIgnoreCase))
                    map[(int)col] = f;
        }
        if (map[(int)Col.Domain] < 0 || map[(int)Col.Function] < 0 || map[(int)Col.Cost] < 0)
            throw new InventoryException($"{file}:1: the costs header needs domain, function and unit_cost ({FullHeader}); found '{InventoryBuilder.Clip(header)}'");
        if ((map[(int)Col.Low] < 0) != (map[(int)Col.High] < 0))
            throw new InventoryException($"{file}:1: a range needs both unit_cost_low and unit_cost_high columns");
        var need = map.Max() + 1;
        string? seenCurrency = null;
        int? seenYear = null;
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
            var d = Get(t, fields, map, Col.Domain).ToString();
            var fn = Get(t, fields, map, Col.Function).ToString();
            if (d != "*" && !NetworkDomains.TryParse(d, out _))
            {
                errors.Add(reader.LineNumber, $"domain '{InventoryBuilder.Clip(d)}' is not '*' or one of: {NetworkDomains.ValidNames}");
                continue;
            }
            if (fn.Length is 0 or > InventoryBuilder.MaxFieldLength)
            {
                errors.Add(reader.LineNumber, "function is empty or too long (use * for any)");
                continue;
            }
            if (!TryAmount(Get(t, fields, map, Col.Cost), out var c))
            {
                errors.Add(reader.LineNumber, $"unit_cost '{InventoryBuilder.Clip(Get(t, fields, map, Col.Cost))}' is not a number between 0 and 1e12");
                continue;
            }
            double low = c, high = c;
            if (map[(int)Col.Low] >= 0 && !(Get(t, fields, map, Col.Low).IsEmpty && Get(t, fields, map, Col.High).IsEmpty))
            {
                if (!TryAmount(Get(t, fields, map, Col.Low), out low) || !TryAmount(Get(t, fields, map, Col.High), out high))
                {
                    errors.Add(reader.LineNumber, $"unit_cost_low '{InventoryBuilder.Clip(Get(t, fields, map, Col.Low))}' and unit_cost_high '{InventoryBuilder.Clip(Get(t, fields, map, Col.High))}' must both be numbers between 0 and 1e12 (or both empty)");
                    continue;
                }
                if (!(low <= c && c <= high))
                {
                    errors.Add(reader.LineNumber, $"unit_cost {c.ToString(CultureInfo.InvariantCulture)} is not within unit_cost_low {low.ToString(CultureInfo.InvariantCulture)} .. unit_cost_high {high.ToString(CultureInfo.InvariantCulture)}");
                    continue;
                }
            }
            var e = 1.0;
            var effortText = Get(t, fields, map, Col.Effort);
            if (!effortText.IsEmpty
                && (!double.TryParse(effortText, NumberStyles.Float, CultureInfo.InvariantCulture, out e) || !double.IsFinite(e) || e <= 0 || e > 1e6))
            {
                errors.Add(reader.LineNumber, $"effort '{InventoryBuilder.Clip(effortText)}' is not a positive number up to 1e6");
                continue;
            }
            var cur = Get(t, fields, map, Col.Currency);
            if (!cur.IsEmpty)
            {
                if (cur.Length != 3 || cur.ContainsAnyExceptInRange('A', 'Z'))
                {
                    errors.Add(reader.LineNumber, $"currency '{InventoryBuilder.Clip(cur)}' is not an ISO 4217 code (three capital letters: EUR, GBP, USD ...)");
                    continue;
                }
                if (seenCurrency is not null && !cur.SequenceEqual(seenCurrency))
                {
                    errors.Add(reader.LineNumber, $"currency {cur} differs from {seenCurrency} above; one costs file has one currency");
                    continue;
                }
                seenCurrency = cur.ToString();
            }
            var yearText = Get(t, fields, map, Col.Year);
            if (!yearText.IsEmpty)
            {
                if (!int.TryParse(yearText, NumberStyles.None, CultureInfo.InvariantCulture, out var year) || year is < 1900 or > 2200)
                {
                    errors.Add(reader.LineNumber, $"year '{InventoryBuilder.Clip(yearText)}' is not a price year (1900-2200)");
                    continue;
                }
                if (seenYear is not null && year != seenYear)
                {
                    errors.Add(reader.LineNumber, $"price year {year} differs from {seenYear} above; one costs file has one price year");
                    continue;
                }
                seenYear = year;
            }
            var unit = Get(t, fields, map, Col.Unit);
            var source = Get(t, fields, map, Col.Source);
            if (unit.Length > InventoryBuilder.MaxFieldLength || source.Length > 1024)
            {
                errors.Add(reader.LineNumber, "unit (256) or source (1024 characters) is too long");
                continue;
            }
            var key = (NetworkDomains.TryParse(d, out var nd) ? nd.ToName() : "*", fn.ToLowerInvariant());
            if (table._rows.ContainsKey(key))
            {
                errors.Add(reader.LineNumber, $"a second row for {d},{fn}; keep one");
                continue;
            }
            table._rows[key] = new CostRow(low, c, high, e);
            if (!unit.IsEmpty || !source.IsEmpty)
                table._about[key] = (unit.IsEmpty ? null : unit.ToString(), source.IsEmpty ? null : source.ToString());
        }
        if (table._rows.Count == 0 && errors.Count == 0)
            errors.Add(0, "no cost rows");
        errors.ThrowIfAny();
        if (seenCurrency is not null)
            table.Currency = seenCurrency;
        table.Year = seenYear;
        return table;
    }

    private static ReadOnlySpan<char> Get(ReadOnlySpan<char> text, Span<Range> fields, int[] map, Col c) =>
        map[(int)c] < 0 ? default : text[fields[map[(int)c]]].Trim();

    private static bool TryAmount(ReadOnlySpan<char> text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value) && value is >= 0 and <= 1e12;
}
