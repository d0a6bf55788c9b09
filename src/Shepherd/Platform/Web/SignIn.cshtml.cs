using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Security;

namespace Shepherd.Platform.Web;

/// <summary>
/// Sign-in with an API token (like a cluster dashboard's "sign in with a token") until accounts bring passwords: the
/// token is checked like a bearer token and a session cookie carries its claims. The token itself is never logged.
/// </summary>
[AllowAnonymous]
[EnableRateLimiting(RateLimits.SignIn)]
public sealed class SignInModel(ApiTokenValidator tokens, TimeProvider clock) : PageModel
{
    public const string DefaultPage = "/operations";

    [BindProperty]
    public string? Token { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Error { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var presented = Token?.Trim() ?? "";
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
            _ => "No such token. Check that you copied all of it.",
        };
        if (Error is not null)
        {
            return Page();
        }

        await HttpContext.SignInAsync(WebSession.Scheme, WebSession.Principal(validation.Claims, clock.GetUtcNow()),
            new AuthenticationProperties { IsPersistent = false });
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : DefaultPage);
    }
}
