namespace Assay.Store;

/// <summary>The database engine behind the store: the schema and migrations are the same on both.</summary>
public enum StoreKind
{
    /// <summary>An embedded SQLite file (single node, the default).</summary>
    Sqlite,

    /// <summary>A PostgreSQL server (team use; the coordination point for scale-out).</summary>
    Postgres,
}
