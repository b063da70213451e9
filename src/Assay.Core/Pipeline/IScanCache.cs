namespace Assay.Core.Pipeline;

/// <summary>
/// Results of earlier scans, by key: the pipeline asks before it unpacks or inspects content it
/// may have seen, and stores what it found. An implementation checks every value it returns against
/// its stored checksum (a damaged entry is dropped and reported as missing), is safe for several
/// threads and for several scans sharing it, and bounds its own size. Keys already include the
/// engine's fingerprint and everything else the value depends on.
/// </summary>
public interface IScanCache
{
    /// <summary>The value stored under <paramref name="key"/>, or null.</summary>
    byte[]? Get(string key);

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/> (replacing any).</summary>
    void Put(string key, byte[] value);

    /// <summary>Drops an entry that passed its checksum but could not be read back (written by another format): it will be recomputed.</summary>
    void Reject(string key);
}
