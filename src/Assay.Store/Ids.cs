namespace Assay.Store;

/// <summary>Row identifiers: UUIDv7 text, so ids sort by creation time (token pagination relies on it).</summary>
public static class Ids
{
    public static string New() => Guid.CreateVersion7().ToString("D");

    /// <summary>True when <paramref name="value"/> has the shape of an id (anything else is a 404 without a query).</summary>
    public static bool IsWellFormed(string? value) => value is { Length: 36 } && Guid.TryParseExact(value, "D", out _);
}
