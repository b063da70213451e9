using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Assay.Server.Api;

/// <summary>Declares the bearer API key in the OpenAPI document (every /api/v1 operation needs it).</summary>
internal sealed class OpenApiSecurity : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "Assay lab API";
        document.Info.Description = "Projects, releases, deliveries, scans, evaluations, triage and search, per tenant and role. Authorization: Bearer ask_… (an API key).";
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes["apiKey"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "An Assay API key (ask_…), from 'assay admin bootstrap' or POST /api/v1/api-keys.",
        };
        return Task.CompletedTask;
    }
}
