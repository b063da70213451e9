using Assay.Analyzers.Elf;
using Assay.Core.Content;

namespace Assay.Analyzers.Tests;

// Symbol names stay bytes in their string table until asked for, and the GOT map is read only when
// wrapper disassembly asks for it: both must give what reading everything at once gave.
public sealed class ElfImageTests
{
    [Fact]
    public void Strings_OutOfRangeUnterminatedAndLong_BoundedLatin1()
    {
        var table = new byte[] { 0, (byte)'a', (byte)'b', 0, (byte)'\xe9', (byte)'z' };
        var strings = new ElfStrings(table);
        Assert.Equal("", strings.String(0));
        Assert.Equal("ab", strings.String(1));
        Assert.Equal("b", strings.String(2));
        Assert.Equal("\u00e9z", strings.String(4)); // no NUL before the end: up to the end, one char per byte
        Assert.Equal("", strings.String(6));
        Assert.Equal("", strings.String(uint.MaxValue));

        var longName = new byte[ElfStrings.MaxName + 10];
        Array.Fill(longName, (byte)'x');
        Assert.Equal(ElfStrings.MaxName, new ElfStrings(longName).Bytes(0).Length);
    }

    [Fact]
    public void Symbols_NamesFromTheirTables_SameAsTheLinkerWrote()
    {
        var image = ElfImage.Read(new MemoryBlob(Fixture.Bytes("elf/x64-weak")));
        var names = image.Symbols.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("main", names);       // .symtab, named in .strtab
        Assert.Contains("strcpy", names);     // .dynsym, named in .dynstr
        Assert.All(image.Symbols, s => Assert.Equal(s.Name, System.Text.Encoding.Latin1.GetString(s.NameBytes)));
        Assert.Contains(image.Symbols, s => s.Dynamic && s.IsUndefined && s.Name == "gets");
    }

    [Fact]
    public void GotSymbols_ReadOnFirstUse_NamesTheImports()
    {
        var image = ElfImage.Read(new MemoryBlob(Fixture.Bytes("elf/x64-weak")));
        var got = image.GotSymbols;
        Assert.Contains("strcpy", got.Values);
        Assert.Contains("system", got.Values);
        Assert.Same(got, image.GotSymbols); // read once
    }
}
