namespace Assay.Core.Model;

/// <summary>The <c>unsafe-functions</c> summary.</summary>
public sealed record UnsafeFunctionSummary
{
    public int BinariesExamined { get; init; }
    public int BinariesWithUnsafeCalls { get; init; }

    /// <summary>Static binaries without a symbol table: their calls cannot be named.</summary>
    public int BinariesWithoutSymbols { get; init; }

    /// <summary>Function → number of binaries that call it.</summary>
    public IReadOnlyDictionary<string, int> BinariesByFunction { get; init; } = new SortedDictionary<string, int>();
    public IReadOnlyList<UnsafeBinary> Worst { get; init; } = [];

    /// <summary>Every binary with at least one unsafe call, by path (a release diff compares the counts per binary).</summary>
    public IReadOnlyList<UnsafeBinary> Binaries { get; init; } = [];

    /// <summary>Architecture → what was analyzed.</summary>
    public IReadOnlyDictionary<string, string> Coverage { get; init; } = new SortedDictionary<string, string>();
}

/// <summary>A binary and the distinct unsafe functions it calls.</summary>
public sealed record UnsafeBinary(string Path, int Count, IReadOnlyList<string> Functions);
