namespace Assay.Server.Tests;

/// <summary>Paths in the repository: the bundled sample delivery (made by samples/make-sample.sh) and the screenshot folder.</summary>
internal static class Repo
{
    public static string Root { get; } = Find();

    public static string Sample => Path.Combine(Root, "samples", "delivery-EX1000_1.2.0.zip");

    /// <summary>Where browser journeys save their screenshots: $ASSAY_SCREENSHOTS or artifacts/screenshots.</summary>
    public static string Screenshots => Environment.GetEnvironmentVariable("ASSAY_SCREENSHOTS") is { Length: > 0 } s ? s : Path.Combine(Root, "artifacts", "screenshots");

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Assay.slnx")))
                return dir.FullName;
        }
        throw new InvalidOperationException("repository root (Assay.slnx) not found above the test folder");
    }
}
