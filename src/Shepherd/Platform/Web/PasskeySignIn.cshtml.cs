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

/// <summary>
/// Sign-in with a passkey, passwordless (a discoverable credential, user verification required: both factors) or as the
/// second step after the password. The browser first posts for options (<c>?handler=Options</c>, with
/// <c>step=second-factor</c> for the second step), then posts the credential JSON here as a form field.
/// </summary>
[AllowAnonymous]
[EnableRateLimiting(RateLimits.SignIn)]
[RequestSizeLimit(64 * 1024)]
public sealed class PasskeySignInModel(AccountSessions accounts, UserManager<ShepherdUser> users, TimeProvider clock) : PageModel
{
    public const string Path = "/signin/passkey";
    public const string OptionsPath = Path + "?handler=Options";
    public const string SecondFactorStep = "second-factor";
    public const string Rejected = "That passkey was not accepted. Use a passkey you registered for this site, or sign in with your password.";

    [BindProperty]
    public string? CredentialJson { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Error { get; private set; }

    public IActionResult OnGet() => Redirect(WebSession.SignInPath);

    /// <summary>The request options for <c>navigator.credentials.get</c>, as JSON; the challenge goes into the ceremony cookie.</summary>
    public async Task<IActionResult> OnPostOptionsAsync(string? step)
    {
        ShepherdUser? user = null;
        if (step == SecondFactorStep && (user = await PendingUserAsync()) is null)
        {
            return Answer(StatusCodes.Status400BadRequest, "Your sign-in expired. Enter your e-mail address and password again.");
        }
        var options = await Passkeys.RequestOptionsAsync(HttpContext, user);
        PasskeyCeremony.Start(HttpContext, PasskeyCeremony.SignIn, user?.Id, options.AssertionState ?? "");
        return Content(options.RequestOptionsJson, "application/json");
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (Passkeys.ShapeProblem(CredentialJson, "clientDataJSON", "authenticatorData", "signature") is { } problem)
        {
            return Answer(StatusCodes.Status400BadRequest, problem);
        }
        if (PasskeyCeremony.Take(HttpContext, PasskeyCeremony.SignIn) is not { } ceremony)
        {
            return Answer(StatusCodes.Status400BadRequest, "This passkey sign-in expired or was already used. Press the passkey button again.");
        }
        ShepherdUser? secondFactorFor = null;
        if (ceremony.UserId is { } userId && ((secondFactorFor = await PendingUserAsync()) is null || secondFactorFor.Id != userId))
        {
            TwoFactorPending.End(HttpContext);
            return Redirect(WebSession.SignInPath);
        }

        // As the second step, the session keeps how the first was passed (a password, or an external provider).
        var firstStep = secondFactorFor is null ? null : TwoFactorPending.Read(HttpContext)?.Method;
        var result = await accounts.SignInWithPasskeyAsync(
            HttpContext, CredentialJson!, ceremony.Json, secondFactorFor, AuditLog.ClientIp(HttpContext), cancellationToken, firstStep);
        var error = result.Outcome switch
        {
            PasswordSignInOutcome.WrongCredentials => Rejected,
            PasswordSignInOutcome.PasswordsDisabled => "Your organization signs in through its identity provider only, not with a password or passkey.",
            _ => SignInMessages.Describe(result, clock.GetUtcNow()),
        };
        if (error is not null)
        {
            return Answer(StatusCodes.Status200OK, error);
        }
        if (secondFactorFor is not null)
        {
            TwoFactorPending.End(HttpContext);
        }
        return await WebSession.OpenAsync(this, result.Claims, clock,
            result.MustSetUpTwoFactor ? TwoFactorModel.Path : Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : AccountModel.Path);
    }

    /// <summary>The user who passed the password step, while their pending second step lasts.</summary>
    private async Task<ShepherdUser?> PendingUserAsync() =>
        TwoFactorPending.Read(HttpContext) is { } pending
        && await users.FindByIdAsync(pending.UserId.ToString(CultureInfo.InvariantCulture)) is { } user
        && user.SecurityStamp == pending.Stamp
            ? user
            : null;

    private PageResult Answer(int status, string error)
    {
        Response.StatusCode = status;
        Error = error;
        return Page();
    }
}
