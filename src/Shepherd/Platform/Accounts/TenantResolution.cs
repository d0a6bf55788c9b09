using System.Globalization;
using System.Security.Claims;
using Shepherd.Data;
using Shepherd.Data.Audit;

namespace Shepherd.Platform.Accounts;

/// <summary>Sets the request's tenant and audit actor from the signed-in principal, before any endpoint touches the database.</summary>
public sealed class TenantResolution(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context, TenantContext tenant)
    {
        var user = context.User;
        if (user.Identity?.IsAuthenticated == true
            && long.TryParse(user.FindFirstValue(ApiScopes.OrganizationClaim), NumberStyles.None, CultureInfo.InvariantCulture, out var organizationId))
        {
            tenant.OrganizationId = organizationId;
            var userId = long.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), CultureInfo.InvariantCulture, out var id) ? id : (long?)null;
            var via = user.FindFirstValue(ApiScopes.TokenClaim) is { } token ? $" (token '{token}')" : "";
            tenant.Actor = new AuditActor(userId, $"{user.Identity.Name}{via}", AuditLog.ClientIp(context));
        }
        return next(context);
    }
}
