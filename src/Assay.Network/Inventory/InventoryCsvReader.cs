using System.Runtime.CompilerServices;
using System.Text;
using Assay.Network.Text;

namespace Assay.Network.Inventory;

/// <summary>
/// Reads the element CSV (docs/network.md, "Inventory"). Required columns:
/// <c>element_id,site_id,region,site_class,domain,function,vendor</c> (region and site_class may be
/// left out when a sites file is given); optional: <c>weight, cells, model, software_version,
/// technology, installed, manages</c>. Other columns are ignored, so an operator's export can be used
/// as it is. Rows are parsed from spans of a streaming buffer: a million rows load in about a second.
/// </summary>
public static class InventoryCsvReader
{
    private enum Column { ElementId, SiteId, Region, SiteClass, Domain, Function, Vendor, Model, SoftwareVersion, Technology, Weight, Cells, Installed, Manages }

    private const int ColumnCount = (int)Column.Manages + 1;

    private static readonly (string Name, Column Column)[] Names =
    [
        ("element_id", Column.ElementId), ("element", Column.ElementId), ("id", Column.ElementId),
        ("site_id", Column.SiteId), ("site", Column.SiteId),
        ("region", Column.Region),
        ("site_class", Column.SiteClass), ("sensitivity", Column.SiteClass),
        ("domain", Column.Domain),
        ("function", Column.Function), ("type", Column.Function),
        ("vendor", Column.Vendor),
        ("model", Column.Model), ("product", Column.Model),
        ("software_version", Column.SoftwareVersion), ("sw_version", Column.SoftwareVersion), ("version", Column.SoftwareVersion),
        ("technology", Column.Technology), ("rat", Column.Technology),
        ("weight", Column.Weight), ("traffic", Column.Weight), ("capacity", Column.Weight),
        ("cells", Column.Cells),
        ("installed", Column.Installed), ("installed_on", Column.Installed),
        ("manages", Column.Manages),
    ];

    /// <summary>Reads the CSV at <paramref name="path"/> into <paramref name="builder"/>.</summary>
    public static void Read(string path, InventoryBuilder builder, bool sitesGiven = false)
    {
        using var stream = InputFiles.OpenBounded(path, InputFiles.MaxInventoryBytes);
        Read(new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 20), builder, sitesGiven);
    }

    /// <summary>Reads CSV text into <paramref name="builder"/>.</summary>
    public static void Read(TextReader text, InventoryBuilder builder, bool sitesGiven = false)
    {
        using var reader = new CsvLineReader(text);
        try
        {
            if (!reader.TryReadLine(out var header))
            {
                builder.AddError(0, "the file is empty; expected a header line with element_id,site_id,region,site_class,domain,function,vendor");
                return;
            }
            var map = MapHeader(reader, header, builder, sitesGiven);
            if (map is not null)
                ReadRows(reader, map, builder);
        }
        catch (FormatException e)
        {
            builder.AddError(0, e.Message);
        }
    }

    /// <summary>
    /// The column of each <see cref="Column"/> in <paramref name="header"/> (-1 when absent), and the
    /// optional columns present set on <paramref name="builder"/>; null (with the error added) when the
    /// header lacks a required column or names one twice.
    /// </summary>
    internal static int[]? MapHeader(CsvLineReader reader, ReadOnlySpan<char> header, InventoryBuilder builder, bool sitesGiven)
    {
        Span<Range> fields = stackalloc Range[CsvLineReader.MaxFields];
        var map = new int[ColumnCount];
        Array.Fill(map, -1);
        var n = reader.Split(header, fields, out var htext, out var herr);
        if (n < 0)
        {
            builder.AddError(1, $"header: {herr}");
            return null;
        }
        for (var f = 0; f < n; f++)
        {
            var name = htext[fields[f]].Trim();
            if (f == 0 && !name.IsEmpty && name[0] == '\uFEFF')
                name = name[1..];
            foreach (var (alias, column) in Names)
            {
                if (name.Equals(alias, StringComparison.OrdinalIgnoreCase))
                {
                    if (map[(int)column] >= 0)
                    {
                        builder.AddError(1, $"header: columns {map[(int)column] + 1} and {f + 1} both give {column}; keep one");
                        return null;
                    }
                    map[(int)column] = f;
                    break;
                }
            }
        }
        var missing = new List<string>();
        if (map[(int)Column.ElementId] < 0) missing.Add("element_id");
        if (map[(int)Column.SiteId] < 0) missing.Add("site_id");
        if (!sitesGiven && map[(int)Column.Region] < 0) missing.Add("region");
        if (!sitesGiven && map[(int)Column.SiteClass] < 0) missing.Add("site_class");
        if (map[(int)Column.Domain] < 0) missing.Add("domain");
        if (map[(int)Column.Function] < 0) missing.Add("function");
        if (map[(int)Column.Vendor] < 0) missing.Add("vendor");
        if (missing.Count > 0)
        {
            builder.AddError(1, $"header lacks column(s) {string.Join(", ", missing)}; found '{InventoryBuilder.Clip(header)}'. " +
                "The minimal header is element_id,site_id,region,site_class,domain,function,vendor,weight");
            return null;
        }
        builder.HasTechnology = map[(int)Column.Technology] >= 0;
        builder.HasInstalled = map[(int)Column.Installed] >= 0;
        builder.HasManages = map[(int)Column.Manages] >= 0;
        builder.HasCells = map[(int)Column.Cells] >= 0;
        return map;
    }

    /// <summary>Reads data rows (after the header) until the end of <paramref name="reader"/>, or until too many errors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a cold CLI spends its time here: optimize from the first call
    internal static void ReadRows(CsvLineReader reader, int[] map, InventoryBuilder builder)
    {
        Span<Range> fields = stackalloc Range[CsvLineReader.MaxFields];
        var required = 0;
        foreach (var m in map)
            required = Math.Max(required, m + 1);
        while (reader.TryReadLine(out var line))
        {
            if (line.IsEmpty || line.IsWhiteSpace())
                continue;
            if (!builder.Accepting)
            {
                builder.AddError(reader.LineNumber, "too many errors"); // marks the list truncated
                break;
            }
            // A plain line (no quote, no control character) is split in one vectorized pass; any other
            // line takes the careful path, which names what is wrong.
            var count = CsvLineReader.SplitPlain(line, fields);
            scoped ReadOnlySpan<char> t = line;
            if (count < 0)
            {
                // One scan per line for control characters (tab included) instead of one per field.
                var control = line.IndexOfAnyInRange('\u0000', '\u001f');
                if (control < 0)
                    control = line.IndexOfAnyInRange('\u007f', '\u009f');
                if (control >= 0)
                {
                    builder.AddError(reader.LineNumber, $"control character U+{(int)line[control]:X4} at column {control + 1}; inventory fields are plain text");
                    continue;
                }
                count = reader.Split(line, fields, out t, out var error);
                if (count < 0)
                {
                    builder.AddError(reader.LineNumber, error!);
                    continue;
                }
            }
            if (count < required)
            {
                builder.AddError(reader.LineNumber, $"{count} fields, but the header has at least {required}; is a comma missing or a field unquoted?");
                continue;
            }
            var row = new ElementRow
            {
                ElementId = t[fields[map[(int)Column.ElementId]]],
                SiteId = t[fields[map[(int)Column.SiteId]]],
                Region = Get(t, fields, map, Column.Region),
                SiteClass = Get(t, fields, map, Column.SiteClass),
                Domain = t[fields[map[(int)Column.Domain]]],
                Function = t[fields[map[(int)Column.Function]]],
                Vendor = t[fields[map[(int)Column.Vendor]]],
                Model = Get(t, fields, map, Column.Model),
                SoftwareVersion = Get(t, fields, map, Column.SoftwareVersion),
                Technology = Get(t, fields, map, Column.Technology),
                Weight = Get(t, fields, map, Column.Weight),
                Cells = Get(t, fields, map, Column.Cells),
                Installed = Get(t, fields, map, Column.Installed),
                Manages = Get(t, fields, map, Column.Manages),
            };
            builder.AddElement(reader.LineNumber, row, textChecked: true);
        }
    }

    private static ReadOnlySpan<char> Get(ReadOnlySpan<char> text, Span<Range> fields, int[] map, Column column)
    {
        var f = map[(int)column];
        return f < 0 ? default : text[fields[f]];
    }
}
