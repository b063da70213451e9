namespace Assay.Store;

/// <summary>Times in the store: milliseconds since the Unix epoch (BIGINT on both engines).</summary>
public static class Clock
{
    public static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    public static DateTimeOffset ToTime(long milliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
}
