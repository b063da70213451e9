using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using Assay.Core.Pipeline;

namespace Assay.Core.Tests;

/// <summary>
/// How a cached subtree's paths are stored relative to its node and rebased on the node's path when
/// replayed: every string value is rewritten, property names and other values are not, and a string
/// of the input that starts with a marker character cannot pose as a path.
/// </summary>
public sealed class SubtreeRebaseTests
{
    private const string Node = "release-1.0.zip!/images/app.img";

    private static string Rebase(string json, string? from, string? to)
    {
        var output = new ArrayBufferWriter<byte>();
        SubtreeCache.Rebase(Encoding.UTF8.GetBytes(json), from, to, output);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    [Fact]
    public void StoredRelative_ReplayedOnAnotherPath_EveryOtherValueKept()
    {
        var entry = new JsonObject
        {
            ["sha256"] = "ab",
            ["size"] = 300000,
            ["confidence"] = 0.9,
            ["ok"] = true,
            ["none"] = null,
            ["files"] = new JsonArray(
                new JsonObject { ["path"] = Node, ["mode"] = 420 },
                new JsonObject { ["path"] = Node + "!/etc/passwd" },
                new JsonObject { ["path"] = Node + "-other" }),  // starts with the node's path, but is not below it
            ["checks"] = new JsonObject { [Node] = 3 },        // a property name: never rewritten
            ["evidence"] = "\u0001looks like a marker",
            ["escaped"] = "\u0002too",
        }.ToJsonString();

        var stored = JsonNode.Parse(Rebase(entry, from: Node, to: null))!;
        Assert.Equal("\u0001", stored["files"]![0]!["path"]!.GetValue<string>());
        Assert.Equal("\u0001!/etc/passwd", stored["files"]![1]!["path"]!.GetValue<string>());
        Assert.Equal(Node + "-other", stored["files"]![2]!["path"]!.GetValue<string>());
        Assert.Equal("\u0002\u0001looks like a marker", stored["evidence"]!.GetValue<string>());

        const string Moved = "release-1.1.zip!/images/app.img";
        var replayed = JsonNode.Parse(Rebase(stored.ToJsonString(), from: null, to: Moved))!;
        Assert.Equal(Moved, replayed["files"]![0]!["path"]!.GetValue<string>());
        Assert.Equal(Moved + "!/etc/passwd", replayed["files"]![1]!["path"]!.GetValue<string>());
        Assert.Equal(Node + "-other", replayed["files"]![2]!["path"]!.GetValue<string>());
        Assert.Equal("\u0001looks like a marker", replayed["evidence"]!.GetValue<string>());
        Assert.Equal("\u0002too", replayed["escaped"]!.GetValue<string>());
        Assert.Equal(3, replayed["checks"]![Node]!.GetValue<int>());
        Assert.Equal((300000, 0.9, true, 420), (replayed["size"]!.GetValue<int>(), replayed["confidence"]!.GetValue<double>(), replayed["ok"]!.GetValue<bool>(), replayed["files"]![0]!["mode"]!.GetValue<int>()));
        Assert.True(replayed.AsObject().ContainsKey("none") && replayed["none"] is null);
    }

    [Theory]
    [InlineData("{\"a\":")]
    [InlineData("{\"a\":1]")]
    [InlineData("not json")]
    public void DamagedDocument_Throws(string json) =>
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => Rebase(json, from: null, to: Node));   // what SubtreeCache.Find catches: the entry is dropped and recomputed
}
