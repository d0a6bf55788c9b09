using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Shepherd.Cli;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Security;

namespace Shepherd.Platform.Web;

/// <summary>
/// Creates the first administrator and their organization from the browser, with the one-time code from the server's
/// log. Open only while the instance has no user; `shepherd admin create` does the same from the shell.
/// </summary>
[AllowAnonymous]
[EnableRateLimiting(RateLimits.SignIn)]
public sealed class SetupModel(FirstRunSetup setup, AdministratorSetup administrators, AccountSessions accounts, TimeProvider clock) : PageModel
{
    [BindProperty]
    public string? Code { get; set; }

    [BindProperty]
    public string? Organization { get; set; }

    [BindProperty]
    public string? Email { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    [BindProperty]
    public string? ConfirmPassword { get; set; }

    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (!await setup.IsNeededAsync(cancellationToken))
        {
            return Redirect(WebSession.SignInPath);
        }
        await setup.AnnounceAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!await setup.IsNeededAsync(cancellationToken))
        {
            return Redirect(WebSession.SignInPath);
        }
        await setup.AnnounceAsync(cancellationToken);
        var email = Email?.Trim() ?? "";
        Error = true switch
        {
            _ when !setup.Accepts(Code) => "That setup code is not right. The current code is printed in the server's log (look for \"setup code\").",
            _ when string.IsNullOrWhiteSpace(Organization) => "Enter your organization's name, e.g. Grace Church.",
            _ when email.Length == 0 || !email.Contains('@', StringComparison.Ordinal) => "Enter your e-mail address.",
            _ when string.IsNullOrEmpty(Password) => "Choose a password of at least 10 characters.",
            _ when Password != ConfirmPassword => "The password and its confirmation differ.",
            _ => null,
        };
        if (Error is not null)
        {
            return Page();
        }
        try
        {
            await administrators.CreateAsync(email, Password!, Organization!, cancellationToken);
        }
        catch (CommandException e)
        {
            Error = e.Message;
            return Page();
        }
        setup.Complete();
        var signedIn = await accounts.SignInWithPasswordAsync(email, Password!, AuditLog.ClientIp(HttpContext), cancellationToken);
        if (signedIn.Outcome != PasswordSignInOutcome.SignedIn)
        {
            return Redirect(WebSession.SignInPath);
        }
        // An administrator's first stop is usually setting up two-factor sign-in (required for administrators by default).
        return await WebSession.OpenAsync(this, signedIn.Claims, clock, signedIn.MustSetUpTwoFactor ? TwoFactorModel.Path : AccountModel.Path);
    }
}
