using System.Reflection;
using System.Text;
using Assay.Core.Text;

namespace Assay.Analyzers.Tests;

/// <summary>
/// The analyzers' patterns are interpreted and fall back to the non-backtracking engine past a
/// budget (<see cref="GuardedRegex"/>): both must find the same matches, groups included, or an
/// evaluation would depend on the machine's load. Every pattern of the analyzers (found by
/// reflection, so a new one is covered without being listed) runs on every text fixture of this
/// project, whole and line by line, and on lines made to look like what the patterns look for.
/// </summary>
public sealed class PatternEngineTests
{
    public static TheoryData<string> PatternNames()
    {
        var data = new TheoryData<string>();
        foreach (var name in Patterns().Keys)
            data.Add(name);
        return data;
    }

    private static Dictionary<string, GuardedRegex> Patterns()
    {
        var found = new Dictionary<string, GuardedRegex>(StringComparer.Ordinal);
        foreach (var type in typeof(SecretsAnalyzer).Assembly.GetTypes())
        {
            foreach (var field in type.GetFields(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public))
            {
                if (field.FieldType == typeof(GuardedRegex))
                    found[$"{type.Name}.{field.Name}"] = (GuardedRegex)field.GetValue(null)!;
                else if (field.FieldType.IsArray && field.GetValue(null) is System.Collections.IEnumerable items && field.FieldType.GetElementType()!.Name.StartsWith("ValueTuple", StringComparison.Ordinal))
                {
                    var i = 0;
                    foreach (var item in items)
                    {
                        foreach (var part in item.GetType().GetFields())
                            if (part.GetValue(item) is Lazy<GuardedRegex> lazy)
                                found[$"{type.Name}.{field.Name}[{i}]"] = lazy.Value;
                        i++;
                    }
                }
            }
        }
        return found;
    }

    private static readonly Lazy<List<string>> Inputs = new(() =>
    {
        var inputs = new List<string>();
        var fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures");
        foreach (var file in Directory.EnumerateFiles(fixtures, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var bytes = File.ReadAllBytes(file);
            if (bytes.Length > 256 << 10 || bytes.AsSpan(0, Math.Min(bytes.Length, 4096)).Contains((byte)0))
                continue;   // text files only, as the analyzers read them
            var text = Encoding.Latin1.GetString(bytes);
            inputs.Add(text);
            inputs.AddRange(text.Split('\n'));
        }
        inputs.AddRange([
            "echo 1 > /proc/sys/net/ipv4/ip_forward", "echo \"0\">/proc/sys/kernel/kptr_restrict",
            "telnet stream tcp nowait root /usr/sbin/telnetd telnetd -l /bin/sh", "::respawn:/sbin/getty -n -l /bin/sh 115200 ttyS0",
            "*.* @@(o)logs.example.net:514", "action(type=\"omfwd\" target=\"x\" StreamDriver=\"gtls\")", "destination d { udp(\"10.0.0.1\"); };",
            "ssl.cipher-list = \"RC4-SHA:DES-CBC3-SHA:ECDHE-RSA-AES128-GCM-SHA256\"", "\"MinProtocol\" => \"TLSv1\", \"CipherString\" => \"ALL:!aNULL\"",
            "cipher BF-CBC", "auth MD5", "BF-CBC", "DES-EDE3-CBC", "none", "MD5", "RSA-MD5", "3des", "modp1024", "blowfish448", "ike=3des-md5-modp1024!", "ssl.engine = \"enable\"", "\"key\" => \"value\"",
            "AKIAIOSFODNN7EXAMPLE", "id ASIAIOSFODNN7EXAMPLE;", "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY1", "ghp_0123456789abcdefghijABCDEFGHIJ012345",
            "glpat-0123456789abcdefghij", "xoxb-1234567890-abcdefghij", "key=AIzaSyA0123456789abcdefghijABCDEFGHIJKL", "sk_live_0123456789abcdefghijABCD",
            "The default password is admin123", "safe_strcpy", "_secure_memcpy_s",
        ]);
        return inputs;
    });

    [Theory]
    [MemberData(nameof(PatternNames))]
    public void Pattern_InterpretedAndLinearEngines_FindTheSameMatches(string name)
    {
        var guarded = Patterns()[name];
        var linear = guarded.Linear;   // every pattern has its linear form
        Assert.False(guarded.FellBack);
        static string Shape(System.Text.RegularExpressions.Match m) =>
            $"{m.Index}+{m.Length} " + string.Join(",", m.Groups.Keys.Select(k => $"{k}={(m.Groups[k].Success ? m.Groups[k].Value : "-")}"));
        var matched = 0;
        foreach (var input in Inputs.Value)
        {
            var expected = linear.Matches(input).Select(Shape).ToList();
            matched += expected.Count;
            Assert.Equal(expected, guarded.Matches(input).Select(Shape).ToList());
            Assert.Equal(linear.Matches(input).Select(m => (m.Index, m.Length)), guarded.Spans(input.AsSpan()));
        }
        Assert.True(matched > 0, $"{name} ({guarded}) matched nothing in {Inputs.Value.Count} inputs: the comparison says nothing");
    }
}
