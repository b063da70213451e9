namespace Assay.Network.Inventory;

/// <summary>
/// The element ids of an inventory, stored back to back in one character array with an
/// open-addressing hash index, instead of a million separate strings in a hash set: loading
/// allocates a few large arrays rather than an object per row. The hash is .NET's per-process
/// randomized string hash, so a hostile inventory cannot pick ids that collide. Strings are made only
/// when an id is output.
/// <para>
/// The index is split into <see cref="Partitions"/> tables by the hash's low bits. A bucket holds the
/// id's 32-bit hash beside its element number, so a probe reads one 8-byte slot and touches the id's
/// characters only when the hashes match: inserting a million distinct ids costs about one cache miss
/// each instead of three. The partitions are what lets <see cref="BuildIndex"/> index ids appended in
/// bulk on several cores, each core owning its partitions.
/// </para>
/// </summary>
public sealed class ElementIdTable : IReadOnlyList<string>
{
    /// <summary>Number of index partitions (a power of two).</summary>
    public const int Partitions = 8;

    private const int PartitionBits = 3;

    private char[] _chars = new char[1 << 12];
    private int _used;
    private int[] _start = new int[1024]; // _start[i] .. _start[i + 1] are element i's characters
    private int _count;
    private readonly long[][] _buckets = new long[Partitions][]; // (hash << 32) | (element + 1); 0 is empty
    private readonly int[] _inPartition = new int[Partitions];
    private bool _indexed = true;

    public ElementIdTable()
    {
        for (var p = 0; p < Partitions; p++)
            _buckets[p] = new long[64];
    }

    public int Count => _count;

    /// <summary>The id of element <paramref name="index"/>, as a new string.</summary>
    public string this[int index]
    {
        get
        {
            if ((uint)index >= (uint)_count)
                throw new ArgumentOutOfRangeException(nameof(index));
            return new string(_chars, _start[index], _start[index + 1] - _start[index]);
        }
    }

    /// <summary>The id of element <paramref name="index"/>, without allocating.</summary>
    public ReadOnlySpan<char> Span(int index) => _chars.AsSpan(_start[index], _start[index + 1] - _start[index]);

    /// <summary>Reserves room for <paramref name="elements"/> ids of about <paramref name="charsEach"/> characters (and their index unless <paramref name="index"/> is false).</summary>
    public void Reserve(int elements, int charsEach, bool index = true)
    {
        if (elements + 1 > _start.Length)
            Array.Resize(ref _start, elements + 1);
        var chars = (long)elements * charsEach;
        if (chars > _chars.Length && chars < Array.MaxLength)
            Array.Resize(ref _chars, (int)chars);
        if (_indexed && index)
        {
            var size = BucketSize(elements / Partitions + 1);
            for (var p = 0; p < Partitions; p++)
                if (_buckets[p].Length < size)
                    Rehash(p, size);
        }
    }

    /// <summary>The element with this id, or -1.</summary>
    public int Find(ReadOnlySpan<char> id)
    {
        if (!_indexed)
            throw new InvalidOperationException("the id index is being built");
        var hash = (uint)string.GetHashCode(id);
        var buckets = _buckets[hash & (Partitions - 1)];
        var mask = buckets.Length - 1;
        var slot = (int)(hash >> PartitionBits) & mask;
        while (true)
        {
            var entry = buckets[slot];
            if (entry == 0)
                return -1;
            if ((uint)(entry >> 32) == hash && Span((int)entry - 1).SequenceEqual(id))
                return (int)entry - 1;
            slot = (slot + 1) & mask;
        }
    }

    /// <summary>Adds <paramref name="id"/> as the next element; returns false (adding nothing) when it is already present.</summary>
    public bool TryAdd(ReadOnlySpan<char> id)
    {
        if (!_indexed)
            throw new InvalidOperationException("ids appended in bulk are indexed with BuildIndex");
        var hash = (uint)string.GetHashCode(id);
        var p = (int)(hash & (Partitions - 1));
        if ((_inPartition[p] + 1) * 2 > _buckets[p].Length)
            Rehash(p, _buckets[p].Length * 2);
        var buckets = _buckets[p];
        var mask = buckets.Length - 1;
        var slot = (int)(hash >> PartitionBits) & mask;
        while (true)
        {
            var entry = buckets[slot];
            if (entry == 0)
                break;
            if ((uint)(entry >> 32) == hash && Span((int)entry - 1).SequenceEqual(id))
                return false;
            slot = (slot + 1) & mask;
        }
        Store(id);
        buckets[slot] = ((long)hash << 32) | (uint)_count;
        _inPartition[p]++;
        return true;
    }

    /// <summary>Appends <paramref name="id"/> without indexing it (bulk loading); <see cref="BuildIndex"/> indexes and checks uniqueness.</summary>
    internal void Append(ReadOnlySpan<char> id)
    {
        _indexed = false;
        Store(id);
    }

    /// <summary>
    /// Appends the ids of <paramref name="parts"/>, in order, without indexing them; each part's
    /// characters are copied by its own worker into its stretch of the buffer.
    /// </summary>
    internal void AppendAll(IReadOnlyList<ElementIdTable> parts, int workers)
    {
        _indexed = false;
        long chars = _used, count = _count;
        var charAt = new int[parts.Count];
        var indexAt = new int[parts.Count];
        for (var k = 0; k < parts.Count; k++)
        {
            charAt[k] = (int)chars;
            indexAt[k] = (int)count;
            chars += parts[k]._used;
            count += parts[k]._count;
        }
        if (chars > Array.MaxLength || count + 1 > Array.MaxLength)
            throw new InvalidOperationException($"{count:N0} ids of {chars:N0} characters do not fit one table");
        if (chars > _chars.Length)
            Array.Resize(ref _chars, (int)chars);
        if (count + 1 > _start.Length)
            Array.Resize(ref _start, (int)count + 1);
        Parallel.For(0, parts.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, workers) }, k =>
        {
            var part = parts[k];
            part._chars.AsSpan(0, part._used).CopyTo(_chars.AsSpan(charAt[k]));
            for (var i = 0; i < part._count; i++)
                _start[indexAt[k] + i] = charAt[k] + part._start[i];
        });
        _count = (int)count;
        _used = (int)chars;
        _start[_count] = _used;
    }

    /// <summary>
    /// Indexes ids appended in bulk, <paramref name="workers"/> partitions at a time in parallel (each
    /// worker owns whole partitions, so no locking). <paramref name="hashes"/> holds each element's
    /// <c>string.GetHashCode</c> of its id, computed while parsing. Returns false when an id occurs
    /// twice (the caller then reads the file again in order, to report the duplicate at its line).
    /// </summary>
    internal bool BuildIndex(int[] hashes, int workers)
    {
        if (hashes.Length < _count)
            throw new ArgumentException("one hash per element is needed", nameof(hashes));
        var counts = new int[Partitions];
        for (var i = 0; i < _count; i++)
            counts[hashes[i] & (Partitions - 1)]++;
        var duplicate = 0;
        Parallel.For(0, Partitions, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, workers) }, p =>
        {
            if (!IndexPartition(p, counts[p], hashes))
                Volatile.Write(ref duplicate, 1);
        });
        if (duplicate != 0)
            return false;
        _indexed = true;
        return true;
    }

    /// <summary>Builds partition <paramref name="p"/>'s buckets from the bulk ids; false when an id occurs twice.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private bool IndexPartition(int p, int entries, int[] hashes)
    {
        var buckets = new long[BucketSize(entries + 1)];
        var mask = buckets.Length - 1;
        for (var i = 0; i < _count; i++)
        {
            var hash = (uint)hashes[i];
            if ((hash & (Partitions - 1)) != p)
                continue;
            var slot = (int)(hash >> PartitionBits) & mask;
            while (true)
            {
                var entry = buckets[slot];
                if (entry == 0)
                    break;
                if ((uint)(entry >> 32) == hash && Span((int)entry - 1).SequenceEqual(Span(i)))
                    return false;
                slot = (slot + 1) & mask;
            }
            buckets[slot] = ((long)hash << 32) | (uint)(i + 1);
        }
        _buckets[p] = buckets;
        _inPartition[p] = entries;
        return true;
    }

    private void Store(ReadOnlySpan<char> id)
    {
        if (_used + id.Length > _chars.Length)
            Array.Resize(ref _chars, checked(Math.Max(_chars.Length * 2, _used + id.Length)));
        if (_count + 2 > _start.Length)
            Array.Resize(ref _start, checked(_start.Length * 2));
        id.CopyTo(_chars.AsSpan(_used));
        _start[_count] = _used;
        _used += id.Length;
        _count++;
        _start[_count] = _used;
    }

    /// <summary>Smallest power of two at least twice <paramref name="entries"/> (load factor at most one half).</summary>
    private static int BucketSize(int entries)
    {
        var size = 64;
        while (size < entries * 2L)
            size = checked(size * 2);
        return size;
    }

    private void Rehash(int p, int size)
    {
        var old = _buckets[p];
        var buckets = new long[size];
        var mask = size - 1;
        foreach (var entry in old)
        {
            if (entry == 0)
                continue;
            var slot = (int)((uint)(entry >> 32) >> PartitionBits) & mask;
            while (buckets[slot] != 0)
                slot = (slot + 1) & mask;
            buckets[slot] = entry;
        }
        _buckets[p] = buckets;
    }

    public IEnumerator<string> GetEnumerator()
    {
        for (var i = 0; i < _count; i++)
            yield return this[i];
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
