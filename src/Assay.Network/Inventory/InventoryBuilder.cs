using System.Runtime.CompilerServices;
using Assay.Network.Text;

namespace Assay.Network.Inventory;

/// <summary>
/// Validates rows and fills a <see cref="NetworkInventory"/>. The CSV and YAML readers hand each row
/// here with its line; errors are collected (with line numbers) and <see cref="Build"/> throws them
/// all, so a bad file never yields a half-loaded inventory.
/// </summary>
public sealed partial class InventoryBuilder
{
    /// <summary>Largest inventory accepted: a national network has well under this many elements.</summary>
    public const int MaxElements = 20_000_000;

    /// <summary>Longest identifier or name accepted in any column.</summary>
    public const int MaxFieldLength = 256;

    private readonly NetworkInventory _inv = new();
    private readonly ErrorList _errors;
    private readonly ElementIdTable _ids = new();
    private int _count;
    private bool _textChecked;
    private int[] _site = new int[1024];
    private NetworkDomain[] _domain = new NetworkDomain[1024];
    private int[] _function = new int[1024];
    private int[] _vendor = new int[1024];
    private int[] _model = new int[1024];
    private int[] _version = new int[1024];
    private int[] _technology = new int[1024];
    private float[] _weight = new float[1024];
    private int[] _cells = new int[1024];
    private int[] _installed = new int[1024];
    private byte[] _manages = new byte[1024];
    private readonly List<int> _siteRegion = [];
    private readonly List<int> _siteClass = [];
    private readonly List<string?> _siteLocation = [];
    private readonly List<long> _siteLine = [];

    // Bulk mode (a chunk of a file read on several cores): ids are appended unindexed with their hash;
    // InventoryBuilder.Merge indexes them all at once and checks that they are unique.
    private bool _deferIdIndex;
    private int _lastSite = -1;
    private int[] _idHash = [];

    /// <param name="source">File name used in messages.</param>
    /// <param name="sitesPredeclared">When true, every element's site must have been added with <see cref="AddSite"/>.</param>
    public InventoryBuilder(string source, bool sitesPredeclared = false)
    {
        _inv.Source = source;
        _errors = new ErrorList(source);
        SitesPredeclared = sitesPredeclared;
        _inv.Regions.Intern("");
        _inv.SiteClasses.Intern("");
        _inv.Models.Intern("");
        _inv.SoftwareVersions.Intern("");
    }

    /// <summary>When true, every element's site must have been declared with <see cref="AddSite"/> (a sites file or a YAML sites list).</summary>
    public bool SitesPredeclared { get; set; }

    /// <summary>False once too many errors were collected: the reader should stop.</summary>
    public bool Accepting => _errors.Count < InventoryException.MaxErrors;

    public bool HasTechnology { get; set; }
    public bool HasInstalled { get; set; }
    public bool HasManages { get; set; }
    public bool HasCells { get; set; }

    /// <summary>The file name put in front of errors (the sites file while it is read, then the inventory).</summary>
    public string CurrentFile { get => _errors.File; set => _errors.File = value; }

    /// <summary>The error list readers add to (YAML structure errors go with the row errors).</summary>
    internal ErrorList Errors => _errors;

    /// <summary>Records an error found by a reader (bad header, bad syntax) against this inventory.</summary>
    public void AddError(long line, string message) => _errors.Add(line, message);

    /// <summary>Declares a site (from a sites file or the YAML <c>sites</c> list).</summary>
    public void AddSite(long line, ReadOnlySpan<char> id, ReadOnlySpan<char> region, ReadOnlySpan<char> siteClass, ReadOnlySpan<char> location)
    {
        id = id.Trim();
        if (!CheckId(line, "site id", id))
            return;
        if (_inv.Sites.Find(id) >= 0)
        {
            _errors.Add(line, $"site '{id}' is declared twice (first at line {_siteLine[_inv.Sites.Find(id)]}); site ids must be unique");
            return;
        }
        if (!CheckText(line, "region", region) || !CheckText(line, "site_class", siteClass) || !CheckText(line, "location", location))
            return;
        _inv.Sites.Intern(id);
        _siteRegion.Add(_inv.Regions.Intern(region.Trim()));
        _siteClass.Add(_inv.SiteClasses.Intern(siteClass.Trim()));
        _siteLocation.Add(location.IsEmpty ? null : location.Trim().ToString());
        _siteLine.Add(line);
    }

    /// <summary>Adds a vendor's facts (country and designations).</summary>
    public void AddVendor(VendorInfo vendor)
    {
        var map = (Dictionary<string, VendorInfo>)_inv.VendorInfo;
        map[vendor.Name] = vendor;
    }

    /// <summary>
    /// Adds one element. Region and site class may be empty when the site was declared separately; when
    /// given, they must agree with every other row of the same site.
    /// </summary>
    public void AddElement(long line, ElementRow row) => AddElement(line, row, textChecked: false);

    /// <summary>
    /// Adds one element; <paramref name="textChecked"/> says the caller already refused control
    /// characters in the whole line (the CSV reader does, once per line), so only lengths are checked here.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // called once per row: optimize from the first call
    internal void AddElement(long line, ElementRow row, bool textChecked)
    {
        _textChecked = textChecked;
        var id = row.ElementId.Trim();
        var siteId = row.SiteId.Trim();
        if (!CheckId(line, "element_id", id) || !CheckId(line, "site_id", siteId))
            return;
        if (!NetworkDomains.TryParse(row.Domain, out var domain))
        {
            _errors.Add(line, $"domain '{Clip(row.Domain)}' of element '{id}' is not one of: {NetworkDomains.ValidNames}");
            return;
        }
        var function = row.Function.Trim();
        var vendor = row.Vendor.Trim();
        if (!CheckId(line, "function", function) || !CheckId(line, "vendor", vendor)
            || !CheckText(line, "model", row.Model) || !CheckText(line, "software_version", row.SoftwareVersion)
            || !CheckText(line, "technology", row.Technology) || !CheckText(line, "region", row.Region) || !CheckText(line, "site_class", row.SiteClass))
            return;

        float weight = 1f;
        var w = row.Weight.Trim();
        if (!w.IsEmpty)
        {
            if (!FastParse.TryDouble(w, out var wd) || !double.IsFinite(wd) || wd < 0 || wd > 1e12)
            {
                _errors.Add(line, $"weight '{Clip(w)}' of element '{id}' is not a number between 0 and 1e12");
                return;
            }
            weight = (float)wd;
        }
        var cells = 0;
        var c = row.Cells.Trim();
        if (!c.IsEmpty && (!FastParse.TryNonNegativeInt(c, out cells) || cells > 100_000))
        {
            _errors.Add(line, $"cells '{Clip(c)}' of element '{id}' is not a whole number between 0 and 100000");
            return;
        }
        var installed = NetworkInventory.Unknown;
        var d = row.Installed.Trim();
        if (!d.IsEmpty)
        {
            if (!FastParse.TryIsoDate(d, out var date))
            {
                _errors.Add(line, $"installed '{Clip(d)}' of element '{id}' is not a date (YYYY-MM-DD)");
                return;
            }
            installed = date.DayNumber;
        }
        byte manages = 255;
        var m = row.Manages.Trim();
        if (!m.IsEmpty)
        {
            if (!NetworkDomains.TryParse(m, out var md))
            {
                _errors.Add(line, $"manages '{Clip(m)}' of element '{id}' is not one of: {NetworkDomains.ValidNames}");
                return;
            }
            manages = (byte)md;
        }

        // Consecutive rows usually share a site: look the last one up without hashing.
        var site = _lastSite >= 0 && siteId.SequenceEqual(_inv.Sites[_lastSite]) ? _lastSite : _inv.Sites.Find(siteId);
        var region = row.Region.Trim();
        var siteClass = row.SiteClass.Trim();
        if (site < 0)
        {
            if (SitesPredeclared)
            {
                _errors.Add(line, $"site '{Clip(siteId)}' of element '{id}' is not in the sites list; add it there or fix the id");
                return;
            }
            site = _inv.Sites.Intern(siteId);
            _siteRegion.Add(_inv.Regions.Intern(region));
            _siteClass.Add(_inv.SiteClasses.Intern(siteClass));
            _siteLocation.Add(null);
            _siteLine.Add(line);
        }
        else
        {
            if (!region.IsEmpty && !region.SequenceEqual(_inv.Regions[_siteRegion[site]]))
            {
                if (_siteRegion[site] == 0)
                    _siteRegion[site] = _inv.Regions.Intern(region);
                else
                {
                    _errors.Add(line, $"site '{siteId}' has region '{Clip(region)}' here but '{_inv.Regions[_siteRegion[site]]}' at line {_siteLine[site]}; a site lies in one region");
                    return;
                }
            }
            if (!siteClass.IsEmpty && !siteClass.SequenceEqual(_inv.SiteClasses[_siteClass[site]]))
            {
                if (_siteClass[site] == 0)
                    _siteClass[site] = _inv.SiteClasses.Intern(siteClass);
                else
                {
                    _errors.Add(line, $"site '{siteId}' has site_class '{Clip(siteClass)}' here but '{_inv.SiteClasses[_siteClass[site]]}' at line {_siteLine[site]}; a site has one class");
                    return;
                }
            }
        }

        if (_count >= MaxElements)
        {
            _errors.Add(line, $"more than {MaxElements:N0} elements; split the inventory");
            return;
        }
        if (_deferIdIndex)
        {
            if (_count == _idHash.Length)
                Array.Resize(ref _idHash, Math.Max(1024, checked(_idHash.Length * 2)));
            _idHash[_count] = string.GetHashCode(id);
            _ids.Append(id);
        }
        else if (!_ids.TryAdd(id))
        {
            _errors.Add(line, $"element_id '{id}' appears twice; element ids must be unique");
            return;
        }
        if (_count == _site.Length)
            Grow();
        var i = _count++;
        _lastSite = site;
        _site[i] = site;
        _domain[i] = domain;
        _function[i] = _inv.Functions.Intern(function);
        _vendor[i] = _inv.Vendors.Intern(vendor);
        _model[i] = _inv.Models.Intern(row.Model.Trim());
        _version[i] = _inv.SoftwareVersions.Intern(row.SoftwareVersion.Trim());
        var t = row.Technology.Trim();
        _technology[i] = t.IsEmpty ? NetworkInventory.Unknown : _inv.Technologies.Intern(t);
        _weight[i] = weight;
        _cells[i] = cells;
        _installed[i] = installed;
        _manages[i] = manages;
    }

    /// <summary>The validated inventory; throws <see cref="InventoryException"/> with every error otherwise.</summary>
    public NetworkInventory Build()
    {
        if (_count == 0 && _errors.Count == 0)
            _errors.Add(0, "no network elements; the file has a header but no rows");
        _errors.ThrowIfAny();
        _inv.Count = _count;
        _inv.ElementIds = _ids;
        _inv.Site = Exact(_site, _count);
        _inv.Domain = Exact(_domain, _count);
        _inv.Function = Exact(_function, _count);
        _inv.Vendor = Exact(_vendor, _count);
        _inv.Model = Exact(_model, _count);
        _inv.SoftwareVersion = Exact(_version, _count);
        _inv.Technology = Exact(_technology, _count);
        _inv.Weight = Exact(_weight, _count);
        _inv.Cells = Exact(_cells, _count);
        _inv.Installed = Exact(_installed, _count);
        _inv.Manages = Exact(_manages, _count);
        _inv.SiteRegion = [.. _siteRegion];
        _inv.SiteClass = [.. _siteClass];
        _inv.SiteLocation = [.. _siteLocation];
        _inv.HasTechnology = HasTechnology;
        _inv.HasInstalled = HasInstalled;
        _inv.HasManages = HasManages;
        _inv.HasCells = HasCells;
        return _inv;
    }

    /// <summary>The array itself when it is already the right length (a merged inventory's are), else a trimmed copy.</summary>
    private static T[] Exact<T>(T[] array, int count) => array.Length == count ? array : array[..count];

    /// <summary>Makes room for about <paramref name="elements"/> elements at once (fewer copies while growing).</summary>
    public void Reserve(int elements)
    {
        elements = Math.Clamp(elements, 0, MaxElements);
        if (elements > _site.Length)
            Resize(elements);
        _ids.Reserve(elements, 16, index: !_deferIdIndex);
    }

    private void Grow() => Resize(checked(_site.Length * 2));

    private void Resize(int n)
    {
        Array.Resize(ref _site, n);
        Array.Resize(ref _domain, n);
        Array.Resize(ref _function, n);
        Array.Resize(ref _vendor, n);
        Array.Resize(ref _model, n);
        Array.Resize(ref _version, n);
        Array.Resize(ref _technology, n);
        Array.Resize(ref _weight, n);
        Array.Resize(ref _cells, n);
        Array.Resize(ref _installed, n);
        Array.Resize(ref _manages, n);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool CheckId(long line, string what, ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            _errors.Add(line, $"{what} is empty; every row needs one");
            return false;
        }
        return CheckText(line, what, value);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool CheckText(long line, string what, ReadOnlySpan<char> value)
    {
        if (value.Length > MaxFieldLength)
        {
            _errors.Add(line, $"{what} is {value.Length} characters long; at most {MaxFieldLength} are accepted");
            return false;
        }
        if (_textChecked)
            return true;
        var bad = value.IndexOfAnyInRange('\u0000', '\u001f');
        if (bad < 0)
            bad = value.IndexOfAnyInRange('\u007f', '\u009f');
        if (bad >= 0)
        {
            _errors.Add(line, $"{what} '{Clip(value)}' contains a control character (U+{(int)value[bad]:X4})");
            return false;
        }
        return true;
    }

    internal static string Clip(ReadOnlySpan<char> value) =>
        value.Length <= 40 ? value.ToString() : string.Concat(value[..40], "...");
}

/// <summary>The fields of one element row, as spans into the reader's buffer. Empty means not given.</summary>
public ref struct ElementRow
{
    public ReadOnlySpan<char> ElementId;
    public ReadOnlySpan<char> SiteId;
    public ReadOnlySpan<char> Region;
    public ReadOnlySpan<char> SiteClass;
    public ReadOnlySpan<char> Domain;
    public ReadOnlySpan<char> Function;
    public ReadOnlySpan<char> Vendor;
    public ReadOnlySpan<char> Model;
    public ReadOnlySpan<char> SoftwareVersion;
    public ReadOnlySpan<char> Technology;
    public ReadOnlySpan<char> Weight;
    public ReadOnlySpan<char> Cells;
    public ReadOnlySpan<char> Installed;
    public ReadOnlySpan<char> Manages;
}
