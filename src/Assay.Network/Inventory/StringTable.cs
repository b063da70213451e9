using System.Runtime.CompilerServices;
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
    private const int RecentSize = 256;
    private readonly int[] _recent = new int[RecentSize]; // value index + 1; 0 is empty

    public StringTable()
    {
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        _lookup = _index.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int Count => _values.Count;

    public string this[int index] => _values[index];

    public IReadOnlyList<string> Values => _values;

    /// <summary>The index of <paramref name="value"/>, adding it when new.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Intern(ReadOnlySpan<char> value)
    {
        // Consecutive rows repeat values (the elements of one site share region, vendor, model).
        if (_last is not null && value.SequenceEqual(_last))
            return _lastIndex;
        // Columns such as function or software version take a few dozen values that alternate row by
        // row: a small direct-mapped cache on length and three characters finds them without hashing
        // the whole value. It is only a cache: a miss (or a crafted collision) goes to the dictionary.
        var slot = value.IsEmpty ? 0 : (value.Length * 31 + value[0] * 7 + value[^1] * 3 + value[value.Length >> 1]) & (RecentSize - 1);
        var recent = _recent[slot] - 1;
        if (recent >= 0 && value.SequenceEqual(_values[recent]))
        {
            _last = _values[recent];
            _lastIndex = recent;
            return recent;
        }
        if (!_lookup.TryGetValue(value, out var index))
        {
            var s = value.ToString();
            index = _values.Count;
            _values.Add(s);
            _index.Add(s, index);
        }
        _recent[slot] = index + 1;
        _last = _values[index];
        _lastIndex = index;
        return index;
    }

    /// <summary>The index of <paramref name="value"/>, or -1. Read-only: safe beside other readers (<see cref="Intern"/> is not).</summary>
    public int Find(ReadOnlySpan<char> value) => _lookup.TryGetValue(value, out var index) ? index : -1;
}
