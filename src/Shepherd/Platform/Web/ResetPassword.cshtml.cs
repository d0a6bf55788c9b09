using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Shepherd.Data.Accounts;
using Shepherd.Data.Audit;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Security;

namespace Shepherd.Platform.Web;

/// <summary>
/// Sets a new password from an e-mailed reset link: the lockout is lifted, the security stamp changes (every session
/// ends, and the link cannot be used again), and the reset is recorded in the audit log of each of the user's organizations.
/// </summary>
[AllowAnonymous]
[EnableRateLimiting(RateLimits.PasswordReset)]
public sealed class ResetPasswordModel(UserManager<ShepherdUser> users, SessionClaims sessions) : PageModel
{
    public const string PasswordsOff = "Your organization signs in only through its identity provider, so no password is set here. Use the provider's button on the sign-in page.";

    public const string InvalidLink = "This reset link has expired, was already used or is damaged. Ask for a new one.";

    [BindProperty(SupportsGet = true, Name = "user")]
    public string? UserId { get; set; }

    [BindProperty(SupportsGet = true, Name = "token")]
    public string? Token { get; set; }

    [BindProperty]
    public string? NewPassword { get; set; }

    [BindProperty]
    public string? ConfirmPassword { get; set; }

    public string? Error { get; private set; }

    public bool Done { get; private set; }

    public void OnGet()
    {
        if (AccountLinks.DecodeToken(Token) is null || string.IsNullOrEmpty(UserId))
        {
            Error = InvalidLink;
        }
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var token = AccountLinks.DecodeToken(Token);
        var user = token is not null && long.TryParse(UserId, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? await users.FindByIdAsync(id.ToString(CultureInfo.InvariantCulture))
            : null;
        if (user is null || token is null)
        {
            Error = InvalidLink;
            return Page();
        }
        if (string.IsNullOrEmpty(NewPassword) || NewPassword != ConfirmPassword)
        {
            Error = string.IsNullOrEmpty(NewPassword) ? "Choose a new password of at least 10 characters." : "The new password and its confirmation differ.";
            return Page();
        }
        // A link mailed before the organization switched passwords off sets none now: there is nothing to sign in with.
        if (await sessions.MembershipsAsync(user.Id, cancellationToken) is { Count: > 0 } organizations && organizations.All(m => m.PasswordsDisabled))
        {
            Error = PasswordsOff;
            return Page();
        }
        var reset = await users.ResetPasswordAsync(user, token, NewPassword);
        if (!reset.Succeeded)
        {
            Error = reset.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.InvalidToken))
                ? InvalidLink
                : string.Join(" ", reset.Errors.Select(e => e.Description));
            return Page();
        }
        // The link reached the inbox: the address is proven too.
        user.EmailConfirmed = true;
        await users.UpdateAsync(user);
        await users.ResetAccessFailedCountAsync(user);
        await users.SetLockoutEndDateAsync(user, null);
        var memberships = await sessions.MembershipsAsync(user.Id, cancellationToken);
        await sessions.RecordAsync(memberships, user, AuditAction.PasswordReset, HttpContext.Connection.RemoteIpAddress?.ToString(), cancellationToken);
        Done = true;
        return Page();
    }
}
