using System.Globalization;
using System.Security.Claims;

namespace Shepherd.Platform.Accounts;

/// <summary>Who is calling, read from the claims the authentication handler sets.</summary>
public static class CallerIdentity
{
    /// <summary>The signed-in user's id, or null for an anonymous request.</summary>
    public static long? UserId(this ClaimsPrincipal user) =>
        long.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;

    public static string DisplayName(this ClaimsPrincipal user) => user.Identity?.Name ?? "unknown";
}
