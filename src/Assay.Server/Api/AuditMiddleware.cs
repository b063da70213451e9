using Assay.Server.Security;
using Assay.Store;
using Assay.Store.Data;

namespace Assay.Server.Api;

/// <summary>
/// Every mutation goes to the audit log: any request that is not GET/HEAD/OPTIONS, with its
/// route, target path, response status and actor, whether it succeeded or was refused.
/// </summary>
internal sealed class AuditMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context, AssayStore store)
    {
        await next(context);
        if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method) || HttpMethods.IsOptions(context.Request.Method))
            return;
        var caller = context.Caller();
        var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? context.Request.Path.Value ?? "";
        try
        {
            await store.Audit.AppendAsync(new AuditRow
            {
                TenantId = caller?.TenantId ?? (context.Items["assay:audit-tenant"] as string),
                Actor = caller?.Actor ?? (context.Items["assay:audit-actor"] as string) ?? "anonymous",
                Action = $"{context.Request.Method} {route}",
                Target = context.Request.Path.Value ?? "",
                Status = context.Response.StatusCode,
                At = Clock.Now(),
                RequestId = context.TraceIdentifier,
                Ip = context.Connection.RemoteIpAddress?.ToString(),
            }, CancellationToken.None);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException)
        {
            context.RequestServices.GetRequiredService<ILogger<AuditMiddleware>>().LogError(e, "audit log write failed for {Method} {Path}", context.Request.Method, context.Request.Path);
        }
    }
}
