using System.Globalization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Shepherd.Data.Accounts;
using Shepherd.Features.Members;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Security;

namespace Shepherd.Platform.Web;

/// <summary>
/// Accepting an invitation from its link. A new address chooses a password and is signed in; an address that already
/// has an account signs in first and then joins, and only an account with the invited address may join.
/// </summary>
[AllowAnonymous]
[EnableRateLimiting(RateLimits.SignIn)]
public sealed class InviteModel(Invitations invitations, UserManager<ShepherdUser> users, AccountSessions accounts, SessionClaims sessions, TimeProvider clock)
    : PageModel
{
    public enum Offer { Nothing, NewAccount, SignInFirst, Join, WrongAccount }

    [BindProperty(SupportsGet = true)]
    public string? Code { get; set; }

    [BindProperty]
    public string? DisplayName { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    [BindProperty]
    public string? ConfirmPassword { get; set; }

    public InvitationView Invitation { get; private set; } = new(null, "", InvitationState.Unknown);

    public Offer Shown { get; private set; }

    public string? Error { get; private set; }

    public string RoleName => Invitation.Invitation is { } i ? InvitationsApi.Describe(i.Role) : "";

    public string SignInLink => $"{WebSession.SignInPath}?ReturnUrl={Uri.EscapeDataString(AccountLinks.Invite(Code ?? ""))}";

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken cancellationToken)
    {
        if (await LoadAsync(cancellationToken) != Offer.NewAccount)
        {
            return Page();
        }
        var invitation = Invitation.Invitation!;
        if (string.IsNullOrEmpty(Password) || Password != ConfirmPassword)
        {
            Error = string.IsNullOrEmpty(Password) ? "Choose a password of at least 10 characters." : "The password and its confirmation differ.";
            return Page();
        }
        if (DisplayName?.Length > 200)
        {
            Error = "Your name may have at most 200 characters.";
            return Page();
        }
        var errors = await invitations.AcceptAsNewUserAsync(invitation, Password, DisplayName, cancellationToken);
        if (errors.Count > 0)
        {
            Error = string.Join(" ", errors);
            return Page();
        }
        var signedIn = await accounts.SignInWithPasswordAsync(invitation.Email, Password, HttpContext.Connection.RemoteIpAddress?.ToString(), cancellationToken);
        if (signedIn.Outcome != PasswordSignInOutcome.SignedIn)
        {
            return Redirect(WebSession.SignInPath);
        }
        await HttpContext.SignInAsync(WebSession.Scheme, WebSession.Principal(signedIn.Claims, clock.GetUtcNow()));
        return LocalRedirect(AccountModel.Path);
    }

    public async Task<IActionResult> OnPostJoinAsync(CancellationToken cancellationToken)
    {
        if (await LoadAsync(cancellationToken) != Offer.Join)
        {
            return Page();
        }
        var invitation = Invitation.Invitation!;
        var user = await users.FindByIdAsync(User.UserId()!.Value.ToString(CultureInfo.InvariantCulture));
        if (user is null)
        {
            return Challenge();
        }
        await invitations.AcceptAsExistingUserAsync(invitation, user, cancellationToken);
        // The session moves to the organization just joined.
        var claims = await sessions.RefreshAsync(User, invitation.OrganizationId, cancellationToken);
        if (claims is not null)
        {
            await HttpContext.SignInAsync(WebSession.Scheme, WebSession.Principal(claims, clock.GetUtcNow()));
        }
        return LocalRedirect(AccountModel.Path);
    }

    private async Task<Offer> LoadAsync(CancellationToken cancellationToken)
    {
        Invitation = await invitations.FindAsync(Code, cancellationToken);
        Shown = Offer.Nothing;
        if (Invitation.State != InvitationState.Pending)
        {
            Error = Invitation.State switch
            {
                InvitationState.Expired => $"This invitation to {Invitation.OrganizationName} has expired. Ask the person who invited you for a new one.",
                InvitationState.Revoked => $"This invitation to {Invitation.OrganizationName} was withdrawn. Ask the person who invited you if you expected it.",
                InvitationState.Accepted => $"This invitation to {Invitation.OrganizationName} was already accepted. Sign in to continue.",
                _ => "This invitation link is not valid. Check that you opened the whole link from the e-mail.",
            };
            return Shown;
        }
        var email = Invitation.Invitation!.Email;
        var signedIn = User.Identity?.IsAuthenticated == true && !User.HasClaim(c => c.Type == ApiScopes.TokenIdClaim) ? User.UserId() : null;
        if (signedIn is { } userId)
        {
            var user = await users.FindByIdAsync(userId.ToString(CultureInfo.InvariantCulture));
            Shown = user is not null && string.Equals(user.Email, email, StringComparison.OrdinalIgnoreCase) ? Offer.Join : Offer.WrongAccount;
            if (Shown == Offer.WrongAccount)
            {
                Error = $"This invitation is for {email}, but you are signed in as {User.DisplayName()}. Sign out and open the link again, or ask for an invitation to your own address.";
            }
            return Shown;
        }
        Shown = await users.FindByEmailAsync(email) is null ? Offer.NewAccount : Offer.SignInFirst;
        return Shown;
    }
}
