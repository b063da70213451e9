using Assay.Analyzers.Cloud;

namespace Assay.Analyzers.Tests;

public sealed class ContainerImageAnalyzerTests
{
    // The image config umoci wrote for Assay.Formats.Tests/Fixtures/containers (make.sh), trimmed.
    private const string Config = """
        {"created":"2026-12-06T21:32:03Z","architecture":"amd64","os":"linux",
         "config":{"ExposedPorts":{"23/tcp":{},"8080/tcp":{}},"Env":["DB_PASSWORD=hunter2-secret","PATH=/usr/bin:/bin","TOKEN_FILE=/run/secrets/t"],
                   "Entrypoint":["/usr/bin/app"],"Labels":{"org.opencontainers.image.vendor":"ExampleVendor"}},
         "rootfs":{"type":"layers","diff_ids":["sha256:d641cc75d2a86b7de53757343f58bd1592d1483e2e4593b48fee2dcd7b7cd300"]},
         "history":[{"created_by":"RUN ./configure --admin-password=s3cretvalue && make"}]}
        """;

    [Fact]
    public void ImageConfig_RootUserSecretAndTelnet_AreFlaggedAndSummarized()
    {
        var sink = Harness.Run(new ContainerImageAnalyzer(), new ImageFile("/config.json", System.Text.Encoding.UTF8.GetBytes(Config), Container: "docker-archive"));
        Assert.Equal(["ASSAY-IMG-ENV-SECRET", "ASSAY-IMG-INSECURE-PORT", "ASSAY-IMG-ROOT-USER"], sink.RuleIds());
        Assert.Equal("DB_PASSWORD=" + SecretsAnalyzer.Mask("hunter2-secret"), sink.Findings("ASSAY-IMG-ENV-SECRET").Single().Evidence);
        Assert.Equal("ExposedPorts: 23/tcp (telnet)", sink.Findings("ASSAY-IMG-INSECURE-PORT").Single().Evidence);
        var summary = sink.Summaries.ContainerImages!;
        var image = Assert.Single(summary);
        Assert.Equal("linux/amd64", image.Platform);
        Assert.Equal(["/usr/bin/app"], image.Entrypoint);
        Assert.Equal(["23/tcp", "8080/tcp"], image.ExposedPorts);
        Assert.Contains("DB_PASSWORD=" + SecretsAnalyzer.Mask("hunter2-secret"), image.Env);
        Assert.Contains("TOKEN_FILE=/run/secrets/t", image.Env);
        Assert.Equal("ExampleVendor", image.Labels["org.opencontainers.image.vendor"]);
        Assert.DoesNotContain("s3cretvalue", image.History.Single(), StringComparison.Ordinal);
        Assert.Equal(1, image.Layers);
    }

    [Fact]
    public void ImageConfig_NonRootUser_IsNotFlagged()
    {
        var config = """{"config":{"User":"10001:10001"}}""";
        var sink = Harness.Run(new ContainerImageAnalyzer(), new ImageFile("/config.json", System.Text.Encoding.UTF8.GetBytes(config), Container: "oci-archive"));
        Assert.Empty(sink.Findings);
    }

    [Fact]
    public void ImageConfig_OutsideAnImage_IsIgnored()
    {
        var sink = Harness.Run(new ContainerImageAnalyzer(), new ImageFile("/etc/app/config.json", System.Text.Encoding.UTF8.GetBytes(Config)));
        Assert.Empty(sink.Findings);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("{\"config\": 5, \"history\": \"x\"}")]
    public void ImageConfig_Malformed_NeverThrows(string text)
    {
        var sink = Harness.Run(new ContainerImageAnalyzer(), new ImageFile("/config.json", System.Text.Encoding.UTF8.GetBytes(text), Container: "oci-archive"));
        Assert.DoesNotContain(sink.Findings, f => f.RuleId == "ASSAY-IMG-ENV-SECRET");
    }
}
