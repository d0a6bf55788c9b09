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

        var result = await accounts.SignInWithPasswordAsync(email, password, HttpContext.Connection.RemoteIpAddress?.ToString(), cancellationToken);
        Error = result.Outcome switch
        {
            PasswordSignInOutcome.SignedIn => null,
            PasswordSignInOutcome.LockedOut => LockedOutMessage(result.LockedUntil),
            PasswordSignInOutcome.NoOrganization => "This account does not belong to any organization yet. Ask an administrator to invite you.",
            PasswordSignInOutcome.PasswordsDisabled => "Your organization signs in through its identity provider, not with a password.",
            _ => "That e-mail address and password do not match an account.",
        };
        if (Error is not null)
        {
            return Page();
        }
        return await OpenSessionAsync(result.Claims, DefaultPage);
    }

    private string LockedOutMessage(DateTimeOffset? until)
    {
        if (until is not { } end)
        {
            return "This account is locked. Ask an administrator to unlock it.";
        }
        var minutes = Math.Max(1, (int)Math.Ceiling((end - clock.GetUtcNow()).TotalMinutes));
        return string.Create(CultureInfo.InvariantCulture,
            $"Too many failed attempts: this account is locked until {end.UtcDateTime:HH:mm} UTC (about {minutes} min). Try again then, or ask an administrator.");
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
        return await OpenSessionAsync(validation.Claims, TokenDefaultPage);
    }

    private async Task<IActionResult> OpenSessionAsync(IEnumerable<Claim> claims, string defaultPage)
    {
        // The cookie is a new encrypted ticket made here, replacing whatever the browser held: a session id planted
        // before sign-in cannot carry over (no session fixation).
        await HttpContext.SignInAsync(WebSession.Scheme, WebSession.Principal(claims, clock.GetUtcNow()),
            new AuthenticationProperties { IsPersistent = false });
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : defaultPage);
    }
}
