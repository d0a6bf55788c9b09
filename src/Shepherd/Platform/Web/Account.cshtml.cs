using System.Globalization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Shepherd.Data.Accounts;
using Shepherd.Platform.Accounts;

namespace Shepherd.Platform.Web;

/// <summary>
/// The signed-in person's own account: which organization they work in (and switching to another they belong to),
/// changing their password, and signing out every other session.
/// </summary>
public sealed class AccountModel(AccountSessions accounts, SessionClaims sessions, UserManager<ShepherdUser> users, TimeProvider clock) : PageModel
{
    public const string Path = "/account";

    public IReadOnlyList<MembershipView> Memberships { get; private set; } = [];

    /// <summary>The external logins linked to the account (Google, OpenID Connect).</summary>
    public IReadOnlyList<UserLoginInfo> Logins { get; private set; } = [];

    /// <summary>Every organization of the account turned local passwords off: no password to change, and the last login stays.</summary>
    public bool PasswordsOff => Memberships.Count > 0 && Memberships.All(m => m.PasswordsDisabled);

    public long? CurrentOrganizationId { get; private set; }

    /// <summary>Opened with an API token: the account's own settings are not reachable from such a session.</summary>
    public bool TokenSession { get; private set; }

    public string? Message { get; private set; }

    public bool EmailConfirmed { get; private set; } = true;

    public string? Error { get; private set; }

    [BindProperty]
    public string? CurrentPassword { get; set; }

    [BindProperty]
    public string? NewPassword { get; set; }

    [BindProperty]
    public string? ConfirmPassword { get; set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostSwitchAsync(long organizationId, CancellationToken cancellationToken)
    {
        if (IsTokenSession())
        {
            return Forbid();
        }
        var claims = await sessions.RefreshAsync(User, organizationId, cancellationToken);
        if (claims is null)
        {
            // Not a member there (or no longer signed in validly): the same answer as an organization that does not exist.
            Error = "You are not a member of that organization.";
            await LoadAsync(cancellationToken);
            return Page();
        }
        await HttpContext.SignInAsync(WebSession.Scheme, WebSession.Principal(claims, clock.GetUtcNow()));
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostChangePasswordAsync(CancellationToken cancellationToken)
    {
        if (IsTokenSession() || await CurrentUserAsync() is not { } user)
        {
            return Forbid();
        }
        await LoadAsync(cancellationToken);
        if (PasswordsOff)
        {
            Error = "Your organization signs in through its identity provider: there is no password to change.";
            return Page();
        }
        if (string.IsNullOrEmpty(CurrentPassword) || string.IsNullOrEmpty(NewPassword))
        {
            Error = "Enter your current password and a new one.";
        }
        else if (NewPassword != ConfirmPassword)
        {
            Error = "The new password and its confirmation differ.";
        }
        else
        {
            var changed = await users.ChangePasswordAsync(user, CurrentPassword, NewPassword);
            Error = changed.Succeeded ? null : string.Join(" ", changed.Errors.Select(e => e.Description));
        }
        if (Error is not null)
        {
            await LoadAsync(cancellationToken);
            return Page();
        }
        // Changing the password changed the security stamp: every other session ends at its next check; this one goes on.
        await WebSession.KeepAfterStampChangeAsync(this, accounts, clock, cancellationToken);
        Message = "Your password was changed. Other sessions are signed out.";
        await LoadAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostSignOutEverywhereAsync(CancellationToken cancellationToken)
    {
        if (IsTokenSession() || await CurrentUserAsync() is not { } user)
        {
            return Forbid();
        }
        await users.UpdateSecurityStampAsync(user);
        await WebSession.KeepAfterStampChangeAsync(this, accounts, clock, cancellationToken);
        Message = "Every other session is signed out (within a minute on devices in use right now).";
        await LoadAsync(cancellationToken);
        return Page();
    }

    /// <summary>Unlinks an external login, unless it is the only way in left (the organization turned passwords off).</summary>
    public async Task<IActionResult> OnPostUnlinkAsync(string? provider, CancellationToken cancellationToken)
    {
        if (IsTokenSession() || await CurrentUserAsync() is not { } user)
        {
            return Forbid();
        }
        await LoadAsync(cancellationToken);
        var login = Logins.FirstOrDefault(l => l.LoginProvider == provider);
        if (login is null)
        {
            Error = "That sign-in is not linked to your account.";
            return Page();
        }
        if (PasswordsOff && Logins.Count == 1)
        {
            Error = $"{login.ProviderDisplayName ?? login.LoginProvider} is your only way to sign in: your organization turned passwords off.";
            return Page();
        }
        var removed = await users.RemoveLoginAsync(user, login.LoginProvider, login.ProviderKey);
        if (!removed.Succeeded)
        {
            Error = string.Join(" ", removed.Errors.Select(e => e.Description));
            return Page();
        }
        await sessions.RecordAsync(Memberships, user, Data.Audit.AuditAction.Updated, AuditLog.ClientIp(HttpContext), cancellationToken,
            $"external sign-in with {login.LoginProvider} unlinked");
        // Removing a login changed the security stamp: this session goes on.
        await WebSession.KeepAfterStampChangeAsync(this, accounts, clock, cancellationToken);
        Message = $"{login.ProviderDisplayName ?? login.LoginProvider} is no longer linked to your account.";
        await LoadAsync(cancellationToken);
        return Page();
    }

    private bool IsTokenSession() => User.HasClaim(c => c.Type == ApiScopes.TokenIdClaim);

    private async Task<ShepherdUser?> CurrentUserAsync() =>
        User.UserId() is { } id ? await users.FindByIdAsync(id.ToString(CultureInfo.InvariantCulture)) : null;

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        TokenSession = IsTokenSession();
        CurrentOrganizationId = long.TryParse(User.FindFirst(ApiScopes.OrganizationClaim)?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
        if (User.UserId() is { } userId)
        {
            Memberships = await sessions.MembershipsAsync(userId, cancellationToken);
            var user = TokenSession ? null : await CurrentUserAsync();
            EmailConfirmed = TokenSession || user?.EmailConfirmed != false;
            Logins = user is null ? [] : [.. await users.GetLoginsAsync(user)];
        }
    }
}
