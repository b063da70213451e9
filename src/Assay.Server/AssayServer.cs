using System.Text.Json.Serialization;
using Assay.Server.Api;
using Assay.Server.Security;
using Assay.Server.Work;
using Assay.Store;
using Assay.Store.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;

namespace Assay.Server;

/// <summary>
/// The lab service: builds the web application (REST API under <c>/api/v1</c>, OpenAPI at
/// <c>/openapi/v1.json</c>, the web UI, in-process workers) over one <see cref="AssayStore"/>.
/// <c>assay serve</c> runs it; tests start it on a loopback port.
/// </summary>
public static class AssayServer
{
    /// <summary>Opens (and migrates) the store and builds the application; call <c>StartAsync</c>/<c>RunAsync</c> on it.</summary>
    public static async Task<WebApplication> BuildAsync(ServerOptions options, CancellationToken cancellationToken = default)
    {
        if (options.Role != ServerRole.All && options.PostgresConnectionString is null)
            throw new ArgumentException($"--role {options.Role.ToString().ToLowerInvariant()} needs a shared PostgreSQL store (--db 'Host=...;Database=...;Username=...'); on SQLite one process does everything: use --role all");
        var store = await AssayStore.OpenAsync(options.DataDirectory, options.PostgresConnectionString, cancellationToken);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(AssayServer).Assembly.GetName().Name, ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls([.. options.Urls]);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            // Bodies are bounded per endpoint: deliveries raise it to --max-upload, everything else stays small.
            k.Limits.MaxRequestBodySize = 1 << 20;
        });
        builder.Logging.ClearProviders();
        if (options.Verbose)
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        else
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        // Session keys are files in the data folder, protected by its permissions like the store itself.
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);

        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(store);
        services.AddSingleton<IFindingKeys, FindingKeys>();
        services.AddSingleton<ScanExecutor>();
        services.AddSingleton<RescanDatabase>();
        services.AddSingleton<RescanPlanner>();
        if (options.Role.ServesUi() && options.RescanOnStart)
            services.AddHostedService<VulnerabilityDatabaseWatch>();
        if (options.Role.RunsStages() && options.SendWebhooks)
            services.AddHostedService<Webhooks.WebhookSender>();
        if (options.PostgresConnectionString is { } postgres)
        {
            // Team mode: Hangfire on the same PostgreSQL dispatches one job per stage to any worker process.
            services.AddHangfireDispatch(options, postgres);
        }
        else
        {
            services.AddSingleton<IScanDispatcher, InProcessDispatcher>();
            if (options.Workers > 0)
                services.AddHostedService<ScanWorker>();
        }
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
        });
        services.AddProblemDetails();
        services.AddOpenApi("v1", o => o.AddDocumentTransformer<OpenApiSecurity>());
        services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(store.DataDirectory, "session-keys"))).SetApplicationName("assay");
        services.AddAntiforgery(o => o.HeaderName = "RequestVerificationToken");
        services.AddAuthentication(AuthSchemes.Selector)
            .AddPolicyScheme(AuthSchemes.Selector, "API key or session", o =>
                o.ForwardDefaultSelector = http => http.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? AuthSchemes.ApiKey : AuthSchemes.Cookie)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(AuthSchemes.ApiKey, null)
            .AddCookie(AuthSchemes.Cookie, o =>
            {
                o.Cookie.Name = AuthSchemes.CookieName;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.LoginPath = "/login";
                o.LogoutPath = "/logout";
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.SlidingExpiration = true;
                o.Events = new CookieAuthenticationEvents
                {
                    // The session names a key: a revoked key ends its sessions at the next request.
                    OnValidatePrincipal = async context =>
                    {
                        var key = context.Principal?.FindFirst(PrincipalClaims.KeyId)?.Value;
                        var principal = key is null ? null : await store.Keys.PrincipalAsync(key, context.HttpContext.RequestAborted);
                        if (principal is null)
                        {
                            context.RejectPrincipal();
                            await context.HttpContext.SignOutAsync(AuthSchemes.Cookie);
                        }
                        else
                        {
                            context.ReplacePrincipal(PrincipalClaims.ToClaims(principal, AuthSchemes.Cookie));
                        }
                    },
                    OnRedirectToLogin = context => ApiStatus(context, StatusCodes.Status401Unauthorized),
                    OnRedirectToAccessDenied = context => ApiStatus(context, StatusCodes.Status403Forbidden),
                };
            });
        services.AddAuthorization();
        services.AddRazorPages(o =>
        {
            o.Conventions.AuthorizeFolder("/");
            o.Conventions.AllowAnonymousToPage("/Login");
        }).AddApplicationPart(typeof(AssayServer).Assembly);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.Use(SecurityHeaders);
        app.UseAuthentication();
        app.UseMiddleware<AuditMiddleware>();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.Use(CookieApiAntiforgery);

        HealthEndpoints.Map(app);
        if (options.PostgresConnectionString is not null)
        {
            // Installs Hangfire's schema now, so the web process owns it before workers poll.
            _ = app.Services.GetRequiredService<Hangfire.JobStorage>();
            if (options.Role.ServesUi())
                HangfireSetup.MapDashboard(app);
        }
        if (!options.Role.ServesUi())
        {
            // A worker serves only /healthz and /readyz, for its orchestrator.
            app.Lifetime.ApplicationStopped.Register(() => store.DisposeAsync().AsTask().GetAwaiter().GetResult());
            return app;
        }
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        app.MapGet("/assets/{name}", Assets.Serve).AllowAnonymous().ExcludeFromDescription();
        var api = app.MapGroup("/api/v1").DisableAntiforgery();
        TenantEndpoints.Map(api);
        ApiKeyEndpoints.Map(api);
        ProjectEndpoints.Map(api);
        ReleaseEndpoints.Map(api);
        DeliveryEndpoints.Map(api);
        ScanEndpoints.Map(api);
        ResultEndpoints.Map(api);
        TriageEndpoints.Map(api);
        CompareEndpoints.Map(api);
        SearchEndpoints.Map(api);
        AuditEndpoints.Map(api);
        Webhooks.WebhookEndpoints.Map(api);
        RescanEndpoints.Map(api);
        app.MapRazorPages();
        app.Lifetime.ApplicationStopped.Register(() => store.DisposeAsync().AsTask().GetAwaiter().GetResult());
        return app;
    }

    /// <summary>An API request with a dead or missing session gets a status, not a redirect to the login page.</summary>
    private static Task ApiStatus(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.Path.StartsWithSegments("/api"))
            context.Response.StatusCode = status;
        else
            context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    /// <summary>No framing, no sniffing, no outside resources: the UI loads nothing from anywhere else.</summary>
    private static Task SecurityHeaders(HttpContext context, Func<Task> next)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'";
        return next();
    }

    /// <summary>
    /// A mutating API call that rides on the UI's session cookie must carry the antiforgery token
    /// (header RequestVerificationToken); bearer-key calls carry no cookie and are no CSRF target.
    /// </summary>
    private static async Task CookieApiAntiforgery(HttpContext context, Func<Task> next)
    {
        if (context.Request.Path.StartsWithSegments("/api") && context.ByCookie() && !HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            var antiforgery = context.RequestServices.GetRequiredService<Microsoft.AspNetCore.Antiforgery.IAntiforgery>();
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                await TypedResults.Problem(statusCode: 400, title: "Antiforgery token missing",
                    detail: "a change made with the UI's session needs the page's antiforgery token in the RequestVerificationToken header; reload the page").ExecuteAsync(context);
                return;
            }
        }
        await next();
    }
}
