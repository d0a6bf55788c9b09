using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Accounts;
using Shepherd.Data.Audit;
using Shepherd.Platform.Security;

namespace Shepherd.Platform.Accounts;

/// <param name="TwoFactorRequired">The organization requires two-factor sign-in for this member's role.</param>
public sealed record MembershipView(
    long OrganizationId, string OrganizationName, OrganizationRole Role, bool Pastoral, long? PersonId, bool PasswordsDisabled, bool TwoFactorRequired);

/// <summary>
/// Who a signed-in person is, as claims: the user, the organization they work in, their role there, and the security
/// stamp the session was opened with. Built at sign-in and rebuilt whenever the session is re-checked, so a changed role,
/// a removed membership or a changed password reaches every open session within one re-check. Uses its own database
/// contexts: it runs during authentication, before the request's tenant is known, and must not create the request's
/// scoped context (which would then see no organization).
/// </summary>
public sealed class SessionClaims(ShepherdDbContextFactory contexts, AuditLog audit, TimeProvider clock)
{
    /// <summary>The claim carrying the user's security stamp: a password change or "sign out everywhere" changes the stamp.</summary>
    public const string StampClaim = "stamp";

    /// <summary>How the session was opened: "password" (or an external provider's name later); token sessions carry token claims instead.</summary>
    public const string MethodClaim = "amr";
    public const string PasswordMethod = "pwd";

    /// <summary>A session opened through an external provider (its scheme): not ended when the organization turns passwords off.</summary>
    public static string ExternalMethod(string provider) => "ext:" + provider;

    public static string? ExternalProviderOf(string? method) =>
        method is not null && method.StartsWith("ext:", StringComparison.Ordinal) ? method[4..] : null;

    /// <summary>A passwordless sign-in with a passkey (both factors at once).</summary>
    public const string PasskeyMethod = "passkey";

    /// <summary>
    /// Present when the organization requires two-factor sign-in for the member's role and they have not set it up: the
    /// session may reach their account pages to set it up, and nothing else (<see cref="Permissions.Has"/>).
    /// </summary>
    public const string TwoFactorSetupClaim = "mfa_setup";

    /// <summary>
    /// The session's claims as they are now, or null when the session must end: the user is gone or locked out, the
    /// security stamp changed, the membership was removed, or the organization stopped accepting passwords.
    /// <paramref name="switchTo"/> moves the session to another organization the user belongs to.
    /// </summary>
    public async Task<IReadOnlyList<Claim>?> RefreshAsync(ClaimsPrincipal session, long? switchTo, CancellationToken cancellationToken)
    {
        if (session.UserId() is not { } userId
            || !long.TryParse(session.FindFirstValue(ApiScopes.OrganizationClaim), NumberStyles.None, CultureInfo.InvariantCulture, out var organizationId))
        {
            return null;
        }
        await using var db = contexts.Create(null, AuditActor.System);
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null || user.LockoutEnd > clock.GetUtcNow() || user.SecurityStamp != session.FindFirstValue(StampClaim))
        {
            return null;
        }
        var method = session.FindFirstValue(MethodClaim) ?? PasswordMethod;
        var memberships = await MembershipsAsync(user.Id, cancellationToken);
        var membership = memberships.FirstOrDefault(m => m.OrganizationId == (switchTo ?? organizationId));
        if (membership is null || ((method is PasswordMethod or PasskeyMethod) && membership.PasswordsDisabled))
        {
            return null;
        }
        if (switchTo is not null && user.CurrentOrganizationId != switchTo)
        {
            await db.Users.Where(u => u.Id == userId)
                .ExecuteUpdateAsync(u => u.SetProperty(x => x.CurrentOrganizationId, switchTo), cancellationToken);
        }
        return Claims(user, membership, method, await HasPasskeyAsync(user.Id, cancellationToken));
    }

    /// <summary>Whether the user has registered a passkey (a second factor that satisfies an organization's two-factor requirement).</summary>
    public async Task<bool> HasPasskeyAsync(long userId, CancellationToken cancellationToken)
    {
        await using var db = contexts.Create(null, AuditActor.System);
        return await db.Set<IdentityUserPasskey<long>>().AnyAsync(p => p.UserId == userId, cancellationToken);
    }

    /// <summary>Every organization the user belongs to, with their role there, by name.</summary>
    public async Task<IReadOnlyList<MembershipView>> MembershipsAsync(long userId, CancellationToken cancellationToken)
    {
        await using var db = contexts.Create(null, AuditActor.System);
        var rows = await db.Memberships.IgnoreQueryFilters().AsNoTracking()
            .Where(m => m.UserId == userId)
            .Join(db.Organizations, m => m.OrganizationId, o => o.Id, (m, o) => new
            {
                m.OrganizationId,
                OrganizationName = o.Name,
                m.Role,
                m.Pastoral,
                m.PersonId,
                o.LocalPasswordsDisabled,
                o.TwoFactorRequiredRoles,
            })
            .OrderBy(m => m.OrganizationName)
            .ToListAsync(cancellationToken);
        return [.. rows.Select(m => new MembershipView(m.OrganizationId, m.OrganizationName, m.Role, m.Pastoral, m.PersonId, m.LocalPasswordsDisabled,
            m.TwoFactorRequiredRoles.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(m.Role.ToString(), StringComparer.OrdinalIgnoreCase)))];
    }

    public static List<Claim> Claims(ShepherdUser user, MembershipView membership, string method, bool hasPasskey)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, user.Id.ToString(CultureInfo.InvariantCulture)),
            new(ClaimTypes.Name, user.Email ?? $"user {user.Id}"),
            new(ApiScopes.OrganizationClaim, membership.OrganizationId.ToString(CultureInfo.InvariantCulture)),
            new(ClaimTypes.Role, membership.Role.ToString()),
            // A person at the keyboard may do what their role allows: both scopes. Monitoring stays with the platform claim.
            new(ApiScopes.ClaimType, ApiScopes.Read),
            new(ApiScopes.ClaimType, ApiScopes.Write),
            new(StampClaim, user.SecurityStamp ?? ""),
            new(MethodClaim, method),
        };
        if (membership.Pastoral)
        {
            claims.Add(new Claim(ApiScopes.PastoralClaim, "true"));
        }
        if (membership.PersonId is { } personId)
        {
            claims.Add(new Claim(ApiScopes.PersonClaim, personId.ToString(CultureInfo.InvariantCulture)));
        }
        if (user.IsPlatformAdministrator)
        {
            claims.Add(new Claim(ApiScopes.PlatformClaim, ApiScopes.PlatformAdministrator));
        }
        if (membership.TwoFactorRequired && !user.TwoFactorEnabled && !hasPasskey)
        {
            claims.Add(new Claim(TwoFactorSetupClaim, "required"));
        }
        return claims;
    }

    /// <summary>Sign-in events go to the audit log of each organization the user belongs to: their administrators see attempts.</summary>
    public async Task RecordAsync(
        IEnumerable<MembershipView> memberships, ShepherdUser user, AuditAction action, string? ipAddress, CancellationToken cancellationToken, string? detail = null)
    {
        var actor = new AuditActor(user.Id, user.Email ?? $"user {user.Id}", ipAddress);
        foreach (var membership in memberships)
        {
            await audit.RecordAsync(membership.OrganizationId, action, "User", user.Id.ToString(CultureInfo.InvariantCulture),
                detail is null ? null : new { detail }, actor, ipAddress, cancellationToken);
        }
    }
}
