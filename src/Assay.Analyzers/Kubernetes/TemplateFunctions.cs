using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Assay.Analyzers.Kubernetes;

/// <summary>
/// The functions Helm charts call: Go's template builtins, Helm's own (include, tpl, required,
/// toYaml, fromYaml, lookup …) and the sprig functions charts commonly use. A function outside
/// this set stops the template with a message naming it, so the report says what was not rendered.
/// </summary>
/// <remarks>
/// Deliberate differences, all in the direction of a deterministic analysis: <c>lookup</c> returns
/// an empty map (there is no cluster), <c>now</c> is the Unix epoch, random and UUID functions
/// return fixed strings, <c>genCA</c>/<c>genSelfSignedCert</c> and the crypto generators are absent.
/// </remarks>
internal sealed class TemplateFunctions
{
    private const int MaxRepeat = 1 << 20;

    /// <summary>toJson's depth limit, System.Text.Json's default: a value inside this many maps and lists is refused.</summary>
    private const int MaxJsonDepth = 64;

    /// <summary>Every function name, for docs and tests.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        "add", "add1", "and", "append", "atoi", "b64dec", "b64enc", "base", "camelcase", "cat", "ceil", "coalesce", "compact", "concat", "contains",
        "date", "deepCopy", "default", "dict", "dig", "dir", "div", "empty", "eq", "ext", "fail", "first", "float64", "floor", "fromJson", "fromYaml",
        "fromYamlArray", "ge", "get", "gt", "has", "hasKey", "hasPrefix", "hasSuffix", "htmlDate", "include", "indent", "index", "initial", "int",
        "int64", "join", "kebabcase", "keys", "kindIs", "kindOf", "last", "le", "len", "list", "lookup", "lower", "lt", "max", "merge",
        "mergeOverwrite", "min", "mod", "mul", "mustMerge", "mustMergeOverwrite", "mustToJson", "mustToYaml", "ne", "nindent", "not", "now", "nospace", "omit", "or",
        "pick", "pluck", "prepend", "print", "printf", "println", "quote", "randAlphaNum", "regexFind", "regexMatch", "regexReplaceAll",
        "regexSplit", "repeat", "replace", "required", "rest", "reverse", "round", "semver", "semverCompare", "set", "sha1sum", "sha256sum", "slice",
        "snakecase", "sortAlpha", "split", "splitList", "splitn", "squote", "sub", "substr", "ternary", "title", "toDate", "toJson", "toPrettyJson",
        "toString", "toStrings", "toYaml", "tpl", "trim", "trimAll", "trimPrefix", "trimSuffix", "trunc", "typeIs", "typeOf", "uniq", "unset",
        "until", "untilStep", "upper", "urlquery", "uuidv4", "values", "without",
    ];

    public object? Call(string name, IReadOnlyList<object?> a)
    {
        switch (name)
        {
            // ---- Go builtins ----
            case "eq":
                Need(name, a, 2);
                return a.Skip(1).Any(x => Equal(a[0], x));
            case "ne": Need(name, a, 2); return !Equal(a[0], a[1]);
            case "lt": Need(name, a, 2); return Compare(a[0], a[1]) < 0;
            case "le": Need(name, a, 2); return Compare(a[0], a[1]) <= 0;
            case "gt": Need(name, a, 2); return Compare(a[0], a[1]) > 0;
            case "ge": Need(name, a, 2); return Compare(a[0], a[1]) >= 0;
            case "not": Need(name, a, 1); return !GoTemplateEngine.IsTrue(a[0]);
            case "len":
                Need(name, a, 1);
                return (long)(a[0] switch
                {
                    null => 0,
                    string s => Encoding.UTF8.GetByteCount(s),
                    ICollection c => c.Count,
                    IDictionary<string, object?> lm => lm.Count,
                    _ => throw new TemplateException($"len of {KindOf(a[0])}"),
                });
            case "index":
                {
                    Need(name, a, 1);
                    var v = a[0];
                    foreach (var k in a.Skip(1))
                    {
                        v = v switch
                        {
                            null => null,
                            IDictionary<string, object?> im => im.TryGetValue(Str(k), out var x) ? x : null,
                            IList l => Int(k) is var i && i >= 0 && i < l.Count ? l[(int)i] : throw new TemplateException($"index {i} out of range (length {l.Count})"),
                            _ => throw new TemplateException($"can't index {KindOf(v)}"),
                        };
                    }
                    return v;
                }
            case "slice":
                {
                    Need(name, a, 1);
                    var from = a.Count > 1 ? (int)Int(a[1]) : 0;
                    if (a[0] is string s)
                    {
                        var to = a.Count > 2 ? (int)Int(a[2]) : s.Length;
                        return from < 0 || to > s.Length || from > to ? throw new TemplateException("slice out of range") : s[from..to];
                    }
                    var list = List(a[0]);
                    var end = a.Count > 2 ? (int)Int(a[2]) : list.Count;
                    return from < 0 || end > list.Count || from > end ? throw new TemplateException("slice out of range") : list.GetRange(from, end - from);
                }
            case "print": return string.Concat(a.Select(GoTemplateEngine.Print));
            case "println": return string.Join(' ', a.Select(GoTemplateEngine.Print)) + "\n";
            case "printf": Need(name, a, 1); return Printf(Str(a[0]), a.Skip(1).ToList());
            case "urlquery": return Uri.EscapeDataString(string.Concat(a.Select(GoTemplateEngine.Print)));

            // ---- Helm ----
            case "required":
                Need(name, a, 2);
                return a[1] is null || (a[1] is string rs && rs.Length == 0) ? throw new TemplateException($"required value missing: {Str(a[0])}") : a[1];
            case "fail": throw new TemplateException($"the chart calls fail: {(a.Count > 0 ? Str(a[0]) : "")}");
            case "toYaml" or "mustToYaml": Need(name, a, 1); return YamlValues.ToYaml(a[0]);
            case "fromYaml":
                Need(name, a, 1);
                try
                {
                    return YamlValues.ParseMap(Str(a[0]));
                }
                catch (TemplateException e)
                {
                    return new Dictionary<string, object?>(StringComparer.Ordinal) { ["Error"] = e.Message };
                }
            case "fromYamlArray": Need(name, a, 1); return YamlValues.ParseAll(Str(a[0])).FirstOrDefault() as List<object?> ?? [];
            case "toJson" or "mustToJson": Need(name, a, 1); return ToJson(a[0], indented: false);
            case "toPrettyJson": Need(name, a, 1); return ToJson(a[0], indented: true);
            case "fromJson":
                Need(name, a, 1);
                try
                {
                    return FromJson(JsonDocument.Parse(Str(a[0]), new JsonDocumentOptions { MaxDepth = 64 }).RootElement);
                }
                catch (JsonException)
                {
                    return new Dictionary<string, object?>(StringComparer.Ordinal);
                }
            case "lookup": return new Dictionary<string, object?>(StringComparer.Ordinal);

            // ---- sprig: defaults and flow ----
            case "default": Need(name, a, 1); return a.Count > 1 && !IsEmpty(a[1]) ? a[1] : a[0];
            case "empty": Need(name, a, 1); return IsEmpty(a[0]);
            case "coalesce": return a.FirstOrDefault(x => !IsEmpty(x));
            case "ternary": Need(name, a, 3); return GoTemplateEngine.IsTrue(a[2]) ? a[0] : a[1];
            case "deepCopy": Need(name, a, 1); return DeepCopy(a[0]);

            // ---- sprig: strings ----
            case "quote": return string.Join(' ', a.Where(x => x is not null).Select(x => "\"" + Str(x).Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\""));
            case "squote": return string.Join(' ', a.Where(x => x is not null).Select(x => "'" + Str(x) + "'"));
            case "upper": Need(name, a, 1); return Str(a[0]).ToUpperInvariant();
            case "lower": Need(name, a, 1); return Str(a[0]).ToLowerInvariant();
            case "title": Need(name, a, 1); return CultureInfo.InvariantCulture.TextInfo.ToTitleCase(Str(a[0]));
            case "trim": Need(name, a, 1); return Str(a[0]).Trim();
            case "trimAll": Need(name, a, 2); return Str(a[1]).Trim(Str(a[0]).ToCharArray());
            case "trimPrefix": Need(name, a, 2); return Str(a[1]).StartsWith(Str(a[0]), StringComparison.Ordinal) ? Str(a[1])[Str(a[0]).Length..] : Str(a[1]);
            case "trimSuffix": Need(name, a, 2); return Str(a[1]).EndsWith(Str(a[0]), StringComparison.Ordinal) ? Str(a[1])[..^Str(a[0]).Length] : Str(a[1]);
            case "trunc":
                {
                    Need(name, a, 2);
                    var s = Str(a[1]);
                    var n = Int(a[0]);
                    return n >= 0 ? (s.Length > n ? s[..(int)n] : s) : (s.Length > -n ? s[(int)(s.Length + n)..] : s);
                }
            case "substr":
                {
                    Need(name, a, 3);
                    var s = Str(a[2]);
                    var start = (int)Math.Clamp(Int(a[0]), 0, s.Length);
                    var end = Int(a[1]) < 0 ? s.Length : (int)Math.Clamp(Int(a[1]), start, s.Length);
                    return s[start..end];
                }
            case "replace": Need(name, a, 3); return Str(a[2]).Replace(Str(a[0]), Str(a[1]), StringComparison.Ordinal);
            case "contains": Need(name, a, 2); return Str(a[1]).Contains(Str(a[0]), StringComparison.Ordinal);
            case "hasPrefix": Need(name, a, 2); return Str(a[1]).StartsWith(Str(a[0]), StringComparison.Ordinal);
            case "hasSuffix": Need(name, a, 2); return Str(a[1]).EndsWith(Str(a[0]), StringComparison.Ordinal);
            case "repeat":
                {
                    Need(name, a, 2);
                    var n = Int(a[0]);
                    var s = Str(a[1]);
                    return n < 0 || n * s.Length > MaxRepeat ? throw new TemplateException("repeat result too large") : string.Concat(Enumerable.Repeat(s, (int)n));
                }
            case "nospace": Need(name, a, 1); return string.Concat(Str(a[0]).Where(c => !char.IsWhiteSpace(c)));
            case "cat": return string.Join(' ', a.Where(x => x is not null).Select(GoTemplateEngine.Print));
            case "indent": Need(name, a, 2); return Indent((int)Int(a[0]), Str(a[1]));
            case "nindent": Need(name, a, 2); return "\n" + Indent((int)Int(a[0]), Str(a[1]));
            case "snakecase": Need(name, a, 1); return Words(Str(a[0]), '_');
            case "kebabcase": Need(name, a, 1); return Words(Str(a[0]), '-');
            case "camelcase": Need(name, a, 1); return string.Concat(Str(a[0]).Split('_', '-', ' ').Where(w => w.Length > 0).Select(w => char.ToUpperInvariant(w[0]) + w[1..]));
            case "toString": Need(name, a, 1); return Str(a[0]);
            case "toStrings": Need(name, a, 1); return List(a[0]).Select(x => (object?)Str(x)).ToList();
            case "join": Need(name, a, 2); return string.Join(Str(a[0]), List(a[1]).Select(Str));
            case "split":
                {
                    Need(name, a, 2);
                    var parts = Str(a[1]).Split(Str(a[0]));
                    var map = new Dictionary<string, object?>(StringComparer.Ordinal);
                    for (var i = 0; i < parts.Length; i++)
                        map["_" + i.ToString(CultureInfo.InvariantCulture)] = parts[i];
                    return map;
                }
            case "splitList": Need(name, a, 2); return Str(a[1]).Split(Str(a[0])).Select(x => (object?)x).ToList();
            case "splitn":
                {
                    Need(name, a, 3);
                    var parts = Str(a[2]).Split(Str(a[0]), (int)Math.Max(1, Int(a[1])));
                    var map = new Dictionary<string, object?>(StringComparer.Ordinal);
                    for (var i = 0; i < parts.Length; i++)
                        map["_" + i.ToString(CultureInfo.InvariantCulture)] = parts[i];
                    return map;
                }
            case "b64enc": Need(name, a, 1); return Convert.ToBase64String(Encoding.UTF8.GetBytes(Str(a[0])));
            case "b64dec":
                Need(name, a, 1);
                try
                {
                    return Encoding.UTF8.GetString(Convert.FromBase64String(Str(a[0])));
                }
                catch (FormatException)
                {
                    return "";
                }
            case "sha256sum": Need(name, a, 1); return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Str(a[0]))));
#pragma warning disable CA5350 // sprig's sha1sum: charts use it for checksum annotations, not for security
            case "sha1sum": Need(name, a, 1); return Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(Str(a[0]))));
#pragma warning restore CA5350
            case "regexMatch": Need(name, a, 2); return Regex(Str(a[0])).IsMatch(Str(a[1]));
            case "regexFind": Need(name, a, 2); return Regex(Str(a[0])).Match(Str(a[1])) is { Success: true } m ? m.Value : "";
            case "regexReplaceAll": Need(name, a, 3); return Regex(Str(a[0])).Replace(Str(a[1]), Str(a[2]).Replace("${", "$${", StringComparison.Ordinal).Replace("$$$", "$", StringComparison.Ordinal));
            case "regexSplit": Need(name, a, 3); return Regex(Str(a[0])).Split(Str(a[1])).Select(x => (object?)x).ToList();
            case "base": Need(name, a, 1); return Str(a[0]).TrimEnd('/') is var p && p.Contains('/', StringComparison.Ordinal) ? p[(p.LastIndexOf('/') + 1)..] : Str(a[0]);
            case "dir": Need(name, a, 1); return Str(a[0]) is var dp && dp.LastIndexOf('/') is var slash && slash > 0 ? dp[..slash] : ".";
            case "ext": Need(name, a, 1); return Path.GetExtension(Str(a[0]));
            case "randAlphaNum": return "RANDOMRANDOMRANDOM"[..(int)Math.Clamp(a.Count > 0 ? Int(a[0]) : 8, 0, 18)];
            case "uuidv4": return "00000000-0000-4000-8000-000000000000";
            case "now": return "1970-01-01T00:00:00Z";
            case "date" or "htmlDate" or "toDate": return "1970-01-01";

            // ---- sprig: numbers ----
            case "add": return a.Aggregate(0L, (s, x) => checked(s + Int(x)));
            case "add1": Need(name, a, 1); return checked(Int(a[0]) + 1);
            case "sub": Need(name, a, 2); return checked(Int(a[0]) - Int(a[1]));
            case "mul": return a.Aggregate(1L, (s, x) => checked(s * Int(x)));
            case "div": Need(name, a, 2); return Int(a[1]) == 0 ? throw new TemplateException("division by zero") : Int(a[0]) / Int(a[1]);
            case "mod": Need(name, a, 2); return Int(a[1]) == 0 ? throw new TemplateException("division by zero") : Int(a[0]) % Int(a[1]);
            case "max": Need(name, a, 1); return a.Max(Int);
            case "min": Need(name, a, 1); return a.Min(Int);
            case "int" or "int64" or "atoi": Need(name, a, 1); return Int(a[0]);
            case "float64": Need(name, a, 1); return Float(a[0]);
            case "floor": Need(name, a, 1); return Math.Floor(Float(a[0]));
            case "ceil": Need(name, a, 1); return Math.Ceiling(Float(a[0]));
            case "round": Need(name, a, 2); return Math.Round(Float(a[0]), (int)Int(a[1]), MidpointRounding.AwayFromZero);
            case "until": Need(name, a, 1); return Range(0, Int(a[0]), 1);
            case "untilStep": Need(name, a, 3); return Range(Int(a[0]), Int(a[1]), Int(a[2]));

            // ---- sprig: lists ----
            case "list": return a.ToList();
            case "first": Need(name, a, 1); return List(a[0]) is { Count: > 0 } fl ? fl[0] : null;
            case "last": Need(name, a, 1); return List(a[0]) is { Count: > 0 } ll ? ll[^1] : null;
            case "rest": Need(name, a, 1); return List(a[0]).Skip(1).ToList();
            case "initial": Need(name, a, 1); return List(a[0]) is var il && il.Count > 0 ? il.Take(il.Count - 1).ToList() : [];
            case "append": Need(name, a, 2); return List(a[0]).Append(a[1]).ToList();
            case "prepend": Need(name, a, 2); return List(a[0]).Prepend(a[1]).ToList();
            case "concat": return a.SelectMany(x => List(x)).ToList();
            case "uniq": Need(name, a, 1); return List(a[0]).Aggregate(new List<object?>(), (acc, x) => { if (!acc.Any(y => Equal(x, y))) acc.Add(x); return acc; });
            case "has": Need(name, a, 2); return List(a[1]).Any(x => Equal(x, a[0]));
            case "without": Need(name, a, 1); return List(a[0]).Where(x => !a.Skip(1).Any(y => Equal(x, y))).ToList();
            case "compact": Need(name, a, 1); return List(a[0]).Where(x => !IsEmpty(x)).ToList();
            case "reverse": Need(name, a, 1); return Enumerable.Reverse(List(a[0])).ToList();
            case "sortAlpha": Need(name, a, 1); return List(a[0]).Select(Str).Order(StringComparer.Ordinal).Select(x => (object?)x).ToList();

            // ---- sprig: dicts ----
            case "dict":
                {
                    var d = new Dictionary<string, object?>(StringComparer.Ordinal);
                    for (var i = 0; i < a.Count; i += 2)
                        d[Str(a[i])] = i + 1 < a.Count ? a[i + 1] : "";
                    return d;
                }
            case "get": Need(name, a, 2); return Map(a[0]).TryGetValue(Str(a[1]), out var gv) ? gv : "";
            case "set": Need(name, a, 3); Map(a[0])[Str(a[1])] = a[2]; return a[0];
            case "unset": Need(name, a, 2); Map(a[0]).Remove(Str(a[1])); return a[0];
            case "hasKey": Need(name, a, 2); return a[0] is IDictionary<string, object?> hm && hm.ContainsKey(Str(a[1]));
            case "keys": return a.SelectMany(x => Map(x).Keys).Select(x => (object?)x).ToList();
            case "values": Need(name, a, 1); return Map(a[0]).Values.ToList();
            case "pluck": Need(name, a, 1); return a.Skip(1).Select(Map).Where(m => m.ContainsKey(Str(a[0]))).Select(m => m[Str(a[0])]).ToList();
            case "pick": Need(name, a, 1); return Map(a[0]).Where(kv => a.Skip(1).Select(Str).Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
            case "omit": Need(name, a, 1); return Map(a[0]).Where(kv => !a.Skip(1).Select(Str).Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
            case "dig":
                {
                    Need(name, a, 3);
                    object? v = a[^1];
                    foreach (var k in a.Take(a.Count - 2))
                        v = v is IDictionary<string, object?> dm && dm.TryGetValue(Str(k), out var x) ? x : null;
                    return v ?? a[^2];
                }
            case "merge" or "mustMerge":
                {
                    Need(name, a, 1);
                    var dst = Map(a[0]);
                    foreach (var src in a.Skip(1))
                        Merge(dst, Map(src), overwrite: false);
                    return dst;
                }
            case "mergeOverwrite" or "mustMergeOverwrite":
                {
                    Need(name, a, 1);
                    var dst = Map(a[0]);
                    foreach (var src in a.Skip(1))
                        Merge(dst, Map(src), overwrite: true);
                    return dst;
                }

            // ---- sprig: types, semver ----
            case "kindOf": Need(name, a, 1); return KindOf(a[0]);
            case "kindIs": Need(name, a, 2); return KindOf(a[1]) == Str(a[0]);
            case "typeOf": Need(name, a, 1); return TypeOf(a[0]);
            case "typeIs": Need(name, a, 2); return TypeOf(a[1]) == Str(a[0]);
            case "semverCompare": Need(name, a, 2); return SemverConstraint.Satisfies(Str(a[0]), Str(a[1]));
            case "semver":
                Need(name, a, 1);
                return SemverConstraint.Parse(Str(a[0])) is { } sv
                    ? new Dictionary<string, object?>(StringComparer.Ordinal) { ["Major"] = sv.Major, ["Minor"] = sv.Minor, ["Patch"] = sv.Patch, ["Prerelease"] = sv.Pre }
                    : throw new TemplateException($"'{Str(a[0])}' is not a semantic version");
        }
        throw new TemplateException($"function \"{name}\" is not supported by Assay's template engine (supported: sprig's common functions and Helm's own); this template was not rendered");
    }

    // ---- helpers ----

    private static void Need(string name, IReadOnlyList<object?> a, int count)
    {
        if (a.Count < count)
            throw new TemplateException($"{name} needs {count} argument{(count == 1 ? "" : "s")}, got {a.Count}");
    }

    public static string Str(object? v) => v switch
    {
        null => "",
        string s => s,
        _ => GoTemplateEngine.Print(v),
    };

    public static long Int(object? v) => v switch
    {
        null => 0,
        long l => l,
        int i => i,
        double d => double.IsFinite(d) && Math.Abs(d) < 9.2e18 ? (long)d : 0,
        bool b => b ? 1 : 0,
        string s => long.TryParse(s.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) ? l
            : double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && Math.Abs(d) < 9.2e18 ? (long)d : 0,
        _ => 0,
    };

    private static double Float(object? v) => v switch
    {
        double d => d,
        string s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : 0,
        _ => Int(v),
    };

    private static List<object?> List(object? v) => v switch
    {
        null => [],
        List<object?> l => l,
        IList l => [.. l.Cast<object?>()],
        _ => throw new TemplateException($"expected a list, got {KindOf(v)}"),
    };

    private static IDictionary<string, object?> Map(object? v) => v as IDictionary<string, object?> ?? throw new TemplateException($"expected a map, got {KindOf(v)}");

    public static bool IsEmpty(object? v) => !GoTemplateEngine.IsTrue(v);

    public static string KindOf(object? v) => v switch
    {
        null => "invalid",
        string => "string",
        bool => "bool",
        long or int => "int64",
        double => "float64",
        IDictionary<string, object?> => "map",
        IList => "slice",
        _ => "struct",
    };

    private static string TypeOf(object? v) => v switch
    {
        null => "<nil>",
        string => "string",
        bool => "bool",
        long or int => "int64",
        double => "float64",
        IDictionary<string, object?> => "map[string]interface {}",
        IList => "[]interface {}",
        _ => "struct",
    };

    private static bool Equal(object? x, object? y) => (x, y) switch
    {
        (null, null) => true,
        (null, _) or (_, null) => false,
        (long or int or double, long or int or double) => Float(x) == Float(y),
        _ => x is string || x is bool ? x.Equals(y) : ReferenceEquals(x, y) || Str(x) == Str(y),
    };

    private static int Compare(object? x, object? y) => (x, y) switch
    {
        (string a, string b) => string.CompareOrdinal(a, b),
        (long or int or double, long or int or double) => Float(x).CompareTo(Float(y)),
        _ => throw new TemplateException($"incompatible types for comparison ({KindOf(x)} and {KindOf(y)})"),
    };

    private static string Indent(int n, string s)
    {
        var pad = new string(' ', Math.Clamp(n, 0, 1000));
        return pad + s.Replace("\n", "\n" + pad, StringComparison.Ordinal);
    }

    private static string Words(string s, char sep)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (char.IsUpper(c) && i > 0 && (char.IsLower(s[i - 1]) || char.IsDigit(s[i - 1])))
                sb.Append(sep);
            sb.Append(c is '_' or '-' or ' ' ? sep : char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }

    private static List<object?> Range(long from, long to, long step)
    {
        if (step == 0 || Math.Abs((to - from) / step) > 100_000)
            throw new TemplateException("until/untilStep range too large or with step 0");
        var list = new List<object?>();
        for (var i = from; step > 0 ? i < to : i > to; i += step)
            list.Add(i);
        return list;
    }

    private static System.Text.RegularExpressions.Regex Regex(string pattern)
    {
        // Go's regexp is RE2: no backreferences or lookarounds, linear time. .NET's NonBacktracking engine
        // is the same contract, so a chart's pattern can neither hang the scan nor need a timeout.
        try
        {
            return new System.Text.RegularExpressions.Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            throw new TemplateException($"bad regular expression '{pattern}': {e.Message}");
        }
    }

    /// <summary>sprig merge: keys of <paramref name="src"/> fill in (or, with overwrite, replace) <paramref name="dst"/>'s, maps merged deeply.</summary>
    internal static void Merge(IDictionary<string, object?> dst, IDictionary<string, object?> src, bool overwrite)
    {
        foreach (var (k, v) in src)
        {
            if (dst.TryGetValue(k, out var existing) && existing is IDictionary<string, object?> dm && v is IDictionary<string, object?> sm)
                Merge(dm, sm, overwrite);
            else if (!dst.ContainsKey(k) || overwrite || dst[k] is null)
                dst[k] = DeepCopy(v);
        }
    }

    internal static object? DeepCopy(object? v) => v switch
    {
        IDictionary<string, object?> m => m.ToDictionary(kv => kv.Key, kv => DeepCopy(kv.Value), StringComparer.Ordinal),
        IList l => l.Cast<object?>().Select(DeepCopy).ToList(),
        _ => v,
    };

    /// <summary>
    /// toJson/toPrettyJson: the text System.Text.Json's serializer wrote for these values with its
    /// default options, written here value kind by value kind (the serializer would need reflection
    /// over <c>object</c>, which Native AOT lacks). Maps with their keys in ordinal order, template
    /// objects (<c>.Capabilities.APIVersions</c>) as null; strings escaped by the default encoder
    /// (HTML-sensitive and non-ASCII characters as <c>\uXXXX</c>); NaN and infinities refused with
    /// the writer's ArgumentException, as the serializer refused them.
    /// </summary>
    private static string ToJson(object? value, bool indented)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = indented }))
            WriteJson(writer, value);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteJson(Utf8JsonWriter writer, object? value)
    {
        // The serializer's check in its own words, so the scan's error entry for a value nested this
        // deep reads as it always has. It also stops a map that holds itself (set $m "self" $m).
        if (writer.CurrentDepth >= MaxJsonDepth)
            throw new JsonException($"A possible object cycle was detected. This can either be due to a cycle or if the object depth is larger than the maximum allowed depth of {MaxJsonDepth}. Consider using ReferenceHandler.Preserve on JsonSerializerOptions to support cycles. Path: $.");
        switch (value)
        {
            case IDictionary<string, object?> map:
                writer.WriteStartObject();
                foreach (var (key, item) in map.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(key);
                    WriteJson(writer, item);
                }
                writer.WriteEndObject();
                break;
            case IList list:
                writer.WriteStartArray();
                foreach (var item in list)
                    WriteJson(writer, item);
                writer.WriteEndArray();
                break;
            case null or ITemplateObject:
                writer.WriteNullValue();
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case long l:
                writer.WriteNumberValue(l);
                break;
            case int i:
                writer.WriteNumberValue(i);
                break;
            case double d:
                writer.WriteNumberValue(d);
                break;
            default:
                // Values, literals and every function above make only the kinds handled here.
                throw new InvalidOperationException($"toJson: the template engine produced a {value.GetType().Name}, which has no JSON form; this is a bug in Assay's template engine");
        }
    }

    private static object? FromJson(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => e.EnumerateObject().ToDictionary(p => p.Name, p => FromJson(p.Value), StringComparer.Ordinal),
        JsonValueKind.Array => e.EnumerateArray().Select(FromJson).ToList(),
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.TryGetInt64(out var l) ? l : e.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    /// <summary>Go's fmt verbs that charts use: %s %d %v %q %f %x %t %%, with width/precision ignored except %.Nf.</summary>
    private static string Printf(string format, List<object?> args)
    {
        var sb = new StringBuilder();
        var next = 0;
        for (var i = 0; i < format.Length; i++)
        {
            var c = format[i];
            if (c != '%' || i + 1 >= format.Length)
            {
                sb.Append(c);
                continue;
            }
            var j = i + 1;
            var precision = -1;
            while (j < format.Length && (char.IsDigit(format[j]) || format[j] is '.' or '-' or '+' or '#' or ' '))
            {
                if (format[j] == '.')
                {
                    var k = j + 1;
                    while (k < format.Length && char.IsDigit(format[k]))
                        k++;
                    precision = k > j + 1 ? int.Parse(format.AsSpan(j + 1, k - j - 1), CultureInfo.InvariantCulture) : 0;
                    j = k - 1;
                }
                j++;
            }
            if (j >= format.Length)
            {
                sb.Append(format[i..]);
                break;
            }
            var verb = format[j];
            i = j;
            if (verb == '%')
            {
                sb.Append('%');
                continue;
            }
            var arg = next < args.Count ? args[next++] : null;
            sb.Append(verb switch
            {
                'd' => Int(arg).ToString(CultureInfo.InvariantCulture),
                'q' => "\"" + Str(arg).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"",
                'f' => Float(arg).ToString("F" + (precision < 0 ? 6 : Math.Min(precision, 20)).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture),
                'x' => arg is string xs ? Convert.ToHexStringLower(Encoding.UTF8.GetBytes(xs)) : Int(arg).ToString("x", CultureInfo.InvariantCulture),
                't' => GoTemplateEngine.IsTrue(arg) ? "true" : "false",
                _ => arg is null ? "%!" + verb + "(<nil>)" : GoTemplateEngine.Print(arg),
            });
        }
        return sb.ToString();
    }
}
