using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Shepherd.Data.Accounts;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Security;

namespace Shepherd.Platform.Web;

/// <summary>The second step of signing in: six digits from the authenticator app, or one recovery code.</summary>
[AllowAnonymous]
[EnableRateLimiting(RateLimits.SignIn)]
public sealed class TwoFactorSignInModel(AccountSessions accounts, TwoFactor twoFactor, UserManager<ShepherdUser> users, TimeProvider clock) : PageModel
{
    public const string Path = "/signin/two-factor";

    [BindProperty]
    public string? Code { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Error { get; private set; }

    /// <summary>The user has an authenticator app set up (the code form shows).</summary>
    public bool HasAuthenticator { get; private set; } = true;

    /// <summary>The user has passkeys: one may serve as the second step instead of a code.</summary>
    public bool HasPasskey { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (TwoFactorPending.Read(HttpContext) is not { } pending
            || await users.FindByIdAsync(pending.UserId.ToString(CultureInfo.InvariantCulture)) is not { } user)
        {
            return Redirect(WebSession.SignInPath);
        }
        await DescribeAsync(user, cancellationToken);
        return Page();
    }

    private async Task DescribeAsync(ShepherdUser user, CancellationToken cancellationToken)
    {
        HasAuthenticator = user.TwoFactorEnabled;
        HasPasskey = await HttpContext.RequestServices.GetRequiredService<SessionClaims>().HasPasskeyAsync(user.Id, cancellationToken);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (TwoFactorPending.Read(HttpContext) is not { } pending
            || await users.FindByIdAsync(pending.UserId.ToString(CultureInfo.InvariantCulture)) is not { } user
            || user.SecurityStamp != pending.Stamp
            || !user.TwoFactorEnabled)
        {
            // Expired (five minutes), tampered with, or the account changed meanwhile: start again from the password.
            TwoFactorPending.End(HttpContext);
            return Redirect(WebSession.SignInPath);
        }
        await DescribeAsync(user, cancellationToken);
        if (string.IsNullOrWhiteSpace(Code))
        {
            Error = "Enter the six digits your authenticator app shows, or one of your recovery codes.";
            return Page();
        }

        var result = await accounts.SignInWithSecondFactorAsync(user, Code, twoFactor, AuditLog.ClientIp(HttpContext), cancellationToken, pending.Method);
        Error = result.Outcome == PasswordSignInOutcome.WrongCredentials
            ? "That code is not right. Codes change every 30 seconds; check that your phone's clock is right, or use a recovery code."
            : SignInMessages.Describe(result, clock.GetUtcNow());
        if (Error is not null)
        {
            return Page();
        }
        TwoFactorPending.End(HttpContext);
        return await WebSession.OpenAsync(this, result.Claims, clock, Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : AccountModel.Path);
    }
}
