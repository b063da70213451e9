namespace Assay.Store.Data;

/// <summary>LIKE patterns from user text: % and _ match themselves (written the same on both engines, without an ESCAPE clause by removing them).</summary>
internal static class Like
{
    /// <summary>Drops the LIKE wildcards from user text, so the text matches only as a substring.</summary>
    public static string Escape(string text) => text.Replace("%", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal);
}
