namespace Assay.Core.Formats;

/// <summary>
/// The handlers a scan may use, in a fixed order (the order breaks ties when two handlers claim the
/// same offset). Built from an explicit list (STYLE.md rule 2: no reflection scanning); the list of
/// Assay's own handlers is <c>Assay.Formats.BuiltinHandlers</c>.
/// </summary>
public sealed class HandlerRegistry
{
    private readonly Dictionary<string, IFormatHandler> _byId;

    public HandlerRegistry(IEnumerable<IFormatHandler> handlers)
    {
        All = [.. handlers];
        _byId = new Dictionary<string, IFormatHandler>(StringComparer.Ordinal);
        foreach (var handler in All)
        {
            if (!_byId.TryAdd(handler.Id, handler))
                throw new ArgumentException($"two handlers share the id '{handler.Id}'", nameof(handlers));
        }
    }

    public IReadOnlyList<IFormatHandler> All { get; }

    public IFormatHandler? Find(string id) => _byId.GetValueOrDefault(id);
}
