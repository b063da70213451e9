namespace Assay.Network.Policy;

/// <summary>
/// The policy packs shipped with Assay, as embedded YAML (<c>Policy/Packs/*.yaml</c>), sorted by id
/// (STYLE.md rule 2: one explicit registry). Their rules, dates and sources come from
/// research/telecom-standards.md, appendix (b); each rule keeps its fact status (F, F2, U, I).
/// </summary>
public static class BuiltinPolicyPacks
{
    /// <summary>The ids, sorted; each has a resource <c>Assay.Network.Policy.Packs.{id}.yaml</c>.</summary>
    public static IReadOnlyList<string> Ids { get; } = ["au-2018", "ca-2022", "de-2024", "eu-sm03", "se-2020", "uk-2020", "uk-dvd", "us-fcc"];

    // Each pack is parsed on first use: a check needs one pack, not all of them (YAML parsing is most of a
    // small command's start-up).
    private static readonly Lazy<PolicyPack>[] Loaded = [.. Ids.Select(id => new Lazy<PolicyPack>(() => LoadResource(id)))];

    /// <summary>Every built-in pack, sorted by id.</summary>
    public static IReadOnlyList<PolicyPack> All => [.. Loaded.Select(l => l.Value)];

    /// <summary>The built-in pack with this id, or null.</summary>
    public static PolicyPack? Find(string id)
    {
        for (var i = 0; i < Ids.Count; i++)
            if (string.Equals(Ids[i], id, StringComparison.OrdinalIgnoreCase))
                return Loaded[i].Value;
        return null;
    }

    /// <summary>
    /// Resolves <c>--policy</c>: a built-in id, or the path of a custom pack YAML. Throws
    /// <see cref="ArgumentException"/> listing the built-in ids when it is neither.
    /// </summary>
    public static PolicyPack Resolve(string idOrPath)
    {
        if (Find(idOrPath) is { } pack)
            return pack;
        if (File.Exists(idOrPath))
            return PolicyPackLoader.LoadFile(idOrPath);
        throw new ArgumentException($"policy '{idOrPath}' is neither a built-in pack ({string.Join(", ", Ids)}) nor a pack file");
    }

    /// <summary>The YAML text of a built-in pack (for <c>assay network policies --show</c>).</summary>
    public static string ReadText(string id)
    {
        var name = $"Assay.Network.Policy.Packs.{id}.yaml";
        using var stream = typeof(BuiltinPolicyPacks).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"built-in pack resource {name} is missing from the assembly");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static PolicyPack LoadResource(string id)
    {
        var pack = PolicyPackLoader.Parse(ReadText(id), $"{id}.yaml (built-in)");
        if (pack.Id != id)
            throw new InvalidOperationException($"built-in pack {id}.yaml declares id '{pack.Id}'");
        return pack;
    }
}
