using System.Globalization;
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
/// Confirming one's e-mail address: a signed-in user whose address is unconfirmed asks for a link (POST), and the link
/// (GET with user and token, in any browser) confirms it. Accepting an invitation or resetting a password confirms it too.
/// </summary>
[AllowAnonymous]
[EnableRateLimiting(RateLimits.PasswordReset)]
public sealed class ConfirmEmailModel(UserManager<ShepherdUser> users, AccountEmails emails, IOptions<AccountLinkOptions> links) : PageModel
{
    public const string InvalidLink = "This confirmation link has expired, was already used or is damaged. Sign in and ask for a new one.";

    [BindProperty(SupportsGet = true, Name = "user")]
    public string? UserId { get; set; }

    [BindProperty(SupportsGet = true, Name = "token")]
    public string? Token { get; set; }

    public string? Message { get; private set; }

    public string? Error { get; private set; }

    /// <summary>The signed-in user's address and whether it is confirmed; null when nobody (or a token session) is signed in.</summary>
    public ShepherdUser? Account { get; private set; }

    public string? MailProblem => emails.Problem;

    public async Task OnGetAsync()
    {
        if (Token is null && UserId is null)
        {
            Account = await SignedInUserAsync();
            return;
        }
        var token = AccountLinks.DecodeToken(Token);
        var user = token is not null && long.TryParse(UserId, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? await users.FindByIdAsync(id.ToString(CultureInfo.InvariantCulture))
            : null;
        var confirmed = user is not null && (await users.ConfirmEmailAsync(user, token!)).Succeeded;
        if (confirmed)
        {
            Message = $"Thank you: {user!.Email} is confirmed.";
        }
        else
        {
            Error = InvalidLink;
        }
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var user = await SignedInUserAsync();
        if (user is null)
        {
            return Challenge();
        }
        Account = user;
        if (user.EmailConfirmed)
        {
            Message = $"{user.Email} is already confirmed.";
            return Page();
        }
        if (MailProblem is not null)
        {
            Error = MailProblem + " Ask an administrator of your organization to invite you again: accepting an invitation confirms the address.";
            return Page();
        }
        var token = await users.GenerateEmailConfirmationTokenAsync(user);
        var sent = await emails.SendConfirmationAsync(user.Email!, emails.Link(AccountLinks.Confirm(user.Id, token))!, links.Value.LinkLifetime, cancellationToken);
        if (sent.Sent)
        {
            Message = $"We sent a confirmation link to {user.Email}.";
        }
        else
        {
            Error = sent.Problem;
        }
        return Page();
    }

    private async Task<ShepherdUser?> SignedInUserAsync() =>
        User.Identity?.IsAuthenticated == true && !User.HasClaim(c => c.Type == ApiScopes.TokenIdClaim) && User.UserId() is { } id
            ? await users.FindByIdAsync(id.ToString(CultureInfo.InvariantCulture))
            : null;
}
