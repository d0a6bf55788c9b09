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
