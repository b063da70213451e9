namespace Assay.Store.Data;

/// <summary>
/// What a reader may see: one tenant, and in it every project or one. Every read of the store
/// takes a scope and filters by it in SQL, so an object outside it is simply not found (a 404).
/// </summary>
public sealed record Scope(string TenantId, string? ProjectId)
{
    /// <summary>True when a project of this tenant is inside the scope.</summary>
    public bool Allows(string projectId) => ProjectId is null || ProjectId == projectId;
}
