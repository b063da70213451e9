using Assay.Analyzers.Rules;
using Assay.Catalog.Support;
using Assay.Vulnerabilities.Matching;

namespace Assay.Engine;

/// <summary>
/// The embedded data tables that a scan needs only later (the rule catalog at the first finding,
/// end-of-support dates when components are consolidated, the product map when vulnerabilities are
/// matched), read on a thread of their own as soon as the first scan of the process starts, so that
/// parsing their YAML (YamlDotNet, ~3-5 ms each) runs on another core while the input is unpacked
/// instead of on the scan's path. Each table is a lazy singleton: a scan that reaches one first
/// waits for it, and a table that fails to load fails again, with the same error, where the scan
/// uses it.
/// </summary>
internal static class SharedData
{
    private static int s_started;

    public static void Preload(bool vulnerabilities)
    {
        if (Interlocked.Exchange(ref s_started, 1) != 0)
            return;
        new Thread(() => Load(vulnerabilities)) { IsBackground = true, Name = "assay-preload" }.Start();
    }

    private static void Load(bool vulnerabilities)
    {
        try
        {
            RuleCatalog.Preload();
            _ = EndOfSupport.Default;
            if (vulnerabilities)
                _ = ProductMap.Default;
        }
        catch (Exception)
        {
            // Whatever it is, the lazy keeps it: the scan meets the same error where it uses the
            // table and reports it there. Escaping this thread, it would end the process.
        }
    }
}
