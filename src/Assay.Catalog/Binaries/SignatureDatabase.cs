using Assay.Core.Text;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Assay.Core.Identifiers;

namespace Assay.Catalog.Binaries;

/// <summary>
/// The binary version signatures of <c>Data/signatures.yaml</c> (an embedded resource), compiled:
/// components with their CPE, distribution source names and own-file patterns, and each
/// signature's anchors and bounded pattern. The file's header comment documents the fields.
/// </summary>
public sealed class SignatureDatabase
{
    /// <summary>Name of the embedded resource.</summary>
    public const string ResourceName = "Assay.Catalog.Data.signatures.yaml";

    /// <summary>Largest window a signature may ask for on either side of its anchor.</summary>
    public const int MaxWindow = 512;

    /// <summary>File names longer than this (no filesystem allows them) are not matched against name patterns.</summary>
    public const int MaxFileNameLength = 255;

    private static readonly Lazy<SignatureDatabase> LazyDefault = new(() => Load(OpenDefault()));

    /// <summary>The embedded database (loaded once per process).</summary>
    public static SignatureDatabase Default => LazyDefault.Value;

    public IReadOnlyList<ComponentInfo> Components { get; }
    public IReadOnlyList<Signature> Signatures { get; }

    private readonly Dictionary<string, ComponentInfo> _byName;
    private readonly Dictionary<string, ComponentInfo> _bySource;

    private SignatureDatabase(List<ComponentInfo> components)
    {
        Components = components;
        Signatures = components.SelectMany(c => c.Signatures).ToList();
        _byName = components.ToDictionary(c => c.Name, StringComparer.Ordinal);
        _bySource = new Dictionary<string, ComponentInfo>(StringComparer.Ordinal);
        foreach (var c in components)
        {
            foreach (var s in c.Sources)
                _bySource.TryAdd(s, c);
        }
    }

    /// <summary>The component of that canonical name, or null.</summary>
    public ComponentInfo? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>The component a distribution source package builds (<c>gnutls28</c> → gnutls), or null.</summary>
    public ComponentInfo? FindBySource(string sourcePackage) => _bySource.GetValueOrDefault(sourcePackage);

    private static Stream OpenDefault() =>
        typeof(SignatureDatabase).Assembly.GetManifestResourceStream(ResourceName)
        ?? throw new InvalidOperationException($"embedded resource {ResourceName} is missing from {typeof(SignatureDatabase).Assembly.GetName().Name}; check the EmbeddedResource item of Assay.Catalog.csproj");

    /// <summary>Reads and compiles a signature file; throws <see cref="InvalidDataException"/> naming the bad entry.</summary>
    public static SignatureDatabase Load(Stream yaml)
    {
        using var reader = new StreamReader(yaml, Encoding.UTF8);
        var file = SignatureFileReader.Read(reader);
        var components = new List<ComponentInfo>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in file.Components ?? [])
        {
            if (string.IsNullOrWhiteSpace(c.Name))
                throw new InvalidDataException("signature file: a component has no name");
            var info = new ComponentInfo(c.Name, c.Cpe, c.Type ?? "binary", c.Eol, c.Sources ?? [], (c.Files ?? []).Select(CompileName).ToList());
            foreach (var s in c.Signatures ?? [])
            {
                if (string.IsNullOrWhiteSpace(s.Id) || !ids.Add(s.Id))
                    throw new InvalidDataException($"signature file: component {c.Name} has a signature without an id or with a duplicate id '{s.Id}'");
                info.SignatureList.Add(Signature.Create(info, s));
            }
            components.Add(info);
        }
        return new SignatureDatabase(components);
    }

    /// <summary>
    /// Content patterns run on windows of at most 2 x <see cref="MaxWindow"/> bytes, interpreted
    /// under a budget with the non-backtracking engine (linear time) as the fallback
    /// (<see cref="GuardedRegex"/>): the same matches either way, so the catalog does not depend on
    /// how loaded the machine is, and a scan no longer builds an automaton per signature it meets
    /// (that was a quarter of a small image's CPU).
    /// </summary>
    internal static GuardedRegex Compile(string pattern) => new(pattern);

    /// <summary>
    /// File-name patterns run on every file name (at most <see cref="MaxFileNameLength"/> characters)
    /// and are simple anchored literals with single quantifiers, so the interpreted backtracking
    /// engine is safe without a timeout and, on short inputs, several times cheaper per call than the
    /// non-backtracking one.
    /// </summary>
    internal static Regex CompileName(string pattern) =>
        new(pattern, RegexOptions.CultureInvariant);

    /// <summary>Bytes of a YAML string: each char is one byte (Latin-1), so "\0" and "\x7f" stay bytes.</summary>
    internal static byte[] Latin1(string s) => Encoding.Latin1.GetBytes(s);

    // YAML shape of the file (keys in snake case: before, after, miss_name ...), read by SignatureFileReader.
    internal sealed class FileModel
    {
        public List<ComponentModel>? Components { get; set; }
    }

    internal sealed class ComponentModel
    {
        public string Name { get; set; } = "";
        public string? Cpe { get; set; }
        public string? Type { get; set; }
        public string? Eol { get; set; }
        public List<string>? Sources { get; set; }
        public List<string>? Files { get; set; }
        public List<SignatureModel>? Signatures { get; set; }
    }

    internal sealed class SignatureModel
    {
        public string Id { get; set; } = "";
        public string? Kind { get; set; }
        public List<string>? Anchors { get; set; }
        public string? Pattern { get; set; }
        public string? File { get; set; }
        public int? Before { get; set; }
        public int? After { get; set; }
        public int? Priority { get; set; }
        public string? Strength { get; set; }
        public bool? Confirm { get; set; }
        public bool? Near { get; set; }
        public string? Magic { get; set; }
        public int? From { get; set; }
        public int? To { get; set; }
        public Dictionary<string, string>? Groups { get; set; }
        public SignatureTest? Test { get; set; }
    }
}

/// <summary>The test sample of a signature, kept beside it in the data file.</summary>
public sealed class SignatureTest
{
    public string? Name { get; set; }
    public string? MissName { get; set; }
    public string? Hit { get; set; }
    public string? Miss { get; set; }

    /// <summary>A version string, or a map component → version for multi-component signatures.</summary>
    public object? Version { get; set; }
}

/// <summary>What the catalog knows about a component: identifiers, own files, signatures.</summary>
public sealed class ComponentInfo(string name, string? cpe, string type, string? eol, IReadOnlyList<string> sources, IReadOnlyList<Regex> files)
{
    public string Name { get; } = name;

    /// <summary><c>vendor:product</c>, or <c>o:vendor:product</c> for an operating system; null when unknown.</summary>
    public string? CpeVendorProduct { get; } = cpe;

    public string Type { get; } = type;
    public string? EolKey { get; } = eol;
    public IReadOnlyList<string> Sources { get; } = sources;
    public IReadOnlyList<Regex> OwnFiles { get; } = files;
    internal List<Signature> SignatureList { get; } = [];
    public IReadOnlyList<Signature> Signatures => SignatureList;

    /// <summary>True when the file name is one of the component's own files (so the hit is not a static copy).</summary>
    public bool IsOwnFile(string fileName) => OwnFiles.Any(r => r.IsMatch(fileName));

    /// <summary>The CPE 2.3 of a version, or null when NVD has no product we are sure of.</summary>
    public string? CpeFor(string version)
    {
        if (CpeVendorProduct is null)
            return null;
        var parts = CpeVendorProduct.Split(':');
        return parts.Length switch
        {
            2 => Cpe23.Application(parts[0], parts[1], version),
            3 when parts[0] == "o" => Cpe23.OperatingSystem(parts[1], parts[2], version),
            _ => null,
        };
    }
}

/// <summary>How a signature finds its evidence.</summary>
public enum SignatureKind
{
    Anchor,
    Header,
    FileName,

    /// <summary>
    /// The version is a bare C string that the project's own code returns (<c>ZSTD_versionString()</c>,
    /// <c>uv_version_string()</c>, <c>printf("hostapd v%s", VERSION_STR)</c>): when one of the anchors
    /// (the exported function's name, the format string) occurs in one of the component's own files,
    /// every NUL-delimited string of the file that matches the pattern whole is a candidate; one
    /// distinct value is the version, several make the component reported without a version.
    /// Nothing depends on where the compiler put the string.
    /// </summary>
    Lone,
}

/// <summary>One compiled signature.</summary>
public sealed class Signature
{
    public required string Id { get; init; }
    public required ComponentInfo Component { get; init; }
    public required SignatureKind Kind { get; init; }
    public IReadOnlyList<string> Anchors { get; init; } = [];
    /// <summary>
    /// The compiled pattern (<see cref="SignatureDatabase.Compile"/>), built on first use: most
    /// signatures never meet their anchor in one image.
    /// </summary>
    public GuardedRegex Pattern => _pattern.Value;

    private Lazy<GuardedRegex> _pattern = null!;
    public Regex? File { get; init; }
    public int Before { get; init; }
    public int After { get; init; }
    public int Priority { get; init; }
    public required string Strength { get; init; }
    public double Confidence => Strength == "strong" ? 0.9 : 0.7;
    public bool Confirm { get; init; } = true;

    /// <summary>The match need not cover the anchor: the one nearest to it in the window counts.</summary>
    public bool Near { get; init; }
    public byte[] Magic { get; init; } = [];
    public int From { get; init; }
    public int To { get; init; }

    /// <summary>Regex group name → component name; <c>v</c> is the signature's own component.</summary>
    public IReadOnlyDictionary<string, string> Groups { get; init; } = new Dictionary<string, string>();

    public SignatureTest? Test { get; init; }

    internal static Signature Create(ComponentInfo component, SignatureDatabase.SignatureModel m)
    {
        string Fail(string what) => throw new InvalidDataException($"signature {m.Id} of {component.Name}: {what}");
        var kind = (m.Kind ?? "anchor") switch
        {
            "anchor" => SignatureKind.Anchor,
            "header" => SignatureKind.Header,
            "filename" => SignatureKind.FileName,
            "lone" => SignatureKind.Lone,
            var k => throw new InvalidDataException($"signature {m.Id}: kind '{k}' is not anchor, header, filename or lone"),
        };
        var pattern = kind == SignatureKind.FileName ? m.File ?? Fail("a filename signature needs file") : m.Pattern ?? Fail("no pattern");
        var before = m.Before ?? 0;
        var after = m.After ?? 128;
        if (before is < 0 or > SignatureDatabase.MaxWindow || after is < 0 or > SignatureDatabase.MaxWindow)
            Fail($"before/after must lie in 0..{SignatureDatabase.MaxWindow}");
        if (kind == SignatureKind.Lone && component.OwnFiles.Count == 0)
            Fail("a lone signature needs the component's files (it reads only the component's own files)");
        if (kind is SignatureKind.Anchor or SignatureKind.Lone && (m.Anchors is null || m.Anchors.Count == 0 || m.Anchors.Any(a => a.Length < 3)))
            Fail("an anchor signature needs anchors of at least 3 bytes");
        var groups = m.Groups ?? new Dictionary<string, string> { ["v"] = component.Name };
        // Group names are checked on the pattern text here (cheap); the regex is built on first use.
        foreach (var g in groups.Keys)
        {
            if (!pattern.Contains($"(?<{g}>", StringComparison.Ordinal))
                Fail($"pattern has no group '{g}'");
        }
        var fileRegex = kind == SignatureKind.FileName ? SignatureDatabase.CompileName(pattern) : m.File is null ? null : SignatureDatabase.CompileName(m.File);
        var lazy = kind == SignatureKind.Lone
            ? new Lazy<GuardedRegex>(() => SignatureDatabase.Compile(@"\A(?:" + pattern + @")\z"), LazyThreadSafetyMode.ExecutionAndPublication)
            : new Lazy<GuardedRegex>(() => SignatureDatabase.Compile(pattern), LazyThreadSafetyMode.ExecutionAndPublication);
        return new Signature
        {
            _pattern = lazy,
            Id = m.Id,
            Component = component,
            Kind = kind,
            Anchors = m.Anchors ?? [],
            File = fileRegex,
            Before = before,
            After = after,
            Priority = m.Priority ?? 0,
            Strength = m.Strength ?? "strong",
            Confirm = m.Confirm ?? true,
            Near = m.Near ?? false,
            Magic = m.Magic is null ? [] : Convert.FromHexString(m.Magic),
            From = m.From ?? 0,
            To = m.To ?? 0,
            Groups = groups,
            Test = m.Test,
        };
    }
}
