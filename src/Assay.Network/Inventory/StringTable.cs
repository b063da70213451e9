namespace Assay.Network.Inventory;

/// <summary>
/// Interns the values of a low-cardinality column (site, region, vendor, function ...) to dense
/// indices, looking them up by span so that parsing a row allocates no string for a value already seen.
/// </summary>
public sealed class StringTable
{
    private readonly Dictionary<string, int> _index;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly List<string> _values = [];
    private string? _last;
    private int _lastIndex;

    public StringTable()
    {
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        _lookup = _index.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int Count => _values.Count;

    public string this[int index] => _values[index];

    public IReadOnlyList<string> Values => _values;

    /// <summary>The index of <paramref name="value"/>, adding it when new.</summary>
    public int Intern(ReadOnlySpan<char> value)
    {
        // Consecutive rows repeat values (the elements of one site share region, vendor, model).
        if (_last is not null && value.SequenceEqual(_last))
            return _lastIndex;
        if (_lookup.TryGetValue(value, out var index))
        {
            _last = _values[index];
            _lastIndex = index;
            return index;
        }
        var s = value.ToString();
        index = _values.Count;
        _values.Add(s);
        _index.Add(s, index);
        return index;
    }

    /// <summary>The index of <paramref name="value"/>, or -1. Read-only: safe beside other readers (<see cref="Intern"/> is not).</summary>
    public int Find(ReadOnlySpan<char> value) => _lookup.TryGetValue(value, out var index) ? index : -1;
}
