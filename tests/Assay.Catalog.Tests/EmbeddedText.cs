using System.Text;

namespace Assay.Catalog.Tests;

/// <summary>The text of a data file embedded in an assembly (the catalog's YAML tables).</summary>
internal static class EmbeddedText
{
    public static string Read(System.Reflection.Assembly assembly, string resourceName)
    {
        using var stream = assembly.GetManifestResourceStream(resourceName)
            ?? throw new InvalidOperationException($"{resourceName} is not embedded in {assembly.GetName().Name}");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
