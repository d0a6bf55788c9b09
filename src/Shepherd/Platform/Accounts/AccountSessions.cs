using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Accounts;
using Shepherd.Data.Audit;
using Shepherd.Platform.Security;

namespace Shepherd.Platform.Accounts;

public enum PasswordSignInOutcome { SignedIn, WrongCredentials, LockedOut, NoOrganization, PasswordsDisabled, TwoFactorRequired }

/// <param name="LockedUntil">When a locked-out account may try again.</param>
/// <param name="User">The user whose password was right, when a second factor must follow.</param>
public sealed record PasswordSignInResult(PasswordSignInOutcome Outcome, IReadOnlyList<Claim> Claims, DateTimeOffset? LockedUntil = null, ShepherdUser? User = null)
{
    public static PasswordSignInResult Failed(PasswordSignInOutcome outcome, DateTimeOffset? lockedUntil = null) => new(outcome, [], lockedUntil);

    /// <summary>The session must first set up two-factor sign-in (its organization requires it for the member's role).</summary>
    public bool MustSetUpTwoFactor => Claims.Any(c => c.Type == SessionClaims.TwoFactorSetupClaim);
}

/// <summary>Password and passkey sign-in with Identity's user manager: lockout counting, then the session's claims.</summary>
public sealed partial class AccountSessions(
    UserManager<ShepherdUser> users, SessionClaims sessions, SecurityMetrics metrics, ILogger<AccountSessions> logger, TimeProvider clock)
{
    private const string PasswordStep = "password";
    private const string SecondFactorStep = "second_factor";
    private const string ExternalStep = ExternalSignIn.MetricStep;
    private const string PasskeyStep = "passkey";

    /// <summary>
    /// Checks an e-mail address and password, counting failures toward the lockout. Unknown addresses and wrong passwords
    /// get the same answer and take the same time (a password is hashed either way).
    /// </summary>
    public async Task<PasswordSignInResult> SignInWithPasswordAsync(string email, string password, string? ipAddress, CancellationToken cancellationToken)
    {
        var user = email.Length is > 0 and <= 256 ? await users.FindByEmailAsync(email) : null;
        if (user is null)
        {
            users.PasswordHasher.HashPassword(new ShepherdUser(), password);
            metrics.SignIn("failed", PasswordStep);
            LogUnknownAddress(logger, ipAddress);
            return PasswordSignInResult.Failed(PasswordSignInOutcome.WrongCredentials);
        }
        if (await users.IsLockedOutAsync(user))
        {
            metrics.SignIn("locked_out", PasswordStep);
            return PasswordSignInResult.Failed(PasswordSignInOutcome.LockedOut, await users.GetLockoutEndDateAsync(user));
        }

        var memberships = await sessions.MembershipsAsync(user.Id, cancellationToken);
        if (!await users.CheckPasswordAsync(user, password))
        {
            return await FailedAsync(user, memberships, PasswordStep, ipAddress, cancellationToken);
        }
        await users.ResetAccessFailedCountAsync(user);

        if (memberships.Count == 0)
        {
            return PasswordSignInResult.Failed(PasswordSignInOutcome.NoOrganization);
        }
        var allowed = memberships.Where(m => !m.PasswordsDisabled).ToList();
        if (allowed.Count == 0)
        {
            return PasswordSignInResult.Failed(PasswordSignInOutcome.PasswordsDisabled);
        }
        // A registered passkey is a second factor too: the password alone no longer opens a session.
        if (user.TwoFactorEnabled || await sessions.HasPasskeyAsync(user.Id, cancellationToken))
        {
            return new PasswordSignInResult(PasswordSignInOutcome.TwoFactorRequired, [], User: user);
        }
        return await CompleteAsync(user, allowed, PasswordStep, SessionClaims.PasswordMethod, ipAddress, cancellationToken);
    }

    /// <summary>
    /// A user whose login at an external provider is linked (Identity's user_logins): the provider vouched for them, so
    /// the password step is skipped; lockout, organizations and the second factor apply as for a password.
    /// </summary>
    public async Task<PasswordSignInResult> SignInExternallyAsync(ShepherdUser user, string provider, string? ipAddress, CancellationToken cancellationToken)
    {
        if (await users.IsLockedOutAsync(user))
        {
            metrics.SignIn("locked_out", ExternalStep);
            return PasswordSignInResult.Failed(PasswordSignInOutcome.LockedOut, await users.GetLockoutEndDateAsync(user));
        }
        var memberships = await sessions.MembershipsAsync(user.Id, cancellationToken);
        if (memberships.Count == 0)
        {
            return PasswordSignInResult.Failed(PasswordSignInOutcome.NoOrganization);
        }
        if (user.TwoFactorEnabled || await sessions.HasPasskeyAsync(user.Id, cancellationToken))
        {
            return new PasswordSignInResult(PasswordSignInOutcome.TwoFactorRequired, [], User: user);
        }
        return await CompleteAsync(user, memberships, ExternalStep, SessionClaims.ExternalMethod(provider), ipAddress, cancellationToken);
    }

    /// <summary>The second step: the code from the authenticator app or a recovery code, for a user whose password was right.</summary>
    /// <param name="method">How the first step was passed: the password, or an external provider (<see cref="SessionClaims.ExternalMethod"/>).</param>
    public async Task<PasswordSignInResult> SignInWithSecondFactorAsync(
        ShepherdUser user, string code, TwoFactor twoFactor, string? ipAddress, CancellationToken cancellationToken, string method = SessionClaims.PasswordMethod)
    {
        if (await users.IsLockedOutAsync(user))
        {
            metrics.SignIn("locked_out", SecondFactorStep);
            return PasswordSignInResult.Failed(PasswordSignInOutcome.LockedOut, await users.GetLockoutEndDateAsync(user));
        }
        var memberships = await sessions.MembershipsAsync(user.Id, cancellationToken);
        if (!await twoFactor.VerifyAsync(user, code))
        {
            return await FailedAsync(user, memberships, SecondFactorStep, ipAddress, cancellationToken);
        }
        var allowed = memberships.Where(m => method != SessionClaims.PasswordMethod || !m.PasswordsDisabled).ToList();
        return allowed.Count == 0
            ? PasswordSignInResult.Failed(PasswordSignInOutcome.PasswordsDisabled)
            : await CompleteAsync(user, allowed, SecondFactorStep, method, ipAddress, cancellationToken);
    }

    /// <summary>
    /// Sign-in with a passkey: passwordless (<paramref name="secondFactorFor"/> null: the passkey names its user and counts
    /// as both factors) or as the second step for the user whose password was right. Identity's passkey handler checks the
    /// assertion (challenge, origin, RP ID hash, user verification, signature, signature counter); the new counter is stored
    /// so a replayed assertion fails. A rejected passkey of a known user counts toward that user's lockout like a wrong password.
    /// </summary>
    /// <param name="firstStep">As the second step: how the first was passed (<see cref="SessionClaims.PasswordMethod"/> by default).</param>
    public async Task<PasswordSignInResult> SignInWithPasskeyAsync(
        HttpContext http, string credentialJson, string assertionState, ShepherdUser? secondFactorFor, string? ipAddress, CancellationToken cancellationToken,
        string? firstStep = null)
    {
        var step = secondFactorFor is null ? PasskeyStep : SecondFactorStep;
        var user = secondFactorFor
            ?? (Passkeys.CredentialId(credentialJson) is { } credentialId ? await users.FindByPasskeyIdAsync(credentialId) : null);
        if (user is null)
        {
            metrics.SignIn("failed", step);
            LogUnknownPasskey(logger, ipAddress);
            return PasswordSignInResult.Failed(PasswordSignInOutcome.WrongCredentials);
        }
        if (await users.IsLockedOutAsync(user))
        {
            metrics.SignIn("locked_out", step);
            return PasswordSignInResult.Failed(PasswordSignInOutcome.LockedOut, await users.GetLockoutEndDateAsync(user));
        }
        var memberships = await sessions.MembershipsAsync(user.Id, cancellationToken);
        var handler = http.RequestServices.GetRequiredService<IPasskeyHandler<ShepherdUser>>();
        var result = await handler.PerformAssertionAsync(new PasskeyAssertionContext { HttpContext = http, CredentialJson = credentialJson, AssertionState = assertionState });
        if (!result.Succeeded || result.User.Id != user.Id)
        {
            LogPasskeyRejected(logger, user.Id, result.Failure?.Message ?? "the passkey belongs to another user");
            await users.AccessFailedAsync(user);
            return await FailedAsync(user, memberships, step, ipAddress, cancellationToken, "passkey rejected");
        }
        // The new signature counter: the same assertion presented again now fails.
        await users.AddOrUpdatePasskeyAsync(user, result.Passkey);
        await users.ResetAccessFailedCountAsync(user);
        if (memberships.Count == 0)
        {
            return PasswordSignInResult.Failed(PasswordSignInOutcome.NoOrganization);
        }
        // A passkey is a local credential like the password: an organization that signs in only through its identity
        // provider refuses both, unless the passkey is the second step after that provider.
        var method = secondFactorFor is null ? SessionClaims.PasskeyMethod : firstStep ?? SessionClaims.PasswordMethod;
        var allowed = memberships.Where(m => SessionClaims.ExternalProviderOf(method) is not null || !m.PasswordsDisabled).ToList();
        return allowed.Count == 0
            ? PasswordSignInResult.Failed(PasswordSignInOutcome.PasswordsDisabled)
            : await CompleteAsync(user, allowed, step, method, ipAddress, cancellationToken);
    }

    /// <summary>A wrong password or code: counted (Identity's failure count, the metric), logged and audited.</summary>
    private async Task<PasswordSignInResult> FailedAsync(
        ShepherdUser user, IReadOnlyList<MembershipView> memberships, string step, string? ipAddress, CancellationToken cancellationToken, string? detail = null)
    {
        // AccessFailedAsync has counted this failure toward the lockout already when the second factor was checked.
        if (step == PasswordStep)
        {
            await users.AccessFailedAsync(user);
        }
        var lockedUntil = await users.IsLockedOutAsync(user) ? await users.GetLockoutEndDateAsync(user) : null;
        metrics.SignIn(lockedUntil is null ? "failed" : "locked_out", step);
        if (lockedUntil is { } until)
        {
            LogLockedOut(logger, user.Id, ipAddress, until);
        }
        else
        {
            LogFailed(logger, user.Id, step, ipAddress);
        }
        await sessions.RecordAsync(memberships, user, lockedUntil is null ? AuditAction.SignInFailed : AuditAction.LockedOut, ipAddress, cancellationToken,
            detail ?? (step == PasswordStep ? null : "wrong two-factor code"));
        return lockedUntil is null
            ? PasswordSignInResult.Failed(PasswordSignInOutcome.WrongCredentials)
            : PasswordSignInResult.Failed(PasswordSignInOutcome.LockedOut, lockedUntil);
    }

    // Security events for log-based alerting: the user's id and the client address, never the e-mail address or the password.
    [LoggerMessage(Level = LogLevel.Warning, EventName = "SignInFailed", Message = "Sign-in failed for user {UserId} at step {Step} from {ClientIp}")]
    private static partial void LogFailed(ILogger logger, long userId, string step, string? clientIp);

    [LoggerMessage(Level = LogLevel.Warning, EventName = "SignInFailedUnknownAddress", Message = "Sign-in failed for an unknown address from {ClientIp}")]
    private static partial void LogUnknownAddress(ILogger logger, string? clientIp);

    [LoggerMessage(Level = LogLevel.Warning, EventName = "LockedOut", Message = "User {UserId} is locked out until {LockedUntil} after repeated failures from {ClientIp}")]
    private static partial void LogLockedOut(ILogger logger, long userId, string? clientIp, DateTimeOffset lockedUntil);

    [LoggerMessage(Level = LogLevel.Warning, EventName = "SignInFailedUnknownPasskey", Message = "Passkey sign-in failed for an unknown credential from {ClientIp}")]
    private static partial void LogUnknownPasskey(ILogger logger, string? clientIp);

    [LoggerMessage(Level = LogLevel.Warning, EventName = "PasskeyRejected", Message = "A passkey of user {UserId} was rejected: {Reason}")]
    private static partial void LogPasskeyRejected(ILogger logger, long userId, string reason);

    private async Task<PasswordSignInResult> CompleteAsync(
        ShepherdUser user, IReadOnlyList<MembershipView> allowed, string step, string method, string? ipAddress, CancellationToken cancellationToken)
    {
        var provider = SessionClaims.ExternalProviderOf(method);
        var membership = allowed.FirstOrDefault(m => m.OrganizationId == user.CurrentOrganizationId) ?? allowed[0];
        user.CurrentOrganizationId = membership.OrganizationId;
        user.LastSignInAt = clock.GetUtcNow();
        await users.UpdateAsync(user);
        await sessions.RecordAsync([membership], user, AuditAction.SignedIn, ipAddress, cancellationToken, provider is null ? null : $"signed in with {provider}");
        metrics.SignIn("succeeded", step);
        return new PasswordSignInResult(PasswordSignInOutcome.SignedIn,
            SessionClaims.Claims(user, membership, method, await sessions.HasPasskeyAsync(user.Id, cancellationToken)));
    }

    /// <summary>
    /// The session's claims with the user's current security stamp (read again), after this session itself changed it;
    /// null when the session no longer stands (the user is gone).
    /// </summary>
    public async Task<IReadOnlyList<Claim>?> ReissueAsync(ClaimsPrincipal session, CancellationToken cancellationToken)
    {
        if (session.UserId() is not { } userId || await users.FindByIdAsync(userId.ToString(CultureInfo.InvariantCulture)) is not { } user)
        {
            return null;
        }
        var claims = session.Claims.Where(c => c.Type != SessionClaims.StampClaim).Append(new Claim(SessionClaims.StampClaim, user.SecurityStamp ?? "")).ToList();
        return await sessions.RefreshAsync(new ClaimsPrincipal(new ClaimsIdentity(claims, session.Identity?.AuthenticationType)), null, cancellationToken);
    }
}

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
