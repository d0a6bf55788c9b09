using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Shepherd.Data.Accounts;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Mail;
using Shepherd.Platform.Security;

namespace Shepherd.Platform.Web;

/// <summary>
/// "Forgot your password?": e-mails a reset link. The answer is the same whether or not the address has an account, so
/// the page cannot be used to find out who has one. Rate limited per client address.
/// </summary>
[AllowAnonymous]
[EnableRateLimiting(RateLimits.PasswordReset)]
public sealed class ForgotPasswordModel(UserManager<ShepherdUser> users, AccountEmails emails, IOptions<AccountLinkOptions> links, SessionClaims sessions) : PageModel
{
    public const string SentMessage = "If an account exists for that address, we sent a link to it. It works for one hour; check your spam folder too.";

    [BindProperty]
    public string? Email { get; set; }

    public string? Message { get; private set; }

    public string? Error { get; private set; }

    /// <summary>Why this server cannot send the link, shown before anyone types their address.</summary>
    public string? MailProblem => emails.Problem;

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (MailProblem is not null)
        {
            Error = MailProblem + " Ask an administrator of your organization to help you.";
            return Page();
        }
        var email = Email?.Trim() ?? "";
        if (email.Length is 0 or > 256 || !email.Contains('@', StringComparison.Ordinal))
        {
            Error = "Enter the e-mail address you sign in with.";
            return Page();
        }
        var user = await users.FindByEmailAsync(email);
        // A member only of organizations that turned passwords off has no password to reset: the same neutral answer.
        if (user is not null && !(await sessions.MembershipsAsync(user.Id, cancellationToken) is { Count: > 0 } memberships && memberships.All(m => m.PasswordsDisabled)))
        {
            var token = await users.GeneratePasswordResetTokenAsync(user);
            var link = emails.Link(AccountLinks.Reset(user.Id, token))!;
            // Queued, so the answer comes as fast as for an unknown address; a failure is logged by the sender (telling
            // the visitor would say the address has an account).
            emails.QueuePasswordReset(user.Email!, link, links.Value.LinkLifetime);
        }
        Message = SentMessage;
        return Page();
    }
}
