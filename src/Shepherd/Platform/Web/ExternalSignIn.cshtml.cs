using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
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
/// Sign-in through an external provider: the button's POST starts the provider's challenge; the provider's answer,
/// once its handler has checked it, comes back here. A linked login opens the session like a password would (second
/// factor included). An unlinked login with a verified address of an existing account gets a confirmation e-mail;
/// nothing is linked or created otherwise.
/// </summary>
[AllowAnonymous]
[EnableRateLimiting(RateLimits.SignIn)]
public sealed class ExternalSignInModel(
    ExternalProviders providers, AccountSessions accounts, UserManager<ShepherdUser> users, AccountEmails emails,
    IDataProtectionProvider protection, IOptions<AccountLinkOptions> links, SecurityMetrics metrics, TimeProvider clock, Invitations invitations) : PageModel
{
    public const string Path = ExternalSignIn.CallbackPath;

    public const string NotLinkedMessage =
        "There is no Shepherd account for this sign-in. If you should have one, ask your administrator for an invitation.";

    [BindProperty]
    public string? Provider { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    /// <summary>The invitation link's code, when the button on /invite started the sign-in.</summary>
    [BindProperty]
    public string? Invitation { get; set; }

    public string? Error { get; private set; }

    public string? Message { get; private set; }

    /// <summary>Starts the provider's sign-in (authorization code with PKCE); the return address stays local.</summary>
    public IActionResult OnPostStart()
    {
        if (providers.Find(Provider) is not { } provider)
        {
            Error = "That sign-in provider is not configured here.";
            return Page();
        }
        var properties = new AuthenticationProperties { RedirectUri = Path };
        properties.Items[ExternalSignIn.ProviderItem] = provider.Scheme;
        if (Url.IsLocalUrl(ReturnUrl))
        {
            properties.Items[ExternalSignIn.ReturnUrlItem] = ReturnUrl;
        }
        if (Invitation is { Length: > 0 and <= 100 })
        {
            // Travels in the protected state: the provider never sees it.
            properties.Items[ExternalSignIn.InvitationItem] = Invitation;
        }
        return Challenge(properties, provider.Scheme);
    }

    public async Task<IActionResult> OnGetAsync(string? failed, CancellationToken cancellationToken)
    {
        if (failed is not null)
        {
            var name = providers.Find(failed)?.DisplayName ?? "the provider";
            Error = $"Signing in with {name} did not work, and you are not signed in. Try again; if it keeps failing, ask your administrator.";
            return Page();
        }
        if (providers.All.Count == 0)
        {
            return Redirect(WebSession.SignInPath);
        }
        var result = await HttpContext.AuthenticateAsync(ExternalSignIn.Scheme);
        await HttpContext.SignOutAsync(ExternalSignIn.Scheme);
        if (!result.Succeeded
            || result.Properties?.Items.TryGetValue(ExternalSignIn.ProviderItem, out var scheme) != true
            || providers.Find(scheme) is not { } provider
            || result.Principal.FindFirstValue(ExternalSignIn.SubjectClaim) is not { Length: > 0 and <= 255 } subject)
        {
            Error = "The sign-in with your provider was not finished or took too long. Start again.";
            return Page();
        }
        var returnUrl = result.Properties.Items.TryGetValue(ExternalSignIn.ReturnUrlItem, out var back) && Url.IsLocalUrl(back) ? back! : null;
        var ip = AuditLog.ClientIp(HttpContext);

        if (await users.FindByLoginAsync(provider.Scheme, subject) is { } user)
        {
            var signedIn = await accounts.SignInExternallyAsync(user, provider.Scheme, ip, cancellationToken);
            if (signedIn.Outcome == PasswordSignInOutcome.TwoFactorRequired)
            {
                TwoFactorPending.Start(HttpContext, user.Id, user.SecurityStamp, SessionClaims.ExternalMethod(provider.Scheme));
                return LocalRedirect(TwoFactorSignInModel.Path + (returnUrl is null ? "" : "?ReturnUrl=" + Uri.EscapeDataString(returnUrl)));
            }
            Error = SignInMessages.Describe(signedIn, clock.GetUtcNow());
            if (Error is not null)
            {
                return Page();
            }
            return await WebSession.OpenAsync(this, signedIn.Claims, clock,
                signedIn.MustSetUpTwoFactor ? TwoFactorModel.Path : returnUrl ?? AccountModel.Path);
        }

        // Not linked: only a verified address of an existing account, and only once the mailbox's owner confirms.
        var email = result.Principal.FindFirstValue(ExternalSignIn.EmailClaim);
        var verified = string.Equals(result.Principal.FindFirstValue(ExternalSignIn.EmailVerifiedClaim), "true", StringComparison.OrdinalIgnoreCase);
        var owner = verified && email is { Length: > 0 and <= 256 } ? await users.FindByEmailAsync(email) : null;
        if (owner is null && result.Properties.Items.TryGetValue(ExternalSignIn.InvitationItem, out var code))
        {
            return await AcceptInvitationAsync(code, provider, subject, verified ? email : null,
                result.Principal.FindFirstValue("name"), returnUrl, ip, cancellationToken);
        }
        if (owner is null)
        {
            metrics.SignIn("failed", ExternalSignIn.MetricStep);
            Error = NotLinkedMessage;
            return Page();
        }
        if (emails.Problem is { } problem)
        {
            Error = $"Your {provider.DisplayName} sign-in is not linked to your Shepherd account yet, and this server cannot send the confirmation e-mail: {problem} Ask your administrator.";
            return Page();
        }
        var lifetime = links.Value.LinkLifetime;
        var link = emails.Link(ExternalLinkToken.Link(protection, new ExternalLinkToken.Claim(owner.Id, provider.Scheme, subject), lifetime))!;
        await emails.SendExternalLinkAsync(owner.Email!, provider.DisplayName, link, lifetime, cancellationToken);
        Message = $"Your {provider.DisplayName} sign-in is not linked to your Shepherd account yet. We sent a link to {owner.Email}: open it to link them. Nothing is linked until then.";
        return Page();
    }

    /// <summary>
    /// A new address accepts its invitation by signing in with the provider: the invitation link proves the address, the
    /// provider's verified address must be the invited one. The account is created without a password, linked, joined.
    /// </summary>
    private async Task<IActionResult> AcceptInvitationAsync(
        string? code, ExternalProvider provider, string subject, string? verifiedEmail, string? name, string? returnUrl, string? ip, CancellationToken cancellationToken)
    {
        var view = await invitations.FindAsync(code, cancellationToken);
        if (view is not { State: InvitationState.Pending, Invitation: { } invitation })
        {
            Error = "This invitation is no longer valid (expired, withdrawn or already used). Ask your administrator for a new one.";
            return Page();
        }
        if (verifiedEmail is null || !string.Equals(verifiedEmail, invitation.Email, StringComparison.OrdinalIgnoreCase))
        {
            metrics.SignIn("failed", ExternalSignIn.MetricStep);
            Error = $"This invitation is for {invitation.Email}, but {provider.DisplayName} did not confirm that address for you. Sign in there with that address, or choose a password instead.";
            return Page();
        }
        var user = await invitations.AcceptWithLoginAsync(invitation, new UserLoginInfo(provider.Scheme, subject, provider.DisplayName), name, cancellationToken);
        if (user is null)
        {
            Error = "Your account could not be created. Ask your administrator.";
            return Page();
        }
        var signedIn = await accounts.SignInExternallyAsync(user, provider.Scheme, ip, cancellationToken);
        Error = SignInMessages.Describe(signedIn, clock.GetUtcNow());
        if (Error is not null)
        {
            return Page();
        }
        return await WebSession.OpenAsync(this, signedIn.Claims, clock, signedIn.MustSetUpTwoFactor ? TwoFactorModel.Path : returnUrl ?? AccountModel.Path);
    }
}
