using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Security;

namespace Shepherd.Platform.Web;

/// <summary>
/// Sign-in with an e-mail address and password, or with an API token (like a cluster dashboard's "sign in with a
/// token", for operators who only need the Operations page). Either opens the same session cookie. Neither the password
/// nor the token is ever logged.
/// </summary>
[AllowAnonymous]
[EnableRateLimiting(RateLimits.SignIn)]
public sealed class SignInModel(AccountSessions accounts, ApiTokenValidator tokens, TimeProvider clock) : PageModel
{
    public const string DefaultPage = AccountModel.Path;
    public const string TokenDefaultPage = "/operations";

    [BindProperty]
    public string? Email { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    [BindProperty]
    public string? Token { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Error { get; private set; }

    /// <summary>Which form the error belongs to: "password" or "token".</summary>
    public string? ErrorFor { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (Request.Form.ContainsKey(nameof(Token)))
        {
            return await TokenSignInAsync(Token?.Trim() ?? "", cancellationToken);
        }
        var email = Email?.Trim() ?? "";
        var password = Password ?? "";
        ErrorFor = "password";
        if (email.Length == 0 || password.Length == 0)
        {
            Error = "Enter your e-mail address and password.";
            return Page();
        }

        var result = await accounts.SignInWithPasswordAsync(email, password, AuditLog.ClientIp(HttpContext), cancellationToken);
        if (result.Outcome == PasswordSignInOutcome.TwoFactorRequired)
        {
            TwoFactorPending.Start(HttpContext, result.User!.Id, result.User.SecurityStamp);
            return LocalRedirect(TwoFactorSignInModel.Path + (Url.IsLocalUrl(ReturnUrl) ? "?ReturnUrl=" + Uri.EscapeDataString(ReturnUrl!) : ""));
        }
        Error = SignInMessages.Describe(result, clock.GetUtcNow(), HttpContext.RequestServices.GetRequiredService<ExternalProviders>().Names);
        if (Error is not null)
        {
            return Page();
        }
        return await OpenSessionAsync(result.Claims, DefaultPage, result.MustSetUpTwoFactor);
    }

    private async Task<IActionResult> TokenSignInAsync(string presented, CancellationToken cancellationToken)
    {
        ErrorFor = "token";
        var validation = presented.Length == 0
            ? TokenValidation.Failed(TokenOutcome.Malformed)
            : await tokens.ValidateAsync(presented, cancellationToken);
        Error = validation.Outcome switch
        {
            TokenOutcome.Valid when !WebSession.MaySignIn(validation.Claims) =>
                "This token cannot open the Operations page: it needs the monitoring scope, or must belong to a platform administrator.",
            TokenOutcome.Valid => null,
            TokenOutcome.Malformed when presented.Length == 0 => "Enter an API token.",
            TokenOutcome.Malformed => "That is not a Shepherd API token: tokens start with shp_ and are " + ApiTokenValidator.MaxLength + " characters at most.",
            TokenOutcome.Revoked => "This token has been revoked. Make a new one with shepherd admin token.",
            TokenOutcome.Expired => "This token has expired. Make a new one with shepherd admin token.",
            TokenOutcome.NotAMember => "This token's user is no longer a member of its organization.",
            _ => "No such token. Check that you copied all of it.",
        };
        if (Error is not null)
        {
            return Page();
        }
        return await OpenSessionAsync(validation.Claims, TokenDefaultPage, mustSetUpTwoFactor: false);
    }

    private Task<IActionResult> OpenSessionAsync(IEnumerable<Claim> claims, string defaultPage, bool mustSetUpTwoFactor) =>
        WebSession.OpenAsync(this, claims, clock, mustSetUpTwoFactor ? TwoFactorModel.Path : Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : defaultPage);
}
