using Assay.Core.Model;

namespace Assay.Formats.Tests.Xattrs;

/// <summary>
/// Extended attributes from SquashFS and ext4 images of one tree (Fixtures/xattrs/make.sh),
/// compared with getfattr and getcap on the source tree.
/// </summary>
public sealed class XattrTests
{
    /// <summary>path → (name → hex value), parsed from the getfattr -e hex dump in expected.txt.</summary>
    private static Dictionary<string, Dictionary<string, string>> Expected()
    {
        var result = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        Dictionary<string, string>? current = null;
        foreach (var line in File.ReadAllLines(Fixture.Path("xattrs/expected.txt")))
        {
            if (line.StartsWith("# file: ", StringComparison.Ordinal))
                result[line["# file: ".Length..]] = current = new(StringComparer.Ordinal);
            else if (current is not null && line.Contains("=0x", StringComparison.Ordinal))
                current[line[..line.IndexOf('=')]] = line[(line.IndexOf('=') + 3)..];
            else if (line.StartsWith("./", StringComparison.Ordinal))
                current = null;
        }
        return result;
    }

    [Theory]
    [InlineData("xattrs.sqfs", "xattrs.sqfs!/")]
    [InlineData("xattrs.ext4.gz", "xattrs.ext4.gz!/xattrs.ext4!/")]
    public void Filesystem_Xattrs_MatchGetfattrOnTheSourceTree(string fixture, string root)
    {
        var e = ScanHelper.Scan($"xattrs/{fixture}");
        Assert.Empty(e.Errors);
        var entries = ScanHelper.Below(e, root);
        foreach (var (path, attributes) in Expected())
        {
            var record = entries[path];
            Assert.NotNull(record.Xattrs);
            // ext4 may add nothing, mksquashfs and mkfs.ubifs store exactly what the tree had.
            Assert.Equal(attributes.Keys.Order(StringComparer.Ordinal), record.Xattrs!.Select(x => x.Name));
            foreach (var x in record.Xattrs!)
                Assert.Equal(attributes[x.Name], Hex(x.Value));
        }
        Assert.Equal("cap_net_raw=ep", entries["usr/bin/ping"].Xattrs!.Single(x => x.Name == "security.capability").Decoded);
        Assert.Equal("cap_net_admin,cap_net_raw=eip", entries["usr/bin/dumpcap"].Xattrs!.Single(x => x.Name == "security.capability").Decoded);
        Assert.Equal("system_u:object_r:ping_exec_t:s0", entries["usr/bin/ping"].Xattrs!.Single(x => x.Name == "security.selinux").Decoded);
        Assert.Null(entries["usr"].Xattrs);
    }

    /// <summary>The reported value back to the hex getfattr prints.</summary>
    private static string Hex(string value) =>
        value.StartsWith("hex:", StringComparison.Ordinal) ? value[4..] : Convert.ToHexStringLower(System.Text.Encoding.UTF8.GetBytes(value));

    [Theory]
    [InlineData("0100000200200000000000000000000000000000", "cap_net_raw=ep")]
    [InlineData("0000000200200000000000000000000000000000", "cap_net_raw=p")]
    [InlineData("0000000200000000002000000000000000000000", "cap_net_raw=i")]
    [InlineData("010000030020000000000000000000000000000040420f00", "cap_net_raw=ep [rootid=1000000]")]
    [InlineData("010000010020000000000000", "cap_net_raw=ep")]
    [InlineData("01000002003000000010000000000000000000", null)]
    public void FileCapabilities_Decode_AsGetcapWritesThem(string hex, string? expected)
    {
        Assert.Equal(expected, FileCapabilities.Decode(Convert.FromHexString(hex)));
    }
}
