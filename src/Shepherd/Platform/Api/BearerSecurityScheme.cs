using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Shepherd.Platform.Api;

/// <summary>Tells the OpenAPI document (and so the reference page's "Authorize" box) that the API takes bearer tokens.</summary>
public sealed class BearerSecurityScheme : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "Shepherd API";
        document.Info.Description = "Church management API. Send `Authorization: Bearer <token>`; create a token with `shepherd admin token`.";
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes["Bearer"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "An API token from `shepherd admin token` (starts with shp_).",
        };
        document.Security ??= [];
        document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("Bearer", document)] = [] });
        return Task.CompletedTask;
    }
}
