using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
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
/// The e-mailed link that links an external login to the account: opening it shows what would be linked, the button
/// links it (a GET changes nothing, so a mail scanner following links links nothing). Then the person signs in with the
/// provider. Audited in each of the user's organizations.
/// </summary>
[AllowAnonymous]
[EnableRateLimiting(RateLimits.PasswordReset)]
public sealed class ExternalLinkConfirmModel(
    ExternalProviders providers, UserManager<ShepherdUser> users, SessionClaims sessions, IDataProtectionProvider protection) : PageModel
{
    public const string InvalidMessage = "This link is not valid: it expired, was already used, or was changed. Sign in with your provider again to get a new one.";

    [BindProperty(SupportsGet = true, Name = "user")]
    public long? LinkUser { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Token { get; set; }

    public string? Error { get; private set; }

    public string? Message { get; private set; }

    public string? ProviderName { get; private set; }

    public string? Email { get; private set; }

    public bool Linked { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        if (await ReadAsync() is not ({ } user, { } provider, _))
        {
            Error = InvalidMessage;
            return Page();
        }
        ProviderName = provider.DisplayName;
        Email = user.Email;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (await ReadAsync() is not ({ } user, { } provider, { } subject))
        {
            Error = InvalidMessage;
            return Page();
        }
        var added = await users.AddLoginAsync(user, new UserLoginInfo(provider.Scheme, subject, provider.DisplayName));
        if (!added.Succeeded)
        {
            Error = InvalidMessage;
            return Page();
        }
        var memberships = await sessions.MembershipsAsync(user.Id, cancellationToken);
        await sessions.RecordAsync(memberships, user, AuditAction.Updated, AuditLog.ClientIp(HttpContext), cancellationToken,
            $"external sign-in with {provider.Scheme} linked");
        ProviderName = provider.DisplayName;
        Linked = true;
        Message = $"Your {provider.DisplayName} sign-in is linked to your Shepherd account. Sign in with {provider.DisplayName} now.";
        return Page();
    }

    /// <summary>The user, provider and subject the link names, when it is valid and that login is not linked yet.</summary>
    private async Task<(ShepherdUser? User, ExternalProvider? Provider, string? Subject)> ReadAsync()
    {
        if (ExternalLinkToken.Read(protection, LinkUser, Token) is not { } claim
            || providers.Find(claim.Provider) is not { } provider
            || await users.FindByIdAsync(claim.UserId.ToString(CultureInfo.InvariantCulture)) is not { } user
            || await users.FindByLoginAsync(provider.Scheme, claim.Subject) is not null)
        {
            return (null, null, null);
        }
        return (user, provider, claim.Subject);
    }
}
