namespace Assay.Store.Access;

/// <summary>
/// Who is calling: an API key (directly, or behind a UI session). <see cref="TenantId"/> null is a
/// system administrator, who manages tenants and keys and sees no tenant's data.
/// </summary>
public sealed record Principal(string KeyId, string Name, string? TenantId, string? ProjectId, Role Role)
{
    public bool IsSystemAdmin => TenantId is null && Role == Role.Admin;

    public bool Can(Permission permission) => RolePermissions.Has(Role, permission);

    /// <summary>How the audit log and triage trail name the caller.</summary>
    public string Actor => $"{Name} ({KeyId[..8]})";

    /// <summary>True when the principal may see objects of this tenant and project at all (otherwise: 404).</summary>
    public bool Sees(string tenantId, string? projectId) =>
        TenantId == tenantId && (ProjectId is null || projectId is null || ProjectId == projectId);
}
