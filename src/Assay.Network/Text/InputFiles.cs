namespace Assay.Network;

/// <summary>Opens the engine's input files with a size bound: every input is untrusted.</summary>
internal static class InputFiles
{
    /// <summary>An inventory CSV of 20 million elements at ~100 bytes a row.</summary>
    public const long MaxInventoryBytes = 4L << 30;

    /// <summary>Policy packs, vendors, sites, costs and link files are small.</summary>
    public const long MaxSmallFileBytes = 64L << 20;

    /// <summary>An evaluation document (the file list of a large image can be big).</summary>
    public const long MaxEvaluationBytes = 512L << 20;

    public static FileStream OpenBounded(string path, long maxBytes)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new FileNotFoundException($"{path}: cannot be read ({e.Message})", path, e);
        }
        if (stream.Length > maxBytes)
        {
            stream.Dispose();
            throw new Assay.Network.Inventory.InventoryException($"{path}: {stream.Length:N0} bytes is over the limit of {maxBytes:N0} bytes for this kind of file");
        }
        return stream;
    }

    public static string ReadAllTextBounded(string path, long maxBytes)
    {
        using var stream = OpenBounded(path, maxBytes);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
