using System.Collections.Concurrent;
using Assay.Core.Plugins;

namespace Assay.Analyzers.Elf;

/// <summary>
/// Parses each ELF once per scan for the analyzers that need it (hardening and unsafe functions):
/// keyed by the file's SHA-256, an entry is dropped when every consumer has taken it, so the cache
/// holds only the files in flight. A parse failure is cached too (as the exception message).
/// </summary>
internal sealed class ElfModelCache(int consumers)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>The parsed image and facts of <paramref name="file"/>; throws <see cref="InvalidDataException"/> for malformed ELF.</summary>
    public (ElfImage Image, ElfFacts Facts) Get(InspectedFile file)
    {
        var key = file.Record.Sha256;
        if (key is null || consumers <= 1)
            return Parse(file);
        var entry = _entries.GetOrAdd(key + "\n" + file.Path, _ => new Entry(new Lazy<object>(() => ParseOrError(file)), consumers));
        try
        {
            return entry.Value.Value is Parsed ok ? (ok.Image, ok.Facts) : throw new InvalidDataException((string)entry.Value.Value);
        }
        finally
        {
            if (Interlocked.Decrement(ref entry.Remaining) <= 0)
                _entries.TryRemove(key + "\n" + file.Path, out _);
        }
    }

    private static object ParseOrError(InspectedFile file)
    {
        try
        {
            var (image, facts) = Parse(file);
            return new Parsed(image, facts);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or OverflowException or ArgumentException)
        {
            return e.Message;
        }
    }

    private static (ElfImage, ElfFacts) Parse(InspectedFile file)
    {
        var image = ElfImage.Read(file.Content);
        return (image, ElfFacts.From(file.Path, image));
    }

    private sealed record Parsed(ElfImage Image, ElfFacts Facts);

    private sealed class Entry(Lazy<object> value, int remaining)
    {
        public Lazy<object> Value { get; } = value;
        public int Remaining = remaining;
    }
}
