using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Audit;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Api;

namespace Shepherd.Features.OrganizationSettings;

/// <summary>How the organization's members sign in (administrators): local passwords on or off. /api/v1/organization/sign-in</summary>
public static class SignInSettingsApi
{
    public static void MapSignInSettingsApi(this IEndpointRouteBuilder api) =>
        api.MapPut("/organization/sign-in", UpdateAsync).WithTags("Organization").RequirePermission(Permission.SettingsWrite);

    /// <param name="LocalPasswordsDisabled">True: members sign in only through an external provider (Google, OpenID Connect).</param>
    public sealed record SignInSettingsRequest(bool? LocalPasswordsDisabled);

    public sealed record ProviderResponse(string Scheme, string DisplayName);

    public sealed record SignInSettingsResponse(bool LocalPasswordsDisabled, IReadOnlyList<ProviderResponse> Providers);

    private static async Task<Results<Ok<SignInSettingsResponse>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        SignInSettingsRequest request, ShepherdDbContext db, IServiceProvider services, CancellationToken ct)
    {
        if (request.LocalPasswordsDisabled is not { } disabled)
        {
            return ApiResults.Invalid("localPasswordsDisabled", "Give true (sign in only through the external provider) or false (passwords too).");
        }
        var providers = services.GetService<ExternalProviders>()?.All ?? [];
        if (disabled && providers.Count == 0)
        {
            // Nobody could sign in any more: the organization would lock itself out.
            return ApiResults.Conflict(
                "No external sign-in provider is configured on this server (Shepherd:Authentication): with local passwords off nobody of this organization could sign in. Configure Google or an OpenID Connect provider first.");
        }
        var organizationId = db.OrganizationId ?? throw new InvalidOperationException("No organization in scope.");
        var organization = await db.Organizations.FirstAsync(o => o.Id == organizationId, ct);
        if (organization.LocalPasswordsDisabled != disabled)
        {
            organization.LocalPasswordsDisabled = disabled;
            AuditLog.Add(db, AuditAction.SettingsChanged, "Organization", organizationId.ToString(CultureInfo.InvariantCulture), new { localPasswordsDisabled = disabled });
            await db.SaveChangesAsync(ct);
        }
        return TypedResults.Ok(new SignInSettingsResponse(disabled, [.. providers.Select(p => new ProviderResponse(p.Scheme, p.DisplayName))]));
    }
}
