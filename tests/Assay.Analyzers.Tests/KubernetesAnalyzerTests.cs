using Assay.Analyzers.Cloud;
using Assay.Analyzers.Kubernetes;
using Assay.Core.Model;

namespace Assay.Analyzers.Tests;

/// <summary>
/// The hand-written chart Fixtures/cloud/amf (a parent chart with helpers, a ConfigMap reading a
/// file, a template calling a function Assay lacks, an enabled subchart) and a plain DaemonSet,
/// with a docker save manifest.json and an OCI index.json standing for the delivered images.
/// </summary>
public sealed class KubernetesAnalyzerTests
{
    private const string DockerManifest = """[{"Config":"921f227d2d1a1b7a977fdbc89ce9a0ae589b80815c6312fc233e6c178a998fa8.json","RepoTags":["docker.io/example/app:1.0"],"Layers":[]}]""";
    private const string OciIndex = """{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:54dc49de2243783ce3c10c197894a2fa87b928b13ec963dd4c4e485d7737e0db","size":1114,"annotations":{"org.opencontainers.image.ref.name":"1.0"}}]}""";

    private static InspectionSinkResult Run()
    {
        var root = Fixture.Path("cloud");
        var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith(".tgz", StringComparison.Ordinal) && !f.EndsWith("make.sh", StringComparison.Ordinal))
            .Select(f => new ImageFile("/delivery/" + Path.GetRelativePath(root, f).Replace('\\', '/'), File.ReadAllBytes(f)))
            .Append(new ImageFile("/images/app.tar!/manifest.json", System.Text.Encoding.UTF8.GetBytes(DockerManifest), Container: "docker-archive"))
            .Append(new ImageFile("/images/upf.tar!/index.json", System.Text.Encoding.UTF8.GetBytes(OciIndex), Container: "oci-archive"))
            .ToArray();
        var sink = Harness.Run(new KubernetesAnalyzer(), files);
        return new InspectionSinkResult(sink.Findings.ToList(), sink.Errors.ToList(), sink.Summaries.Kubernetes!);
    }

    private sealed record InspectionSinkResult(List<Finding> Findings, List<ScanError> Errors, KubernetesSummary Summary);

    private static List<string> Evidence(InspectionSinkResult r, string rule) => [.. r.Findings.Where(f => f.RuleId == rule).Select(f => f.Evidence!).Order(StringComparer.Ordinal)];

    [Fact]
    public void Chart_RenderedWithDefaults_FlagsThePrivilegedAmfContainer()
    {
        var r = Run();
        var amf = "Deployment release-name-amf / container amf";
        Assert.Contains($"{amf}: securityContext.privileged: true", Evidence(r, "ASSAY-K8S-PRIVILEGED"));
        var caps = r.Findings.Single(f => f.RuleId == "ASSAY-K8S-CAPABILITIES" && f.Evidence!.StartsWith(amf, StringComparison.Ordinal));
        Assert.Equal($"{amf}: capabilities.add NET_ADMIN, SYS_ADMIN", caps.Evidence);
        Assert.Equal(Severity.Critical, caps.Severity);
        Assert.Contains("Deployment release-name-amf: hostNetwork: true", Evidence(r, "ASSAY-K8S-HOST-NAMESPACE"));
        Assert.Contains("Deployment release-name-amf: volume host-logs hostPath /var/log/amf", Evidence(r, "ASSAY-K8S-HOSTPATH"));
        Assert.Contains($"{amf}: resources.limits lacks cpu and memory", Evidence(r, "ASSAY-K8S-NO-LIMITS"));
        Assert.Contains($"{amf}: readOnlyRootFilesystem is not true", Evidence(r, "ASSAY-K8S-WRITABLE-ROOTFS"));
        // privileged already implies escalation: one finding, not two
        Assert.DoesNotContain(Evidence(r, "ASSAY-K8S-PRIV-ESCALATION"), e => e.StartsWith(amf, StringComparison.Ordinal));
        Assert.Contains(r.Findings, f => f.RuleId == "ASSAY-K8S-PRIVILEGED" && f.References.Contains("Kubernetes Pod Security Standards (Baseline): Privileged Containers"));
        Assert.Contains(r.Findings, f => f.RuleId == "ASSAY-K8S-PRIVILEGED" && f.Requirements.Contains("4.2.4.1.2.1"));
    }

    [Fact]
    public void Chart_HardenedSidecar_HasNoSecurityContextFindings()
    {
        var r = Run();
        var sidecar = r.Findings.Where(f => f.Evidence!.Contains("container sidecar", StringComparison.Ordinal)).Select(f => f.RuleId).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["ASSAY-K8S-IMAGE-TAG"], sidecar);
    }

    [Fact]
    public void Chart_SecretsInEnvConfigMapAndConfigFile_AreFoundMasked()
    {
        var r = Run();
        var secrets = Evidence(r, "ASSAY-K8S-SECRET-PLAIN");
        Assert.Contains("Deployment release-name-amf / container amf: env SBI_PASSWORD=" + SecretsAnalyzer.Mask("amf-default-pass"), secrets);
        Assert.Contains("ConfigMap release-name-amf-config: data.admin_password=********", secrets);
        Assert.Contains(secrets, s => s.StartsWith("ConfigMap release-name-amf-config: data.amf.conf: nrf_token=", StringComparison.Ordinal));
        // the subchart got its password from the parent's values (db.auth.password)
        Assert.Contains(secrets, s => s.StartsWith("StatefulSet release-name-db / container postgres: env POSTGRES_PASSWORD=", StringComparison.Ordinal));
        Assert.DoesNotContain(secrets, s => s.Contains("TOKEN_URL", StringComparison.Ordinal));
        Assert.DoesNotContain(secrets, s => s.Contains("hunter2", StringComparison.Ordinal) || s.Contains("admin123", StringComparison.Ordinal));
    }

    [Fact]
    public void Images_TiedToTheDelivery_ByTagAndByDigest()
    {
        var r = Run();
        var containers = r.Summary.Workloads.SelectMany(w => w.Containers).ToDictionary(c => c.Name, StringComparer.Ordinal);
        Assert.True(containers["sidecar"].Delivered);
        Assert.Equal("fw.bin!/images/app.tar", containers["sidecar"].DeliveredAs);
        Assert.True(containers["upf"].Delivered);
        Assert.False(containers["amf"].Delivered);
        Assert.Equal("registry.vendor.example/5gc/amf:1.2.0", containers["amf"].Image);
        Assert.False(containers["postgres"].Delivered);
        var missing = Evidence(r, "ASSAY-K8S-IMAGE-NOT-DELIVERED");
        Assert.Equal(2, missing.Count);
        Assert.DoesNotContain(Evidence(r, "ASSAY-K8S-IMAGE-TAG"), e => e.Contains("upf", StringComparison.Ordinal) || e.Contains("postgres", StringComparison.Ordinal));
    }

    [Fact]
    public void PlainManifest_DaemonSet_IsChecked()
    {
        var r = Run();
        Assert.Contains("DaemonSet upf: hostPID: true", Evidence(r, "ASSAY-K8S-HOST-NAMESPACE"));
        Assert.Contains("DaemonSet upf / container upf: runAsUser: 0", Evidence(r, "ASSAY-K8S-RUN-AS-ROOT"));
        Assert.Contains("DaemonSet upf / container upf: capabilities.add NET_RAW", Evidence(r, "ASSAY-K8S-CAPABILITIES"));
    }

    [Fact]
    public void Chart_UnsupportedFunction_IsReportedNotGuessed()
    {
        var r = Run();
        var error = Assert.Single(r.Errors, e => e.Path.EndsWith("templates/unsupported.yaml", StringComparison.Ordinal));
        Assert.Equal(ErrorCategory.Unsupported, error.Category);
        Assert.Contains("\"genCA\" is not supported", error.Message, StringComparison.Ordinal);
        var amf = r.Summary.Charts.Single(c => c.Name == "amf");
        Assert.Equal(1, amf.TemplatesFailed);
        Assert.Equal(2, amf.TemplatesRendered);
        Assert.Contains(r.Summary.Charts, c => c is { Name: "db", Subchart: true });
    }

    [Theory]
    [InlineData("{{ .Values.a }}", "x")]
    [InlineData("{{- if .Values.flag }}yes{{ else }}no{{ end -}}", "yes")]
    [InlineData("{{ range $i, $v := .Values.list }}{{ $i }}={{ $v }};{{ end }}", "0=a;1=b;")]
    [InlineData("{{ range $k, $v := .Values.map }}{{ $k }}:{{ $v }} {{ end }}", "a:1 b:2 ")]
    [InlineData("{{ .Values.missing.deeper | default \"d\" }}", "d")]
    [InlineData("{{ with .Values.map }}{{ .a }}{{ end }}", "1")]
    [InlineData("{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}", "2")]
    [InlineData("{{ printf \"%s-%d\" \"a\" 5 }}", "a-5")]
    [InlineData("{{ list 1 2 3 | len }}", "3")]
    [InlineData("{{ dict \"k\" \"v\" | toYaml }}", "k: v")]
    [InlineData("{{ toYaml .Values.map | nindent 2 }}", "\n  a: 1\n  b: 2")]
    [InlineData("{{ and true .Values.flag \"s\" }}", "s")]
    [InlineData("{{ or .Values.none \"fallback\" }}", "fallback")]
    [InlineData("{{ semverCompare \">=1.19-0\" \"v1.31.0\" }}", "true")]
    [InlineData("{{ semverCompare \"<1.19\" \"1.31.0\" }}", "false")]
    [InlineData("{{ \"a,b\" | splitList \",\" | last }}", "b")]
    [InlineData("{{ define \"t\" }}[{{ . }}]{{ end }}{{ include \"t\" \"in\" | upper }}", "[IN]")]
    [InlineData("{{ tpl \"{{ .Values.a }}!\" . }}", "x!")]
    [InlineData("{{ range until 3 }}{{ if eq . 1 }}{{ continue }}{{ end }}{{ . }}{{ end }}", "02")]
    [InlineData("{{/* a comment */}}ok", "ok")]
    [InlineData("{{ (index .Values.list 1) }}{{ (.Values.map).b }}", "b2")]
    [InlineData("{{ ternary \"on\" \"off\" (empty .Values.none) }}", "on")]
    [InlineData("{{ .Values.a | quote }} {{ .Values.a | squote }}", "\"x\" 'x'")]
    public void Engine_GoTemplateSubset_RendersAsHelmDoes(string template, string expected)
    {
        var engine = new GoTemplateEngine();
        var body = engine.Add("t.yaml", template);
        var values = YamlValues.ParseMap("a: x\nflag: true\nlist: [a, b]\nmap: {b: 2, a: 1}\nnone: \"\"\n");
        var output = engine.Render("t.yaml", body, new Dictionary<string, object?>(StringComparer.Ordinal) { ["Values"] = values });
        Assert.Equal(expected, output);
    }

    // The text System.Text.Json's reflection serializer wrote for these values before the JSON
    // functions moved to a hand-written writer (Native AOT): default options, so HTML-sensitive and
    // non-ASCII characters are \u-escaped, keys sorted ordinally, doubles in round-trip form.
    [Theory]
    [InlineData("{{ toJson .Values }}", JsonValuesCompact)]
    [InlineData("{{ toPrettyJson .Values.map }}", JsonMapIndented)]
    [InlineData("{{ mustToJson .Values.s }}", JsonString)]
    [InlineData("{{ toJson nil }}", "null")]
    [InlineData("{{ list 1 2.5 \"x\" true (list) (dict) | toJson }}", "[1,2.5,\"x\",true,[],{}]")]
    [InlineData("{{ toPrettyJson (dict) }}|{{ toPrettyJson (list) }}|{{ toPrettyJson (list (dict)) }}", "{}|[]|[\n  {}\n]")]
    [InlineData("{{ range $i, $v := .Values.list }}{{ toJson $i }}{{ end }}", "012345")]
    [InlineData("{{ float64 \"1e20\" | toJson }} {{ float64 \"-0\" | toJson }} {{ float64 \"0.1\" | toJson }} {{ div 7 2 | toJson }}", JsonNumbers)]
    [InlineData("{{ dict \"apis\" .Apis \"n\" 1 | toJson }}", "{\"apis\":null,\"n\":1}")]
    public void Engine_ToJson_WritesWhatTheReflectionSerializerWrote(string template, string expected)
    {
        var engine = new GoTemplateEngine();
        var body = engine.Add("t.yaml", template);
        var values = YamlValues.ParseMap(JsonValuesYaml);
        var output = engine.Render("t.yaml", body, new Dictionary<string, object?>(StringComparer.Ordinal) { ["Values"] = values, ["Apis"] = new NoFields() });
        // toPrettyJson ends its lines with Environment.NewLine, as the serializer did.
        Assert.Equal(expected, output.Replace(Environment.NewLine, "\n", StringComparison.Ordinal));
    }

    // In map.b.c, y is YAML 1.1's true (go-yaml v2, as Helm reads values).
    private const string JsonValuesYaml = """
        s: "<a href='x'>&+ é 中 😀"
        n: 42
        f: 1.5
        big: 1e20
        t: true
        z: ~
        list: [1, "two", 3.25, null, [], {}]
        map: {b: {d: 1, c: [x, y]}, a: null, B: 2, é: 3}
        """;

    private const string JsonValuesCompact = """
        {"big":1E+20,"f":1.5,"list":[1,"two",3.25,null,[],{}],"map":{"B":2,"a":null,"b":{"c":["x",true],"d":1},"\u00E9":3},"n":42,"s":"\u003Ca href=\u0027x\u0027\u003E\u0026\u002B \u00E9 \u4E2D \uD83D\uDE00","t":true,"z":null}
        """;

    private const string JsonMapIndented = """
        {
          "B": 2,
          "a": null,
          "b": {
            "c": [
              "x",
              true
            ],
            "d": 1
          },
          "\u00E9": 3
        }
        """;

    private const string JsonString = """
        "\u003Ca href=\u0027x\u0027\u003E\u0026\u002B \u00E9 \u4E2D \uD83D\uDE00"
        """;

    private const string JsonNumbers = "1E+20 -0 0.1 3";

    /// <summary>A template object (like <c>.Capabilities.APIVersions</c>): no JSON form, written as null.</summary>
    private sealed class NoFields : ITemplateObject
    {
        public bool TryGetField(string name, out object? value)
        {
            value = null;
            return false;
        }

        public bool TryCall(string name, IReadOnlyList<object?> args, out object? value)
        {
            value = null;
            return false;
        }
    }

    [Theory]
    [InlineData(63, null)]
    [InlineData(64, "A possible object cycle was detected. This can either be due to a cycle or if the object depth is larger than the maximum allowed depth of 64. Consider using ReferenceHandler.Preserve on JsonSerializerOptions to support cycles. Path: $.")]
    public void Engine_ToJson_NestedPast64_ThrowsTheSerializersJsonException(int levels, string? message)
    {
        // System.Text.Json's default depth limit: a value inside 64 containers is refused, and the
        // message is what the scan's error entry has always said.
        object? map = "leaf", list = 1L;
        for (var i = 0; i < levels; i++)
        {
            map = new Dictionary<string, object?>(StringComparer.Ordinal) { ["k"] = map };
            list = new List<object?> { list };
        }
        foreach (var (value, function) in new[] { (map, "toJson"), (list, "toPrettyJson") })
        {
            if (message is null)
            {
                Assert.NotEmpty((string)new TemplateFunctions().Call(function, [value])!);
                continue;
            }
            var e = Assert.Throws<System.Text.Json.JsonException>(() => new TemplateFunctions().Call(function, [value]));
            Assert.Equal(message, e.Message);
        }
    }

    [Fact]
    public void Engine_ToJson_MapHoldingItself_ThrowsJsonExceptionNotAStackOverflow()
    {
        // set can put a map inside itself. Building the serializer's input (a sorted copy of the value)
        // used to recurse until the stack overflowed and the process died; the writer stops at the depth limit.
        var engine = new GoTemplateEngine();
        var body = engine.Add("t.yaml", "{{ $m := dict }}{{ $_ := set $m \"self\" $m }}{{ toJson $m }}");
        Assert.Throws<System.Text.Json.JsonException>(() => engine.Render("t.yaml", body, new Dictionary<string, object?>(StringComparer.Ordinal)));
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("-Infinity")]
    public void Engine_ToJson_NonFiniteNumber_ThrowsArgumentException(string number)
    {
        // JSON has no NaN or infinity; the serializer refused them with ArgumentException, and so does the writer.
        var engine = new GoTemplateEngine();
        var body = engine.Add("t.yaml", $"{{{{ float64 \"{number}\" | toJson }}}}");
        Assert.Throws<ArgumentException>(() => engine.Render("t.yaml", body, new Dictionary<string, object?>(StringComparer.Ordinal)));
    }

    [Theory]
    [InlineData("{{ .Values.a ")]
    [InlineData("{{ if .Values.a }}never closed")]
    [InlineData("{{ end }}")]
    [InlineData("{{ \"unterminated }}")]
    [InlineData("{{ include \"self\" . }}{{ define \"self\" }}{{ include \"self\" . }}{{ end }}")]
    [InlineData("{{ range until 100000000 }}x{{ end }}")]
    [InlineData("{{ nosuchfunction 1 }}")]
    [InlineData("{{ repeat 100000000 \"x\" }}")]
    [InlineData("{{ $undefined }}")]
    public void Engine_HostileOrBrokenTemplate_FailsWithATemplateException(string template)
    {
        var engine = new GoTemplateEngine();
        Assert.Throws<TemplateException>(() =>
        {
            var body = engine.Add("t.yaml", template);
            engine.Render("t.yaml", body, new Dictionary<string, object?>(StringComparer.Ordinal));
        });
    }

    [Fact]
    public void Yaml_FuzzFinding_ScannerInvalidOperation_IsATemplateException()
    {
        // fuzz/smoke.sh helm-template: YamlDotNet's scanner threw InvalidOperationException on this manifest
        var text = System.Text.Encoding.UTF8.GetString(Fixture.Bytes("kubernetes/crashes/yaml-scanner-invalid-operation.yaml"));
        Assert.Throws<TemplateException>(() => YamlValues.ParseAll(text));
    }

    [Theory]
    [InlineData("_", "_")]
    [InlineData("__", "__")]
    [InlineData("1_000", 1000L)]
    [InlineData("0x_ff", 255L)]
    [InlineData("_1.5", 1.5)]
    public void Yaml_PlainScalarsWithUnderscores_ResolveAsGoYamlDoes(string scalar, object expected)
    {
        // fuzz/smoke.sh helm-template: a template rendering to "_" threw IndexOutOfRangeException
        var values = YamlValues.ParseMap($"v: {scalar}\n");
        Assert.Equal(expected, values["v"]);
    }

    [Theory]
    [InlineData("[")]
    [InlineData("- ")]
    public void Yaml_NestedPastAnyManifest_IsATemplateExceptionNotAStackOverflow(string opener)
    {
        // YamlDotNet builds nodes recursively: without the text pre-check this kills the process.
        var text = "apiVersion: v1\nkind: ConfigMap\ndata: " + string.Concat(Enumerable.Repeat(opener, 200_000));
        var e = Assert.Throws<TemplateException>(() => YamlValues.ParseAll(text));
        Assert.Contains("line 3", e.Message);
    }

    [Fact]
    public void Engine_RandomTemplates_NeverThrowAnythingElse()
    {
        var random = new Random(18);
        var alphabet = "{{}}-. $x:=|()\"`'if else end range with define template include toYaml nindent 4 .Values.a 1 2 true nil\n ";
        for (var i = 0; i < 2000; i++)
        {
            var chars = new char[random.Next(0, 80)];
            for (var j = 0; j < chars.Length; j++)
                chars[j] = alphabet[random.Next(alphabet.Length)];
            var engine = new GoTemplateEngine();
            try
            {
                var body = engine.Add("r.yaml", new string(chars));
                engine.Render("r.yaml", body, new Dictionary<string, object?>(StringComparer.Ordinal) { ["Values"] = new Dictionary<string, object?>(StringComparer.Ordinal) });
            }
            catch (TemplateException)
            {
            }
        }
    }

    [Theory]
    [InlineData("DB_PASSWORD", true)]
    [InlineData("dbPassword", true)]
    [InlineData("API_KEY", true)]
    [InlineData("apiToken", true)]
    [InlineData("PWD", false)]
    [InlineData("PASSWORD_FILE", false)]
    [InlineData("TOKEN_URL", false)]
    [InlineData("existingSecret", false)]
    [InlineData("LOG_LEVEL", false)]
    [InlineData("keyboard", false)]
    public void SecretNames_NameSaysCredential(string name, bool expected) => Assert.Equal(expected, SecretNames.IsSecretName(name));

    [Theory]
    [InlineData("nginx", "docker.io", "library/nginx", null, null)]
    [InlineData("nginx:1.25", "docker.io", "library/nginx", "1.25", null)]
    [InlineData("registry.vendor.example:5000/5gc/amf:1.2", "registry.vendor.example:5000", "5gc/amf", "1.2", null)]
    [InlineData("localhost/app@sha256:abc", "localhost", "app", null, "sha256:abc")]
    public void ImageReference_Parse_FollowsTheDistributionGrammar(string text, string registry, string repository, string? tag, string? digest)
    {
        var r = ImageReference.Parse(text)!;
        Assert.Equal((registry, repository, tag, digest), (r.Registry, r.Repository, r.Tag, r.Digest));
    }
}
