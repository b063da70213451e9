using System.Globalization;
using System.Text;
using Assay.Core.Model;

namespace Assay.Formats.Tests;

/// <summary>
/// Every registered handler has a fixture folder named by its id (unblob's meta-test):
/// <c>Fixtures/handlers/ID/inputs.txt</c> lists fixtures (with their recipes beside them) that the
/// handler unpacks, and <c>expected/</c> holds the tree the whole pipeline gives for each, as text.
/// A handler added to <see cref="BuiltinHandlers"/> without a folder fails here; a change that moves
/// one entry fails here. <c>ASSAY_UPDATE_GOLDEN=1</c> rewrites the expected trees (then review the diff).
/// </summary>
public sealed class HandlerFixtureTests
{
    private static readonly bool Update = Environment.GetEnvironmentVariable("ASSAY_UPDATE_GOLDEN") == "1";

    public static TheoryData<string> HandlerIds() => [.. BuiltinHandlers.All.Select(h => h.Id)];

    [Theory]
    [MemberData(nameof(HandlerIds))]
    public void Handler_HasAFixtureFolder_AndEachFixtureUnpacksToItsExpectedTree(string id)
    {
        var folder = Fixture.Path(Path.Combine("handlers", id));
        var inputs = Path.Combine(folder, "inputs.txt");
        Assert.True(File.Exists(inputs), $"handler '{id}' has no fixture folder: add Fixtures/handlers/{id}/inputs.txt naming fixtures it unpacks (see Fixtures/handlers/README.md)");
        var listed = File.ReadAllLines(inputs).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        Assert.NotEmpty(listed);
        foreach (var input in listed)
        {
            Assert.True(File.Exists(Fixture.Path(input)), $"{id}: fixture {input} does not exist");
            var name = Path.GetFileName(input);
            var evaluation = ScanHelper.Scan(input);
            Assert.Contains(evaluation.Chunks, c => c.Format == id);
            Assert.DoesNotContain(evaluation.Errors, e => e.Category == ErrorCategory.Internal);
            var tree = Tree(evaluation);
            var expected = Path.Combine(folder, "expected", name + ".txt");
            if (Update)
            {
                var source = Path.Combine(SourceFolder(), "handlers", id, "expected");
                Directory.CreateDirectory(source);
                File.WriteAllText(Path.Combine(source, name + ".txt"), tree);
                continue;
            }
            Assert.True(File.Exists(expected), $"{id}: no expected tree for {input}; run the tests with ASSAY_UPDATE_GOLDEN=1 and review expected/{name}.txt");
            Assert.Equal(File.ReadAllText(expected), tree);
        }
    }

    [Fact]
    public void FixtureFolders_AreOnlyForRegisteredHandlers()
    {
        var ids = BuiltinHandlers.All.Select(h => h.Id).ToHashSet(StringComparer.Ordinal);
        var folders = Directory.GetDirectories(Fixture.Path("handlers")).Select(Path.GetFileName).ToList();
        Assert.All(folders, f => Assert.True(ids.Contains(f!), $"Fixtures/handlers/{f} names no registered handler"));
    }

    /// <summary>The evaluation's tree as lines: every entry, chunk and error (no timestamps).</summary>
    internal static string Tree(Evaluation e)
    {
        var sb = new StringBuilder();
        foreach (var f in e.Files)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{f.Kind.ToName(),-8} {f.Path}");
            if (f.Size is { } size)
                sb.Append(CultureInfo.InvariantCulture, $" size={size}");
            if (f.Mode is { } mode)
                sb.Append(CultureInfo.InvariantCulture, $" mode={mode}");
            if (f.Uid is { } uid)
                sb.Append(CultureInfo.InvariantCulture, $" uid={uid} gid={f.Gid}");
            if (f.Sha256 is { } sha)
                sb.Append(CultureInfo.InvariantCulture, $" sha256={sha[..16]}");
            if (f.Type is { } type)
                sb.Append(CultureInfo.InvariantCulture, $" type={type.Class}");
            if (f.Format is { } format)
                sb.Append(CultureInfo.InvariantCulture, $" format={format}");
            if (f.Target is { } target)
                sb.Append(CultureInfo.InvariantCulture, $" -> {target}");
            if (f.Device is { } device)
                sb.Append(CultureInfo.InvariantCulture, $" {device} {f.Major},{f.Minor}");
            sb.Append('\n');
        }
        foreach (var c in e.Chunks)
            sb.Append(CultureInfo.InvariantCulture, $"chunk    {c.Path} @0x{c.Offset:x} +{c.Length} {c.Format}{(c.Node is { } node && node != c.Path ? " " + node : "")}\n");
        foreach (var x in e.Errors)
            sb.Append(CultureInfo.InvariantCulture, $"error    {x.Category.ToName()} {x.Path} {x.Handler}: {x.Message}\n");
        return sb.ToString();
    }

    /// <summary>Fixtures/ in the source tree (for rewriting expected files).</summary>
    private static string SourceFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "Assay.Formats.Tests", "Fixtures");
            if (Directory.Exists(candidate))
                return candidate;
        }
        throw new InvalidOperationException("the source folder of the fixtures is not above the test assembly");
    }
}
