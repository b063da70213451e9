using Assay.Server.Api;
using Assay.Store;
using Assay.Store.Access;
using Assay.Store.Data;
using Microsoft.AspNetCore.Mvc;

namespace Assay.Server.Pages;

/// <summary>Administration: API keys (shown once on creation), tenants (system administrators), the audit log (auditors and administrators).</summary>
public sealed class AdminModel(AssayStore store, ServerOptions options) : LabPage(store)
{
    /// <summary>The tenant's webhook endpoints (tenant-wide administrators).</summary>
    public IReadOnlyList<WebhookRow> Webhooks { get; private set; } = [];

    /// <summary>A new webhook's secret, shown once.</summary>
    [TempData]
    public string? NewWebhookSecret { get; set; }

    /// <summary>Whether this caller manages the tenant's webhooks (a tenant-wide administrator).</summary>
    public bool ManagesWebhooks => Can(Permission.ManageKeys) && Scope is { ProjectId: null };

    public IReadOnlyList<ApiKeyEndpoints.KeyDto> Keys { get; private set; } = [];
    public IReadOnlyList<TenantRow> Tenants { get; private set; } = [];
    public Dictionary<string, string> TenantNames { get; } = [];
    public IReadOnlyList<ProjectSummary> Projects { get; private set; } = [];
    public IReadOnlyList<AuditRow> Audit { get; private set; } = [];

    [TempData]
    public string? NewKey { get; set; }

    public async Task<IActionResult> OnGetAsync()
    {
        if (!Can(Permission.ManageKeys) && !Can(Permission.ReadAudit))
            return Denied();
        var ct = HttpContext.RequestAborted;
        if (Can(Permission.ManageKeys))
        {
            var rows = await Store.Keys.ListAsync(Caller.TenantId, ct);
            Keys = [.. rows.Where(r => Caller.ProjectId is null || r.ProjectId == Caller.ProjectId).Select(ApiKeyEndpoints.ToDto)];
            if (Caller.IsSystemAdmin)
            {
                Tenants = await Store.Tenants.ListAsync(null, 500, ct);
                foreach (var t in Tenants)
                    TenantNames[t.Id] = t.Name;
                var tenantKeys = new List<ApiKeyEndpoints.KeyDto>(Keys);
                foreach (var t in Tenants.Take(50))
                    tenantKeys.AddRange((await Store.Keys.ListAsync(t.Id, ct)).Select(ApiKeyEndpoints.ToDto));
                Keys = tenantKeys;
            }
            else if (Scope is not null)
            {
                Projects = await Store.Projects.ListAsync(Scope, null, 500, null, ct);
                if (ManagesWebhooks)
                    Webhooks = await Store.Webhooks.ListAsync(Scope.TenantId, ct);
            }
        }
        if (Can(Permission.ReadAudit))
            Audit = await Store.Audit.ListAsync(Caller.TenantId, null, 200, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostKeyAsync(string? name, string? role, string? tenantId, string? projectId)
    {
        if (!Can(Permission.ManageKeys))
            return Denied();
        var (refused, created) = await ApiKeyEndpoints.CreateAsync(Caller, new ApiKeyEndpoints.CreateKey(Caller.IsSystemAdmin ? tenantId : null, projectId, role, name), Store, HttpContext.RequestAborted);
        if (refused is not null)
            Flash = (refused as IValueHttpResult)?.Value is ProblemDetails p ? p.Detail : "The key was refused.";
        else
            NewKey = created!.Key;
        return Redirect("/admin");
    }

    public async Task<IActionResult> OnPostTenantAsync(string? name)
    {
        if (!Caller.IsSystemAdmin)
            return Denied();
        if (string.IsNullOrWhiteSpace(name) || name.Length > 200)
            Flash = "A tenant needs a name (at most 200 characters).";
        else
            Flash = await Store.Tenants.CreateAsync(name.Trim(), HttpContext.RequestAborted) is null ? $"A tenant named '{name}' exists already." : $"Created tenant {name}.";
        return Redirect("/admin");
    }

    public async Task<IActionResult> OnPostWebhookAsync(string? url, string[]? events)
    {
        if (!ManagesWebhooks)
            return Denied();
        var (refusal, created) = await global::Assay.Server.Webhooks.WebhookEndpoints.CreateAsync(new(url, events, null), Scope!.TenantId, Caller.Actor, Store, options, HttpContext.RequestAborted);
        if (refusal is not null)
            Flash = refusal;
        else
            NewWebhookSecret = created!.Secret;
        return Redirect("/admin");
    }

    public async Task<IActionResult> OnPostDeleteWebhookAsync(string webhookId)
    {
        if (!ManagesWebhooks)
            return Denied();
        Flash = await Store.Webhooks.DeleteAsync(Scope!.TenantId, webhookId, HttpContext.RequestAborted) ? "Deleted the webhook." : "No such webhook.";
        return Redirect("/admin");
    }

    public async Task<IActionResult> OnPostRescanAsync()
    {
        if (!Caller.IsSystemAdmin)
            return Denied();
        var planner = HttpContext.RequestServices.GetRequiredService<Work.RescanPlanner>();
        try
        {
            var plan = await planner.PlanAsync(HttpContext.RequestAborted);
            Flash = plan.Database.Fingerprint is null
                ? "This server matches no vulnerabilities (--no-vulns, or no database): nothing to re-match."
                : $"Vulnerability database {plan.Database.Label}: {plan.Queued.Count} evaluations queued for re-matching.";
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            Flash = $"The vulnerability database cannot be read ({e.Message}); fix it (assay db update) and try again.";
        }
        return Redirect("/admin");
    }

    public async Task<IActionResult> OnPostRevokeAsync(string keyId)
    {
        if (!Can(Permission.ManageKeys))
            return Denied();
        var row = Ids.IsWellFormed(keyId) ? await Store.Keys.GetAsync(keyId, HttpContext.RequestAborted) : null;
        if (row is null || !(Caller.IsSystemAdmin || (row.TenantId == Caller.TenantId && (Caller.ProjectId is null || row.ProjectId == Caller.ProjectId))))
            return NotFound();
        await Store.Keys.RevokeAsync(keyId, HttpContext.RequestAborted);
        Flash = $"Revoked {row.Name}.";
        return Redirect("/admin");
    }
}
