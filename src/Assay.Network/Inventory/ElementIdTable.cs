namespace Assay.Network.Inventory;

/// <summary>
/// The element ids of an inventory, stored back to back in one character array with an
/// open-addressing hash index, instead of a million separate strings in a hash set: loading
/// allocates a few large arrays rather than an object per row, and a duplicate id is found in the
/// same probe that stores the id. The hash is .NET's per-process randomized string hash, so a
/// hostile inventory cannot pick ids that collide. Strings are made only when an id is output.
/// </summary>
public sealed class ElementIdTable : IReadOnlyList<string>
{
    private char[] _chars = new char[1 << 16];
    private int _used;
    private int[] _start = new int[1024];
    private int[] _length = new int[1024];
    private int[] _buckets = new int[2048]; // element index + 1; 0 is empty
    private int _count;

    public int Count => _count;

    /// <summary>The id of element <paramref name="index"/>, as a new string.</summary>
    public string this[int index]
    {
        get
        {
            if ((uint)index >= (uint)_count)
                throw new ArgumentOutOfRangeException(nameof(index));
            return new string(_chars, _start[index], _length[index]);
        }
    }

    /// <summary>The id of element <paramref name="index"/>, without allocating.</summary>
    public ReadOnlySpan<char> Span(int index) => _chars.AsSpan(_start[index], _length[index]);

    /// <summary>The element with this id, or -1.</summary>
    public int Find(ReadOnlySpan<char> id)
    {
        var mask = _buckets.Length - 1;
        var slot = string.GetHashCode(id) & mask;
        while (true)
        {
            var entry = _buckets[slot];
            if (entry == 0)
                return -1;
            if (Span(entry - 1).SequenceEqual(id))
                return entry - 1;
            slot = (slot + 1) & mask;
        }
    }

    /// <summary>Adds <paramref name="id"/> as the next element; returns false (adding nothing) when it is already present.</summary>
    public bool TryAdd(ReadOnlySpan<char> id)
    {
        if ((_count + 1) * 2 > _buckets.Length)
            Rehash(_buckets.Length * 2);
        var mask = _buckets.Length - 1;
        var slot = string.GetHashCode(id) & mask;
        while (true)
        {
            var entry = _buckets[slot];
            if (entry == 0)
                break;
            if (Span(entry - 1).SequenceEqual(id))
                return false;
            slot = (slot + 1) & mask;
        }
        if (_used + id.Length > _chars.Length)
            Array.Resize(ref _chars, checked(Math.Max(_chars.Length * 2, _used + id.Length)));
        if (_count == _start.Length)
        {
            Array.Resize(ref _start, checked(_start.Length * 2));
            Array.Resize(ref _length, _start.Length);
        }
        id.CopyTo(_chars.AsSpan(_used));
        _start[_count] = _used;
        _length[_count] = id.Length;
        _used += id.Length;
        _buckets[slot] = ++_count;
        return true;
    }

    private void Rehash(int size)
    {
        var buckets = new int[size];
        var mask = size - 1;
        for (var i = 0; i < _count; i++)
        {
            var slot = string.GetHashCode(Span(i)) & mask;
            while (buckets[slot] != 0)
                slot = (slot + 1) & mask;
            buckets[slot] = i + 1;
        }
        _buckets = buckets;
    }

    public IEnumerator<string> GetEnumerator()
    {
        for (var i = 0; i < _count; i++)
            yield return this[i];
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
