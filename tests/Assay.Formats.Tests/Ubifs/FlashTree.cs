using System.Globalization;
using System.Security.Cryptography;
using Assay.Core.Formats;
using Assay.Core.Model;

namespace Assay.Formats.Tests.Ubifs;

/// <summary>
/// The tree written by <c>Fixtures/ubifs/tree.sh</c> (its listing is <c>Fixtures/ubifs/expected.txt</c>),
/// compared entry by entry with what a handler emitted.
/// </summary>
internal static class FlashTree
{
    public sealed record Row(string Path, string Kind, int Mode, long Uid, long Gid, long Size, string Extra);

    public static IReadOnlyList<Row> Expected() =>
        [.. File.ReadAllLines(Fixture.Path("ubifs/expected.txt"))
            .Where(l => l.Length > 0)
            .Select(l => l.Split('\t'))
            .Select(p => new Row(p[0], p[1], Convert.ToInt32(p[2], 8), long.Parse(p[3], CultureInfo.InvariantCulture), long.Parse(p[4], CultureInfo.InvariantCulture), long.Parse(p[5], CultureInfo.InvariantCulture), p[6]))];

    /// <summary>Asserts that <paramref name="context"/> holds exactly the expected tree (paths, kinds, modes, owners, sizes, hashes, targets, devices).</summary>
    public static void AssertMatches(CollectingUnpackContext context, bool owners = true)
    {
        var expected = Expected();
        Assert.Equal(expected.Select(r => r.Path).Order(StringComparer.Ordinal), context.Entries.Select(e => e.Meta.Path).Order(StringComparer.Ordinal));
        foreach (var row in expected)
        {
            var entry = context.Find(row.Path)!;
            Assert.True(row.Mode == entry.Meta.Mode, $"{row.Path}: mode 0{Convert.ToString(entry.Meta.Mode ?? -1, 8)}, expected 0{Convert.ToString(row.Mode, 8)}");
            if (owners)
            {
                Assert.True(row.Uid == entry.Meta.Uid && row.Gid == entry.Meta.Gid, $"{row.Path}: owner {entry.Meta.Uid}:{entry.Meta.Gid}, expected {row.Uid}:{row.Gid}");
            }

            switch (row.Kind)
            {
                case "dir":
                    Assert.Equal(NodeKind.Dir, entry.Kind);
                    break;
                case "file":
                    Assert.Equal(NodeKind.File, entry.Kind);
                    Assert.True(row.Size == entry.Content!.Length, $"{row.Path}: {entry.Content.Length} bytes, expected {row.Size}");
                    Assert.True(row.Extra == Convert.ToHexStringLower(SHA256.HashData(entry.Content)), $"{row.Path}: content differs");
                    break;
                case "symlink":
                    Assert.Equal(NodeKind.Symlink, entry.Kind);
                    Assert.Equal(row.Extra, entry.Target);
                    break;
                case "chardev":
                case "blockdev":
                    Assert.Equal(NodeKind.Device, entry.Kind);
                    Assert.Equal(row.Kind == "blockdev", entry.IsBlockDevice);
                    Assert.Equal(row.Extra, $"{entry.Meta.Major},{entry.Meta.Minor}");
                    break;
                case "fifo":
                    Assert.Equal(NodeKind.Fifo, entry.Kind);
                    break;
                default:
                    Assert.Fail($"unexpected kind {row.Kind}");
                    break;
            }
        }
    }
}
