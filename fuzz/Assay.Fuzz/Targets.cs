using Assay.Core.Content;
using Assay.Core.Formats;
using Assay.Core.Model;
using Assay.Core.Pipeline;
using Assay.Formats;

namespace Assay.Fuzz;

/// <summary>
/// One target per format handler (TryMatch then Unpack on the bytes), plus the whole pipeline.
/// Expected failures ("this format, but broken", limits) are swallowed; anything else escapes and
/// is a crash for the fuzzer.
/// </summary>
internal static class Targets
{
    private static readonly ScanLimits Limits = new()
    {
        MaxFileBytes = 64L << 20,
        MaxTotalBytes = 256L << 20,
        MinTotalBytes = 256L << 20,
        MaxFiles = 100_000,
        HandlerTimeout = TimeSpan.FromSeconds(10),
        MaxDepth = 4,
    };

    /// <summary>Every target by name. Built on first use: a static initializer would run before the input tables below it.</summary>
    public static IReadOnlyDictionary<string, Action<byte[]>> All => LazyAll.Value;

    private static readonly Lazy<Dictionary<string, Action<byte[]>>> LazyAll = new(Build);

    private static Dictionary<string, Action<byte[]>> Build()
    {
        var targets = new Dictionary<string, Action<byte[]>>(StringComparer.Ordinal);
        foreach (var handler in BuiltinHandlers.All)
            targets[$"format:{handler.Id}"] = bytes => Handler(handler, bytes);
        targets["scan"] = Scan;
        targets["helm-template"] = HelmTemplate;
        targets["image-config"] = ImageConfig;
        // Text parsers of the catalog and the configuration analyzers: the bytes as the file each reads.
        foreach (var (id, path) in CatalogInputs)
            targets[$"catalog:{id}"] = bytes => Inspect(Assay.Catalog.Catalogers.CreateAll().Single(c => c.Id == id), path, bytes);
        foreach (var (id, path) in AnalyzerInputs)
            targets[$"analyzer:{id}"] = bytes => Inspect(Assay.Analyzers.AnalyzerRegistry.CreateAll().Single(c => c.Id == id), path, bytes);
        targets["analyzer:elf"] = Elf;
        foreach (var (id, run) in VulnerabilityTargets.All)
            targets[id] = run;
        NetworkTargets.AddTo(targets);
        HistoryTargets.Add(targets);
        ServerTargets.Add(targets);
        WebhookFuzzTargets.Add(targets);
        return targets;
    }

    /// <summary>Cataloger id → a path it reads.</summary>
    private static readonly (string Id, string Path)[] CatalogInputs =
    [
        ("buildroot-manifest", "fuzz!/legal-info/manifest.csv"),
        ("opkg-status", "fuzz!/usr/lib/opkg/status"),
        ("yocto-image-manifest", "fuzz!/core-image.manifest"),
        ("yocto-license-manifest", "fuzz!/usr/share/common-licenses/license.manifest"),
    ];

    /// <summary>Analyzer id → a path it reads.</summary>
    private static readonly (string Id, string Path)[] AnalyzerInputs =
    [
        ("aaa-client-config", "fuzz!/etc/pam_radius_auth.conf"),
        ("authorized-keys", "fuzz!/root/.ssh/authorized_keys"),
        ("dhcp-server-config", "fuzz!/etc/dnsmasq.conf"),
        ("ftp-config", "fuzz!/etc/vsftpd.conf"),
        ("ntp-config", "fuzz!/etc/ntp.conf"),
        ("syslog-config", "fuzz!/etc/rsyslog.conf"),
        ("tls-settings", "fuzz!/etc/nginx/nginx.conf"),
        ("vpn-config", "fuzz!/etc/ipsec.secrets"),
    ];

    private static void Inspect(Assay.Core.Plugins.IInspector inspector, string path, byte[] bytes)
    {
        var record = new Assay.Core.Model.FileRecord { Path = path, Kind = Assay.Core.Model.NodeKind.File, Size = bytes.Length };
        var sink = new Assay.Core.Plugins.InspectionSink();
        if (inspector.Wants(record))
            inspector.Inspect(new Assay.Core.Plugins.InspectedFile(record, new MemoryBlob(bytes)), sink);
        inspector.Complete([record], sink);
    }

    /// <summary>
    /// The ELF parser (headers, sections, symbol and string tables, relocations, notes) through the
    /// two analyzers that share it, hardening and unsafe functions (imports, wrapper disassembly on
    /// x86, Arm, AArch64 and MIPS): a malformed file must become an error entry, never an exception.
    /// </summary>
    private static void Elf(byte[] bytes)
    {
        var header = bytes.AsSpan(0, Math.Min(bytes.Length, Assay.Core.Identification.FileType.HeaderBytes)).ToArray();
        var record = new FileRecord
        {
            Path = "fuzz!/usr/bin/prog",
            Kind = NodeKind.File,
            Size = bytes.Length,
            Mode = "0755",
            Sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)),
            Type = Assay.Core.Identification.FileType.Detect(header, bytes.Length),
        };
        var sink = new Assay.Core.Plugins.InspectionSink();
        var inspectors = Assay.Analyzers.AnalyzerRegistry.CreateAll().Where(a => a.Id is "elf-hardening" or "unsafe-functions").ToList();
        if (inspectors.Count != 2)
            throw new InvalidOperationException("the ELF analyzers were renamed: update the fuzz target");
        foreach (var inspector in inspectors)
        {
            if (inspector.Wants(record))
                inspector.Inspect(new Assay.Core.Plugins.InspectedFile(record, new MemoryBlob(bytes)), sink);
        }
        foreach (var inspector in inspectors)
            inspector.Complete([record], sink);
    }

    private static void Handler(IFormatHandler handler, byte[] bytes)
    {
        var blob = new MemoryBlob(bytes);
        FormatMatch? match;
        try
        {
            match = handler.TryMatch(blob, 0);
        }
        catch (Exception e) when (Expected(e))
        {
            return;
        }
        if (match is null)
            return;
        using var cancel = new CancellationTokenSource(Limits.HandlerTimeout);
        var context = new CollectingUnpackContext(Limits, cancel.Token) { MaxContentBytes = Limits.MaxTotalBytes, KeepsResults = true };
        try
        {
            var length = match.Length ?? blob.Length - match.Offset;
            if (match.Offset < 0 || length < 0 || match.Offset + length > blob.Length)
                throw new InvalidOperationException($"{handler.Id}: TryMatch returned an extent outside the input ({match.Offset}+{length} of {blob.Length})");
            handler.Unpack(blob.Slice(match.Offset, length), match, context);
        }
        catch (Exception e) when (Expected(e))
        {
        }
    }

    /// <summary>The whole pipeline: any error must end up as an error entry, never escape.</summary>
    private static void Scan(byte[] bytes)
    {
        using var input = ScanInput.FromBlob(new MemoryBlob(bytes), "fuzz.bin");
        var evaluation = ScanPipeline.Run(new ScanOptions { Handlers = BuiltinHandlers.Registry, Limits = Limits, Parallelism = 1 }, input);
        var bug = evaluation.Errors.FirstOrDefault(e => e.Category == ErrorCategory.Internal);
        if (bug is not null)
            throw new InvalidOperationException($"internal error recorded: {bug.Handler}: {bug.Message}");
    }

    /// <summary>
    /// The Kubernetes analyzer on a one-template chart whose template is the input (Go template
    /// parser, engine, YAML, workload checks): every problem must become an error entry.
    /// </summary>
    private static void HelmTemplate(byte[] bytes)
    {
        var analyzer = new Assay.Analyzers.Kubernetes.KubernetesAnalyzer();
        var sink = new Assay.Core.Plugins.InspectionSink();
        var files = new (string Path, byte[] Content)[]
        {
            ("fuzz.tgz!/chart/Chart.yaml", "apiVersion: v2\nname: fuzz\nversion: 0.1.0\n"u8.ToArray()),
            ("fuzz.tgz!/chart/values.yaml", "image: {repository: nf, tag: \"1\"}\nlist: [a, b]\nflag: true\n"u8.ToArray()),
            ("fuzz.tgz!/chart/templates/fuzz.yaml", bytes),
        };
        var records = new List<Assay.Core.Model.FileRecord>();
        foreach (var (path, content) in files)
        {
            var record = new Assay.Core.Model.FileRecord { Path = path, Kind = Assay.Core.Model.NodeKind.File, Size = content.Length, Container = "tar" };
            records.Add(record);
            if (analyzer.Wants(record))
                analyzer.Inspect(new Assay.Core.Plugins.InspectedFile(record, new MemoryBlob(content)), sink);
        }
        analyzer.Complete(records, sink);
    }

    /// <summary>The image config analyzer on the input as an image's config.json.</summary>
    private static void ImageConfig(byte[] bytes)
    {
        var analyzer = new Assay.Analyzers.Cloud.ContainerImageAnalyzer();
        var sink = new Assay.Core.Plugins.InspectionSink();
        var record = new Assay.Core.Model.FileRecord { Path = "img.tar!/config.json", Kind = Assay.Core.Model.NodeKind.File, Size = bytes.Length, Container = "oci-archive" };
        if (analyzer.Wants(record))
            analyzer.Inspect(new Assay.Core.Plugins.InspectedFile(record, new MemoryBlob(bytes)), sink);
        analyzer.Complete([record], sink);
    }

    /// <summary>Failures that mean "bad input, reported" (the one classifier of the pipeline), or the time limit: everything else is a bug.</summary>
    private static bool Expected(Exception e) => e is OperationCanceledException || FailureClassifier.IsExpected(e);
}
