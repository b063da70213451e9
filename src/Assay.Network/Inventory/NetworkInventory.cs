namespace Assay.Network.Inventory;

/// <summary>
/// An operator's network, stored column-wise (struct of arrays) so that the compliance check over a
/// million elements is a few tight loops over primitive arrays. Element <c>i</c> is described by
/// entry <c>i</c> of every element array; string-valued columns are indices into a
/// <see cref="StringTable"/>. Built only by <see cref="InventoryBuilder"/>, after every row validated.
/// </summary>
public sealed class NetworkInventory
{
    /// <summary>Marks an unknown install date, technology or managed domain.</summary>
    public const int Unknown = -1;

    internal NetworkInventory() { }

    /// <summary>Number of network elements.</summary>
    public int Count { get; internal set; }

    /// <summary>Where the inventory was read from (for messages).</summary>
    public string Source { get; internal set; } = "";

    // elements
    /// <summary>Element ids (stored in one buffer; indexing makes a string).</summary>
    public ElementIdTable ElementIds { get; internal set; } = new();
    public int[] Site { get; internal set; } = [];
    public NetworkDomain[] Domain { get; internal set; } = [];
    public int[] Function { get; internal set; } = [];
    public int[] Vendor { get; internal set; } = [];
    public int[] Model { get; internal set; } = [];
    public int[] SoftwareVersion { get; internal set; } = [];
    public int[] Technology { get; internal set; } = [];

    /// <summary>Capacity or traffic weight (default 1).</summary>
    public float[] Weight { get; internal set; } = [];

    public int[] Cells { get; internal set; } = [];

    /// <summary>Install date as <see cref="DateOnly.DayNumber"/>, or <see cref="Unknown"/>.</summary>
    public int[] Installed { get; internal set; } = [];

    /// <summary>For management elements: the domain they manage as a byte, or 255 when not given.</summary>
    public byte[] Manages { get; internal set; } = [];

    // sites
    public StringTable Sites { get; } = new();
    public int[] SiteRegion { get; internal set; } = [];
    public int[] SiteClass { get; internal set; } = [];
    public string?[] SiteLocation { get; internal set; } = [];

    // value tables
    public StringTable Regions { get; } = new();
    public StringTable SiteClasses { get; } = new();
    public StringTable Functions { get; } = new();
    public StringTable Vendors { get; } = new();
    public StringTable Models { get; } = new();
    public StringTable SoftwareVersions { get; } = new();
    public StringTable Technologies { get; } = new();

    /// <summary>Vendor facts (country, designations) from a vendors file or YAML inventory, by vendor name.</summary>
    public IReadOnlyDictionary<string, VendorInfo> VendorInfo { get; internal set; } =
        new Dictionary<string, VendorInfo>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Which optional columns the input carried; a rule that needs a missing one says so.</summary>
    public bool HasTechnology { get; internal set; }
    public bool HasInstalled { get; internal set; }
    public bool HasManages { get; internal set; }
    public bool HasCells { get; internal set; }

    /// <summary>Region index of element <paramref name="element"/>.</summary>
    public int RegionOf(int element) => SiteRegion[Site[element]];
}

/// <summary>A vendor and its designations per jurisdiction (e.g. GB: high-risk, designated-vendor).</summary>
/// <param name="Name">Vendor name as written in the inventory.</param>
/// <param name="Country">ISO country code of the vendor's home, when given.</param>
/// <param name="Designations">Pairs of jurisdiction (GB, EU, DE, SE, or <c>*</c> for any) and vendor class.</param>
public sealed record VendorInfo(string Name, string? Country, IReadOnlyList<(string Jurisdiction, string VendorClass)> Designations);
