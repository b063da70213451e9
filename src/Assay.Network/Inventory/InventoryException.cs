namespace Assay.Network.Inventory;

/// <summary>
/// An input file of the network engine (inventory, sites, vendors, costs, policy pack, evidence links)
/// is malformed. <see cref="Errors"/> holds every error found, each with its file and line, so one run
/// shows all of them; nothing of the file was loaded.
/// </summary>
public sealed class InventoryException : Exception
{
    /// <summary>Most errors collected from one file before giving up.</summary>
    public const int MaxErrors = 20;

    public InventoryException(string message) : base(message) => Errors = [message];

    public InventoryException(IReadOnlyList<string> errors, bool truncated = false)
        : base(Format(errors, truncated)) => Errors = errors;

    public InventoryException() : this("invalid network input") { }

    public InventoryException(string message, Exception inner) : base(message, inner) => Errors = [message];

    /// <summary>Each error, already carrying <c>file:line:</c>.</summary>
    public IReadOnlyList<string> Errors { get; }

    private static string Format(IReadOnlyList<string> errors, bool truncated) =>
        string.Join('\n', errors) + (truncated ? $"\n(stopped after {MaxErrors} errors)" : "");
}

/// <summary>Collects row errors of one file: the file name and line go in front of each.</summary>
internal sealed class ErrorList(string file)
{
    private readonly List<string> _errors = [];
    private bool _truncated;

    public string File { get; set; } = file;
    public int Count => _errors.Count;

    /// <summary>Adds an error; returns false once <see cref="InventoryException.MaxErrors"/> is reached (stop reading).</summary>
    public bool Add(long line, string message)
    {
        if (_errors.Count >= InventoryException.MaxErrors)
        {
            _truncated = true;
            return false;
        }
        _errors.Add(line > 0 ? $"{File}:{line}: {message}" : $"{File}: {message}");
        return _errors.Count < InventoryException.MaxErrors;
    }

    public void ThrowIfAny()
    {
        if (_errors.Count > 0)
            throw new InventoryException(_errors, _truncated);
    }
}
