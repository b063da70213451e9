namespace Assay.Network.Inventory;

/// <summary>
/// Joining the builders of the chunks of one file read on several cores (<see cref="InventoryCsvParallel"/>).
/// Each chunk builder interned its own values and sites and appended its ids unindexed; the merge
/// interns them again in chunk order, which gives every table the same order as one reader going
/// through the file (a value's index is its order of first appearance), checks that a site has one
/// region and class across chunks, copies the columns through the index maps, and indexes and checks
/// the ids on several cores. The result is the inventory the sequential reader builds, element for
/// element. Any disagreement returns false: the caller then reads the file in order, which reports
/// each problem at its line.
/// </summary>
public sealed partial class InventoryBuilder
{
    /// <summary>A builder for one chunk of a file read in bulk: ids are not indexed until <see cref="MergeInto"/>.</summary>
    internal static InventoryBuilder ForChunk(string source, int expectedElements)
    {
        var b = new InventoryBuilder(source) { _deferIdIndex = true };
        b.Reserve(expectedElements);
        return b;
    }

    /// <summary>Errors collected so far (a chunk with any is not merged).</summary>
    internal int ErrorCount => _errors.Count;

    /// <summary>
    /// Appends the chunks (in file order) to this empty builder. Returns false, leaving this builder
    /// unusable, when a chunk had errors, a site's region or class differs between chunks, there are too
    /// many elements, or an id occurs twice.
    /// </summary>
    internal bool MergeInto(IReadOnlyList<InventoryBuilder> chunks, int workers)
    {
        if (_count != 0 || _inv.Sites.Count != 0)
            throw new InvalidOperationException("merge into an empty builder");
        long total = 0;
        foreach (var c in chunks)
        {
            if (c._errors.Count > 0)
                return false;
            total += c._count;
        }
        if (total > MaxElements)
            return false;
        var n = (int)total;

        // Value tables, in chunk order: the same first-appearance order as a sequential read.
        var maps = new ChunkMaps[chunks.Count];
        for (var k = 0; k < chunks.Count; k++)
        {
            var c = chunks[k];
            var m = new ChunkMaps
            {
                Function = Remap(c._inv.Functions, _inv.Functions),
                Vendor = Remap(c._inv.Vendors, _inv.Vendors),
                Model = Remap(c._inv.Models, _inv.Models),
                Version = Remap(c._inv.SoftwareVersions, _inv.SoftwareVersions),
                Technology = Remap(c._inv.Technologies, _inv.Technologies),
                Site = new int[c._inv.Sites.Count],
            };
            var region = Remap(c._inv.Regions, _inv.Regions);
            var cls = Remap(c._inv.SiteClasses, _inv.SiteClasses);
            for (var s = 0; s < m.Site.Length; s++)
            {
                var id = c._inv.Sites[s];
                var r = region[c._siteRegion[s]];
                var sc = cls[c._siteClass[s]];
                var g = _inv.Sites.Find(id);
                if (g < 0)
                {
                    g = _inv.Sites.Intern(id);
                    _siteRegion.Add(r);
                    _siteClass.Add(sc);
                    _siteLocation.Add(null);
                    _siteLine.Add(0);
                }
                else
                {
                    // A region or class given in one chunk and a different one in another: the
                    // sequential read reports that row; empty means "not given here".
                    if (r != 0 && _siteRegion[g] != 0 && r != _siteRegion[g])
                        return false;
                    if (r != 0 && _siteRegion[g] == 0)
                        _siteRegion[g] = r;
                    if (sc != 0 && _siteClass[g] != 0 && sc != _siteClass[g])
                        return false;
                    if (sc != 0 && _siteClass[g] == 0)
                        _siteClass[g] = sc;
                }
                m.Site[s] = g;
            }
            maps[k] = m;
        }

        // Columns, each chunk copied through its maps into its own stretch of the arrays.
        Resize(Math.Max(n, 1));
        var offsets = new int[chunks.Count + 1];
        for (var k = 0; k < chunks.Count; k++)
            offsets[k + 1] = offsets[k] + chunks[k]._count;
        var hashes = new int[n];
        Parallel.For(0, chunks.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, workers) }, k => CopyChunk(chunks[k], maps[k], offsets[k], hashes));
        _ids.AppendAll([.. chunks.Select(c => c._ids)], workers);
        _count = n;
        if (!_ids.BuildIndex(hashes, workers))
            return false;
        foreach (var c in chunks)
        {
            HasTechnology |= c.HasTechnology;
            HasInstalled |= c.HasInstalled;
            HasManages |= c.HasManages;
            HasCells |= c.HasCells;
        }
        return true;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void CopyChunk(InventoryBuilder c, ChunkMaps m, int o, int[] hashes)
    {
        for (var i = 0; i < c._count; i++)
        {
            _site[o + i] = m.Site[c._site[i]];
            _function[o + i] = m.Function[c._function[i]];
            _vendor[o + i] = m.Vendor[c._vendor[i]];
            _model[o + i] = m.Model[c._model[i]];
            _version[o + i] = m.Version[c._version[i]];
            _technology[o + i] = c._technology[i] == NetworkInventory.Unknown ? NetworkInventory.Unknown : m.Technology[c._technology[i]];
        }
        Array.Copy(c._domain, 0, _domain, o, c._count);
        Array.Copy(c._weight, 0, _weight, o, c._count);
        Array.Copy(c._cells, 0, _cells, o, c._count);
        Array.Copy(c._installed, 0, _installed, o, c._count);
        Array.Copy(c._manages, 0, _manages, o, c._count);
        Array.Copy(c._idHash, 0, hashes, o, c._count);
    }

    private sealed class ChunkMaps
    {
        public required int[] Function { get; init; }
        public required int[] Vendor { get; init; }
        public required int[] Model { get; init; }
        public required int[] Version { get; init; }
        public required int[] Technology { get; init; }
        public required int[] Site { get; init; }
    }

    private static int[] Remap(StringTable local, StringTable global)
    {
        var map = new int[local.Count];
        for (var i = 0; i < map.Length; i++)
            map[i] = global.Intern(local[i]);
        return map;
    }
}
