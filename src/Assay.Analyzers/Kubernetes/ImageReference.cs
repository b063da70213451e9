namespace Assay.Analyzers.Kubernetes;

/// <summary>
/// A container image reference as Kubernetes and Docker read it
/// (distribution/reference grammar): <c>[registry[:port]/]path[:tag][@algorithm:digest]</c>.
/// A first component with a dot, a colon or <c>localhost</c> is a registry; Docker Hub names
/// get <c>docker.io</c> and, with one component, <c>library/</c>.
/// </summary>
internal sealed record ImageReference(string Registry, string Repository, string? Tag, string? Digest)
{
    /// <summary>Parses a reference; null for an empty or malformed one (spaces, empty components).</summary>
    public static ImageReference? Parse(string text)
    {
        var s = text.Trim();
        if (s.Length == 0 || s.Length > 512 || s.Any(char.IsWhiteSpace))
            return null;
        string? digest = null;
        var at = s.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            digest = s[(at + 1)..];
            s = s[..at];
            if (!digest.Contains(':', StringComparison.Ordinal))
                return null;
        }
        string? tag = null;
        var lastSlash = s.LastIndexOf('/');
        var colon = s.LastIndexOf(':');
        if (colon > lastSlash)
        {
            tag = s[(colon + 1)..];
            s = s[..colon];
        }
        if (s.Length == 0 || s.Split('/').Any(p => p.Length == 0))
            return null;
        var slash = s.IndexOf('/', StringComparison.Ordinal);
        string registry;
        string repository;
        if (slash > 0 && (s[..slash].Contains('.', StringComparison.Ordinal) || s[..slash].Contains(':', StringComparison.Ordinal) || s[..slash] == "localhost"))
        {
            registry = s[..slash];
            repository = s[(slash + 1)..];
        }
        else
        {
            registry = "docker.io";
            repository = slash < 0 ? "library/" + s : s;
        }
        if (registry is "index.docker.io" or "registry-1.docker.io")
            registry = "docker.io";
        return new ImageReference(registry, repository.ToLowerInvariant(), tag, digest);
    }

    /// <summary>The tag a runtime pulls: the given one, or <c>latest</c> when there is neither tag nor digest.</summary>
    public string? EffectiveTag => Tag ?? (Digest is null ? "latest" : null);

    /// <summary>The repository without Docker Hub's implied <c>library/</c> (to compare with a mirror's path).</summary>
    public string ShortRepository => Registry == "docker.io" && Repository.StartsWith("library/", StringComparison.Ordinal) ? Repository[8..] : Repository;

    public override string ToString() => $"{Registry}/{Repository}{(Tag is null ? "" : ":" + Tag)}{(Digest is null ? "" : "@" + Digest)}";
}
