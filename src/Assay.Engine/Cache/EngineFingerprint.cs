using System.Reflection;
using System.Security.Cryptography;
using System.Text;

namespace Assay.Engine.Cache;

/// <summary>
/// What a scan's results depend on besides its input: the code of every assembly that unpacks,
/// catalogs, analyzes or assembles (by module version id, which a deterministic build derives from
/// the code) and the data they embed (signature, end-of-support and rule tables, hashed), with the
/// tool version. Part of every cache key, so an entry written by another build, or before a
/// signature was added, is never read.
/// </summary>
public static class EngineFingerprint
{
    /// <summary>The assemblies whose code and data shape a scan's results.</summary>
    internal static readonly Assembly[] Assemblies =
    [
        typeof(Core.Pipeline.ScanSession).Assembly,
        typeof(Formats.BuiltinHandlers).Assembly,
        typeof(Catalog.Catalogers).Assembly,
        typeof(Analyzers.AnalyzerRegistry).Assembly,
        typeof(ScanEngine).Assembly,
    ];

    private static readonly Lazy<string> LazyValue = new(Compute);

    /// <summary>Hex SHA-256 of the fingerprint material (computed once per process).</summary>
    public static string Value => LazyValue.Value;

    private static string Compute()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string text) => hash.AppendData(Encoding.UTF8.GetBytes(text + "\n"));
        Add("assay-engine-fingerprint/1");
        Add(ScanEngine.ToolVersion);
        foreach (var assembly in Assemblies)
        {
            Add(assembly.GetName().Name ?? "");
            Add(assembly.ManifestModule.ModuleVersionId.ToString("N"));
            foreach (var name in assembly.GetManifestResourceNames().Order(StringComparer.Ordinal))
            {
                Add(name);
                using var stream = assembly.GetManifestResourceStream(name);
                if (stream is not null)
                    hash.AppendData(SHA256.HashData(stream));
            }
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
