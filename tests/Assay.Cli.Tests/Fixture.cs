namespace Assay.Cli.Tests;

/// <summary>Locates committed fixtures (copied beside the test assembly from <c>Fixtures/</c>).</summary>
internal static class Fixture
{
    public static string Path(string relative) => System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", relative);

    public static byte[] Bytes(string relative) => File.ReadAllBytes(Path(relative));

    /// <summary>The repository root (the folder holding Assay.slnx) above the test assembly.</summary>
    public static string RepoRoot { get; } = FindRepo();

    private static string FindRepo()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Assay.slnx")))
                return dir.FullName;
        }
        throw new InvalidOperationException("repository root (Assay.slnx) not found above the test folder");
    }
}
