using Assay.Core.Model;

namespace Assay.History.Tests;

/// <summary>
/// A synthetic release for unit tests, laid out like the sample delivery: a versioned zip holding a
/// versioned firmware image with a SquashFS root carved at an offset. Files go into that root; the
/// analyzers' tables are given as the JSON shape they have in an evaluation document.
/// </summary>
internal sealed class Release(string version, long squashOffset = 0x10000)
{
    private readonly List<FileRecord> _files = [];
    private readonly List<Component> _components = [];
    private readonly List<Finding> _findings = [];
    private readonly List<Vulnerability> _vulnerabilities = [];
    private readonly List<HardeningRow> _hardening = [];
    private readonly List<UnsafeBinary> _unsafe = [];
    private readonly List<Ts33117Row> _requirements = [];

    public string Zip => $"EX1000_{version}.zip";
    public string Bin => $"{Zip}!/firmware/EX1000_{version}.bin";
    public string Root => $"{Bin}!/0x{squashOffset:x}.squashfs";

    /// <summary>The virtual path of a file of the root filesystem.</summary>
    public string P(string inner) => $"{Root}!{inner}";

    public Release File(string inner, string sha, string mode = "0644", long uid = 0, long mtime = 1_700_000_000, string cls = "text")
    {
        _files.Add(new FileRecord
        {
            Path = P(inner), Kind = NodeKind.File, Size = 100, Mode = mode, Uid = uid, Gid = 0, Sha256 = sha, Mtime = mtime,
            Container = "squashfs", Type = new FileTypeInfo { Class = cls, Description = cls },
        });
        return this;
    }

    public Release Symlink(string inner, string target)
    {
        _files.Add(new FileRecord { Path = P(inner), Kind = NodeKind.Symlink, Target = target, Mode = "0777", Uid = 0, Gid = 0, Container = "squashfs" });
        return this;
    }

    public Release Component(string name, string ver, string inner) =>
        Add(_components, new Component { Name = name, Version = ver, Location = P(inner) });

    public Release Finding(string rule, string inner, Severity severity, int? line = null, string? evidence = null, string? secret = null) =>
        Add(_findings, new Finding { RuleId = rule, Category = "configuration", Severity = severity, Title = rule + " title", Path = P(inner), Line = line, Evidence = evidence, SecretFingerprint = secret });

    public Release Vulnerability(string id, string component, string ver, Severity severity, string inner, string? vex = null) =>
        Add(_vulnerabilities, new Vulnerability { Id = id, Component = component, Version = ver, Severity = severity, Location = P(inner), VexState = vex });

    public Release Elf(string inner, string sha, bool pie = true, string relro = "full", bool? canary = true, string fortify = "fortified", string cf = "ibt+shstk", string? buildId = null, params string[] unsafeCalls)
    {
        File(inner, sha, "0755", cls: "elf");
        _hardening.Add(new HardeningRow
        {
            Path = P(inner), Arch = "x86-64", Bits = 64, Endian = "little", Type = "dyn", Static = false, Pie = pie, Nx = true, ExecStack = false, Wx = false,
            Relro = relro, Canary = canary, Fortify = fortify, ControlFlow = cf, Stripped = true, TextRel = false, Rpath = [], Runpath = [], BuildId = buildId,
        });
        if (unsafeCalls.Length > 0)
            _unsafe.Add(new UnsafeBinary(P(inner), unsafeCalls.Length, unsafeCalls));
        return this;
    }

    public Release Requirement(string section, string status) =>
        Add(_requirements, new Ts33117Row { Section = section, Title = "clause " + section, Testability = "static", Status = status, Note = "" });

    private Release Add<T>(List<T> list, T item)
    {
        list.Add(item);
        return this;
    }

    public Evaluation Build()
    {
        var files = new List<FileRecord>
        {
            new() { Path = Zip, Kind = NodeKind.File, Size = 1000, Sha256 = Sha(version + "zip"), Format = "zip", Type = new FileTypeInfo { Class = "archive", Description = "zip" } },
            new() { Path = Bin, Kind = NodeKind.File, Size = 900, Sha256 = Sha(version + "bin"), Container = "zip", Format = "uimage", Type = new FileTypeInfo { Class = "firmware", Description = "uImage" } },
            new() { Path = Root, Kind = NodeKind.File, Size = 800, Sha256 = Sha(version + "root"), Container = "carver", Format = "squashfs", Type = new FileTypeInfo { Class = "filesystem", Description = "SquashFS" } },
        };
        files.AddRange(_files);
        return new Evaluation
        {
            Tool = new ToolInfo("assay", "0.1.0"),
            Input = new InputInfo("/deliveries/" + Zip, 1000, Sha(version + "zip")),
            Files = [.. files.OrderBy(f => f.Path, StringComparer.Ordinal)],
            Components = _components,
            Findings = _findings,
            Vulnerabilities = _vulnerabilities,
            Summaries = new EvaluationSummaries
            {
                Hardening = new HardeningSummary { Binaries = _hardening },
                UnsafeFunctions = new UnsafeFunctionSummary { Binaries = _unsafe },
                Ts33117 = new Ts33117Summary { Requirements = _requirements },
            },
        };
    }

    public static string Sha(string text) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
}
