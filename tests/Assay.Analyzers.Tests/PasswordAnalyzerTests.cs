using Assay.Analyzers.Crypt;
using Assay.Core.Model;

namespace Assay.Analyzers.Tests;

public sealed class PasswordAnalyzerTests
{
    // Reference values: `openssl passwd -1 -salt Zq3x8Hn2 admin`, `openssl passwd -5 -salt abcdefgh support`,
    // `openssl passwd -6 -salt abcdefgh support`, `openssl passwd -6 -salt 'rounds=1000$xy' pw`, and Python's
    // crypt.crypt("support", "sP") (glibc DES crypt); the corpus ground truth records the first and the last.
    [Theory]
    [InlineData("admin", "$1$Zq3x8Hn2$V300qV9uHzzuMsD4CbymT.")]
    [InlineData("support", "$5$abcdefgh$tkAL7uT0AyBFqdhZq4vQLQhZyAzsH/uGqAciH615WC/")]
    [InlineData("support", "$6$abcdefgh$CCEBfVsLbs4yeP/A.ji3LK3HGkdApJaS3EPGCDmdkipRo5j6Tddg.CkRYIWU5yorDH9c6NDpqsDaPOIdmHdY7/")]
    [InlineData("pw", "$6$rounds=1000$xy$iuQKcZ2TAFa1eB.CJPNJxVLtmdJXVxW114bJViXTHZkF1Hxr3aQKJ1Xou3j6S3xBJBROkOtLLT.//lQM9XcAY.")]
    [InlineData("support", "sPyHHNysdq96I")]
    public void UnixCrypt_KnownVector_Verifies(string password, string hash)
    {
        Assert.True(UnixCrypt.Verify(password, hash));
        Assert.False(UnixCrypt.Verify(password + "x", hash));
    }

    [Fact]
    public void WeakShadow_DefaultPasswords_FoundForEveryScheme()
    {
        var sink = Harness.Run(new PasswordAnalyzer(), Harness.Fixture("passwords/shadow-weak", "/etc/shadow", "0640"));
        var defaults = sink.Findings("ASSAY-PASSWD-DEFAULT").Select(f => f.Title).ToList();
        Assert.Contains(defaults, t => t.Contains("root", StringComparison.Ordinal) && t.Contains("\"admin\"", StringComparison.Ordinal));
        Assert.Contains(defaults, t => t.Contains("operator", StringComparison.Ordinal) && t.Contains("\"password\"", StringComparison.Ordinal));
        Assert.Contains(defaults, t => t.Contains("monitor", StringComparison.Ordinal) && t.Contains("\"changeme\"", StringComparison.Ordinal));
        var weak = Assert.Single(sink.Findings("ASSAY-PASSWD-WEAK-HASH"));
        Assert.Equal(1, weak.Line);
        Assert.DoesNotContain("V300qV9uHzzuMsD4CbymT", weak.Evidence, StringComparison.Ordinal);
        Assert.Equal(4, Assert.Single(sink.Findings("ASSAY-PASSWD-EMPTY")).Line);
    }

    [Fact]
    public void WeakPasswd_DesHashUid0AndEmpty_Reported()
    {
        var sink = Harness.Run(new PasswordAnalyzer(), Harness.Fixture("passwords/passwd-weak", "/etc/passwd"));
        Assert.Equal(4, Assert.Single(sink.Findings("ASSAY-PASSWD-HASH-IN-PASSWD")).Line);
        Assert.Contains("DES", Assert.Single(sink.Findings("ASSAY-PASSWD-WEAK-HASH")).Title, StringComparison.Ordinal);
        Assert.Contains("\"support\"", Assert.Single(sink.Findings("ASSAY-PASSWD-DEFAULT")).Title, StringComparison.Ordinal);
        Assert.Contains("toor", Assert.Single(sink.Findings("ASSAY-PASSWD-UID0")).Evidence, StringComparison.Ordinal);
        Assert.Contains("debug", Assert.Single(sink.Findings("ASSAY-PASSWD-EMPTY")).Evidence, StringComparison.Ordinal);
        Assert.All(sink.Findings, f => Assert.DoesNotContain("sPyHHNysdq96I", f.Evidence ?? "", StringComparison.Ordinal));
    }

    [Fact]
    public void StrongFiles_LockedAndRandom_NoFinding()
    {
        var sink = Harness.Run(new PasswordAnalyzer(),
            Harness.Fixture("passwords/shadow-strong", "/etc/shadow", "0640"),
            Harness.Fixture("passwords/passwd-clean", "/etc/passwd"));
        Assert.Empty(sink.Findings);
    }

    [Fact]
    public void DefaultFinding_Severity_IsCritical()
    {
        var sink = Harness.Run(new PasswordAnalyzer(), Harness.Fixture("passwords/shadow-weak", "/etc/shadow"));
        Assert.All(sink.Findings("ASSAY-PASSWD-DEFAULT"), f => Assert.Equal(Severity.Critical, f.Severity));
        Assert.All(sink.Findings("ASSAY-PASSWD-DEFAULT"), f => Assert.Contains("4.2.3.4.2.3", f.Requirements));
    }
}
