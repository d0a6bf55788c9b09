using System.Globalization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Shepherd.Data.Accounts;
using Shepherd.Platform.Accounts;

namespace Shepherd.Platform.Web;

/// <summary>Setting up two-factor sign-in with an authenticator app, recovery codes, and turning it off.</summary>
public sealed class TwoFactorModel(TwoFactor twoFactor, AccountSessions accounts, UserManager<ShepherdUser> users, TimeProvider clock) : PageModel
{
    public const string Path = "/account/two-factor";

    public bool Enabled { get; private set; }

    /// <summary>The organization requires it for this member's role: it cannot be turned off, and nothing else opens until it is on.</summary>
    public bool Required { get; private set; }

    public TwoFactorEnrollment? Enrollment { get; private set; }

    /// <summary>Shown once, right after they were made.</summary>
    public IReadOnlyList<string>? RecoveryCodes { get; private set; }

    public int RecoveryCodesLeft { get; private set; }

    public string? Error { get; private set; }

    [BindProperty]
    public string? Code { get; set; }

    public async Task<IActionResult> OnGetAsync() => await CurrentUserAsync() is { } user ? await ShowAsync(user) : Forbid();

    public async Task<IActionResult> OnPostEnableAsync(CancellationToken cancellationToken)
    {
        if (await CurrentUserAsync() is not { } user)
        {
            return Forbid();
        }
        var codes = string.IsNullOrWhiteSpace(Code) ? null : await twoFactor.ConfirmAsync(user, Code, Ip, cancellationToken);
        if (codes is null)
        {
            Error = "That code is not right. Scan the QR code again or type the key, then enter the six digits the app shows now.";
            return await ShowAsync(user);
        }
        await WebSession.KeepAfterStampChangeAsync(this, accounts, clock, cancellationToken);
        RecoveryCodes = codes;
        return await ShowAsync(user);
    }

    public async Task<IActionResult> OnPostRecoveryCodesAsync()
    {
        if (await CurrentUserAsync() is not { } user || !user.TwoFactorEnabled)
        {
            return Forbid();
        }
        RecoveryCodes = await twoFactor.NewRecoveryCodesAsync(user);
        return await ShowAsync(user);
    }

    public async Task<IActionResult> OnPostDisableAsync(CancellationToken cancellationToken)
    {
        if (await CurrentUserAsync() is not { } user || !user.TwoFactorEnabled)
        {
            return Forbid();
        }
        if (await RequiredAsync(user, cancellationToken))
        {
            Error = "Your organization requires two-factor sign-in for your role, so it stays on. Lost your phone? Ask an administrator to run shepherd admin reset-2fa.";
            return await ShowAsync(user);
        }
        if (string.IsNullOrWhiteSpace(Code) || !await twoFactor.VerifyAsync(user, Code))
        {
            Error = "Enter a current code (or a recovery code) to turn two-factor sign-in off.";
            return await ShowAsync(user);
        }
        await twoFactor.TurnOffAsync(user, user.Email ?? "the user", Ip, cancellationToken);
        await WebSession.KeepAfterStampChangeAsync(this, accounts, clock, cancellationToken);
        return await ShowAsync(user);
    }

    private string? Ip => AuditLog.ClientIp(HttpContext);

    private async Task<ShepherdUser?> CurrentUserAsync() =>
        User.HasClaim(c => c.Type == ApiScopes.TokenIdClaim) || User.UserId() is not { } id
            ? null
            : await users.FindByIdAsync(id.ToString(CultureInfo.InvariantCulture));

    private async Task<bool> RequiredAsync(ShepherdUser user, CancellationToken cancellationToken)
    {
        var organization = User.FindFirst(ApiScopes.OrganizationClaim)?.Value;
        var memberships = await HttpContext.RequestServices.GetRequiredService<SessionClaims>().MembershipsAsync(user.Id, cancellationToken);
        return memberships.Any(m => m.TwoFactorRequired && m.OrganizationId.ToString(CultureInfo.InvariantCulture) == organization);
    }

    private async Task<IActionResult> ShowAsync(ShepherdUser user)
    {
        var fresh = await users.FindByIdAsync(user.Id.ToString(CultureInfo.InvariantCulture)) ?? user;
        Enabled = fresh.TwoFactorEnabled;
        Required = await RequiredAsync(fresh, HttpContext.RequestAborted);
        if (Enabled)
        {
            RecoveryCodesLeft = await twoFactor.RecoveryCodesLeftAsync(fresh);
        }
        else
        {
            Enrollment = await twoFactor.EnrollmentAsync(fresh);
        }
        return Page();
    }
}
